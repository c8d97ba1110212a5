"""CPV codes on offers (issue 13, the buyer's view): the vocabulary, check digits, the offer form, the CPV filter
of both catalogues (page and API; a division or group matches every code below it), the offer page, the import.

Before: any `NNNNNNNN-N` was accepted (55520000-2 with a wrong check digit, 12345678-9 of no division), there was
no CPV filter anywhere (`?cpv=` was ignored) and no name beside the code.
"""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook

from cooperatives import cpv

from .factories import CooperativeFactory, OfferFactory
from .selfservice_helpers import representative

API = "/api/v1"
OFFERS = reverse("cooperatives:offers")
LIST = reverse("cooperatives:list")


@pytest.fixture(autouse=True)
def divisions_only(settings):
    """The shipped vocabulary (divisions), whatever is installed on the machine running the tests."""
    settings.PORTAL_CPV_FILE = str(cpv.DIVISIONS_FILE)
    cpv.vocabulary.cache_clear()
    yield
    cpv.vocabulary.cache_clear()


def full_vocabulary(tmp_path, settings, monkeypatch, rows):
    path = tmp_path / "cpv_2008.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["code", "name_pl", "name_en"])
        writer.writerows(rows)
    monkeypatch.setattr(cpv, "FULL_SIZE", len(rows))
    settings.PORTAL_CPV_FILE = str(path)
    cpv.vocabulary.cache_clear()


def errors_of(code):
    try:
        cpv.validate_cpv_code(code)
    except ValidationError as error:
        return error.messages
    return []


# --- Vocabulary and check digits ---------------------------------------------------------------------------


def test_shipped_divisions_have_polish_and_english_names_and_right_check_digits():
    words = cpv.vocabulary()
    assert len(words.entries) == 45 and not words.complete
    catering = words.get("55000000")
    assert catering.code == "55000000-0"
    assert catering.name_pl == "Usługi hotelarskie, restauracyjne i handlu detalicznego"
    assert catering.name_en == "Hotel, restaurant and retail trade services"
    for entry in words.entries:
        assert entry.name_pl and entry.name_en
        # 51000000-9 is one of the codes whose digit predates the 2008 numbering: the vocabulary is the authority.
        assert entry.code == "51000000-9" or entry.code[9] == cpv.computed_check_digit(entry.stem)


@pytest.mark.parametrize("code", ["55520000-1", "55321000-6", "90910000-9", "45000000-7", "77311000-3"])
def test_codes_with_the_right_check_digit_are_accepted(code):
    assert errors_of(code) == []


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("55520000-2", "Cyfra kontrolna kodu CPV 55520000 to 1 (55520000-1)."),
        ("51000000-2", "Cyfra kontrolna kodu CPV 51000000 to 9 (51000000-9)."),  # the vocabulary's digit wins
        ("12345678-9", "Nie ma działu CPV 12."),
        ("5552000-1", "Kod CPV musi mieć postać 8 cyfr, myślnika i cyfry kontrolnej"),
        ("55520000", "Kod CPV musi mieć postać 8 cyfr, myślnika i cyfry kontrolnej"),
        ("５５５２００００-１", "Kod CPV musi mieć postać 8 cyfr, myślnika i cyfry kontrolnej"),
    ],
)
def test_wrong_codes_are_refused_with_a_message_naming_the_right_digit(code, message):
    assert any(message in text for text in errors_of(code)), errors_of(code)


def test_the_full_vocabulary_is_the_authority(tmp_path, settings, monkeypatch):
    full_vocabulary(
        tmp_path,
        settings,
        monkeypatch,
        [
            ("55520000-1", "Usługi dostarczania posiłków", "Catering services"),
            ("03311000-2", "Ryby", "Fish"),  # a 2008-renumbered code: the formula would say 03311000-0
        ],
    )
    assert cpv.vocabulary().complete
    assert errors_of("03311000-2") == []
    assert "Cyfra kontrolna kodu CPV 03311000 to 2" in errors_of("03311000-0")[0]
    # Right by the formula, but not in the vocabulary.
    assert errors_of("55529000-6") == ["Kodu 55529000-6 nie ma w słowniku CPV. Wybierz kod z listy."]


