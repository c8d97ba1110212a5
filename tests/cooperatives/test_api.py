"""REST API v1: fields compared with the database, the catalogue's filters, search, ordering, pagination,
errors and query counts."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings

from cooperatives.models import Offer, OfferCategory, TerritorialUnit

from .sample_registry import add_cooperatives, build_sample_registry

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def registry():
    return build_sample_registry()


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def krs_numbers(client, params=None):
    return [item["krs_number"] for item in get_json(client, f"{API}/cooperatives/", params)["results"]]


def offer_titles(client, params=None):
    return [item["title"] for item in get_json(client, f"{API}/offers/", params)["results"]]


# --- cooperatives: fields ---------------------------------------------------------------------------------


def test_cooperative_detail_by_krs_shows_the_public_data_of_the_database(client, registry):
    lodz = registry.lodz
    data = get_json(client, f"{API}/cooperatives/0000123456/")

    assert data["krs_number"] == lodz.krs_number
    assert data["name"] == lodz.name
    assert data["short_name"] == "Pod Dębem"
    assert data["nip"] == lodz.nip
    assert data["regon"] == lodz.regon
    assert data["status"] == "active"
    assert data["founder_type"] == "natural"
    assert data["krs_registration_date"] == "2015-05-04"
    assert data["url"] == "http://testserver/api/v1/cooperatives/0000123456/"
    assert data["profile_url"] == "http://testserver/spoldzielnie/0000123456/"
    assert data["address"] == {
        "street": "ul. Piotrkowska 1",
        "postal_code": "90-001",
        "town": "Łódź",
        "gmina": {"code": "1061011", "name": "Łódź"},
        "powiat": {"code": "1061", "name": "Łódź"},
        "voivodeship": {"code": "10", "name": "ŁÓDZKIE"},
    }
    assert data["location"] == {"latitude": 51.759, "longitude": 19.456, "location_precision": "exact"}
    assert data["social_enterprise"] == {
        "is_social_enterprise": True,
        "decision_number": "PS/10/2023",
        "decision_date": "2023-03-01",
        "voivode": {"code": "10", "name": "ŁÓDZKIE"},
        "aim": "reintegration",
    }
    assert data["certification"] == {"has_quality_mark": True, "is_ozrss_member": False, "last_audit_date": None}
    assert [group["code"] for group in data["target_groups"]] == list(lodz.target_groups.values_list("code", flat=True))
    assert {group["code"] for group in data["target_groups"]} == {"bezrobotni", "niepelnosprawni"}
    assert datetime.datetime.fromisoformat(data["updated_at"]) == lodz.updated_at
    assert [kind["code"] for kind in data["founder_kinds"]] == ["bezrobotni"]
    assert data["activities"] == [
        {"code": "56.21.Z", "version": "2007", "is_main": True},
        {"code": "88.10.Z", "version": "2025", "is_main": False},
    ]
    assert data["categories"] == [
        {"slug": "catering", "name": "Catering", "parent": {"slug": "gastronomia", "name": "Gastronomia i catering"}}
    ]
    assert (data["members_count"], data["employees_count"], data["counts_as_of"]) == (7, 9, "2025-12-31")
    assert data["employees_at_risk_count"] == 4  # the art. 94 declaration (docs/decisions/0006)
    # Only active offers, with links to the API and to the page.
    assert [offer["title"] for offer in data["offers"]] == ["Obiady dla szkół"]
    assert data["offers"][0]["url"] == f"http://testserver/api/v1/offers/{registry.lunches.pk}/"
    assert data["offers"][0]["page_url"] == f"http://testserver/oferty/{registry.lunches.pk}/"


def test_contacts_are_shown_only_with_consent(client, registry):
    lodz = get_json(client, f"{API}/cooperatives/0000123456/")
    assert lodz["contact"] == {"email": "biuro@poddebem.example.org", "phone": None, "website": registry.lodz.website}
    poznan = get_json(client, f"{API}/cooperatives/0000654321/")
    assert poznan["contact"] == {"email": None, "phone": None, "website": None}
    assert poznan["location"] is None


def test_no_personal_data_of_users_or_unpublished_contacts_anywhere_in_the_api(client, registry):
    bodies = b"".join(
        client.get(url).content
        for url in [
            f"{API}/cooperatives/",
            f"{API}/cooperatives/0000123456/",
            f"{API}/cooperatives/0000654321/",
            f"{API}/offers/",
            f"{API}/offers/{registry.lunches.pk}/",
        ]
    ).decode()
    for secret in ["reprezentant.tajny", "Tajny", "+48 600 100 200", "prezes.kowalski", "zakatek.example.org"]:
        assert secret not in bodies
    assert "membership" not in bodies
    assert "version" not in get_json(client, f"{API}/cooperatives/0000123456/")


def test_cooperative_list_items_have_the_same_fields_as_details_except_offers(client, registry):
    listed = get_json(client, f"{API}/cooperatives/")["results"]
    detail = get_json(client, f"{API}/cooperatives/0000123456/")
    item = next(item for item in listed if item["krs_number"] == "0000123456")
    assert set(detail) - set(item) == {"offers"}
    assert item == {key: value for key, value in detail.items() if key != "offers"}


def test_offer_fields_match_the_database(client, registry):
    lunches = registry.lunches
    data = get_json(client, f"{API}/offers/{lunches.pk}/")
    assert data == {
        "url": f"http://testserver/api/v1/offers/{lunches.pk}/",
        "page_url": f"http://testserver/oferty/{lunches.pk}/",
        "id": lunches.pk,
        "title": "Obiady dla szkół",
        "description": lunches.description,
        "category": {
            "slug": "catering",
            "name": "Catering",
            "parent": {"slug": "gastronomia", "name": "Gastronomia i catering"},
        },
        "service_area": "voivodeships",
        "service_area_units": [
            {"code": "10", "name": "ŁÓDZKIE", "level": "voivodeship"},
            {"code": "14", "name": "MAZOWIECKIE", "level": "voivodeship"},
        ],
        "price_note": "od 15 zł",
        "cpv_code": "55520000-1",
        "zakup_prospoleczny_year": 2024,
        "cooperative": {
            "url": "http://testserver/api/v1/cooperatives/0000123456/",
            "profile_url": "http://testserver/spoldzielnie/0000123456/",
            "krs_number": "0000123456",
            "name": "Spółdzielnia Socjalna Pod Dębem",
            "town": "Łódź",
            "voivodeship": {"code": "10", "name": "ŁÓDZKIE"},
        },
        "created_at": data["created_at"],
        "updated_at": data["updated_at"],
    }
    assert datetime.datetime.fromisoformat(data["created_at"]) == lunches.created_at


def test_inactive_offers_and_offers_of_deleted_cooperatives_are_not_public(client, registry):
    registry.warsaw.status = "deleted"
    registry.warsaw.save(update_fields=["status"])
    inactive = Offer.objects.get(title="Oferta wycofana")
    assert sorted(offer_titles(client)) == ["Koszenie trawników", "Obiady dla szkół"]
    get_json(client, f"{API}/offers/{inactive.pk}/", status=404)
    get_json(client, f"{API}/offers/{registry.cleaning.pk}/", status=404)


# --- filters, search, ordering ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["0000123456", "0000777777", "0000654321"]),
        ({"voivodeship": "10"}, ["0000123456"]),
        ({"powiat": "3064"}, ["0000654321"]),
        ({"gmina": "1465011"}, ["0000777777"]),
        ({"category": "gastronomia"}, ["0000123456"]),
        ({"category": "pielegnacja-zieleni"}, ["0000654321"]),
        ({"target_group": "osoby-starsze"}, ["0000654321"]),
        ({"founder_type": "mixed"}, ["0000777777"]),
        ({"status": "liquidation"}, ["0000654321"]),
        ({"social_enterprise": "true"}, ["0000123456"]),
        ({"social_enterprise": "false"}, ["0000777777", "0000654321"]),
        ({"certification": "quality_mark"}, ["0000123456"]),
        ({"certification": "ozrss"}, ["0000654321"]),
        ({"certification": "zakup_prospoleczny"}, ["0000123456"]),
        ({"search": "spoldzielnia lodz"}, ["0000123456"]),
        ({"search": "ZIELONY"}, ["0000654321"]),
        ({"voivodeship": "10", "status": "liquidation"}, []),
    ],
)
def test_cooperative_filters_are_the_catalogues(client, registry, params, expected):
    # Order is tested separately: it differs between PostgreSQL (Polish collation) and SQLite.
    assert sorted(krs_numbers(client, params)) == sorted(expected)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["Koszenie trawników", "Obiady dla szkół", "Sprzątanie biur"]),
        ({"category": "gastronomia"}, ["Obiady dla szkół"]),
        ({"category": "sprzatanie-obiektow"}, ["Sprzątanie biur"]),
        ({"voivodeship": "30"}, ["Koszenie trawników"]),
        ({"gmina": "1061011"}, ["Obiady dla szkół"]),
        ({"service_area": "national"}, ["Sprzątanie biur"]),
        ({"certification": "zakup_prospoleczny"}, ["Obiady dla szkół"]),
        ({"serves": "14"}, ["Obiady dla szkół", "Sprzątanie biur"]),
        ({"serves": "3064"}, ["Koszenie trawników", "Sprzątanie biur"]),
        ({"search": "obiady"}, ["Obiady dla szkół"]),
    ],
)
def test_offer_filters_are_the_catalogues(client, registry, params, expected):
    assert sorted(offer_titles(client, params)) == sorted(expected)


def test_ordering_by_name_and_newest(client, registry):
    # Polish order on PostgreSQL puts "Ś" after "S" and before "Z"; on SQLite plain code-point order.
    by_name = krs_numbers(client, {"ordering": "name"})
    assert by_name[0] == "0000123456"
    assert set(by_name) == {"0000123456", "0000654321", "0000777777"}
    assert krs_numbers(client, {"ordering": "newest"}) == ["0000777777", "0000654321", "0000123456"]
    assert offer_titles(client, {"ordering": "newest"}) == ["Sprzątanie biur", "Koszenie trawników", "Obiady dla szkół"]


def test_polish_alphabetical_order_on_postgresql(client, registry, postgresql_only):
    assert krs_numbers(client, {"ordering": "name"}) == ["0000123456", "0000777777", "0000654321"]


def test_search_tolerates_a_typo_on_postgresql(client, registry, postgresql_only):
    assert krs_numbers(client, {"search": "spoldzelnia lodz"}) == ["0000123456"]


# --- pagination -------------------------------------------------------------------------------------------


def test_pagination_envelope_and_links(client, registry):
    params = {"ordering": "newest", "page_size": 2}
    first = get_json(client, f"{API}/cooperatives/", params)
    assert first["count"] == 3
    assert [item["krs_number"] for item in first["results"]] == ["0000777777", "0000654321"]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/cooperatives/?ordering=newest&page=2&page_size=2"
    second = get_json(client, f"{API}/cooperatives/", {**params, "page": 2})
    assert [item["krs_number"] for item in second["results"]] == ["0000123456"]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/cooperatives/?ordering=newest&page_size=2"
    last = get_json(client, f"{API}/cooperatives/", {**params, "page": "last"})
    assert last["results"] == second["results"]


@override_settings(PORTAL_API_MAX_PAGE_SIZE=2)
def test_page_size_is_capped_by_the_setting(client, registry):
    assert len(get_json(client, f"{API}/cooperatives/", {"page_size": 2})["results"]) == 2
    errors = get_json(client, f"{API}/cooperatives/", {"page_size": 3}, status=400)
    assert errors == {"page_size": ["Rozmiar strony musi być liczbą całkowitą od 1 do 2."]}


def test_default_page_size_applies(client, territory):
    add_cooperatives(21, offers_each=0)
    data = get_json(client, f"{API}/cooperatives/")
    assert (data["count"], len(data["results"])) == (21, 20)


# --- errors -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"voivodeship": "99"}, "voivodeship", "Nieznany kod TERYT: 99."),
        ({"powiat": "10"}, "powiat", "Nieznany kod TERYT: 10."),
        ({"gmina": "abc"}, "gmina", "Nieznany kod TERYT: abc."),
        ({"page_size": "abc"}, "page_size", "Rozmiar strony musi być liczbą całkowitą od 1 do 100."),
        ({"page_size": "1000"}, "page_size", "Rozmiar strony musi być liczbą całkowitą od 1 do 100."),
        ({"page_size": "0"}, "page_size", "Rozmiar strony musi być liczbą całkowitą od 1 do 100."),
        ({"page": "abc"}, "page", "Numer strony musi być liczbą całkowitą większą od zera."),
        ({"page": "-1"}, "page", "Numer strony musi być liczbą całkowitą większą od zera."),
        ({"search": "x" * 5000}, "search", "co najwyżej 200 znaków"),
        ({"ordering": "price"}, "ordering", "price"),
        ({"status": "bankrupt"}, "status", "bankrupt"),
        ({"category": "nie-ma-takiej"}, "category", ""),
        ({"target_group": "nie-ma"}, "target_group", ""),
        ({"search": "a\x00b"}, "search", "Wartość zawiera niedozwolony znak NUL."),
        ({"voivodeship": "1\x00"}, "voivodeship", "Wartość zawiera niedozwolony znak NUL."),
    ],
)
def test_bad_parameters_get_a_400_naming_the_parameter(client, registry, params, field, message):
    errors = get_json(client, f"{API}/cooperatives/", params, status=400)
    assert list(errors) == [field]
    assert isinstance(errors[field], list)
    assert message in errors[field][0]


def test_every_bad_parameter_is_reported_at_once(client, registry):
    errors = get_json(
        client, f"{API}/cooperatives/", {"voivodeship": "99", "page_size": "abc", "search": "x" * 5000}, status=400
    )
    assert set(errors) == {"voivodeship", "page_size", "search"}


def test_unknown_krs_and_page_out_of_range_are_json_404(client, registry):
    assert get_json(client, f"{API}/cooperatives/0000000001/", status=404) == {"detail": "Nie znaleziono."}
    assert "detail" in get_json(client, f"{API}/cooperatives/12345/", status=404)
    out_of_range = get_json(client, f"{API}/cooperatives/", {"page": 7}, status=404)
    assert out_of_range == {"detail": "Strona 7 nie istnieje; ostatnia strona ma numer 1."}
    get_json(client, f"{API}/cooperatives/", {"page": "9" * 30}, status=404)


def test_unknown_identifiers_of_every_resource_are_json_404(client, registry):
    for url in [
        f"{API}/offers/999999/",
        f"{API}/offers/abc/",
        f"{API}/offers/{'9' * 40}/",
        f"{API}/categories/nie-ma-takiej/",
        f"{API}/territorial-units/99/",
        f"{API}/territorial-units/123/",
    ]:
        assert "detail" in get_json(client, url, status=404)


ODD_VALUES = [
    "Łódź ąęśćżźńół",
    "🙂",
    "\x00",
    "a\x00",
    "%00",
    "9" * 5000,
    "-" + "9" * 50,
    "1e309",
    "NaN",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    " ",
    "",
    "１０",
]
PARAMETERS = {
    "cooperatives": [
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
        "page",
        "page_size",
        "unknown",
        "format",
    ],
    "offers": [
        "search",
        "voivodeship",
        "powiat",
        "gmina",
        "category",
        "serves",
        "service_area",
        "certification",
        "ordering",
        "page",
        "page_size",
    ],
    "categories": ["level", "parent", "page", "page_size"],
    "territorial-units": ["level", "parent", "search", "page", "page_size"],
}


@pytest.mark.parametrize("resource", list(PARAMETERS))
def test_odd_inputs_never_produce_a_500(client, registry, resource):
    url = f"{API}/{resource}/"
    for parameter in PARAMETERS[resource]:
        for value in ODD_VALUES:
            response = client.get(url, {parameter: value})
            assert response.status_code in {200, 400, 404}, (parameter, value, response.status_code)
            assert response["Content-Type"].startswith("application/json")
        # Repeated parameters: the last value counts, as in the catalogue.
        response = client.get(f"{url}?{parameter}=1&{parameter}=%00&{parameter}=2")
        assert response.status_code in {200, 400, 404}
    for value in ODD_VALUES:
        if value:
            response = client.get(f"{url}{value.replace('/', '')}/")
            assert response.status_code in {200, 404}, (value, response.status_code)


def test_nul_byte_in_the_path_is_a_json_404(client, registry):
    # No route takes a control character into an identifier (core.api.PortalRouter): the API's unknown-address 404.
    for resource in PARAMETERS:
        response = client.get(f"{API}/{resource}/%00/")
        assert response.status_code == 404
        assert response.json() == {"detail": "Nie ma takiego adresu w API. Lista zasobów: /api/v1/."}


def test_a_repeated_single_valued_parameter_is_a_400(client, registry):
    # It used to take the last value silently, which the OpenAPI schema (one value) did not say.
    # (Facets such as voivodeship take several values since issue 13; ordering stays single.)
    response = client.get(f"{API}/cooperatives/?ordering=name&ordering=newest")
    assert response.status_code == 400
    assert response.json() == {"ordering": ["Podaj ten parametr tylko raz."]}


def test_the_api_is_read_only(client, registry):
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(f"{API}/cooperatives/0000123456/").status_code == 405
    assert client.post(f"{API}/cooperatives/").status_code == 405


# --- categories and territorial units ---------------------------------------------------------------------


def test_categories_are_a_two_level_taxonomy(client, territory):
    top = get_json(client, f"{API}/categories/", {"level": "1", "page_size": 100})
    assert top["count"] == OfferCategory.objects.filter(parent__isnull=True).count()
    catering = next(item for item in top["results"] if item["slug"] == "gastronomia")
    assert catering["level"] == 1
    assert catering["parent"] is None
    assert [child["slug"] for child in catering["children"]] == list(
        OfferCategory.objects.filter(parent__slug="gastronomia").values_list("slug", flat=True)
    )
    children = get_json(client, f"{API}/categories/", {"parent": "gastronomia"})["results"]
    assert [item["slug"] for item in children] == [child["slug"] for child in catering["children"]]
    assert all(item["level"] == 2 and item["parent"]["slug"] == "gastronomia" for item in children)
    detail = get_json(client, f"{API}/categories/catering/")
    assert detail["parent"] == {"slug": "gastronomia", "name": "Gastronomia i catering"}
    assert detail["url"] == "http://testserver/api/v1/categories/catering/"
    assert get_json(client, f"{API}/categories/", {"level": "2"})["count"] == (
        OfferCategory.objects.filter(parent__isnull=False).count()
    )


def test_unknown_category_parent_is_a_400(client, territory):
    errors = get_json(client, f"{API}/categories/", {"parent": "catering"}, status=400)
    assert errors == {"parent": ["Nieznana kategoria: catering."]}


def test_territorial_units_by_level_and_parent(client, territory):
    voivodeships = get_json(client, f"{API}/territorial-units/", {"level": "voivodeship", "page_size": 100})
    assert voivodeships["count"] == 16
    assert voivodeships["results"][0] == {
        "url": "http://testserver/api/v1/territorial-units/02/",
        "code": "02",
        "name": "DOLNOŚLĄSKIE",
        "level": "voivodeship",
        "gmina_kind": "",
        "kind_name": "województwo",
        "parent": None,
        "valid_on": "2020-01-01",
    }
    powiats = get_json(client, f"{API}/territorial-units/", {"parent": "10", "page_size": 100})
    assert powiats["count"] == TerritorialUnit.objects.filter(parent_id="10").count()
    assert {item["level"] for item in powiats["results"]} == {"powiat"}
    gminas = get_json(client, f"{API}/territorial-units/", {"parent": "1061", "level": "gmina"})
    assert [item["code"] for item in gminas["results"]] == ["1061011"]
    assert gminas["results"][0]["parent"] == {"code": "1061", "name": "Łódź"}
    assert get_json(client, f"{API}/territorial-units/1465011/")["name"] == "Warszawa"
    found = get_json(client, f"{API}/territorial-units/", {"search": "Łódź", "level": "gmina"})["results"]
    assert "1061011" in [item["code"] for item in found]


def test_territorial_unit_search_ignores_case_and_diacritics_on_postgresql(client, territory, postgresql_only):
    found = get_json(client, f"{API}/territorial-units/", {"search": "lodz", "level": "powiat"})["results"]
    assert "1061" in [item["code"] for item in found]


def test_territorial_units_leave_out_parts_of_gminas(client, territory):
    get_json(client, f"{API}/territorial-units/", {"level": "gmina_part"}, status=400)
    part = TerritorialUnit.objects.filter(level="gmina_part").first()
    get_json(client, f"{API}/territorial-units/{part.code}/", status=404)
    total = get_json(client, f"{API}/territorial-units/")["count"]
    assert total == TerritorialUnit.objects.exclude(level="gmina_part").count()


def test_unknown_territorial_parent_is_a_400(client, territory):
    errors = get_json(client, f"{API}/territorial-units/", {"parent": "1061011"}, status=400)
    assert errors == {"parent": ["Nieznany kod TERYT: 1061011."]}


# --- query counts -----------------------------------------------------------------------------------------

# count, page, and one query per prefetched relation
LIST_QUERIES = {
    "cooperatives": 6,  # + target groups, founder kinds, activities, offers with categories
    "offers": 4,  # + chosen powiats, chosen voivodeships
    "categories": 3,  # + children
    "territorial-units": 2,
}


@pytest.mark.parametrize("resource", list(LIST_QUERIES))
def test_list_query_count_is_pinned_and_does_not_grow_with_page_size(
    client, territory, resource, django_assert_num_queries
):
    add_cooperatives(12, offers_each=2)
    for page_size in (2, 10, 100):
        with django_assert_num_queries(LIST_QUERIES[resource]):
            data = get_json(client, f"{API}/{resource}/", {"page_size": page_size})
        assert len(data["results"]) == min(page_size, data["count"])


def test_filters_add_a_fixed_number_of_queries(client, territory, django_assert_num_queries):
    add_cooperatives(3)
    # the voivodeship looked up; the category looked up, then its children
    with django_assert_num_queries(LIST_QUERIES["cooperatives"] + 3):
        get_json(client, f"{API}/cooperatives/", {"voivodeship": "10", "category": "catering"})


def test_search_adds_no_query_and_does_not_grow_with_page_size(client, territory, django_assert_num_queries):
    add_cooperatives(12, offers_each=2)
    # On PostgreSQL with a typo: the correction happens inside the same statements.
    query = "spoldzelnia testowa" if connection.vendor == "postgresql" else "spoldzielnia testowa"
    get_json(client, f"{API}/cooperatives/")  # as on a running site: one-time lookups done
    for page_size in (2, 10, 100):
        with django_assert_num_queries(LIST_QUERIES["cooperatives"]):
            data = get_json(client, f"{API}/cooperatives/", {"search": query, "page_size": page_size})
        assert data["count"] == 12 and len(data["results"]) == min(page_size, 12)
        with django_assert_num_queries(LIST_QUERIES["offers"]):
            data = get_json(client, f"{API}/offers/", {"search": query, "page_size": page_size})
        assert data["count"] == 24 and len(data["results"]) == min(page_size, 24)


def test_detail_query_counts(client, registry, django_assert_num_queries):
    with django_assert_num_queries(5):
        get_json(client, f"{API}/cooperatives/0000123456/")
    with django_assert_num_queries(3):
        get_json(client, f"{API}/offers/{registry.lunches.pk}/")
