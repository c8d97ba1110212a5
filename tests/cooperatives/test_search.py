import pytest

from cooperatives.filters import CooperativeFilterSet, OfferFilterSet
from cooperatives.models import Cooperative, Offer

from .factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db


def names(data, model=Cooperative, filterset=CooperativeFilterSet):
    fs = filterset(data=data, queryset=model.objects.all())
    assert fs.is_valid(), fs.errors
    return [getattr(obj, "name", None) or obj.title for obj in fs.qs]


@pytest.fixture
def registry():
    CooperativeFactory(
        name="Spółdzielnia Socjalna Pod Dębem",
        town="Łódź",
        gmina_id="1061011",
        description="Catering dla szkół i przedszkoli",
    )
    CooperativeFactory(
        name="Spółdzielnia Socjalna Zielony Zakątek",
        town="Poznań",
        gmina_id="3064011",
        description="Pielęgnacja terenów zielonych",
    )
    CooperativeFactory(name="Ślusarnia Socjalna", town="Żary", gmina_id="0811011")


def test_folded_query_finds_polish_names_on_any_database(registry):
    assert names({"search": "spoldzielnia lodz"}) == ["Spółdzielnia Socjalna Pod Dębem"]
    assert names({"search": "ŚLUSARNIA"}) == ["Ślusarnia Socjalna"]


def test_query_with_a_typo_is_tolerated_on_postgresql(registry, postgresql_only):
    assert names({"search": "spoldzelnia lodz"}) == ["Spółdzielnia Socjalna Pod Dębem"]
    assert names({"search": "zielny zakatek"}) == ["Spółdzielnia Socjalna Zielony Zakątek"]


def test_description_words_match_on_postgresql(registry, postgresql_only):
    assert names({"search": "przedszkoli"}) == ["Spółdzielnia Socjalna Pod Dębem"]


def test_alphabetical_order_is_polish_on_postgresql(registry, postgresql_only):
    CooperativeFactory(name="Łąka Spółdzielnia", town="Łódź")
    CooperativeFactory(name="Lipa Spółdzielnia", town="Łódź")
    ordered = names({"ordering": "name"})
    assert ordered.index("Lipa Spółdzielnia") < ordered.index("Łąka Spółdzielnia")
    assert ordered.index("Spółdzielnia Socjalna Zielony Zakątek") < ordered.index("Ślusarnia Socjalna")


def test_unknown_territorial_code_is_a_clear_error():
    fs = CooperativeFilterSet(data={"voivodeship": "99"}, queryset=Cooperative.objects.all())
    assert not fs.is_valid()
    assert fs.errors["voivodeship"] == ["Nieznany kod TERYT: 99."]


def test_too_long_search_is_a_clear_error():
    fs = CooperativeFilterSet(data={"search": "a" * 5000}, queryset=Cooperative.objects.all())
    assert not fs.is_valid()
    assert "search" in fs.errors


def test_offers_serving_a_powiat(registry):
    lodz = Cooperative.objects.get(town="Łódź")
    poznan = Cooperative.objects.get(town="Poznań")
    OfferFactory(cooperative=lodz, title="Lokalna", service_area=Offer.ServiceArea.LOCAL)
    OfferFactory(cooperative=poznan, title="Krajowa", service_area=Offer.ServiceArea.NATIONAL)
    regional = OfferFactory(cooperative=poznan, title="Regionalna", service_area=Offer.ServiceArea.VOIVODESHIPS)
    regional.area_voivodeships.add("10")
    OfferFactory(cooperative=poznan, title="Poznańska", service_area=Offer.ServiceArea.LOCAL)
    served = names({"serves": "1061", "ordering": "name"}, model=Offer, filterset=OfferFilterSet)
    assert served == ["Krajowa", "Lokalna", "Regionalna"]
