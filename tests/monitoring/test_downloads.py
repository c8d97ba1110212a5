"""Public downloads of a wave's statistics tables: the same protected numbers as the page and the API."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from monitoring.models import Question, Wave
from monitoring.statistics import HIDDEN_MARK
from tests.cooperatives.factories import CooperativeFactory

from .test_services import save

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(wave, staff):
    """Four cooperatives in łódzkie, one in mazowieckie (its sums are hidden from the public)."""
    for index in range(4):
        save(
            wave,
            CooperativeFactory(gmina_id="1061011", founder_type="natural"),
            staff,
            submit=True,
            as_staff=True,
            employment_total=str(index + 1),
            revenue_market=str(100_000 + 1_000 * index),
        )
    save(wave, CooperativeFactory(gmina_id="1465011"), staff, submit=True, as_staff=True, employment_total="50")
    wave.status = Wave.Status.PUBLISHED
    wave.save()
    return wave


def _url(wave) -> str:
    return reverse("monitoring:download", kwargs={"pk": wave.pk})


def _csv(response) -> tuple[list[list[str]], dict[str, list[str]]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    blank = rows.index([])
    return rows[:blank], {row[0]: row[1:] for row in rows[blank + 1 :] if row}


def _api_table(wave, **params) -> dict:
    response = APIClient().get(reverse("statistics-list"), {"wave": wave.pk, **params})
    assert response.status_code == 200
    return response.json()


def _api_values(data) -> dict[str, list]:
    """{row label: [cell values..., row total]} with hidden sums as the exports' mark."""
    values = {}
    for row in [*data["rows"], data["total"]]:
        cells = [*row["cells"], *([row["total"]] if row["total"] else [])]
        values[row["label"]] = [HIDDEN_MARK if cell["suppressed"] else cell["value"] for cell in cells]
    return values


def _number(text: str):
    return text if text == HIDDEN_MARK else Decimal(text)


