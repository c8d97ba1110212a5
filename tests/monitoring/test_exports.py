"""Exports parsed back: statistics tables (CSV, XLSX with metadata) and microdata (CSV, XLSX over several sheets)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.streaming import xlsx_file
from monitoring import exports
from monitoring.models import Answer, Response, Wave
from monitoring.statistics import INDICATORS, build_table
from tests.cooperatives.factories import CooperativeFactory

from .conftest import make_wave
from .test_services import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(wave, staff):
    cooperatives = [CooperativeFactory(gmina_id="1061011") for _index in range(4)]
    cooperatives.append(CooperativeFactory(gmina_id="1465011"))
    for index, cooperative in enumerate(cooperatives):
        save(
            wave,
            cooperative,
            staff,
            submit=True,
            as_staff=True,
            employment_total=str(index + 1),
            has_partners="tak",
            cooperation_partners=["owes", "ngo"],
        )
    return cooperatives


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_table_csv_matches_the_table_and_carries_metadata(client, wave, staff, answered):
    client.force_login(staff)
    url = reverse("monitoring:export", kwargs={"pk": wave.pk})
    response = client.get(url, {"indicator": "employment", "breakdown": "voivodeship", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = _csv(response)
    blank = rows.index([])
    table_rows, metadata = rows[:blank], rows[blank + 1 :]
    table = build_table(
        wave=wave, indicator=INDICATORS["employment"], breakdown="voivodeship", filters={}, confidential_view=True
    )
    assert table_rows[0][1:] == [label for _code, label in table.columns]
    by_label = {row[0]: row[1:] for row in table_rows[1:]}
    assert Decimal(by_label["Ogółem"][0]) == 15
    assert Decimal(by_label["ŁÓDZKIE"][0]) == 10 and Decimal(by_label["MAZOWIECKIE"][0]) == 5  # staff: unsuppressed
    meta = {row[0]: row[1:] for row in metadata if row}
    assert meta["Fala"] == [wave.name]
    assert "mniej niż 3" in meta["Reguła ochrony danych"][0]
    assert "MAZOWIECKIE" in meta["Komórki poufne (niepublikowalne)"][0]
    assert "employment_total" in meta


def test_table_xlsx_has_a_metadata_sheet(client, wave, staff, answered):
    client.force_login(staff)
    url = reverse("monitoring:export", kwargs={"pk": wave.pk})
    response = client.get(url, {"indicator": "members", "format": "xlsx", "voivodeship": "10"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["Tabela", "Metadane"]
    table = list(workbook["Tabela"].iter_rows(values_only=True))
    assert table[0][-1] == "Razem"
    assert table[1][0] == "Ogółem" and table[1][1] == 20  # 4 Łódź cooperatives x 5 members at risk
    metadata = {row[0]: row[1] for row in workbook["Metadane"].iter_rows(values_only=True) if row and row[0]}
    assert metadata["Filtry"] == "voivodeship=10" and metadata["Podział"] == "none"


def test_export_parameters_are_validated(client, wave, staff):
    client.force_login(staff)
    url = reverse("monitoring:export", kwargs={"pk": wave.pk})
    response = client.get(url, {"indicator": "nope", "format": "pdf", "voivodeship": "99"})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Wybierz wskaźnik" in body and "Dostępne formaty" in body and "Nieznany kod województwa" in body


def test_microdata_csv_has_one_row_per_response_and_one_column_per_question(client, wave, staff, answered):
    client.force_login(staff)
    rows = _csv(client.get(reverse("monitoring:microdata", kwargs={"pk": wave.pk}), {"format": "csv"}))
    header, body = rows[0], rows[1:]
    codes = list(wave.questions.order_by("section__order", "order").values_list("code", flat=True))
    assert header == exports.MICRODATA_FIXED_COLUMNS + codes
    assert len(body) == 5
    record = dict(zip(header, body[2], strict=True))
    assert record["krs"] == answered[2].krs_number
    assert record["employment_total"] == "3" and record["has_partners"] == "tak"
    assert record["cooperation_partners"] == "ngo;owes" and record["revenue_grants"] == "30000.50"


def test_microdata_is_read_in_chunks_with_the_same_result(wave, answered):
    assert list(exports.microdata_rows(wave, chunk_size=2)) == list(exports.microdata_rows(wave))


def test_microdata_xlsx_continues_on_further_sheets(wave, answered):
    workbook = load_workbook(xlsx_file(exports.microdata_sheets(wave, max_rows=3)), read_only=True)
    assert workbook.sheetnames == ["Mikrodane 1", "Mikrodane 2", "Mikrodane 3", "Metadane"]
    sheets = [list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames[:3]]
    assert all(sheet[0][0] == "krs" for sheet in sheets)
    assert [len(sheet) for sheet in sheets] == [3, 3, 2]
    krs = [row[0] for sheet in sheets for row in sheet[1:]]
    assert krs == [cooperative.krs_number for cooperative in answered]


def test_non_staff_cannot_export_even_a_published_wave(client, wave, rep_a):
    wave.status = Wave.Status.PUBLISHED
    wave.save()
    client.force_login(rep_a)
    assert client.get(reverse("monitoring:export", kwargs={"pk": wave.pk}), {"indicator": "members"}).status_code == 403


# --- microdata of all waves --------------------------------------------------------------------------------

# The session, the user, their groups and second factor; the count of responses (is the file big enough for a
# background export? exportjobs); the waves and their questions; per wave one chunk (responses, answers, the chosen
# choices of the multiple-choice answers), the last as it is shorter than a chunk.
QUERIES_ALL_WAVES = 4 + 1 + 2 + 2 * 3


@pytest.fixture
def two_waves(wave, staff, answered):
    """The fixture's wave (answered by five cooperatives) and a later one with a question of its own, answered by
    two of them."""
    later = make_wave(name="Fala 2026", reference_year=2026)
    extra = later.questions.order_by("pk").last()
    extra.code = "only_in_2026"
    extra.save(update_fields=["code"])
    for index, cooperative in enumerate(answered[:2]):
        save(
            later,
            cooperative,
            staff,
            submit=True,
            as_staff=True,
            employment_total=str(10 + index),
            only_in_2026=f"Uwagi {index}",
            has_partners="tak",
            cooperation_partners=["owes"],
        )
    return wave, later


def test_all_waves_microdata_csv_has_a_row_per_response_of_every_wave(client, staff, two_waves, answered):
    wave, later = two_waves
    client.force_login(staff)
    response = client.get(reverse("monitoring:microdata-all"), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="monitoring-wszystkie-fale-mikrodane.csv"'
    rows = _csv(response)
    header, body = rows[0], rows[1:]
    codes = list(wave.questions.order_by("section__order", "order", "pk").values_list("code", flat=True))
    assert header == ["fala", "rok", *exports.MICRODATA_FIXED_COLUMNS, *codes, "only_in_2026"]
    assert len(body) == 7
    records = [dict(zip(header, row, strict=True)) for row in body]
    assert [(record["fala"], record["rok"]) for record in records] == [(wave.name, str(wave.reference_year))] * 5 + [
        ("Fala 2026", "2026")
    ] * 2
    assert [record["krs"] for record in records] == [c.krs_number for c in answered] + [
        c.krs_number for c in answered[:2]
    ]
    assert records[5]["employment_total"] == "10" and records[6]["employment_total"] == "11"
    assert records[5]["cooperation_partners"] == "owes"
    assert records[2]["employment_total"] == "3" and records[2]["cooperation_partners"] == "ngo;owes"
    # The question the first wave did not ask stays empty there; its own code is filled in 2026.
    assert [record["only_in_2026"] for record in records] == [""] * 5 + ["Uwagi 0", "Uwagi 1"]
    assert Answer.objects.filter(response__wave=later).count() > 0


def test_all_waves_rows_match_each_waves_own_export(two_waves):
    wave, later = two_waves
    header, *rows = exports.all_waves_microdata_rows(chunk_size=2)
    for one_wave in (wave, later):
        wave_header, *wave_rows = exports.microdata_rows(one_wave)
        mine = [dict(zip(header, row, strict=True)) for row in rows if row[0] == one_wave.name]
        assert [{code: record[code] for code in wave_header} for record in mine] == [
            dict(zip(wave_header, row, strict=True)) for row in wave_rows
        ]


def test_all_waves_microdata_reads_in_chunks_with_the_same_result(two_waves):
    assert list(exports.all_waves_microdata_rows(chunk_size=2)) == list(exports.all_waves_microdata_rows())


def test_all_waves_microdata_query_count_does_not_grow_with_rows(client, staff, two_waves, django_assert_num_queries):
    client.force_login(staff)
    url = reverse("monitoring:microdata-all")
    with django_assert_num_queries(QUERIES_ALL_WAVES):
        first = b"".join(client.get(url, {"format": "csv"}).streaming_content)
    wave, _later = two_waves
    for _index in range(20):
        save(wave, CooperativeFactory(gmina_id="1061011"), staff, submit=True, as_staff=True)
    assert Response.objects.filter(wave=wave).count() == 25
    with django_assert_num_queries(QUERIES_ALL_WAVES):
        second = b"".join(client.get(url, {"format": "csv"}).streaming_content)
    assert second.count(b"\r\n") == first.count(b"\r\n") + 20


def test_all_waves_microdata_xlsx_has_the_rows_and_a_metadata_sheet(client, staff, two_waves):
    client.force_login(staff)
    response = client.get(reverse("monitoring:microdata-all"), {"format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["Mikrodane 1", "Metadane"]
    rows = list(workbook["Mikrodane 1"].iter_rows(values_only=True))
    assert rows[0][:3] == ("fala", "rok", "krs") and len(rows) == 8
    metadata = list(workbook["Metadane"].iter_rows(values_only=True))
    assert ("Fala 2026", 2026) in [row[:2] for row in metadata]
    assert "only_in_2026" in [row[0] for row in metadata if row]


def test_all_waves_xlsx_continues_on_further_sheets(two_waves):
    workbook = load_workbook(xlsx_file(exports.all_waves_microdata_sheets(max_rows=4)), read_only=True)
    assert workbook.sheetnames == ["Mikrodane 1", "Mikrodane 2", "Mikrodane 3", "Metadane"]
    sizes = [len(list(workbook[name].iter_rows(values_only=True))) for name in workbook.sheetnames[:3]]
    assert sizes == [4, 4, 2]  # 7 rows, 3 a sheet after its header


def test_all_waves_microdata_rejects_an_unknown_format(client, staff, two_waves):
    client.force_login(staff)
    response = client.get(reverse("monitoring:microdata-all"), {"format": "pdf"})
    assert response.status_code == 400
    assert "Dostępne formaty to csv i xlsx." in response.content.decode()


def test_all_waves_microdata_is_for_staff_only(client, rep_a, two_waves):
    url = reverse("monitoring:microdata-all")
    assert client.get(url)["Location"].startswith("/")  # anonymous: sent to log in
    client.force_login(rep_a)
    assert client.get(url).status_code == 403


def test_the_staff_export_links_carry_the_pages_valid_query_once(client, wave, staff, answered):
    """The links take the page's breakdown and filters as validated, never the raw query string: a parameter of the
    page's URL (`format`, `view`, `indicator`, something unknown) would otherwise appear twice in the link."""
    import html
    import re
    from urllib.parse import parse_qs, urlsplit

    client.force_login(staff)
    page = reverse("monitoring:wave", kwargs={"pk": wave.pk})
    response = client.get(page + "?breakdown=voivodeship&format=xlsx&view=public&indicator=x")
    assert response.status_code == 200
    export = reverse("monitoring:export", kwargs={"pk": wave.pk})
    links = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', response.content.decode())]
    links = [link for link in links if link.startswith(export)]
    assert links
    for link in links:
        query = parse_qs(urlsplit(link).query)
        assert all(len(values) == 1 for values in query.values()), link
        assert query["breakdown"] == ["voivodeship"]