def test_import_cpv_reads_the_official_spreadsheet(tmp_path, settings, monkeypatch):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["CODE", "BG", "EN", "PL"])
    sheet.append(["55520000-1", "Кетъринг", "Catering services", "Usługi dostarczania posiłków"])
    sheet.append(["90910000-9", "Почистване", "Cleaning services", "Usługi sprzątania"])
    source, output = tmp_path / "cpv_2008.xlsx", tmp_path / "out.csv"
    workbook.save(source)
    call_command("import_cpv", str(source), "--output", str(output), stdout=io.StringIO(), stderr=io.StringIO())
    assert output.read_text(encoding="utf-8").splitlines() == [
        "code;name_pl;name_en",
        "55520000-1;Usługi dostarczania posiłków;Catering services",
        "90910000-9;Usługi sprzątania;Cleaning services",
    ]
    monkeypatch.setattr(cpv, "FULL_SIZE", 2)
    settings.PORTAL_CPV_FILE = str(output)
    cpv.vocabulary.cache_clear()
    assert cpv.vocabulary().get("90910000").name_pl == "Usługi sprzątania"


# --- The offer form ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_offer_form_refuses_a_wrong_check_digit_and_offers_a_list(client):
    coop = CooperativeFactory()
    client.force_login(representative(coop))
    url = reverse("selfservice:offer-create", args=[coop.krs_number])
    page = client.get(url).content.decode()
    assert 'list="cpv-codes"' in page
    assert '<datalist id="cpv-codes">' in page and '<option value="55000000-0">' in page
    data = {"title": "Obiady", "category": "", "service_area": "local", "cpv_code": "55520000-2", "is_active": "on"}
    from cooperatives.models import OfferCategory

    data["category"] = OfferCategory.objects.get(slug="catering").pk
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Cyfra kontrolna kodu CPV 55520000 to 1" in response.content.decode()
    assert not coop.offers.exists()
    data["cpv_code"] = "55520000-1"
    assert client.post(url, data).status_code == 302
    assert coop.offers.get().cpv_code == "55520000-1"


# --- Filters --------------------------------------------------------------------------------------------------


@pytest.fixture
def offers(db):
    lodz, poznan = CooperativeFactory(name="Spółdzielnia Łódzka"), CooperativeFactory(name="Spółdzielnia Poznańska")
    return {
        "catering": OfferFactory(cooperative=lodz, title="Catering", cpv_code="55520000-1"),
        "canteen": OfferFactory(cooperative=lodz, title="Stołówka", cpv_code="55321000-6"),
        "cleaning": OfferFactory(cooperative=poznan, title="Sprzątanie", cpv_code="90910000-9"),
        "none": OfferFactory(cooperative=poznan, title="Bez kodu"),
        "inactive": OfferFactory(cooperative=poznan, title="Nieaktywna", cpv_code="55520000-1", is_active=False),
    }


def titles(client, params):
    response = client.get(f"{API}/offers/", params)
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["results"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("55000000-0", ["Catering", "Stołówka"]),  # a division: every code below it
        ("55", ["Catering", "Stołówka"]),
        ("555", ["Catering"]),
        ("55520000-1", ["Catering"]),
        ("90910000-9", ["Sprzątanie"]),
        ("45000000-7", []),
    ],
)
def test_offer_cpv_filter_matches_codes_below_the_given_one(client, offers, value, expected):
    assert titles(client, {"cpv": value}) == expected
    page = client.get(OFFERS, {"cpv": value}).content.decode()
    for title in ("Catering", "Stołówka", "Sprzątanie", "Bez kodu", "Nieaktywna"):
        assert (f">{title}</a>" in page) == (title in expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Podaj kod CPV (np. 55520000-1) albo jego początek"),
        ("5", "Podaj kod CPV (np. 55520000-1) albo jego początek"),
        ("55520000-2", "Cyfra kontrolna kodu CPV 55520000 to 1"),
        ("12000000-4", "Nie ma działu CPV 12."),
    ],
)
def test_a_bad_cpv_filter_is_a_400_with_a_message(client, offers, value, message):
    response = client.get(f"{API}/offers/", {"cpv": value})
    assert response.status_code == 400
    assert message in response.json()["cpv"][0]
    page = client.get(OFFERS, {"cpv": value})
    assert page.status_code == 400
    assert message in page.content.decode()


