"""Background exports: files above the size thresholds are built by a worker (run eagerly here, or with .apply())
into private storage; the requester gets a page that refreshes, a link, an e-mail; links and files expire.

Worth running through a real Celery worker too: the registry CSV, bad input, retry, microdata and certificate
ZIP tests (they assert on what the task leaves behind, not on how it was called)."""

import csv
import io
import urllib.request
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from exportjobs.models import ExportJob
from exportjobs.tasks import build_export, purge_expired_exports
from tests.cooperatives.factories import CooperativeFactory
from tests.factories import UserFactory, with_totp
from tests.monitoring.conftest import make_wave
from tests.monitoring.test_services import save
from tests.trainings.factories import completed_training_with_attendance
from trainings import services as training_services

pytestmark = pytest.mark.django_db

SMALL = {"csv": 2, "json": 2, "geojson": 2, "xlsx": 2}


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def registry(db):
    return [CooperativeFactory(name=f"Spółdzielnia {letter}") for letter in "ABCD"]


def _direct(client, url, settings) -> bytes:
    """The file as sent directly (thresholds out of reach)."""
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = {}
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body


def _ask(client, url, django_capture_on_commit_callbacks):
    """GET the download (an offer page), POST its form: the job is queued and (eagerly) built."""
    offer = client.get(url)
    assert offer.status_code == 200
    assert "Przygotuj plik" in offer.content.decode()
    assert not ExportJob.objects.exists()  # following a link starts nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exportjobs:start"), {"token": offer.context["token"]})
    assert response.status_code == 302
    return ExportJob.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])


