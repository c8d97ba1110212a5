"""Import of answers from CSV and XLSX: every bad cell reported, nothing committed on error, idempotent."""

import csv
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook

from core.params import is_digits
from monitoring.imports import ImportFileError, import_answers
from monitoring.models import Answer, AnswerImport, Response, Wave
from monitoring.selectors import answer_values
from tests.cooperatives.factories import CooperativeFactory

from .conftest import VALID_ANSWERS

pytestmark = pytest.mark.django_db

COLUMNS = ["krs", *VALID_ANSWERS, "support_instruments"]


def rows_for(cooperatives, **overrides_by_index):
    rows = []
    for index, cooperative in enumerate(cooperatives):
        row = {"krs": cooperative.krs_number, **VALID_ANSWERS, "support_instruments": "loan;pfron"}
        row.update(overrides_by_index.get(f"row{index}", {}))
        rows.append(row)
    return rows


def csv_bytes(rows, delimiter=";") -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([int(v) if is_digits(v) and k != "krs" else v for k, v in row.items()])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def cooperatives(db):
    return [CooperativeFactory() for _index in range(3)]


def test_one_bad_row_commits_nothing_and_every_bad_cell_is_reported(wave, cooperatives, staff):
    rows = rows_for(
        cooperatives,
        row1={"employment_total": "dużo", "activity_status": "sleeping", "support_instruments": "loan;lottery"},
    )
    rows.append({**rows[0], "krs": "0000000001"})
    result = import_answers(wave=wave, data=csv_bytes(rows), filename="fala.csv", user=staff)
    assert not result.committed
    reported = {(error.row, error.column) for error in result.errors}
    assert reported == {(3, "employment_total"), (3, "activity_status"), (3, "support_instruments"), (5, "krs")}
    assert any("Podaj liczbę całkowitą" in error.message for error in result.errors)
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_valid_file_is_imported_and_importing_it_again_changes_nothing(wave, cooperatives, staff):
    data = csv_bytes(rows_for(cooperatives))
    progress = []
    result = import_answers(
        wave=wave, data=data, filename="fala.csv", user=staff, progress=lambda done, total: progress.append(done)
    )
    assert result.committed and (result.changed, result.unchanged) == (3, 0)
    assert progress == [1, 2, 3]
    snapshot = list(Answer.objects.order_by("pk").values_list("pk", "numeric_value", "bool_value", "text_value"))
    versions = list(Response.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    response = Response.objects.get(cooperative=cooperatives[0])
    assert (response.status, response.source) == ("submitted", "import")
    assert answer_values(response)["support_instruments"] == ["pfron", "loan"]  # questionnaire order

    again = import_answers(wave=wave, data=data, filename="fala.csv", user=staff)
    assert again.committed and (again.changed, again.unchanged) == (0, 3)
    assert list(Answer.objects.order_by("pk").values_list("pk", "numeric_value", "bool_value", "text_value")) == (
        snapshot
    )
    assert list(Response.objects.order_by("pk").values_list("pk", "version", "updated_at")) == versions


def test_xlsx_import(wave, cooperatives, staff):
    result = import_answers(wave=wave, data=xlsx_bytes(rows_for(cooperatives)), filename="fala.xlsx", user=staff)
    assert result.committed, result.errors
    assert answer_values(Response.objects.get(cooperative=cooperatives[1]))["employment_total"] == 6


def test_unknown_columns_duplicates_and_missing_header_are_reported(wave, cooperatives, staff):
    rows = rows_for(cooperatives[:1])
    rows = [{**rows[0], "nonsense": "1"}, {**rows[0], "nonsense": "1"}]
    result = import_answers(wave=wave, data=csv_bytes(rows), filename="f.csv", user=staff)
    assert {(e.row, e.column) for e in result.errors} == {(1, "nonsense"), (3, "krs")}
    with pytest.raises(ImportFileError):
        import_answers(wave=wave, data=b"a;b\n1;2\n", filename="f.csv", user=staff)
    with pytest.raises(ImportFileError):
        import_answers(wave=wave, data=b"not a zip", filename="f.xlsx", user=staff)


def test_import_into_a_published_wave_is_refused(wave, cooperatives, staff):
    wave.status = Wave.Status.PUBLISHED
    wave.save()
    result = import_answers(wave=wave, data=csv_bytes(rows_for(cooperatives)), filename="f.csv", user=staff)
    assert not result.committed and not Response.objects.exists()


def upload_and_import(client, wave, data: bytes, name: str = "fala.csv"):
    """Posts the file and runs the queued import task (eagerly, as without a broker); returns the POST's response
    and the status page it leads to."""
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=True) as queued:
        response = client.post(reverse("monitoring:import", kwargs={"pk": wave.pk}), {"file": upload})
    assert response.status_code == 302 and len(queued) == 1
    job = AnswerImport.objects.latest("pk")
    assert response["Location"] == reverse("monitoring:import-status", kwargs={"pk": wave.pk, "import_id": job.pk})
    return response, client.get(response["Location"])


