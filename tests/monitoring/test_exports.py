"""Exports parsed back: statistics tables (CSV, XLSX with metadata) and microdata (CSV, XLSX over several sheets)."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from monitoring import exports
from monitoring.models import Wave
from monitoring.statistics import INDICATORS, build_table
from tests.cooperatives.factories import CooperativeFactory

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
    workbook = load_workbook(exports.microdata_xlsx(wave, max_rows=3), read_only=True)
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
