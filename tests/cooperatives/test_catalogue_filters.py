"""Issue 13, "Catalogue filters": several values per facet (page and API, repeated or comma lists), a "near" search
within N km of a place, and a status filter whose default hides struck-off cooperatives and says so."""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from cooperatives.geo import bounding_box, haversine_km, resolve_place
from cooperatives.models import OfferCategory, TerritorialUnit
from cooperatives.selectors import registry_has_demo_data

from .catalogue_fixtures import facet_counts, facet_links, result_names, text_of
from .factories import CooperativeFactory, OfferFactory

pytestmark = pytest.mark.django_db

LIST_URL = reverse("cooperatives:list")
OFFERS_URL = reverse("cooperatives:offers")
API_URL = "/api/v1/cooperatives/"
OFFERS_API_URL = "/api/v1/offers/"


@pytest.fixture
def malopolska(territory):
    """Kraków (city), powiat krakowski (Skawina), powiat wielicki (Wieliczka), Tarnów; one struck off in Kraków."""
    catering = OfferCategory.objects.get(slug="catering")
    cleaning = OfferCategory.objects.get(slug="sprzatanie-obiektow")
    greenery = OfferCategory.objects.get(slug="pielegnacja-zieleni")
    made = {
        "krakow": CooperativeFactory(
            name="SS Kraków", gmina_id="1261011", latitude=Decimal("50.061"), longitude=Decimal("19.937")
        ),
        "skawina": CooperativeFactory(
            name="SS Skawina", gmina_id="1206113", latitude=Decimal("49.975"), longitude=Decimal("19.828")
        ),
        "wieliczka": CooperativeFactory(name="SS Wieliczka", gmina_id="1219053"),  # no coordinates: gmina's point
        "tarnow": CooperativeFactory(
            name="SS Tarnów", gmina_id="1263011", latitude=Decimal("50.012"), longitude=Decimal("20.988")
        ),
        "struck": CooperativeFactory(
            name="SS Wykreślona", gmina_id="1261011", status="deleted", latitude=Decimal("50.05"),
            longitude=Decimal("19.95"),
        ),
    }  # fmt: skip
    OfferFactory(cooperative=made["krakow"], title="Obiady", category=catering)
    OfferFactory(cooperative=made["skawina"], title="Sprzątanie", category=cleaning)
    OfferFactory(cooperative=made["wieliczka"], title="Koszenie", category=greenery)
    OfferFactory(cooperative=made["tarnow"], title="Catering Tarnów", category=catering)
    return made


def names(client, params) -> list[str]:
    response = client.get(f"{LIST_URL}?{params}") if isinstance(params, str) else client.get(LIST_URL, params)
    assert response.status_code == 200, response.content.decode()[:2000]
    return result_names(response.content.decode())


def api_names(client, url, query: str) -> list[str]:
    response = client.get(f"{url}?{query}")
    assert response.status_code == 200, response.json()
    return [row.get("name") or row.get("title") for row in response.json()["results"]]


# --- Several values per facet ------------------------------------------------------------------------------


def test_several_powiats_repeated_or_as_a_comma_list(client, malopolska):
    expected = ["SS Kraków", "SS Skawina", "SS Wieliczka"]
    assert names(client, "powiat=1261&powiat=1206&powiat=1219") == expected
    assert names(client, {"powiat": "1261,1206,1219"}) == expected
    assert api_names(client, API_URL, "powiat=1261&powiat=1206&powiat=1219") == expected
    assert api_names(client, API_URL, "powiat=1261,1206,1219") == expected


def test_a_voivodeship_narrowed_by_its_powiats_stands_for_those_only(client, malopolska):
    assert names(client, "voivodeship=12&powiat=1261&powiat=1219") == ["SS Kraków", "SS Wieliczka"]
    # A voivodeship with nothing chosen inside it stays whole.
    assert names(client, "voivodeship=12,14&powiat=1261") == ["SS Kraków"]
    assert names(client, "voivodeship=12") == ["SS Kraków", "SS Skawina", "SS Tarnów", "SS Wieliczka"]


def test_two_categories_match_either(client, malopolska):
    assert names(client, "category=gastronomia,sprzatanie") == ["SS Kraków", "SS Skawina", "SS Tarnów"]
    offers = client.get(OFFERS_URL, {"category": "gastronomia,zielen"}).content.decode()
    assert result_names(offers) == ["Catering Tarnów", "Koszenie", "Obiady"]
    assert api_names(client, OFFERS_API_URL, "category=gastronomia&category=zielen") == [
        "Catering Tarnów",
        "Koszenie",
        "Obiady",
    ]


