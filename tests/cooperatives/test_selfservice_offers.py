"""Representatives manage offers from the panel: add, edit, deactivate, delete; every step is in the history."""

import pytest
from django.urls import reverse

from cooperatives.models import Offer, OfferCategory

from .factories import CooperativeFactory, OfferFactory
from .selfservice_helpers import representative, staff_user

pytestmark = pytest.mark.django_db


def test_offer_lifecycle_is_recorded(client):
    coop = CooperativeFactory()
    rep = representative(coop)
    client.force_login(rep)
    category = OfferCategory.objects.get(slug="catering")
    response = client.post(
        reverse("selfservice:offer-create", args=[coop.krs_number]),
        {"title": "Obiady dla szkół", "category": category.pk, "service_area": "local", "is_active": "on"},
    )
    assert response.status_code == 302
    offer = Offer.objects.get(cooperative=coop)
    assert (offer.title, offer.is_active, offer.version) == ("Obiady dla szkół", True, 1)

    response = client.post(
        reverse("selfservice:offer-edit", args=[offer.pk]),
        {"version": 1, "title": "Obiady dla szkół", "category": category.pk, "service_area": "local"},
    )
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.is_active, offer.version) == (False, 2)

    bad = client.post(
        reverse("selfservice:offer-edit", args=[offer.pk]),
        {"version": 2, "title": "", "category": category.pk, "service_area": "local", "cpv_code": "123"},
    )
    assert bad.status_code == 200
    assert {"title", "cpv_code"} <= set(bad.context["form"].errors)

    client.post(reverse("selfservice:offer-delete", args=[offer.pk]))
    assert not Offer.objects.filter(pk=offer.pk).exists()
    types = list(Offer.history.filter(id=offer.pk).order_by("history_date").values_list("history_type", flat=True))
    assert types == ["+", "~", "-"]
    assert set(Offer.history.filter(id=offer.pk).values_list("history_user", flat=True)) == {rep.pk}


def test_staff_see_offer_history_and_can_revert_an_offer(client):
    offer = OfferFactory(title="Przed")
    offer.title = "Po"
    offer.version = 2
    offer.save()
    client.force_login(staff_user())
    response = client.get(reverse("selfservice:history", args=[offer.cooperative.krs_number]))
    item = response.context["offer_entries"][0]
    assert item["title"] == "Po"
    assert [(c.field, c.before, c.after) for c in item["entries"][0]["changes"]] == [("title", "Przed", "Po")]
    first = offer.history.order_by("history_date").first()
    client.post(reverse("selfservice:history-revert", args=["oferta", first.history_id]))
    offer.refresh_from_db()
    assert (offer.title, offer.version) == ("Przed", 3)


@pytest.mark.parametrize("count", [1, 4])
def test_dashboard_query_count_does_not_grow(client, django_assert_num_queries, count):
    from cooperatives.models import Membership

    user = representative(CooperativeFactory())
    for _ in range(count - 1):
        Membership.objects.create(user=user, cooperative=CooperativeFactory(), role=Membership.Role.EDITOR)
    client.force_login(user)
    # 7 for the panel itself + 2 for the monitoring block (memberships, open waves; none open here).
    with django_assert_num_queries(9):
        response = client.get(reverse("selfservice:dashboard"))
    assert len(response.context["memberships"]) == count


def test_a_deleted_offer_can_be_restored_from_history(client):
    offer = OfferFactory(title="Usunięta")
    pk = offer.pk
    offer.delete()
    record = Offer.history.filter(id=pk, history_type="+").get()
    client.force_login(staff_user())
    client.post(reverse("selfservice:history-revert", args=["oferta", record.history_id]))
    restored = Offer.objects.get(pk=pk)
    assert restored.title == "Usunięta"
    assert list(Offer.history.filter(id=pk).order_by("history_date").values_list("history_type", flat=True)) == [
        "+",
        "-",
        "+",
    ]


@pytest.mark.parametrize("offers", [1, 5])
def test_history_page_query_count_does_not_grow(client, django_assert_num_queries, offers):
    coop = CooperativeFactory()
    for _ in range(offers):
        offer = OfferFactory(cooperative=coop)
        offer.title += " (zmiana)"
        offer.save()
    OfferFactory(cooperative=coop).delete()  # deleted offers keep their history on the page
    client.force_login(staff_user())
    # 4 of them: one prefetch per recorded many-to-many field (2 of the profile, 2 of the offers).
    with django_assert_num_queries(12):
        response = client.get(reverse("selfservice:history", args=[coop.krs_number]))
    assert len(response.context["offer_entries"]) == offers + 1
    assert sum(item["is_deleted"] for item in response.context["offer_entries"]) == 1


def test_offer_service_area_units(client):
    coop = CooperativeFactory()
    client.force_login(representative(coop))
    category = OfferCategory.objects.get(slug="catering")
    url = reverse("selfservice:offer-create", args=[coop.krs_number])
    base = {"title": "Sprzątanie", "category": category.pk, "is_active": "on"}
    response = client.post(url, {**base, "service_area": "powiats"})
    assert "area_powiats" in response.context["form"].errors
    client.post(url, {**base, "service_area": "powiats", "area_powiats": ["1061", "1062"], "area_voivodeships": ["14"]})
    offer = Offer.objects.get()
    assert set(offer.area_powiats.values_list("code", flat=True)) == {"1061", "1062"}
    assert not offer.area_voivodeships.exists()  # not the chosen kind of area
