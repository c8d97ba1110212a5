"""Uploads go to S3-compatible object storage when a bucket is configured (moto's S3 server on a loopback port,
started by tests/storage_servers.py): public files with their headers, private ones only through short-lived
signed URLs handed out after a permission check. Without a bucket, local files as before (the other tests)."""

import io
import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cooperatives.models import CooperativePhoto, RepresentationRequest
from core.storage import LocalPrivateStorage, PrivateS3Storage, PublicS3Storage
from tests.cooperatives.factories import CooperativeFactory
from tests.cooperatives.selfservice_helpers import representative, verified_user

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 200, 30)).save(out, format="JPEG")
    return out.getvalue()


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _fetch(url: str):
    """GET over loopback HTTP (the moto server): (status, headers, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a loopback URL of the test server
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_without_a_bucket_files_stay_local():
    assert type(storages["default"]).__name__ == "FileSystemStorage"
    assert isinstance(storages["private"], LocalPrivateStorage)


def test_a_photo_uploaded_through_the_portal_lands_in_the_public_bucket_with_its_headers(client, s3_storage):
    assert isinstance(storages["default"], PublicS3Storage)
    coop = CooperativeFactory()
    client.force_login(representative(coop))
    response = client.post(
        reverse("selfservice:photos", args=[coop.krs_number]),
        {"alt_text": "Kuchnia", "image": SimpleUploadedFile("kuchnia.jpg", _jpeg(), "image/jpeg")},
    )
    assert response.status_code == 302
    photo = CooperativePhoto.objects.get()
    key = photo.image.name
    assert key.startswith("photos/") and key.endswith(".jpg")
    # Read back through the storage and straight from the bucket.
    with photo.image.open("rb") as stored:
        data = stored.read()
    assert Image.open(io.BytesIO(data)).size == (40, 30)
    head = s3_storage.head_object(Bucket=s3_storage.public_bucket, Key=key)
    assert head["ContentType"] == "image/jpeg"
    assert head["ContentDisposition"] == "inline"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert "Contents" not in s3_storage.list_objects_v2(Bucket=s3_storage.private_bucket)
    # The page links the object itself, unsigned (a public file); fetched over HTTP it is the same image.
    url = photo.image.url
    assert "X-Amz-Signature" not in url and s3_storage.public_bucket in url
    status, headers, body = _fetch(url)
    assert status == 200
    assert body == data
    assert headers["Content-Type"] == "image/jpeg"


def test_publication_files_are_attachments_outside_the_public_folders(s3_storage):
    name = storages["default"].save("publications/editions/abc.pdf", ContentFile(b"%PDF-1.4 x"))
    head = s3_storage.head_object(Bucket=s3_storage.public_bucket, Key=name)
    assert head["ContentType"] == "application/pdf"
    assert head["ContentDisposition"].startswith("attachment;")
    assert "abc.pdf" in head["ContentDisposition"]
    # Not in a public folder: the bucket policy gives no direct access (the counting download view serves it).
    assert _fetch(storages["default"].url(name))[0] == 403


def test_a_representatives_document_is_private_and_reached_only_through_a_signed_url(client, s3_storage, settings):
    assert isinstance(storages["private"], PrivateS3Storage)
    coop = CooperativeFactory()
    applicant = verified_user()
    client.force_login(applicant)
    pdf = _pdf()
    client.post(
        reverse("selfservice:representation-request"),
        {
            "krs": coop.krs_number,
            "role_in_cooperative": "prezes",
            "document": SimpleUploadedFile("umocowanie.pdf", pdf, "application/pdf"),
        },
    )
    request_obj = RepresentationRequest.objects.get()
    key = "private/" + request_obj.document.name
    head = s3_storage.head_object(Bucket=s3_storage.private_bucket, Key=key)
    assert head["ContentType"] == "application/pdf"
    assert head["CacheControl"] == "private, no-store"
    assert "Contents" not in s3_storage.list_objects_v2(Bucket=s3_storage.public_bucket)
    with request_obj.document.open("rb") as stored:
        assert stored.read() == pdf

    # Unsigned, the object is refused.
    endpoint = storages["private"].endpoint_url
    status, _headers, _body = _fetch(f"{endpoint}/{s3_storage.private_bucket}/{key}")
    assert status == 403

    # The permission-checked view redirects to a signed URL that works over HTTP, as a download named by the portal.
    url = reverse("selfservice:representation-document", args=[request_obj.pk])
    response = client.get(url)
    assert response.status_code == 302
    signed = response["Location"]
    assert "X-Amz-Signature" in signed and "X-Amz-Expires=300" in signed
    assert response["Cache-Control"] == "no-store, private"
    status, headers, body = _fetch(signed)
    assert status == 200
    assert body == pdf
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"].startswith("attachment;") and "dokument.pdf" in headers["Content-Disposition"]

    # Someone else gets no link at all.
    client.force_login(verified_user())
    assert client.get(url).status_code == 404


def test_signed_urls_carry_a_short_expiry(s3_storage, settings):
    """The signature covers X-Amz-Date and X-Amz-Expires, so S3 refuses the link after PORTAL_SIGNED_URL_SECONDS.
    moto 5.2 does not enforce presigned expiry (no check in its code), so the refusal of an expired link is
    asserted on the portal's own download links (tests/exportjobs); here the signed parameters themselves."""
    settings.PORTAL_SIGNED_URL_SECONDS = 60
    storage = storages["private"]
    name = storage.save("exports/x/plik.csv", ContentFile(b"a,b\r\n1,2\r\n"))
    signed = storage.url(name)
    assert "X-Amz-Expires=60" in signed and "X-Amz-Date=" in signed and "X-Amz-Signature=" in signed
    status, _headers, body = _fetch(signed)
    assert status == 200 and body == b"a,b\r\n1,2\r\n"
    tampered = signed.replace("X-Amz-Expires=60", "X-Amz-Expires=999999")
    assert tampered != signed
