"""Issue 17, first part: the cooperatives catalogue finds what a cooperative does (its active offers' titles,
categories and sectors, and its description, weighted below its name), and tolerates typos and missing Polish
letters on SQLite as on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cooperatives.filters import CooperativeFilterSet
from cooperatives.models import Cooperative, OfferCategory
from cooperatives.selectors import registry_has_demo_data

from .factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db


def names(query: str) -> list[str]:
    fs = CooperativeFilterSet(data={"search": query}, queryset=Cooperative.objects.all())
    assert fs.is_valid(), fs.errors
    return [coop.name for coop in fs.qs]


@pytest.fixture
def trades():
    cleaning = OfferCategory.objects.get(slug="sprzatanie")
    catering = OfferCategory.objects.get(slug="catering")
    sprzatacze = CooperativeFactory(name="Spółdzielnia Socjalna Razem", description="Działamy od 2015 roku.")
    OfferFactory(cooperative=sprzatacze, title="Mycie okien w biurach", category=cleaning)
    kuchnia = CooperativeFactory(name="Spółdzielnia Socjalna Smaki", description="")
    OfferFactory(cooperative=kuchnia, title="Obiady dla szkół", category=catering)
    OfferFactory(cooperative=kuchnia, title="Sprzątanie po przyjęciach", category=catering, is_active=False)
    przedszkole = CooperativeFactory(name="Spółdzielnia Socjalna Przedszkole Bajka", description="")
    return sprzatacze, kuchnia, przedszkole


def test_category_and_sector_names_find_the_cooperatives_offering_them(trades):
    sprzatacze, kuchnia, _ = trades
    assert names("sprzątanie") == [sprzatacze.name]  # the category of an active offer; the inactive one does not count
    assert names("sprzatanie") == [sprzatacze.name]
    assert names("gastronomia") == [kuchnia.name]  # the sector (the category's parent)
    assert names("catering") == [kuchnia.name]
    assert names("mycie okien") == [sprzatacze.name]  # an offer's title


def test_description_words_are_found_on_any_database(trades):
    assert names("dzialamy") == ["Spółdzielnia Socjalna Razem"]


def test_typos_and_missing_polish_letters_are_tolerated_on_any_database(trades):
    assert names("przedszkle") == ["Spółdzielnia Socjalna Przedszkole Bajka"]
    assert names("spoldzielnia socjlna razem") == ["Spółdzielnia Socjalna Razem"]
    assert names("spldzielnia smaki") == ["Spółdzielnia Socjalna Smaki"]
    assert names("przedszkolex zzzzz") == []  # every word must be found


def test_the_name_ranks_before_what_others_offer(trades):
    _, kuchnia, _ = trades
    named = CooperativeFactory(name="Catering Spółdzielnia Socjalna", description="")
    assert names("catering") == [named.name, kuchnia.name]


def test_the_cooperative_follows_its_offers(trades):
    sprzatacze, kuchnia, _ = trades
    offer = OfferFactory(cooperative=sprzatacze, title="Kanapki na spotkania", category=kuchnia.offers.first().category)
    assert names("kanapki") == [sprzatacze.name]
    offer.is_active = False
    offer.save()
    assert names("kanapki") == []
    offer.is_active = True
    offer.save()
    offer.delete()
    assert names("kanapki") == []


@pytest.mark.parametrize(
    "query",
    [
        "a" * 5000,
        "!!! ,,, ???",
        "spół\x00dzielnia",
        "🍕🍕 catering",
        "'; DROP TABLE cooperatives_cooperative; --",
        "%_",
    ],
)
def test_bad_input_is_never_a_server_error(client, trades, query):
    registry_has_demo_data()
    response = client.get(reverse("cooperatives:list"), {"search": query})
    assert response.status_code in (200, 400)
    assert Cooperative.objects.count() == 3
    if response.status_code == 400:
        assert "search" in response.content.decode() or "Szukaj" in response.content.decode()


def test_the_catalogue_page_finds_a_trade(client, trades):
    registry_has_demo_data()
    response = client.get(reverse("cooperatives:list"), {"search": "sprzatanie"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Spółdzielnia Socjalna Razem" in html and "Liczba wyników: 1." in html


def test_a_search_adds_no_query_to_the_catalogue_page(client, trades):
    """On both databases: the search is a condition of the page's statements (PostgreSQL: the correction runs
    inside them; SQLite: a function registered on the connection), never a statement of its own."""
    registry_has_demo_data()
    url = reverse("cooperatives:list")
    for params in ({"ordering": "name"}, {"search": "sprzatanie", "ordering": "name"}):
        client.get(url, params)  # facets cached
    with CaptureQueriesContext(connection) as plain:
        client.get(url, {"ordering": "name"})
    with CaptureQueriesContext(connection) as searched:
        response = client.get(url, {"search": "sprzatanie", "ordering": "name"})
    assert "Spółdzielnia Socjalna Razem" in response.content.decode()
    assert len(searched.captured_queries) == len(plain.captured_queries)


@pytest.mark.postgres
def test_trade_words_use_the_cooperatives_index_on_postgresql(client, trades, postgresql_only):
    from .test_search import seq_scans_of_large_tables

    registry_has_demo_data()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cooperatives:list"), {"search": "gastronomia", "voivodeship": "10"})
    assert "Spółdzielnia Socjalna Smaki" in response.content.decode()
    statements = [query["sql"] for query in captured.captured_queries]
    assert any("cooperatives_search_query" in sql for sql in statements)
    assert seq_scans_of_large_tables(statements) == []
