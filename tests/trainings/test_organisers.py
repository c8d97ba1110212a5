import csv
import io
import uuid
import zipfile

import pytest
from django.core import mail
from django.urls import reverse
from openpyxl import load_workbook

from trainings.models import Attendance, Certificate, Enrolment

from .factories import (
    AttendanceFactory,
    EnrolmentFactory,
    TrainingFactory,
    TrainingSessionFactory,
    completed_training_with_attendance,
)

pytestmark = pytest.mark.django_db

PARTICIPANTS_QUERIES = 8
ATTENDANCE_QUERIES = 9


@pytest.fixture
def logged_organiser(client, organiser):
    client.force_login(organiser)
    return organiser


class TestParticipants:
    def test_list_shows_personal_data_and_eligibility(self, client, logged_organiser):
        training, _s, (eligible, not_eligible) = completed_training_with_attendance(
            sessions=5, attended=[4, 1], organisers=[logged_organiser]
        )
        response = client.get(reverse("trainings:participants", args=[training.pk]))
        rows = {e.pk: e for e in response.context["page_obj"]}
        assert rows[eligible.pk].is_eligible and not rows[not_eligible.pk].is_eligible
        assert (rows[eligible.pk].attended_count, rows[eligible.pk].session_count) == (4, 5)
        assert eligible.participant.email in response.content.decode()

    def test_query_count_does_not_grow(self, client, logged_organiser, django_assert_num_queries):
        training = TrainingFactory(organisers=[logged_organiser])
        TrainingSessionFactory(training=training)
        EnrolmentFactory.create_batch(2, training=training)
        url = reverse("trainings:participants", args=[training.pk])
        client.get(url)  # warms the cached demo-data flag
        # session, user, groups, training, organiser check, count, page, sessions (navigation)
        with django_assert_num_queries(PARTICIPANTS_QUERIES):
            client.get(url)
        EnrolmentFactory.create_batch(15, training=training)
        with django_assert_num_queries(PARTICIPANTS_QUERIES):
            response = client.get(url)
        assert len(response.context["page_obj"]) == 17

    def test_csv_and_xlsx_exports(self, client, logged_organiser):
        training, _s, (enrolment,) = completed_training_with_attendance(
            sessions=2, attended=[2], organisers=[logged_organiser]
        )
        response = client.get(reverse("trainings:participants-export", args=[training.pk, "csv"]))
        assert response["Content-Disposition"].startswith("attachment;")
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:3] == ["Nazwisko", "Imię", "E-mail"]
        assert rows[1][2] == enrolment.participant.email and rows[1][9:12] == ["2", "2", "tak"]
        assert rows[0][13:] == ["Sesja 1 (2014-05-05 08:00)", "Sesja 2 (2014-05-05 09:00)"]
        assert rows[1][13:] == ["obecny", "obecny"]

        response = client.get(reverse("trainings:participants-export", args=[training.pk, "xlsx"]))
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        values = list(sheet.values)
        assert values[1][0] == enrolment.participant.last_name and values[1][9] == 2

    def test_confirm_enrolment(self, client, logged_organiser):
        training = TrainingFactory(organisers=[logged_organiser])
        enrolment = EnrolmentFactory(training=training, status=Enrolment.Status.REGISTERED)
        client.post(reverse("trainings:enrolment-confirm", args=[training.pk, enrolment.pk]))
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.CONFIRMED


