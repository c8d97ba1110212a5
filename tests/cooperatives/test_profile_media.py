"""A logo and photos uploaded in the self-service panel appear on the public profile, in the catalogue and in the
profile's schema.org JSON-LD (issue 13: they never did)."""

import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from cooperatives.models import CooperativePhoto

from .factories import CooperativeFactory
from .selfservice_helpers import profile_post_data, representative

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def _png(colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


def _upload_logo_and_photo(client, coop):
    client.force_login(representative(coop))
    data = profile_post_data(coop)
    data["logo_upload"] = SimpleUploadedFile("logo.png", _png(), "image/png")
    assert client.post(reverse("selfservice:cooperative-edit", args=[coop.krs_number]), data).status_code == 302
    response = client.post(
        reverse("selfservice:photos", args=[coop.krs_number]),
        {"alt_text": "Nasza kuchnia przy pracy", "image": SimpleUploadedFile("k.png", _png((9, 9, 9)), "image/png")},
    )
    assert response.status_code == 302
    client.logout()
    coop.refresh_from_db()
    return coop.logo.url, CooperativePhoto.objects.get(cooperative=coop).image.url


def _json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1))


def test_uploaded_logo_and_photo_appear_on_the_public_profile(client):
    coop = CooperativeFactory(name="Spółdzielnia Socjalna Obrazkowa")
    logo_url, photo_url = _upload_logo_and_photo(client, coop)
    assert logo_url.startswith("/media/logos/") and photo_url.startswith("/media/photos/")

    html = client.get(coop.get_absolute_url()).content.decode()
    assert f'src="{logo_url}"' in html
    assert 'alt="Logo: Spółdzielnia Socjalna Obrazkowa"' in html
    assert f'src="{photo_url}"' in html
    assert 'alt="Nasza kuchnia przy pracy"' in html

    data = _json_ld(html)
    assert data["logo"] == f"http://testserver{logo_url}"
    assert data["image"] == [f"http://testserver{photo_url}"]


def test_uploaded_logo_appears_on_the_catalogue_card(client):
    coop = CooperativeFactory(name="Spółdzielnia Socjalna Obrazkowa")
    logo_url, _photo_url = _upload_logo_and_photo(client, coop)
    CooperativeFactory(name="Spółdzielnia Socjalna Bez Logo")
    html = client.get(reverse("cooperatives:list")).content.decode()
    assert f'src="{logo_url}"' in html
    assert html.count('class="result-logo"') == 1  # a cooperative without a logo gets no empty image


def test_profile_without_media_has_no_logo_or_image_in_json_ld(client):
    coop = CooperativeFactory()
    html = client.get(coop.get_absolute_url()).content.decode()
    data = _json_ld(html)
    assert "logo" not in data and "image" not in data
    assert "/media/" not in html


def test_profile_photos_are_read_in_one_query_whatever_their_number(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    coop = CooperativeFactory()
    CooperativePhoto.objects.create(cooperative=coop, image="photos/p0.png", alt_text="zdjęcie 0")
    client.get(coop.get_absolute_url())  # warm caches (demo flag, translations)
    with CaptureQueriesContext(connection) as one_photo:
        client.get(coop.get_absolute_url())
    for index in (1, 2):
        CooperativePhoto.objects.create(cooperative=coop, image=f"photos/p{index}.png", alt_text=f"zdjęcie {index}")
    with CaptureQueriesContext(connection) as three_photos:
        html = client.get(coop.get_absolute_url()).content.decode()
    assert len(three_photos.captured_queries) == len(one_photo.captured_queries)
    assert sum("cooperatives_cooperativephoto" in q["sql"] for q in three_photos.captured_queries) == 1
    assert html.count('src="/media/photos/') == 3
