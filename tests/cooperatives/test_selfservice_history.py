"""Many-to-many fields are in the history: one attributed version per edit, before -> after, restored by a revert."""

import pytest
from django.urls import reverse

from cooperatives.models import FounderKind, Offer, OfferCategory, TargetGroup

from .factories import CooperativeFactory, OfferFactory
from .selfservice_helpers import profile_post_data, representative, staff_user

pytestmark = pytest.mark.django_db


def test_target_groups_are_recorded_shown_and_restored(client):
    groups = list(TargetGroup.objects.order_by("pk")[:3])
    coop = CooperativeFactory()
    coop.target_groups.set(groups[:1])
    rep = representative(coop)
    client.force_login(rep)
    url = reverse("selfservice:cooperative-edit", args=[coop.krs_number])
    versions_before = coop.history.count()
    response = client.post(url, profile_post_data(coop, target_groups=[groups[1].pk, groups[2].pk]))
    assert response.status_code == 302

    coop.refresh_from_db()
    assert set(coop.target_groups.all()) == {groups[1], groups[2]}
    # One version for the edit, attributed, holding the final state (no extra unattributed m2m records).
    latest = coop.history.order_by("-history_date", "-history_id").first()
    assert (latest.history_user, latest.version) == (rep, coop.version)
    assert coop.history.count() == versions_before + 1  # one record, not one per add/remove

    staff = staff_user()
    client.force_login(staff)
    response = client.get(reverse("selfservice:history", args=[coop.krs_number]))
    changes = {change.field: change for change in response.context["entries"][0]["changes"]}
    assert changes["target_groups"].before_text == groups[0].name
    assert changes["target_groups"].after_text == ", ".join(sorted([groups[1].name, groups[2].name]))
    content = response.content.decode()
    assert groups[0].name in content and groups[2].name in content

    before = coop.history.order_by("-history_date", "-history_id")[1]  # the state the edit started from
    client.post(reverse("selfservice:history-revert", args=["spoldzielnia", before.history_id]))
    coop.refresh_from_db()
    assert list(coop.target_groups.all()) == [groups[0]]
    revert = coop.history.order_by("-history_date", "-history_id").first()
    assert revert.history_user == staff
    assert "Przywrócenie" in revert.history_change_reason
    assert [value.pk for value in _m2m(revert, "target_groups")] == [groups[0].pk]


def _m2m(record, field):
    from cooperatives.services import history_m2m_values

    return history_m2m_values(record, field)


def test_offer_areas_are_recorded_shown_and_restored(client):
    coop = CooperativeFactory()
    rep = representative(coop)
    client.force_login(rep)
    category = OfferCategory.objects.get(slug="catering")
    base = {"title": "Sprzątanie", "category": category.pk, "is_active": "on"}
    client.post(
        reverse("selfservice:offer-create", args=[coop.krs_number]),
        {**base, "service_area": "powiats", "area_powiats": ["1061", "1062"]},
    )
    offer = Offer.objects.get()
    created = offer.history.get()
    assert created.history_type == "+" and created.history_user == rep
    assert {unit.code for unit in _m2m(created, "area_powiats")} == {"1061", "1062"}

    client.post(
        reverse("selfservice:offer-edit", args=[offer.pk]),
        {**base, "version": 1, "service_area": "voivodeships", "area_voivodeships": ["14"]},
    )
    offer.refresh_from_db()
    assert set(offer.area_voivodeships.values_list("code", flat=True)) == {"14"}
    assert offer.history.count() == 2
    edit = offer.history.order_by("-history_date", "-history_id").first()
    assert edit.history_user == rep

    staff = staff_user()
    client.force_login(staff)
    response = client.get(reverse("selfservice:history", args=[coop.krs_number]))
    changes = {change.field: change for change in response.context["offer_entries"][0]["entries"][0]["changes"]}
    assert set(changes) >= {"service_area", "area_voivodeships"}
    assert changes["area_voivodeships"].before_text == "—"
    assert changes["area_voivodeships"].after == ["14"]

    client.post(reverse("selfservice:history-revert", args=["oferta", created.history_id]))
    offer.refresh_from_db()
    assert offer.service_area == Offer.ServiceArea.POWIATS
    assert set(offer.area_powiats.values_list("code", flat=True)) == {"1061", "1062"}
    revert = offer.history.order_by("-history_date", "-history_id").first()
    assert revert.history_user == staff and offer.history.count() == 3


