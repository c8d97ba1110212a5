"""Two people edit the same profile or offer: the later save based on a stale version is refused, nothing is
overwritten, and the refused user sees what changed meanwhile (pages) or gets 409/412 (API)."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from cooperatives.models import Cooperative, Membership, Offer

from .factories import CooperativeFactory, OfferFactory
from .selfservice_helpers import profile_post_data, representative

pytestmark = pytest.mark.django_db


def _two_editors(coop):
    first, second = Client(), Client()
    first.force_login(representative(coop))
    second.force_login(representative(coop, Membership.Role.EDITOR))
    return first, second


def test_stale_profile_save_is_refused_and_both_edits_preserved():
    coop = CooperativeFactory(description="Początkowy opis", phone="")
    first, second = _two_editors(coop)
    url = reverse("selfservice:cooperative-edit", args=[coop.krs_number])
    # Both open the form at version 1.
    form_first = profile_post_data(coop, description="Opis od pierwszej osoby")
    form_second = profile_post_data(coop, phone="42 123 45 67")

    assert first.post(url, form_first).status_code == 302
    response = second.post(url, form_second)
    assert response.status_code == 409
    coop.refresh_from_db()
    assert coop.description == "Opis od pierwszej osoby"  # first edit kept
    assert coop.phone == ""  # second not applied silently
    assert coop.version == 2
    html = response.content.decode()
    assert "Co zmieniono w międzyczasie" in html
    assert "Opis od pierwszej osoby" in html
    changes = {c.field: (c.before, c.after) for c in response.context["stale_changes"]}
    assert changes["description"] == ("Początkowy opis", "Opis od pierwszej osoby")
    # The second person's input is still in the form, now based on the current version; re-saving works.
    form = response.context["form"]
    assert form.data["phone"] == "42 123 45 67"
    assert str(form.data["version"]) == "2"
    resubmit = {**form_second, "description": "Opis od pierwszej osoby", "version": 2}
    assert second.post(url, resubmit).status_code == 302
    coop.refresh_from_db()
    assert (coop.description, coop.phone, coop.version) == ("Opis od pierwszej osoby", "42 123 45 67", 3)


def _offer_post(offer, **overrides):
    data = {
        "version": offer.version,
        "title": offer.title,
        "category": offer.category_id,
        "description": offer.description,
        "service_area": offer.service_area,
        "price_note": offer.price_note,
        "cpv_code": "",
        "zakup_prospoleczny_year": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_stale_offer_save_is_refused():
    offer = OfferFactory(title="Obiady")
    first, second = _two_editors(offer.cooperative)
    url = reverse("selfservice:offer-edit", args=[offer.pk])
    a, b = _offer_post(offer, title="Obiady domowe"), _offer_post(offer, price_note="25 zł")
    assert first.post(url, a).status_code == 302
    response = second.post(url, b)
    assert response.status_code == 409
    offer.refresh_from_db()
    assert (offer.title, offer.price_note, offer.version) == ("Obiady domowe", "", 2)


def test_api_if_match_stale_gives_412_and_version_stale_gives_409():
    coop = CooperativeFactory(description="a")
    client = Client()
    client.force_login(representative(coop))
    url = f"/api/v1/manage/cooperatives/{coop.krs_number}/"
    etag = client.get(url)["ETag"]
    assert etag == '"1"'
    ok = client.patch(url, json.dumps({"description": "b"}), content_type="application/json", HTTP_IF_MATCH=etag)
    assert ok.status_code == 200
    assert ok["ETag"] == '"2"'

    stale = client.patch(url, json.dumps({"description": "c"}), content_type="application/json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    assert {"field": "description", "before": "a", "after": "b"} in stale.json()["changes"]

    conflict = client.patch(url, json.dumps({"description": "c", "version": 1}), content_type="application/json")
    assert conflict.status_code == 409

    missing = client.patch(url, json.dumps({"description": "c"}), content_type="application/json")
    assert missing.status_code == 428
    assert Cooperative.objects.get(pk=coop.pk).description == "b"


def test_api_validation_errors_are_per_field_json():
    coop = CooperativeFactory()
    client = Client()
    client.force_login(representative(coop))
    response = client.patch(
        f"/api/v1/manage/cooperatives/{coop.krs_number}/",
        json.dumps({"postal_code": "90001", "latitude": "80", "version": 1}),
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert "postal_code" in body and "latitude" in body


def test_api_token_authentication_works_for_writes():
    from tests.factories import api_token_header

    offer = OfferFactory()
    user = representative(offer.cooperative)
    client = Client()
    response = client.patch(
        f"/api/v1/manage/offers/{offer.pk}/",
        json.dumps({"is_active": False}),
        content_type="application/json",
        HTTP_AUTHORIZATION=api_token_header(user),
        HTTP_IF_MATCH=f'"{offer.version}"',
    )
    assert response.status_code == 200
    offer.refresh_from_db()
    assert offer.is_active is False
    record = offer.history.order_by("-history_date").first()
    assert record.history_user == user


@pytest.mark.parametrize("offers", [1, 4])
def test_api_offer_list_query_count_does_not_grow(django_assert_num_queries, offers):
    coop = CooperativeFactory()
    for _ in range(offers):
        OfferFactory(cooperative=coop)
    client = Client()
    client.force_login(representative(coop))
    with django_assert_num_queries(7):
        response = client.get("/api/v1/manage/offers/")
    assert response.json()["count"] == offers


def test_api_offer_with_service_area_units():
    coop = CooperativeFactory()
    client = Client()
    client.force_login(representative(coop))
    response = client.post(
        "/api/v1/manage/offers/",
        json.dumps(
            {
                "cooperative": coop.krs_number,
                "title": "Transport",
                "category": "catering",
                "service_area": "voivodeships",
                "area_voivodeships": ["10", "14"],
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert sorted(response.json()["area_voivodeships"]) == ["10", "14"]
    bad = client.post(
        "/api/v1/manage/offers/",
        json.dumps({"cooperative": coop.krs_number, "title": "", "category": "nie-ma", "area_powiats": ["10"]}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert {"title", "category", "area_powiats"} <= set(bad.json())
    missing_units = client.post(
        "/api/v1/manage/offers/",
        json.dumps({"cooperative": coop.krs_number, "title": "X", "category": "catering", "service_area": "powiats"}),
        content_type="application/json",
    )
    assert missing_units.status_code == 400
    assert "area_powiats" in missing_units.json()
    assert Offer.objects.count() == 1


def test_write_endpoints_are_documented_in_the_schema(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/v1/manage/cooperatives/{krs_number}/" in schema
    assert "/api/v1/manage/offers/{id}/" in schema