class TestAttendanceRegister:
    def test_bulk_marking_in_one_form(self, client, logged_organiser):
        training = TrainingFactory(organisers=[logged_organiser])
        session = TrainingSessionFactory(training=training)
        first, second, third = EnrolmentFactory.create_batch(3, training=training)
        EnrolmentFactory(training=training, status=Enrolment.Status.WAITLISTED)  # not on the register
        url = reverse("trainings:attendance", args=[training.pk, session.pk])
        form = client.get(url).context["form"]
        assert len(form.enrolments) == 3
        response = client.post(url, {"mark_all": "present", f"enrolment_{second.pk}": "excused"})
        assert response.status_code == 302
        assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
            first.pk: "present",
            second.pk: "excused",
            third.pk: "present",
        }
        # The form shows what is recorded.
        form = client.get(url).context["form"]
        assert form[f"enrolment_{second.pk}"].value() == "excused"

    def test_nothing_chosen_and_bad_values_give_polish_errors(self, client, logged_organiser):
        training = TrainingFactory(organisers=[logged_organiser])
        session = TrainingSessionFactory(training=training)
        enrolment = EnrolmentFactory(training=training)
        url = reverse("trainings:attendance", args=[training.pk, session.pk])
        response = client.post(url, {})
        assert "Nie wybrano żadnej zmiany obecności." in response.content.decode()
        response = client.post(url, {f"enrolment_{enrolment.pk}": "on-holiday"})
        assert "Wybierz poprawną wartość" in response.context["form"].errors[f"enrolment_{enrolment.pk}"][0]
        assert not Attendance.objects.exists()

    def test_query_count_does_not_grow(self, client, logged_organiser, django_assert_num_queries):
        training = TrainingFactory(organisers=[logged_organiser])
        session = TrainingSessionFactory(training=training)
        EnrolmentFactory.create_batch(2, training=training)
        url = reverse("trainings:attendance", args=[training.pk, session.pk])
        client.get(url)
        # session, user, groups, training, organiser check, session row, enrolments, their attendance, sessions
        with django_assert_num_queries(ATTENDANCE_QUERIES):
            client.get(url)
        EnrolmentFactory.create_batch(10, training=training)
        with django_assert_num_queries(ATTENDANCE_QUERIES):
            response = client.get(url)
        assert len(response.context["form"].enrolments) == 12

    def test_a_row_changed_meanwhile_is_not_overwritten(self, client, logged_organiser, staff_user):
        training = TrainingFactory(organisers=[logged_organiser])
        session = TrainingSessionFactory(training=training)
        first, second = EnrolmentFactory.create_batch(2, training=training)
        url = reverse("trainings:attendance", args=[training.pk, session.pk])
        # Someone else marks the first participant after our page was loaded (we saw no status for anyone).
        AttendanceFactory(enrolment=first, session=session, status=Attendance.Status.PRESENT)
        response = client.post(
            url,
            {f"enrolment_{first.pk}": "absent", f"seen_{first.pk}": "", f"seen_{second.pk}": "", "mark_all": "late"},
        )
        assert response.status_code == 409
        assert "W międzyczasie ktoś inny zmienił obecność" in response.content.decode()
        assert first.participant.full_name in response.content.decode()
        assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {first.pk: "present"}
        # The re-rendered form shows the current state; saving it again only writes what we change.
        assert response.context["form"][f"seen_{first.pk}"].value() == "present"
        response = client.post(
            url,
            {
                f"enrolment_{first.pk}": "present",
                f"seen_{first.pk}": "present",
                f"seen_{second.pk}": "",
                "mark_all": "late",
            },
        )
        assert response.status_code == 302
        assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
            first.pk: "present",
            second.pk: "late",
        }

    def test_unchanged_rows_are_not_rewritten(self, client, logged_organiser):
        training = TrainingFactory(organisers=[logged_organiser])
        session = TrainingSessionFactory(training=training)
        enrolment = EnrolmentFactory(training=training)
        attendance = AttendanceFactory(enrolment=enrolment, session=session, status=Attendance.Status.LATE)
        url = reverse("trainings:attendance", args=[training.pk, session.pk])
        response = client.post(
            url, {f"enrolment_{enrolment.pk}": "late", f"seen_{enrolment.pk}": "late", "mark_all": "absent"}
        )
        assert "Nie wybrano żadnej zmiany obecności." in response.content.decode()
        attendance.refresh_from_db()
        assert attendance.status == "late" and attendance.marked_by is None