def test_import_page_shows_cell_errors(client, wave, cooperatives, staff):
    client.force_login(staff)
    rows = rows_for(cooperatives, row0={"revenue_market": "-1"})
    _response, page = upload_and_import(client, wave, csv_bytes(rows))
    body = page.content.decode()
    assert "nic nie zapisano" in body and "revenue_market" in body and "co najmniej 0" in body
    assert AnswerImport.objects.get().status == AnswerImport.Status.REJECTED and not Response.objects.exists()
    _response, page = upload_and_import(client, wave, csv_bytes(rows_for(cooperatives)))
    assert Response.objects.count() == 3
    assert "Zaimportowano 3 wierszy: zmienionych 3, bez zmian 0." in page.content.decode()
    assert bytes(AnswerImport.objects.latest("pk").data) == b""  # the file is not kept after the import
    upload = SimpleUploadedFile("fala.txt", b"x", content_type="text/plain")
    response = client.post(reverse("monitoring:import", kwargs={"pk": wave.pk}), {"file": upload})
    assert response.status_code == 400 and "Wybierz plik z rozszerzeniem" in response.content.decode()


def test_an_unreadable_file_ends_with_a_clear_message(client, wave, staff):
    client.force_login(staff)
    _response, page = upload_and_import(client, wave, "krs;x\n".encode("utf-16"))
    job = AnswerImport.objects.get()
    assert job.status == AnswerImport.Status.FAILED and job.is_finished
    assert job.message == "Plik CSV musi być zapisany w kodowaniu UTF-8."
    assert "Nic nie zapisano: Plik CSV musi być zapisany w kodowaniu UTF-8." in page.content.decode()
    assert 'name="file"' in page.content.decode()  # the form to try again


def test_too_large_file_is_refused(client, wave, staff, monkeypatch):
    monkeypatch.setattr("monitoring.forms.IMPORT_MAX_BYTES", 10)
    client.force_login(staff)
    upload = SimpleUploadedFile("fala.csv", b"krs;employment_total\n", content_type="text/csv")
    response = client.post(reverse("monitoring:import", kwargs={"pk": wave.pk}), {"file": upload})
    assert response.status_code == 400 and "Plik jest za duży" in response.content.decode()
    assert not AnswerImport.objects.exists()


def test_a_queued_import_page_refreshes_and_reports_its_state_only_to_staff(client, wave, cooperatives, staff, rep_a):
    client.force_login(staff)
    upload = SimpleUploadedFile("fala.csv", csv_bytes(rows_for(cooperatives)), content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=False):  # no worker has taken it yet
        response = client.post(reverse("monitoring:import", kwargs={"pk": wave.pk}), {"file": upload})
    job = AnswerImport.objects.get()
    url = reverse("monitoring:import-progress", kwargs={"pk": wave.pk, "import_id": job.pk})
    assert client.get(url).json() == {"status": "queued", "finished": False, "done": 0, "total": 0}
    page = client.get(response["Location"]).content.decode()
    assert "Plik czeka na import" in page and '<meta http-equiv="refresh"' in page and url in page
    assert not Response.objects.exists()
    elsewhere = reverse("monitoring:import-status", kwargs={"pk": wave.pk + 1000, "import_id": job.pk})
    assert client.get(elsewhere).status_code == 404
    client.force_login(rep_a)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url)["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_an_import_that_changed_answers_refreshes_their_planner_statistics(wave, cooperatives, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = csv_bytes(rows_for(cooperatives))
    with CaptureQueriesContext(connection) as queries:
        import_answers(wave=wave, data=data, filename="fala.csv", user=staff)
    analyzed = [q["sql"] for q in queries if q["sql"].upper().startswith("ANALYZE")]
    assert any("monitoring_answer" in sql for sql in analyzed)
    assert any("monitoring_response" in sql for sql in analyzed)
    with CaptureQueriesContext(connection) as queries:
        import_answers(wave=wave, data=data, filename="fala.csv", user=staff)  # nothing changed
    assert not [q for q in queries if q["sql"].upper().startswith("ANALYZE")]