def test_cooperatives_catalogue_filters_by_the_cpv_of_active_offers(client, offers):
    response = client.get(f"{API}/cooperatives/", {"cpv": "555"})
    assert [item["name"] for item in response.json()["results"]] == ["Spółdzielnia Łódzka"]
    page = client.get(LIST, {"cpv": "90"}).content.decode()
    assert "Spółdzielnia Poznańska" in page and "Spółdzielnia Łódzka</a>" not in page
    # The inactive offer's code does not count.
    assert client.get(f"{API}/cooperatives/", {"cpv": "55520000-1"}).json()["count"] == 1


def test_catalogue_form_has_the_cpv_field_with_a_searchable_list_and_keeps_it(client, offers):
    page = client.get(OFFERS, {"cpv": "555", "category": "catering"}).content.decode()
    form = page.split('<form role="search"', 1)[1].split("</form>", 1)[0]
    assert '<input type="text" id="id_cpv" name="cpv" value="555" list="cpv-divisions"' in form
    assert '<option value="90000000-7">' in form
    assert 'name="category" value="catering"' in form  # other filters travel along
    assert 'type="hidden" name="cpv"' not in form
    # The chosen filter is named as typed, with the code's name.
    chosen = client.get(OFFERS, {"cpv": "55000000-0"}).content.decode()
    assert "Kod CPV: 55000000-0 (Usługi hotelarskie, restauracyjne i handlu detalicznego)" in chosen


def test_cpv_filter_adds_no_query(client, offers, django_assert_max_num_queries):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Facet counts are cached per filter combination: measure every page with an empty cache.
    cache.clear()
    with CaptureQueriesContext(connection) as plain:
        client.get(OFFERS)
    cache.clear()
    with django_assert_max_num_queries(len(plain)):
        client.get(OFFERS, {"cpv": "555"})
    cache.clear()
    with django_assert_max_num_queries(len(plain)):
        client.get(OFFERS, {"reserved": "art94"})


def test_offer_page_names_the_code_and_links_to_offers_with_it(client, offers):
    page = client.get(offers["catering"].get_absolute_url()).content.decode()
    # Divisions only: the nearest level the vocabulary holds, said so.
    assert "55520000-1 – Usługi hotelarskie, restauracyjne i handlu detalicznego (dział lub grupa 55000000-0)" in page
    assert f'href="{OFFERS}?cpv=55520000-1"' in page
    english = client.get("/en" + offers["catering"].get_absolute_url()).content.decode()
    assert "Hotel, restaurant and retail trade services" in english


def test_offers_open_data_carry_the_cpv_code(client, offers):
    response = client.get(reverse("cooperatives:open-data-offers", args=["csv"]), {"cpv": "555"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert "cpv_code" in lines[0].split(",")
    assert len(lines) == 2 and "55520000-1" in lines[1]


def test_demo_offers_carry_valid_cpv_codes():
    """The demo registry's codes pass the same validation as a typed one (two had wrong check digits, two were
    valid only with the full vocabulary), so a demo offer can be saved again from its form."""
    import re
    from pathlib import Path

    from cooperatives import demo

    codes = set(re.findall(r'"(\d{8}-\d)"', Path(demo.__file__).read_text(encoding="utf-8")))
    assert len(codes) > 50
    assert {code: errors_of(code) for code in codes if errors_of(code)} == {}
