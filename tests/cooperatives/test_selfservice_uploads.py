"""Uploads are judged by content: hostile files are refused with a clear message; images lose their metadata."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cooperatives.models import CooperativePhoto, RepresentationRequest

from .factories import CooperativeFactory
from .selfservice_helpers import representative, verified_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.PORTAL_IMAGE_MAX_BYTES = 200_000
    settings.PORTAL_IMAGE_MAX_PIXELS = 1_000_000


def _jpeg_with_gps(size=(64, 48)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Aparat Testowy"  # Make
    exif[0x8825] = {1: "N", 2: (52.0, 13.0, 0.0), 3: "E", 4: (21.0, 0.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _png(size) -> bytes:
    out = io.BytesIO()
    Image.new("L", size).save(out, format="PNG", optimize=True)
    return out.getvalue()


def _pdf(*, javascript: str | None = None, attachment: bytes | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    if javascript:
        writer.add_js(javascript)
    if attachment:
        writer.add_attachment("zalacznik.exe", attachment)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _png_header_only_bomb(width: int, height: int) -> bytes:
    """A 1-bit greyscale PNG of width x height zero pixels, compressed row by row: tens of kilobytes on disk,
    declaring more pixels than the portal decodes."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (10, 10)).save(out, format="GIF")
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

HOSTILE = [
    ("not-an-image.jpg", b"MZ\x90\x00 this is an executable, not a photo", "image/jpeg", "nie jest obrazem"),
    ("logo.svg", SVG, "image/svg+xml", "nie jest obrazem"),
    ("svg-named.png", SVG, "image/png", "nie jest obrazem"),
    ("anim.gif", _gif(), "image/gif", "Przyjmujemy tylko obrazy JPEG, PNG i WebP"),
    ("huge.png", _png((2000, 2000)), "image/png", "za duże wymiary"),
    ("big.jpg", b"\xff\xd8\xff" + b"0" * 300_000, "image/jpeg", "za duży"),
    ("truncated.jpg", _jpeg_with_gps()[:200], "image/jpeg", ""),
]