def test_chosen_values_are_shown_each_removable_and_facets_count_without_their_own(client, malopolska):
    html = client.get(f"{LIST_URL}?voivodeship=12&powiat=1261&powiat=1219").content.decode()
    text = text_of(html)
    assert "Powiat: Kraków" in text and "Powiat: pow. wielicki" in text
    # The powiat facet counts every powiat of the voivodeship (its own filter left out), both chosen are marked.
    assert facet_counts(html, "powiat") == {"pow. krakowski": 1, "pow. wielicki": 1, "Kraków": 1, "Tarnów": 1}
    links = facet_links(html, "powiat")
    # A chosen value's link removes only that value; another value's link adds it.
    assert parse_qs(urlsplit(links["Kraków"]).query) == {"voivodeship": ["12"], "powiat": ["1219"]}
    assert parse_qs(urlsplit(links["pow. krakowski"]).query) == {
        "voivodeship": ["12"],
        "powiat": ["1261", "1219", "1206"],
    }
    assert html.count('aria-current="true"') == 3  # the voivodeship and the two powiats


def test_unknown_value_among_several_is_named(client, malopolska):
    response = client.get(LIST_URL, {"powiat": "1261,9999"})
    assert response.status_code == 400
    assert "Nieznany kod TERYT: 9999." in text_of(response.content.decode())
    response = client.get(f"{API_URL}?powiat=1261,9999")
    assert response.status_code == 400
    assert "9999" in str(response.json()["powiat"])


# --- Status ---------------------------------------------------------------------------------------------


def test_struck_off_are_hidden_by_default_and_the_page_says_so(client, malopolska):
    html = client.get(LIST_URL).content.decode()
    assert "SS Wykreślona" not in result_names(html)
    text = text_of(html)
    assert "Ukryto spółdzielnie wykreślone z KRS: 1 — pokaż" in text
    show = next(line for line in html.split('href="') if "status=deleted" in line.split('"')[0]).split('"')[0]
    shown = client.get(LIST_URL + show.replace("&amp;", "&")).content.decode()
    assert "SS Wykreślona" in result_names(shown)
    assert "Ukryto" not in text_of(shown)
    assert names(client, {"status": "deleted"}) == ["SS Wykreślona"]
    # The API too (documented in the schema).
    assert "SS Wykreślona" not in api_names(client, API_URL, "")
    assert api_names(client, API_URL, "status=deleted") == ["SS Wykreślona"]


def test_status_facet_counts_the_hidden_ones(client, malopolska):
    html = client.get(LIST_URL).content.decode()
    assert facet_counts(html, "status") == {"aktywna": 4, "wykreślona z KRS": 1}


# --- Near a place ----------------------------------------------------------------------------------------


def test_points_are_loaded_for_every_gmina(territory):
    assert not TerritorialUnit.objects.exclude(level="gmina_part").filter(latitude__isnull=True).exists()
    krakow = TerritorialUnit.objects.get(code="1261011")
    assert haversine_km(krakow.latitude, krakow.longitude, 50.061, 19.937) < 5


def test_near_a_place_by_name_or_code_within_km(client, malopolska):
    # Kraków to Skawina is about 15 km, to Wieliczka's (powiat) point about 18 km, to Tarnów about 75 km.
    assert names(client, {"near": "Kraków", "km": "30", "ordering": "name"}) == [
        "SS Kraków",
        "SS Skawina",
        "SS Wieliczka",
    ]
    assert names(client, {"near": "1261011", "km": "5"}) == ["SS Kraków"]
    assert names(client, {"near": "krakow", "km": "100", "ordering": "name"})[-1] == "SS Wieliczka"
    # Nearest first by default, with the distance shown.
    html = client.get(LIST_URL, {"near": "Kraków", "km": "100"}).content.decode()
    assert result_names(html) == ["SS Kraków", "SS Skawina", "SS Wieliczka", "SS Tarnów"]
    assert re.search(r"SS Kraków .*? ok\. [0-9] km .*? SS Skawina .*? ok\. 1[0-9] km", text_of(html))
    offers = api_names(client, OFFERS_API_URL, "near=1261011&km=30&ordering=distance")
    assert offers == ["Obiady", "Sprzątanie", "Koszenie"]