def test_a_big_registry_csv_is_built_in_the_background_with_the_same_bytes(
    client, settings, registry, private_root, django_capture_on_commit_callbacks
):
    url = reverse("cooperatives:open-data-cooperatives", args=["csv"]) + "?status=active"
    direct = _direct(client, url, settings)
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = SMALL
    job = _ask(client, url, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.DONE
    assert job.progress == 100
    assert job.requested_by is None and job.session_key  # anonymous: its session
    assert job.filename.startswith("spoldzielnie-socjalne-") and job.filename.endswith(".csv")
    page = client.get(reverse("exportjobs:detail", args=[job.pk]))
    html = page.content.decode()
    assert "Gotowy" in html or "gotowy" in html
    assert 'http-equiv="refresh"' not in html  # finished: no more refreshing
    assert reverse("exportjobs:download", args=[job.pk]) in html
    download = client.get(reverse("exportjobs:download", args=[job.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == direct
    assert download["Content-Disposition"].startswith("attachment;")
    assert (private_root / job.file.name).is_file()  # private storage, not under MEDIA_ROOT
    rows = list(csv.reader(io.StringIO(direct.decode("utf-8-sig"))))
    assert len(rows) == 5


def test_a_big_xlsx_holds_the_rows_of_the_direct_download(
    client, settings, registry, private_root, django_capture_on_commit_callbacks
):
    url = reverse("cooperatives:open-data-offers", args=["xlsx"])
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = {"xlsx": -1}  # even no offers at all is "big" here
    direct_settings_rows = settings.PORTAL_EXPORT_BACKGROUND_ROWS
    job = _ask(client, url, django_capture_on_commit_callbacks)
    assert direct_settings_rows == {"xlsx": -1}
    body = b"".join(client.get(reverse("exportjobs:download", args=[job.pk])).streaming_content)
    direct = _direct(client, url, settings)
    background_rows = list(load_workbook(io.BytesIO(body), read_only=True).active.values)
    direct_rows = list(load_workbook(io.BytesIO(direct), read_only=True).active.values)
    assert background_rows == direct_rows
    assert background_rows[0][0] == "id"


def test_the_page_refreshes_itself_while_the_file_is_being_made(client, settings, registry, private_root):
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = SMALL
    offer = client.get(reverse("cooperatives:open-data-cooperatives", args=["csv"]))
    client.post(reverse("exportjobs:start"), {"token": offer.context["token"]})  # on_commit never runs: pending
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.PENDING
    html = client.get(reverse("exportjobs:detail", args=[job.pk])).content.decode()
    # Without JavaScript the page refreshes itself; with it, the script polls and the page is never reloaded before
    # the file is ready (WCAG 2.2.1: no timed refresh a reader cannot stop).
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert "js/export-job.js" in html
    state = client.get(reverse("exportjobs:status", args=[job.pk])).json()
    assert state == {
        "status": "pending",
        "status_display": "w kolejce",
        "progress": 0,
        "finished": False,
        "error": "",
    }
    assert client.get(reverse("exportjobs:download", args=[job.pk])).status_code == 410
    # Asking again while it is queued gives the same job, not a second one.
    client.post(reverse("exportjobs:start"), {"token": offer.context["token"]})
    assert ExportJob.objects.count() == 1


def test_only_the_requester_sees_a_job_and_its_file(
    client, settings, registry, private_root, django_capture_on_commit_callbacks
):
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = SMALL
    requester = UserFactory()
    client.force_login(requester)
    job = _ask(client, reverse("cooperatives:open-data-cooperatives", args=["csv"]), django_capture_on_commit_callbacks)
    assert job.requested_by == requester
    urls = [reverse(name, args=[job.pk]) for name in ("exportjobs:detail", "exportjobs:status", "exportjobs:download")]
    for url in urls:
        assert client.get(url).status_code == 200
    client.force_login(UserFactory())
    for url in urls:
        assert client.get(url).status_code == 404
    client.logout()
    for url in urls:
        assert client.get(url).status_code == 404


def test_an_anonymous_job_belongs_to_its_session(
    client, settings, registry, private_root, django_capture_on_commit_callbacks
):
    from django.test import Client

    settings.PORTAL_EXPORT_BACKGROUND_ROWS = SMALL
    job = _ask(client, reverse("cooperatives:open-data-cooperatives", args=["csv"]), django_capture_on_commit_callbacks)
    assert client.get(reverse("exportjobs:detail", args=[job.pk])).status_code == 200
    assert Client().get(reverse("exportjobs:detail", args=[job.pk])).status_code == 404


def test_a_forged_offer_is_refused_with_a_clear_page(client, registry):
    response = client.post(reverse("exportjobs:start"), {"token": "forged"})
    assert response.status_code == 400
    assert "nieważne" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_bad_input_ends_in_a_recorded_message_on_the_job_page(client, registry, private_root):
    user = UserFactory()
    client.force_login(user)
    job = ExportJob.objects.create(
        kind="cooperatives.open-data", params={"query": [["status", "bogus"]], "fmt": "csv"}, requested_by=user
    )
    assert build_export.apply(args=[str(job.pk)]).get() == "failed"
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "Filtry tego eksportu nie są już poprawne" in job.error
    html = client.get(reverse("exportjobs:detail", args=[job.pk])).content.decode()
    assert "Filtry tego eksportu nie są już poprawne" in html
    assert not job.file


def test_a_retried_task_makes_one_file_and_one_row(client, registry, private_root):
    user = UserFactory()
    job = ExportJob.objects.create(kind="cooperatives.open-data", params={"query": [], "fmt": "csv"}, requested_by=user)
    assert build_export.apply(args=[str(job.pk)]).get() == "done"
    first = ExportJob.objects.get(pk=job.pk)
    assert build_export.apply(args=[str(job.pk)]).get() == "done"  # a duplicate delivery: nothing new
    # A retry of an attempt that died after writing its file (the row still says "running"):
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    assert build_export.apply(args=[str(job.pk)]).get() == "done"
    job.refresh_from_db()
    assert job.file.name == first.file.name
    assert ExportJob.objects.count() == 1
    assert len(list((private_root / "exports" / str(job.pk)).iterdir())) == 1


def test_the_requester_gets_an_e_mail_with_the_link(
    client, settings, registry, private_root, django_capture_on_commit_callbacks
):
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = SMALL
    user = UserFactory(email="zamawiajacy@example.org")
    client.force_login(user)
    job = _ask(client, reverse("cooperatives:open-data-cooperatives", args=["csv"]), django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == ["zamawiajacy@example.org"]
    assert "http://testserver" + reverse("exportjobs:detail", args=[job.pk]) in message.body


def test_files_and_links_expire_and_the_purge_deletes_them(
    client, settings, registry, private_root, django_capture_on_commit_callbacks
):
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = SMALL
    job = _ask(client, reverse("cooperatives:open-data-cooperatives", args=["csv"]), django_capture_on_commit_callbacks)
    path = private_root / job.file.name
    assert path.is_file()
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("exportjobs:download", args=[job.pk]))
    assert response.status_code == 410
    assert "wygasł" in response.content.decode()
    assert purge_expired_exports.apply().get() == 1
    assert not path.exists()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and not job.file
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(days=31))
    purge_expired_exports.apply()
    assert not ExportJob.objects.exists()


def test_big_microdata_are_built_for_staff_only(
    client, settings, staff, private_root, django_capture_on_commit_callbacks
):
    wave = make_wave()
    for index in range(3):
        save(wave, CooperativeFactory(), staff, submit=True, as_staff=True, employment_total=str(index + 1))
    client.force_login(staff)
    url = reverse("monitoring:microdata", kwargs={"pk": wave.pk}) + "?format=csv"
    direct = _direct(client, url, settings)
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = SMALL
    job = _ask(client, url, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.filename == f"monitoring-{wave.reference_year}-{wave.pk}-mikrodane.csv"
    body = b"".join(client.get(reverse("exportjobs:download", args=[job.pk])).streaming_content)
    assert body == direct
    assert len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) == 4
    # Another member of staff may see it (today's export rule); anyone else may not.
    other_staff = with_totp(UserFactory())
    other_staff.groups.set(staff.groups.all())
    client.force_login(other_staff)
    assert client.get(reverse("exportjobs:detail", args=[job.pk])).status_code == 200
    client.force_login(UserFactory())
    assert client.get(reverse("exportjobs:download", args=[job.pk])).status_code == 404
    assert client.get(url).status_code == 403


def test_a_big_certificate_zip_is_built_in_the_background(
    client, settings, staff_user, private_root, django_capture_on_commit_callbacks
):
    training, _sessions, _enrolments = completed_training_with_attendance(sessions=2, attended=[2, 2, 2])
    issued = training_services.certificates_issue(training_id=training.pk)
    settings.PORTAL_EXPORT_BACKGROUND_CERTIFICATES = 2
    client.force_login(staff_user)
    job = _ask(client, reverse("trainings:certificates-zip", args=[training.pk]), django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.filename == f"zaswiadczenia-szkolenia-{training.pk}.zip"
    body = b"".join(client.get(reverse("exportjobs:download", args=[job.pk])).streaming_content)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        assert len(names) == len(issued) == 3
        assert all(archive.read(name).startswith(b"%PDF") for name in names)


@pytest.fixture
def staff_user(db):
    from django.contrib.auth.models import Group

    from accounts.roles import MINISTRY_STAFF

    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=MINISTRY_STAFF)[0])
    return with_totp(user)


@pytest.fixture
def staff(staff_user):
    return staff_user


def test_on_object_storage_the_file_is_reached_through_a_signed_url(
    client, settings, registry, s3_storage, django_capture_on_commit_callbacks
):
    url = reverse("cooperatives:open-data-cooperatives", args=["csv"])
    direct = _direct(client, url, settings)
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = SMALL
    job = _ask(client, url, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.DONE, job.error
    key = "private/" + job.file.name
    assert s3_storage.head_object(Bucket=s3_storage.private_bucket, Key=key)["ContentLength"] == len(direct)
    with storages["private"].open(job.file.name, "rb") as stored:
        assert stored.read() == direct
    response = client.get(reverse("exportjobs:download", args=[job.pk]))
    assert response.status_code == 302 and "X-Amz-Signature=" in response["Location"]
    with urllib.request.urlopen(response["Location"], timeout=10) as signed:  # noqa: S310 - loopback test server
        assert signed.read() == direct
        assert job.filename in signed.headers["Content-Disposition"]
    # Expired: the portal hands out no new link, and the purge removes the object.
    ExportJob.objects.filter(pk=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("exportjobs:download", args=[job.pk])).status_code == 410
    purge_expired_exports.apply()
    assert "Contents" not in s3_storage.list_objects_v2(Bucket=s3_storage.private_bucket)


def test_a_big_training_report_is_built_in_the_background_for_staff(
    client, settings, staff_user, private_root, django_capture_on_commit_callbacks
):
    completed_training_with_attendance(sessions=1, attended=[1])
    client.force_login(staff_user)
    url = reverse("trainings:reports-export", args=["grupy", "csv"]) + "?dimension=voivodeship"
    direct = _direct(client, url, settings)
    settings.PORTAL_EXPORT_BACKGROUND_ROWS = {"csv": 0}
    job = _ask(client, url, django_capture_on_commit_callbacks)
    assert job.status == ExportJob.Status.DONE, job.error
    assert job.filename == "szkolenia-voivodeship.csv"
    assert b"".join(client.get(reverse("exportjobs:download", args=[job.pk])).streaming_content) == direct
    # Bad parameters end in a message on the page.
    bad = ExportJob.objects.create(
        kind="trainings.report",
        params={"report": "grupy", "fmt": "csv", "query": [["dimension", "bogus"]]},
        requested_by=staff_user,
    )
    build_export.apply(args=[str(bad.pk)])
    bad.refresh_from_db()
    assert bad.status == ExportJob.Status.FAILED
    assert "Parametry tego raportu nie są już poprawne" in bad.error