def test_a_deleted_offer_comes_back_with_its_areas(client):
    offer = OfferFactory(service_area=Offer.ServiceArea.POWIATS)
    offer.area_powiats.set(["1061"])  # outside the services: simple-history records this change by itself
    record = offer.history.order_by("-history_date", "-history_id").first()
    pk = offer.pk
    offer.delete()
    client.force_login(staff_user())
    client.post(reverse("selfservice:history-revert", args=["oferta", record.history_id]))
    restored = Offer.objects.get(pk=pk)
    assert list(restored.area_powiats.values_list("code", flat=True)) == ["1061"]


def test_founder_kinds_are_restored_by_a_revert(client):
    kinds = list(FounderKind.objects.order_by("pk")[:2])
    coop = CooperativeFactory()
    coop.founder_kinds.set(kinds[:1])  # outside the services (e.g. the admin): simple-history records it by itself
    record = coop.history.order_by("-history_date", "-history_id").first()
    coop.founder_kinds.add(kinds[1])
    client.force_login(staff_user())
    response = client.get(reverse("selfservice:history", args=[coop.krs_number]))
    changes = {change.field: change for change in response.context["entries"][0]["changes"]}
    assert changes["founder_kinds"].before_text == kinds[0].name
    assert changes["founder_kinds"].after_text == ", ".join(sorted(kind.name for kind in kinds))
    client.post(reverse("selfservice:history-revert", args=["spoldzielnia", record.history_id]))
    assert list(coop.founder_kinds.all()) == kinds[:1]


def test_versions_recorded_before_m2m_tracking_get_the_current_values():
    """The migration's backfill: older versions hold today's values, so diffs show no invented changes."""
    import importlib

    from django.apps import apps

    from cooperatives.services import history_diff, history_m2m_model

    migration = importlib.import_module("cooperatives.migrations.0006_history_of_many_to_many_fields")
    groups = list(TargetGroup.objects.order_by("pk")[:2])
    coop = CooperativeFactory()
    coop.target_groups.set(groups)
    coop.description = "zmiana"
    coop.save()
    # As if these versions had been recorded before the many-to-many fields were tracked.
    history_m2m_model(type(coop), "target_groups").objects.all().delete()
    migration.backfill_history(apps, None)
    records = list(coop.history.order_by("history_date", "history_id"))
    assert len(records) >= 2
    for record in records:
        assert {value.pk for value in _m2m(record, "target_groups")} == {group.pk for group in groups}
    assert [change.field for change in history_diff(records[-2], records[-1])] == ["description"]


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_representatives_find_their_history_from_the_panel(client, role):
    from cooperatives.models import Membership

    coop = CooperativeFactory(description="Stary opis")
    rep = representative(coop, role=Membership.Role(role))
    client.force_login(rep)
    client.post(
        reverse("selfservice:cooperative-edit", args=[coop.krs_number]),
        profile_post_data(coop, description="Nowy opis"),
    )
    history_url = reverse("selfservice:history", args=[coop.krs_number])
    assert history_url in client.get(reverse("selfservice:dashboard")).content.decode()
    response = client.get(history_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>Stary opis</del>" in html and "<ins>Nowy opis</ins>" in html
    # Reverting stays with ministry staff.
    assert response.context["can_revert"] is False
    assert "history-revert" not in html and "przywroc" not in html