def test_distances_agree_with_python(client, malopolska):
    place = resolve_place("1263011")
    response = client.get(f"{API_URL}?near={place.code}&km=300")
    got = [row["name"] for row in response.json()["results"]]
    expected = sorted(
        (c for c in malopolska.values() if c.status != "deleted"),
        key=lambda c: haversine_km(
            float(c.latitude if c.latitude is not None else c.gmina.latitude),
            float(c.longitude if c.longitude is not None else c.gmina.longitude),
            place.latitude,
            place.longitude,
        ),
    )
    assert got == [c.name for c in expected]
    south, north, west, east = bounding_box(50.0, 20.0, 10)
    assert haversine_km(50.0, 20.0, north, 20.0) == pytest.approx(10, rel=1e-3)
    assert haversine_km(50.0, 20.0, 50.0, east) > 10


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"near": "Nibylandia"}, "near", "Nie znamy miejscowości ani gminy „Nibylandia”"),
        ({"near": "9999999"}, "near", "Nieznany kod TERYT gminy: 9999999."),
        ({"near": "Kraków", "km": "0"}, "km", "co najmniej 1 km"),
        ({"near": "Kraków", "km": "5000"}, "km", "co najwyżej 300 km"),
        ({"near": "Kraków", "km": "²"}, "km", "pełnych kilometrach"),
        ({"km": "10"}, "km", "podaj też miejsce"),
        ({"ordering": "distance"}, "ordering", "wymaga miejsca"),
        ({"near": "Osiek"}, "near", "podaj kod TERYT jednej z nich"),
    ],
)
def test_bad_near_parameters_are_explained(client, malopolska, params, field, message):
    response = client.get(LIST_URL, params)
    assert response.status_code == 400
    assert message in text_of(response.content.decode())
    response = client.get(API_URL, params)
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])


def test_a_representative_is_offered_their_gmina(client, malopolska):
    from tests.cooperatives.selfservice_helpers import representative

    user = representative(malopolska["skawina"])
    client.force_login(user)
    html = client.get(LIST_URL).content.decode()
    assert 'href="?near=1206113"' in html


# --- Query counts and the schema -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 25])
def test_query_counts_with_several_values_and_near_do_not_grow(client, territory, django_assert_num_queries, size):
    for n in range(size):
        OfferFactory(cooperative=CooperativeFactory(gmina_id=("1261011", "1206113", "1219053")[n % 3]))
    registry_has_demo_data()
    # Every cooperative offers catering, so the page is not empty (an empty one adds the zero-results help).
    # The registry version with the count, page, categories of the page (3); the chosen voivodeship, powiats and
    # categories looked up once each (3) and each category's subcategories (2); facets: voivodeships, powiats,
    # gminas (several powiats chosen), one shared scan (the status facet in it), target groups, categories (2)
    with django_assert_num_queries(15):
        client.get(f"{LIST_URL}?voivodeship=12&powiat=1261&powiat=1206&powiat=1219&category=gastronomia,zielen")
    # count, page, categories (3), the place looked up (1), facets: voivodeships, one shared scan, target groups,
    # categories (2)
    with django_assert_num_queries(9):
        client.get(LIST_URL, {"near": "1261011", "km": "40"})


def test_schema_documents_several_values_and_the_status_default(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/cooperatives/"]["get"]["parameters"]}
    assert parameters["powiat"]["schema"]["type"] == "array"
    assert parameters["powiat"]["explode"] is True
    assert "po przecinku" in parameters["powiat"]["description"]
    assert "deleted" in parameters["status"]["description"] and "Domyślnie" in parameters["status"]["description"]
    assert "'maximum': 300" in str(parameters["km"]["schema"])
    assert "near" in parameters


def test_map_data_for_several_powiats_is_not_mixed_up_with_one_of_them(client, malopolska):
    """The map's answers are cached per filter combination: every value counts, not the last one given."""
    url = reverse("cooperatives:map-data")
    both = client.get(f"{url}?powiat=1206&powiat=1261").json()
    one = client.get(f"{url}?powiat=1261").json()
    assert (both["total"], one["total"]) == (2, 1)


def test_too_many_values_are_refused_before_the_database(client, territory):
    many = ",".join(f"{n:04d}" for n in range(1000, 1200))
    response = client.get(LIST_URL, {"powiat": many})
    assert response.status_code == 400
    assert "Podaj najwyżej 100 wartości." in text_of(response.content.decode())
    response = client.get(f"{API_URL}?status={','.join(str(n) for n in range(120))}")
    assert response.status_code == 400
    assert response.json()["status"] == ["Podaj najwyżej 100 wartości."]


@pytest.mark.parametrize("typed", ["%(n)d godziny", "100%", "%s"])
def test_a_place_with_format_characters_is_text(client, territory, typed):
    """Found by schemathesis: the typed place went into the message's format string (a 500 in the API)."""
    for url in (API_URL, OFFERS_API_URL):
        response = client.get(url, {"near": typed})
        assert response.status_code == 400
        assert response.json()["near"] == [
            f"Nie znamy miejscowości ani gminy „{typed}”. Podaj nazwę gminy albo jej kod TERYT."
        ]
    response = client.get(LIST_URL, {"near": typed})
    assert response.status_code == 400
    assert f"„{typed}”" in text_of(response.content.decode())
