"""Checks of uploaded files by content, never by name or declared type.

Images are opened with Pillow, refused when they are not a raster format we accept, too large in bytes, pixels or
side length (decompression bombs: a 40 KB PNG can declare 6300 x 6300 pixels), judged from the header alone before
a single pixel is decoded; then decoded (JPEG at a reduced scale when it is larger than needed), scaled down to
PORTAL_IMAGE_MAX_SIDE_STORED and re-encoded, so that EXIF, GPS and other metadata are gone, and stored under a name
the server makes up.

PDF documents must be PDFs pypdf can read, unencrypted, without active content (core.pdf): no JavaScript, launch
or automatic actions, no embedded files.
"""

import io
import logging
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader

from core import storage as core_storage
from core.pdf import active_content

logger = logging.getLogger(__name__)

ACCEPTED_IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def sanitize_image(upload) -> ContentFile:
    """A re-encoded copy of an uploaded image, named by the server; ValidationError with a clear message otherwise."""
    max_bytes = settings.PORTAL_IMAGE_MAX_BYTES
    max_pixels = settings.PORTAL_IMAGE_MAX_PIXELS
    if upload.size > max_bytes:
        raise ValidationError(
            _("Plik jest za duży (%(size)d MB). Największy dopuszczalny rozmiar to %(max)d MB.")
            % {"size": round(upload.size / 1_048_576), "max": max_bytes // 1_048_576},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            image_format = probe.format
            width, height = probe.size
            probe.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("Plik nie jest obrazem w formacie JPEG, PNG ani WebP (SVG i inne formaty nie są przyjmowane)."),
            code="not_an_image",
        ) from None
    if image_format not in ACCEPTED_IMAGE_FORMATS:
        raise ValidationError(
            _("Przyjmujemy tylko obrazy JPEG, PNG i WebP (przesłano: %(format)s).") % {"format": image_format},
            code="format",
        )
    max_side = settings.PORTAL_IMAGE_MAX_SIDE
    if width * height > max_pixels or max(width, height) > max_side:
        raise ValidationError(
            _("Obraz ma za duże wymiary (%(width)d × %(height)d pikseli). Zmniejsz go i spróbuj ponownie.")
            % {"width": width, "height": height},
            code="too_many_pixels",
        )
    stored_side = settings.PORTAL_IMAGE_MAX_SIDE_STORED
    try:
        # verify() leaves the image unusable; decode afresh, now that the dimensions are known to be sane.
        with Image.open(io.BytesIO(data)) as image:
            # A JPEG decodes straight to a fraction of its size when that is all we keep (no full-size copy).
            image.draft(image.mode, (stored_side, stored_side))
            image.thumbnail((stored_side, stored_side), reducing_gap=2.0)
            clean = _strip(image, image_format)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("Nie udało się odczytać obrazu; plik może być uszkodzony."), code="broken") from None
    return ContentFile(clean, name=f"{uuid.uuid4().hex}.{ACCEPTED_IMAGE_FORMATS[image_format]}")


def _strip(image: Image.Image, image_format: str) -> bytes:
    """Re-encode only the pixels: a new image carries no EXIF, GPS, XMP or ICC payloads of the upload."""
    mode = "RGBA" if image.mode in ("RGBA", "LA", "P") and image_format != "JPEG" else "RGB"
    pixels = image.convert(mode)
    fresh = Image.new(mode, pixels.size)
    fresh.paste(pixels)
    del pixels
    out = io.BytesIO()
    if image_format == "JPEG":
        fresh.save(out, format="JPEG", quality=88, optimize=True)
    else:
        fresh.save(out, format=image_format)
    return out.getvalue()


def validate_pdf(upload) -> ContentFile:
    """A PDF by its signature, size and structure, without active content, stored under a server-made name."""
    max_bytes = settings.PORTAL_DOCUMENT_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("Dokument jest za duży. Największy dopuszczalny rozmiar to %(max)d MB.")
            % {"max": max_bytes // 1_048_576},
            code="too_large",
        )
    upload.seek(0)
    data = upload.read()
    not_pdf = ValidationError(_("Dokument musi być plikiem PDF."), code="not_pdf")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise not_pdf
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("Dokument PDF jest zaszyfrowany; prześlij wersję bez hasła."), code="encrypted")
        if len(reader.pages) < 1:
            raise not_pdf
        found = active_content(reader)
    except ValidationError:
        raise
    except Exception:  # pypdf raises many exception types on damaged input; all mean the same to the uploader
        logger.info("Refused an unreadable PDF document", exc_info=True)
        raise not_pdf from None
    if found:
        logger.info("Refused a PDF document with active content: %s", ", ".join(found))
        raise ValidationError(
            _(
                "Dokument PDF zawiera aktywną treść (skrypty, automatyczne akcje lub załączone pliki). Zapisz go "
                "ponownie jako zwykły PDF (np. poleceniem „Drukuj do PDF”) i prześlij jeszcze raz."
            ),
            code="active_pdf",
        )
    return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")


@deconstructible
class PrivateStorage(core_storage.PrivateStorage):
    """The "private" storage of settings.STORAGES (core/storage.py): PRIVATE_MEDIA_ROOT on disk, or the private bucket
    on S3. Named here because migrations name it here."""