class TestCertificates:
    def test_issue_pdf_verify_and_zip(self, client, logged_organiser):
        training, _s, enrolments = completed_training_with_attendance(
            sessions=5, attended=[5, 4, 3], organisers=[logged_organiser], title="Zamówienia społeczne – Łódź"
        )
        client.post(reverse("trainings:certificates", args=[training.pk]))
        certificates = list(Certificate.objects.order_by("number"))
        assert {c.enrolment_id for c in certificates} == {enrolments[0].pk, enrolments[1].pk}

        response = client.get(reverse("trainings:certificate-pdf", args=[training.pk, certificates[0].pk]))
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")

        response = client.get(reverse("trainings:certificates-zip", args=[training.pk]))
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = archive.namelist()
        assert len(names) == 2 and len(set(names)) == 2
        assert all(archive.read(name).startswith(b"%PDF") for name in names)

        client.logout()  # verification is public
        certificate = certificates[0]
        response = client.get(certificate.get_verification_url())
        content = response.content.decode()
        participant = certificate.enrolment.participant
        assert "Zaświadczenie jest ważne." in content
        assert participant.full_name in content and training.title in content and "5 maja 2014" in content
        assert participant.email not in content and participant.institution.name not in content
        assert participant.position not in content

    def test_revoked_and_unknown_certificates(self, client):
        training, _s, (enrolment,) = completed_training_with_attendance(sessions=1, attended=[1])
        certificate = Certificate.objects.create(enrolment=enrolment, number="SZK/X/1")
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at="2020-01-01T00:00:00Z")
        assert "unieważnione" in client.get(certificate.get_verification_url()).content.decode()
        response = client.get(reverse("trainings:certificate-verify", args=[uuid.uuid4()]))
        assert response.status_code == 404 and "Nie znaleziono zaświadczenia." in response.content.decode()

    def test_issuing_before_completion_is_refused_with_a_message(self, client, logged_organiser):
        training = TrainingFactory(organisers=[logged_organiser])
        response = client.post(reverse("trainings:certificates", args=[training.pk]), follow=True)
        assert "po zakończeniu szkolenia" in response.content.decode()
        assert not Certificate.objects.exists()


def test_panel_query_count_does_not_grow(client, logged_organiser, django_assert_num_queries):
    TrainingFactory.create_batch(2, organisers=[logged_organiser])
    url = reverse("trainings:panel")
    client.get(url)
    # session, user, groups, organises-any check, count, page
    with django_assert_num_queries(6):
        client.get(url)
    for training in TrainingFactory.create_batch(10, organisers=[logged_organiser]):
        EnrolmentFactory(training=training)
    with django_assert_num_queries(6):
        response = client.get(url)
    assert len(response.context["page_obj"]) == 12
    assert response.context["page_obj"][0].seats_taken in (0, 1)


def test_certificate_list_query_count_does_not_grow(client, logged_organiser, django_assert_num_queries):
    training, _s, enrolments = completed_training_with_attendance(
        sessions=1, attended=[1, 1], organisers=[logged_organiser]
    )
    url = reverse("trainings:certificates", args=[training.pk])
    client.post(url)
    client.get(url)
    # session, user, groups, training, organiser check, can completion be undone (any download), certificates,
    # sessions (navigation)
    with django_assert_num_queries(8):
        client.get(url)
    for _n in range(8):
        EnrolmentFactory(training=training)
    Certificate.objects.all().delete()
    Attendance.objects.bulk_create(
        Attendance(enrolment=e, session=training.sessions.get(), status="present")
        for e in Enrolment.objects.filter(training=training).exclude(attendances__isnull=False)
    )
    client.post(url)
    with django_assert_num_queries(8):
        response = client.get(url)
    assert len(response.context["certificates"]) == 10


class TestTrainingStatus:
    def test_organiser_moves_the_training_along(self, client, logged_organiser):
        training = TrainingFactory(organisers=[logged_organiser], status="planned")
        url = reverse("trainings:status", args=[training.pk])
        for status in ("open", "closed", "open"):
            client.post(url, {"status": status})
            training.refresh_from_db()
            assert training.status == status
        # Completing is not one click in the status list: it has its own confirmation page.
        response = client.post(url, {"status": "completed"}, follow=True)
        assert "Wybierz poprawną wartość" in response.content.decode()
        training.refresh_from_db()
        assert training.status == "open"

    def test_cancelling_tells_everyone_enrolled(self, client, logged_organiser, django_capture_on_commit_callbacks):
        training = TrainingFactory(organisers=[logged_organiser])
        holder = EnrolmentFactory(training=training)
        waiting = EnrolmentFactory(training=training, status=Enrolment.Status.WAITLISTED)
        EnrolmentFactory(training=training, status=Enrolment.Status.CANCELLED, cancelled_at=holder.consent_at)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("trainings:status", args=[training.pk]), {"status": "cancelled"})
        assert sorted(m.to[0] for m in mail.outbox) == sorted([holder.participant.email, waiting.participant.email])
        assert all("odwołane" in m.subject for m in mail.outbox)