@pytest.mark.parametrize(
    "params",
    [
        {"indicator": "employment", "breakdown": "voivodeship"},
        {"indicator": "revenue", "breakdown": "founder_type", "voivodeship": "10"},
        {"indicator": "cooperatives"},
        {"indicator": "members", "breakdown": "pkd_section", "founder_type": "natural"},
    ],
)
def test_anyone_downloads_the_protected_table_of_the_page_and_the_api_as_csv(client, published, params):
    response = client.get(_url(published), {**params, "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table_rows, metadata = _csv(response)
    api = _api_table(published, **params)
    assert table_rows[0][1:] == [column["label"] for column in api["columns"]] + (
        ["Razem"] if api["total"]["total"] else []
    )
    downloaded = {row[0]: [_number(value) for value in row[1:]] for row in table_rows[1:]}
    expected = {
        label: [value if value == HIDDEN_MARK else Decimal(str(value)) for value in values]
        for label, values in _api_values(api).items()
    }
    assert downloaded == expected
    # the page's tables (anonymous: protected) show the same numbers
    page = client.get(reverse("monitoring:wave", kwargs={"pk": published.pk}), params)
    table = next(table for table in page.context["tables"] if table.indicator.code == params["indicator"])
    shown = {
        str(row.label): [
            HIDDEN_MARK if cell.hidden else Decimal(str(cell.shown_value))
            for cell in [*row.cells, *([row.total] if row.total else [])]
        ]
        for row in table.all_rows
    }
    assert shown == downloaded
    assert metadata["Dane"] == ["chronione: do publikacji"]
    assert "wielokrotności 3" in metadata["Reguła ochrony danych"][0]
    assert "Komórki poufne (niepublikowalne)" not in metadata


def test_small_cells_stay_hidden_and_exact_values_never_appear(client, published, staff):
    params = {"indicator": "employment", "breakdown": "voivodeship", "format": "csv"}
    table_rows, _metadata = _csv(client.get(_url(published), params))
    by_label = {row[0]: row[1:] for row in table_rows[1:]}
    assert by_label["MAZOWIECKIE"][0] == HIDDEN_MARK  # one cooperative's employment
    assert Decimal(by_label["ŁÓDZKIE"][0]) != 10 and Decimal(by_label["Ogółem"][0]) != 60  # noise, not exact
    client.force_login(staff)  # ministry staff get the same protected file here (their exact one is the export)
    staff_rows, _metadata = _csv(client.get(_url(published), params))
    assert staff_rows == table_rows


def test_the_xlsx_download_has_the_same_numbers_and_a_metadata_sheet(client, published):
    params = {"indicator": "revenue", "breakdown": "voivodeship"}
    response = client.get(_url(published), {**params, "format": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert workbook.sheetnames == ["Tabela", "Metadane"]
    rows = list(workbook["Tabela"].iter_rows(values_only=True))
    downloaded = {
        row[0]: [value if value == HIDDEN_MARK else Decimal(str(value)) for value in row[1:]] for row in rows[1:]
    }
    expected = {
        label: [value if value == HIDDEN_MARK else Decimal(str(value)) for value in values]
        for label, values in _api_values(_api_table(published, **params)).items()
    }
    assert downloaded == expected
    assert downloaded["MAZOWIECKIE"][0] == HIDDEN_MARK
    metadata = {row[0]: row[1] for row in workbook["Metadane"].iter_rows(values_only=True) if row and row[0]}
    assert metadata["Dane"] == "chronione: do publikacji" and "szum" in metadata["Reguła ochrony danych"]
    assert "niepokazywana" in metadata["Oznaczenie „.”"]


def test_text_in_the_download_is_never_a_formula(client, published):
    Question.objects.filter(wave=published, code="employment_total").update(text='=HYPERLINK("http://x")')
    table_rows, _metadata = _csv(client.get(_url(published), {"indicator": "employment", "format": "csv"}))
    assert table_rows[0][1] == '\'=HYPERLINK("http://x")'


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"indicator": "nope"}, "Wybierz wskaźnik"),
        ({}, "Wybierz wskaźnik"),
        ({"indicator": "members", "format": "pdf"}, "Dostępne formaty to csv i xlsx."),
        ({"indicator": "members", "voivodeship": "99"}, "Nieznany kod województwa"),
        ({"indicator": "members", "breakdown": "²"}, "Nieznany podział"),
        ({"indicator": "members", "founder_type": "x\x00"}, "NUL"),
        (
            {"indicator": "members", "breakdown": "pkd_section", "voivodeship": "10", "founder_type": "legal"},
            "jednym filtrem",
        ),
    ],
)
def test_bad_parameters_are_a_400_with_a_message(client, published, params, message):
    response = client.get(_url(published), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_an_unpublished_wave_cannot_be_downloaded_by_the_public(client, wave, rep_a):
    assert client.get(_url(wave), {"indicator": "members"}).status_code == 403
    client.force_login(rep_a)
    assert client.get(_url(wave), {"indicator": "members"}).status_code == 403


def test_the_page_links_each_table_to_its_download_with_the_valid_filters(client, published):
    page = client.get(
        reverse("monitoring:wave", kwargs={"pk": published.pk}),
        {"breakdown": "voivodeship", "founder_type": "natural", "voivodeship": "99", "junk": "x"},
    )
    body = page.content.decode()
    base = _url(published)
    for indicator in ("cooperatives", "employment", "members", "revenue"):
        for file_format in ("csv", "xlsx"):
            query = f"indicator={indicator}&amp;format={file_format}&amp;breakdown=voivodeship&amp;founder_type=natural"
            link = f"{base}?{query}"
            assert f'href="{link}"' in body
    assert "junk" not in body.split("Do pobrania: tabela", 1)[1]
    assert "Pobierz tabelę" not in body and "poufne" not in body  # the staff's export links stay theirs


def test_the_accessibility_statement_tells_where_the_tables_are_downloaded(client):
    body = client.get(reverse("core:accessibility-statement")).content.decode()
    assert "na stronie każdej fali" in body
