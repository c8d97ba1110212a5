"""Where files live: the local disk (the default) or S3-compatible object storage (django-storages).

Two storages, named in settings.STORAGES:

- "default", public files: cooperatives' logos and photos, publication covers, publication files (served through
  the counting download view). Locally FileSystemStorage under MEDIA_ROOT; on S3 `PublicS3Storage`, which gives each
  object its Content-Type, an inline or attachment Content-Disposition and, for images, a year's immutable cache.
- "private", personal and generated files: representatives' documents, background exports, certificate archives.
  Locally `LocalPrivateStorage` under PRIVATE_MEDIA_ROOT (no URL at all); on S3 `PrivateS3Storage`, whose objects
  are reachable only through short-lived signed URLs (settings.PORTAL_SIGNED_URL_SECONDS) handed out by views that
  check permissions first (`private_file_response`).

Model fields name `PrivateStorage()`, which looks the "private" storage up on every call, so a settings change
(tests, a deployment switching to S3) applies without a migration.
"""

import mimetypes
import os
import posixpath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.deconstruct import deconstructible
from django.utils.http import content_disposition_header

try:  # django-storages is in requirements.txt; the portal still starts without it (local files only)
    from storages.backends.s3 import S3Storage
except ImportError:  # pragma: no cover
    S3Storage = None

PRIVATE = "private"
IMMUTABLE = "public, max-age=31536000, immutable"
INLINE_TYPES = {"image/jpeg", "image/png", "image/webp"}


def content_type_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


@deconstructible
class LocalPrivateStorage(FileSystemStorage):
    """Files under settings.PRIVATE_MEDIA_ROOT, which no web server publishes; they have no URL and are served only
    by views that check permissions. The location is read on each use, so settings overrides apply."""

    def __init__(self, **kwargs):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name, **kwargs):
        raise ValueError("Private files have no public URL.")


if S3Storage is not None:

    class PublicS3Storage(S3Storage):
        """Public objects with the headers a browser needs: the type, inline for images (attachment with a safe name
        for anything else), and a year's immutable cache for images (their names are random and never reused)."""

        def get_object_parameters(self, name):
            parameters = super().get_object_parameters(name).copy()
            content_type = content_type_of(name)
            parameters["ContentType"] = content_type
            if content_type in INLINE_TYPES:
                parameters["ContentDisposition"] = "inline"
                parameters["CacheControl"] = IMMUTABLE
            else:
                parameters["ContentDisposition"] = content_disposition_header(True, posixpath.basename(name))
            return parameters

    class PrivateS3Storage(S3Storage):
        """Private objects: never cached by a proxy, always a download; reached only through signed URLs that expire
        after settings.PORTAL_SIGNED_URL_SECONDS."""

        def get_object_parameters(self, name):
            parameters = super().get_object_parameters(name).copy()
            parameters["ContentType"] = content_type_of(name)
            parameters["ContentDisposition"] = content_disposition_header(True, posixpath.basename(name))
            parameters["CacheControl"] = "private, no-store"
            return parameters

        def url(self, name, parameters=None, expire=None, http_method=None):
            if expire is None:
                expire = settings.PORTAL_SIGNED_URL_SECONDS
            return super().url(name, parameters=parameters, expire=expire, http_method=http_method)


@deconstructible
class PrivateStorage(Storage):
    """The "private" storage of settings.STORAGES, looked up on every call (a model field keeps its storage object
    for the life of the process; this one follows the settings)."""

    def _backend(self) -> Storage:
        return storages[PRIVATE]

    def open(self, name, mode="rb"):
        return self._backend().open(name, mode)

    def save(self, name, content, max_length=None):
        return self._backend().save(name, content, max_length=max_length)

    def get_valid_name(self, name):
        return self._backend().get_valid_name(name)

    def get_alternative_name(self, file_root, file_ext):
        return self._backend().get_alternative_name(file_root, file_ext)

    def get_available_name(self, name, max_length=None):
        return self._backend().get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self._backend().generate_filename(filename)

    def path(self, name):
        return self._backend().path(name)

    def delete(self, name):
        return self._backend().delete(name)

    def exists(self, name):
        return self._backend().exists(name)

    def listdir(self, path):
        return self._backend().listdir(path)

    def size(self, name):
        return self._backend().size(name)

    def url(self, name, **kwargs):
        return self._backend().url(name, **kwargs)

    def get_accessed_time(self, name):
        return self._backend().get_accessed_time(name)

    def get_created_time(self, name):
        return self._backend().get_created_time(name)

    def get_modified_time(self, name):
        return self._backend().get_modified_time(name)


def is_signed_url_storage(storage: Storage) -> bool:
    """An object store that hands out signed URLs (S3), rather than local files the portal must send itself."""
    if isinstance(storage, PrivateStorage):
        storage = storage._backend()
    return S3Storage is not None and isinstance(storage, S3Storage)


def private_file_response(storage: Storage, name: str, *, filename: str, content_type: str):
    """A private file, after the caller has checked permissions: on S3 a redirect to a signed URL valid for
    PORTAL_SIGNED_URL_SECONDS (named `filename`, always a download); locally the file itself, as an attachment.
    Both with nosniff and a sandbox policy, so a browser never runs what it holds in the portal's origin."""
    if is_signed_url_storage(storage):
        url = storage.url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
            },
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "no-store, private"
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type, as_attachment=True, filename=filename)
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
