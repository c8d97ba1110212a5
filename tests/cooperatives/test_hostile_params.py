"""Hostile query parameters on every public list page and export: a clear 400, never a 500 (PostgreSQL refuses
NUL bytes in text, so they are the sharpest probe there)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

COOPERATIVE_FILTERS = [
    "search",
    "voivodeship",
    "powiat",
    "gmina",
    "category",
    "target_group",
    "founder_type",
    "status",
    "social_enterprise",
    "certification",
    "ordering",
]
OFFER_FILTERS = [
    "search",
    "voivodeship",
    "powiat",
    "gmina",
    "category",
    "serves",
    "service_area",
    "certification",
    "ordering",
]
PAGES = [
    (reverse("cooperatives:list"), [*COOPERATIVE_FILTERS, "page"]),
    (reverse("cooperatives:offers"), [*OFFER_FILTERS, "page"]),
    (reverse("cooperatives:map"), COOPERATIVE_FILTERS),
    (reverse("cooperatives:open-data-cooperatives", kwargs={"fmt": "csv"}), COOPERATIVE_FILTERS),
    (reverse("cooperatives:open-data-offers", kwargs={"fmt": "json"}), OFFER_FILTERS),
]
CASES = [(url, param) for url, params in PAGES for param in params]


@pytest.mark.parametrize(("url", "param"), CASES)
def test_nul_byte_in_any_filter_is_a_clear_error(client, url, param):
    response = client.get(url, {param: "10\x00"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_nul_byte_in_map_data(client):
    response = client.get(reverse("cooperatives:map-data"), {"voivodeship": "\x00", "bbox": "14,49,24,55", "zoom": "6"})
    assert response.status_code == 400
    assert "voivodeship" in response.json()["errors"]


@pytest.mark.parametrize("url", [reverse("cooperatives:list"), reverse("cooperatives:map")])
def test_social_enterprise_must_be_true_or_false(client, url):
    response = client.get(url, {"social_enterprise": "abc"})
    assert response.status_code == 400
    assert "social_enterprise" in response.content.decode()