@pytest.mark.parametrize(("name", "content", "content_type", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_photo_uploads_are_refused(client, tmp_path, name, content, content_type, message):
    coop = CooperativeFactory()
    client.force_login(representative(coop))
    response = client.post(
        reverse("selfservice:photos", args=[coop.krs_number]),
        {"alt_text": "zdjęcie", "image": SimpleUploadedFile(name, content, content_type=content_type)},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["image"]
    assert errors
    assert message in " ".join(errors)
    assert not CooperativePhoto.objects.exists()
    assert not list(tmp_path.rglob("*.*"))  # nothing stored


def test_photo_is_reencoded_without_exif_and_stored_under_a_server_name(client):
    coop = CooperativeFactory()
    client.force_login(representative(coop))
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the fixture really carries EXIF and GPS
    response = client.post(
        reverse("selfservice:photos", args=[coop.krs_number]),
        {"alt_text": "Nasza kuchnia", "image": SimpleUploadedFile("../../etc/passwd.jpg", original, "image/jpeg")},
    )
    assert response.status_code == 302
    photo = CooperativePhoto.objects.get()
    assert photo.image.name.startswith("photos/")
    assert "passwd" not in photo.image.name
    with photo.image.open("rb") as stored:
        data = stored.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert image.size == (64, 48)
    assert not image.getexif()
    assert b"Aparat Testowy" not in data
    assert "exif" not in image.info


def test_logo_upload_through_profile_form_is_sanitised(client):
    from .selfservice_helpers import profile_post_data

    coop = CooperativeFactory()
    client.force_login(representative(coop))
    data = profile_post_data(coop)
    data["logo_upload"] = SimpleUploadedFile("logo.jpg", _jpeg_with_gps(), "image/jpeg")
    response = client.post(reverse("selfservice:cooperative-edit", args=[coop.krs_number]), data)
    assert response.status_code == 302
    coop.refresh_from_db()
    assert coop.logo.name.startswith("logos/")
    with coop.logo.open("rb") as stored:
        assert not Image.open(io.BytesIO(stored.read())).getexif()

    data = profile_post_data(coop)
    data["logo_upload"] = SimpleUploadedFile("logo.jpg", SVG, "image/jpeg")
    response = client.post(reverse("selfservice:cooperative-edit", args=[coop.krs_number]), data)
    assert response.status_code == 200
    assert "logo_upload" in response.context["form"].errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html>not a pdf</html>", "musi być plikiem PDF"),
        (b"%PDF-1.7\n" + b"0" * 6_000_000 + b"\n%%EOF", "za duży"),
    ],
)
def test_supporting_document_must_be_a_small_pdf(client, content, message):
    coop = CooperativeFactory()
    client.force_login(verified_user())
    response = client.post(
        reverse("selfservice:representation-request"),
        {
            "krs": coop.krs_number,
            "role_in_cooperative": "prezes",
            "document": SimpleUploadedFile("umocowanie.pdf", content, "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["document"])
    assert not RepresentationRequest.objects.exists()


def test_valid_pdf_is_stored_privately_and_only_moderators_and_applicant_can_download_it(client, tmp_path):
    coop = CooperativeFactory()
    applicant = verified_user()
    client.force_login(applicant)
    pdf = _pdf()
    client.post(
        reverse("selfservice:representation-request"),
        {
            "krs": coop.krs_number,
            "role_in_cooperative": "prezes",
            "document": SimpleUploadedFile("moj dokument.pdf", pdf, "application/pdf"),
        },
    )
    request_obj = RepresentationRequest.objects.get()
    assert request_obj.document.name.startswith("representation/")
    assert (tmp_path / "private" / request_obj.document.name).exists()  # not under MEDIA_ROOT's public part
    assert not (tmp_path / request_obj.document.name).exists()
    assert "dokument" not in request_obj.document.name
    url = reverse("selfservice:representation-document", args=[request_obj.pk])
    download = client.get(url)
    assert b"".join(download.streaming_content) == pdf
    # A download, never rendered in the portal's origin; scripts sandboxed should a viewer render it anyway.
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert download["X-Content-Type-Options"] == "nosniff"
    client.force_login(verified_user())
    assert client.get(url).status_code == 404


def test_at_most_six_photos(client):
    coop = CooperativeFactory()
    for index in range(6):
        CooperativePhoto.objects.create(cooperative=coop, image=f"photos/{index}.jpg", alt_text="x")
    client.force_login(representative(coop))
    response = client.post(
        reverse("selfservice:photos", args=[coop.krs_number]),
        {"alt_text": "siódme", "image": SimpleUploadedFile("a.jpg", _jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 200
    assert "najwyżej 6" in " ".join(response.context["form"].errors["image"])
    assert CooperativePhoto.objects.count() == 6


@pytest.mark.parametrize(("width", "height"), [(6300, 6300), (9000, 100)])
def test_an_image_declaring_too_many_pixels_is_refused_before_any_pixel_is_decoded(
    settings, monkeypatch, width, height
):
    from django.core.exceptions import ValidationError
    from PIL import ImageFile

    from cooperatives.uploads import sanitize_image
    from portal.settings import base

    # The production limits (the module's fixture lowers them for the other tests).
    settings.PORTAL_IMAGE_MAX_BYTES = base.PORTAL_IMAGE_MAX_BYTES
    settings.PORTAL_IMAGE_MAX_PIXELS = base.PORTAL_IMAGE_MAX_PIXELS
    bomb = _png_header_only_bomb(width, height)
    assert len(bomb) < 60_000

    def no_decoding(self):
        raise AssertionError("pixels decoded before the dimensions were checked")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with pytest.raises(ValidationError) as refused:
        sanitize_image(SimpleUploadedFile("bomba.png", bomb, "image/png"))
    assert refused.value.code == "too_many_pixels"
    assert f"{width} × {height}" in refused.value.messages[0]


def test_a_large_photo_is_stored_scaled_down(client, settings):
    settings.PORTAL_IMAGE_MAX_SIDE_STORED = 800
    coop = CooperativeFactory()
    client.force_login(representative(coop))
    out = io.BytesIO()
    Image.new("RGB", (1600, 400), (10, 120, 30)).save(out, format="JPEG")
    response = client.post(
        reverse("selfservice:photos", args=[coop.krs_number]),
        {"alt_text": "panorama", "image": SimpleUploadedFile("a.jpg", out.getvalue(), "image/jpeg")},
    )
    assert response.status_code == 302
    with Image.open(CooperativePhoto.objects.get().image.path) as stored:
        assert stored.size == (800, 200)


def test_a_full_profile_is_refused_before_the_image_is_processed(client, monkeypatch):
    import cooperatives.forms

    coop = CooperativeFactory()
    for index in range(6):
        CooperativePhoto.objects.create(cooperative=coop, image=f"photos/{index}.jpg", alt_text="x")

    def not_called(upload):
        raise AssertionError("the image was processed although the profile is full")

    monkeypatch.setattr(cooperatives.forms, "sanitize_image", not_called)
    client.force_login(representative(coop))
    response = client.post(
        reverse("selfservice:photos", args=[coop.krs_number]),
        {"alt_text": "siódme", "image": SimpleUploadedFile("a.jpg", _jpeg_with_gps(), "image/jpeg")},
    )
    assert response.status_code == 200
    assert "najwyżej 6" in " ".join(response.context["form"].errors["image"])


@pytest.mark.parametrize(
    "content",
    [
        _pdf(javascript="app.alert('x');"),
        _pdf(attachment=b"MZ\x90\x00"),
        # /OpenAction with a JavaScript action, the key names hidden behind #xx escapes from a byte search.
        _pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
    ],
    ids=["javascript", "embedded-file", "open-action-escaped"],
)
def test_a_supporting_document_with_active_content_is_refused(client, content):
    coop = CooperativeFactory()
    client.force_login(verified_user())
    response = client.post(
        reverse("selfservice:representation-request"),
        {
            "krs": coop.krs_number,
            "role_in_cooperative": "prezes",
            "document": SimpleUploadedFile("umocowanie.pdf", content, "application/pdf"),
        },
    )
    assert response.status_code == 200
    assert "aktywną treść" in " ".join(response.context["form"].errors["document"])
    assert not RepresentationRequest.objects.exists()
