"""Public uploads are served with production settings (DEBUG off) from their folders only, with long-lived cache
headers; private documents never sit under the public media root."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from PIL import Image

from core.media import check_private_media_root

pytestmark = pytest.mark.django_db  # the 404 page reads the registry's demo flag


@pytest.fixture
def media(settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    for folder in ("photos", "logos", "publications/covers", "publications/editions"):
        (settings.MEDIA_ROOT / folder).mkdir(parents=True)
    (settings.PRIVATE_MEDIA_ROOT / "representation").mkdir(parents=True)
    return settings.MEDIA_ROOT


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("folder", ["photos", "logos", "publications/covers"])
def test_public_uploads_are_served_with_immutable_cache_headers(client, media, folder):
    content = _png()
    (media / folder / "0123abcd.png").write_bytes(content)
    response = client.get(f"/media/{folder}/0123abcd.png")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/publications/editions/0123abcd.pdf",  # publication files go through the counting download view
        "/media/photos/missing.png",
        "/media/photos/notes.html",  # only image types
        "/media/photos/../../private/representation/x.pdf",
        "/media/photos/%2e%2e/%2e%2e/private/representation/x.pdf",
        "/media/representation/x.pdf",
    ],
)
def test_anything_else_is_not_found(client, media, path):
    (media / "publications/editions/0123abcd.pdf").write_bytes(b"%PDF-1.4")
    (media / "photos/notes.html").write_bytes(b"<script>alert(1)</script>")
    (media.parent / "private/representation/x.pdf").write_bytes(b"%PDF-1.4 private")
    response = client.get(path)
    assert response.status_code == 404
    assert b"PDF" not in response.content and b"<script>alert" not in response.content


def test_media_is_read_only(client, media):
    (media / "photos/0123abcd.png").write_bytes(_png())
    assert client.post("/media/photos/0123abcd.png").status_code == 405


def test_a_private_root_inside_the_public_one_stops_start_up(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"
    assert [error.id for error in check_private_media_root()] == ["portal.E001"]
    with pytest.raises(SystemCheckError):
        call_command("check")
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    assert check_private_media_root() == []


def test_the_default_roots_do_not_overlap():
    assert check_private_media_root() == []
