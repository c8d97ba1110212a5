"""The answer import through a real worker on Redis (tests/celery_worker.py; PostgreSQL): the upload is stored and
queued, the worker imports it, the status page shows the outcome; a bad file ends with a recorded clear message."""

from celery.result import AsyncResult
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring.models import AnswerImport, Response
from tests.celery_worker import wait_for
from tests.cooperatives.factories import CooperativeFactory

from .conftest import make_wave
from .test_imports import csv_bytes, rows_for


def finished(job_pk):
    return lambda: AnswerImport.objects.get(pk=job_pk).is_finished


def test_an_import_and_a_bad_file_through_a_worker(celery_worker_process, territory, client, staff):
    wave = make_wave()
    cooperatives = [CooperativeFactory() for _index in range(3)]
    client.force_login(staff)
    worker = celery_worker_process()
    url = reverse("monitoring:import", kwargs={"pk": wave.pk})

    upload = SimpleUploadedFile("fala.csv", csv_bytes(rows_for(cooperatives)), content_type="text/csv")
    response = client.post(url, {"file": upload})
    job = AnswerImport.objects.get()
    assert response.status_code == 302 and job.status in ("queued", "running", "done")
    wait_for(finished(job.pk), timeout=30, message="the import")
    job.refresh_from_db()
    assert (job.status, job.rows, job.changed) == ("done", 3, 3) and Response.objects.count() == 3
    assert AsyncResult(job.task_id).get(timeout=10) == "done"
    assert "Zaimportowano 3 wierszy" in client.get(response["Location"]).content.decode()

    bad = SimpleUploadedFile("zla.csv", b"\xff\xfe\x00k\x00r", content_type="text/csv")
    response = client.post(url, {"file": bad})
    job = AnswerImport.objects.latest("pk")
    wait_for(finished(job.pk), timeout=30, message="the bad import")
    job.refresh_from_db()
    assert (job.status, job.message) == ("failed", "Plik CSV musi być zapisany w kodowaniu UTF-8.")
    assert (
        "Nic nie zapisano: Plik CSV musi być zapisany w kodowaniu UTF-8."
        in client.get(response["Location"]).content.decode()
    )
    assert worker.process.poll() is None


def test_the_progress_page_reads_the_task_meta_from_the_result_backend(celery_broker, client, staff, settings):
    """While a worker imports, its rows are invisible (one transaction): the progress comes from the task's meta."""
    from portal.celery import app

    settings.CELERY_RESULT_BACKEND = celery_broker["url"]
    wave = make_wave()
    job = AnswerImport.objects.create(wave=wave, user=staff, filename="f.csv", status="running", task_id="t-progress")
    app.backend.store_result(job.task_id, {"import": job.pk, "done": 2, "total": 3}, "PROGRESS")
    client.force_login(staff)
    url = reverse("monitoring:import-progress", kwargs={"pk": wave.pk, "import_id": job.pk})
    try:
        assert client.get(url).json() == {"status": "running", "finished": False, "done": 2, "total": 3}
        page = client.get(reverse("monitoring:import-status", kwargs={"pk": wave.pk, "import_id": job.pk}))
        assert 'value="2"' in page.content.decode() and "2 / 3" in page.content.decode()
    finally:
        app.backend.forget(job.task_id)
