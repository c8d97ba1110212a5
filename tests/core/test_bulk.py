"""core.bulk.bulk_insert: COPY on PostgreSQL, bulk_create elsewhere, with the same result for the caller."""

import pytest
from django.db import connection

from cooperatives.models import Cooperative, Offer, OfferCategory
from core.bulk import bulk_insert
from tests.cooperatives.factories import CooperativeFactory

pytestmark = pytest.mark.django_db


def _unsaved(krs: str, gmina) -> Cooperative:
    cooperative = Cooperative(name=f"Spółdzielnia Socjalna „Łąka {krs}”", krs_number=krs, gmina=gmina, town="Łódź")
    cooperative.refresh_derived_fields()
    return cooperative


def test_rows_get_keys_defaults_and_timestamps(territory):
    gmina = CooperativeFactory().gmina
    cooperatives = [_unsaved(f"00009999{i:02d}", gmina) for i in range(3)]
    bulk_insert(Cooperative, cooperatives)
    assert all(c.pk for c in cooperatives) and len({c.pk for c in cooperatives}) == 3
    assert not cooperatives[0]._state.adding
    stored = Cooperative.objects.get(pk=cooperatives[1].pk)
    assert stored.krs_number == "0000999901" and stored.voivodeship_id == gmina.pk[:2]
    assert stored.created_at is not None and stored.updated_at is not None
    # the next ordinary insert does not collide with the keys taken
    assert CooperativeFactory().pk not in {c.pk for c in cooperatives}


def test_related_rows_and_an_empty_list(territory):
    cooperative = CooperativeFactory()
    category = OfferCategory.objects.get(slug="catering")
    bulk_insert(Offer, [])
    offers = [Offer(cooperative=cooperative, category=category, title=f"Catering {i}") for i in range(2)]
    for offer in offers:
        offer.refresh_derived_fields()
    bulk_insert(Offer, offers)
    assert sorted(cooperative.offers.values_list("title", flat=True)) == ["Catering 0", "Catering 1"]


def test_copy_fires_the_search_triggers_on_postgresql(postgresql_only, territory):
    assert connection.vendor == "postgresql"
    gmina = CooperativeFactory().gmina
    cooperative = _unsaved("0000888801", gmina)
    bulk_insert(Cooperative, [cooperative])
    assert Cooperative.objects.filter(pk=cooperative.pk, search_vector__isnull=False).exists()
    assert Cooperative.objects.filter(search_vector="laka").filter(pk=cooperative.pk).exists()
