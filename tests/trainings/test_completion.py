"""Issue 13: a training is completed only after it has ended, after a confirmation page, and the completion can be
undone while no certificate has been downloaded. Completion issues the certificates and e-mails each participant a
download link."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory
from trainings import services
from trainings.models import Certificate, Training

from .factories import AttendanceFactory, EnrolmentFactory, TrainingFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def ended_training(*, organisers=(), attended=(True, True, False), ends_on=None, **kwargs):
    """A closed training that ended a week ago (one session), with one confirmed participant per entry of
    `attended` (present or absent at the session)."""
    day = ends_on or timezone.localdate() - datetime.timedelta(days=7)
    training = TrainingFactory(
        status=Training.Status.CLOSED, starts_on=day, ends_on=day, organisers=list(organisers), **kwargs
    )
    session = TrainingSessionFactory(training=training)
    enrolments = []
    for present in attended:
        enrolment = EnrolmentFactory(training=training)
        AttendanceFactory(enrolment=enrolment, session=session, status="present" if present else "absent")
        enrolments.append(enrolment)
    return training, enrolments


@pytest.fixture
def logged_organiser(client, organiser):
    client.force_login(organiser)
    return organiser


class TestDateGuard:
    def test_a_future_training_cannot_be_completed_by_any_path(self, client, logged_organiser):
        # The reported case: a training of 20 Feb 2027 completed on 3 Dec 2026.
        training, _e = ended_training(organisers=[logged_organiser], ends_on=datetime.date(2099, 2, 20))
        message = "Szkolenie kończy się 20 lutego 2099. Oznaczyć je jako zakończone można dopiero od tego dnia."
        with pytest.raises(ValidationError) as error:
            services.training_complete(training_id=training.pk)
        assert error.value.messages == [message]
        with pytest.raises(ValidationError):
            services.training_set_status(training_id=training.pk, status="completed")  # e.g. from the admin
        response = client.post(reverse("trainings:complete", args=[training.pk]))
        assert response.status_code == 409 and message in response.content.decode()
        training.refresh_from_db()
        assert training.status == Training.Status.CLOSED and not Certificate.objects.exists()

    def test_not_before_the_last_session_has_ended(self):
        now = timezone.now()
        training = TrainingFactory(status="closed", starts_on=timezone.localdate(now), ends_on=timezone.localdate(now))
        hour = datetime.timedelta(hours=1)
        TrainingSessionFactory(training=training, starts_at=now - hour, ends_at=now + hour)
        assert "Ostatnia sesja szkolenia kończy się" in services.training_completion_blocker(training=training)
        later = now + datetime.timedelta(hours=2)
        if timezone.localdate(later) == training.ends_on:
            assert services.training_completion_blocker(training=training, now=later) is None

    def test_an_ended_training_can_be_completed(self):
        training, _e = ended_training()
        assert services.training_completion_blocker(training=training) is None


class TestConfirmationPage:
    def test_get_says_what_will_happen_and_changes_nothing(self, client, logged_organiser):
        training, _e = ended_training(organisers=[logged_organiser])
        participants = client.get(reverse("trainings:participants", args=[training.pk])).content.decode()
        assert reverse("trainings:complete", args=[training.pk]) in participants
        assert 'value="completed"' not in participants  # not a one-click status any more
        content = client.get(reverse("trainings:complete", args=[training.pk])).content.decode()
        assert "Wystawimy 2 zaświadczenia" in content
        assert "2 osoby otrzymają e-mail" in content
        assert "1 osoba z miejscem na szkoleniu nie otrzyma zaświadczenia" in content
        assert "dopóki nikt nie pobrał" in content
        training.refresh_from_db()
        assert training.status == Training.Status.CLOSED and not Certificate.objects.exists()

    def test_post_completes_issues_and_emails_download_links(
        self, client, logged_organiser, django_capture_on_commit_callbacks
    ):
        training, (first, second, absent) = ended_training(organisers=[logged_organiser])
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("trainings:complete", args=[training.pk]), follow=True)
        assert "Szkolenie zakończone. Wystawiono 2 zaświadczenia." in response.content.decode()
        training.refresh_from_db()
        assert training.status == Training.Status.COMPLETED
        assert training.completed_by == logged_organiser and training.completed_at
        assert set(Certificate.objects.values_list("enrolment_id", flat=True)) == {first.pk, second.pk}
        assert sorted(m.to[0] for m in mail.outbox) == sorted([first.participant.email, second.participant.email])
        message = next(m for m in mail.outbox if m.to == [first.participant.email])
        certificate = first.certificate
        assert message.body.startswith("Dzień dobry,\n") and first.participant.first_name not in message.body
        assert f"http://testserver{certificate.get_download_url()}" in message.body
        assert certificate.short_code_display in message.body
        assert "http://testserver/szkolenia/zaswiadczenia/weryfikacja/" in message.body

    @pytest.mark.parametrize(("user", "expected"), [(None, 302), ("plain", 403), ("other", 403)])
    def test_only_its_organisers_and_staff_may_complete(self, client, user, expected, other_organiser):
        training, _e = ended_training(organisers=[UserFactory()])
        if user == "plain":
            client.force_login(UserFactory())
        elif user == "other":
            TrainingFactory(organisers=[other_organiser])
            client.force_login(other_organiser)
        assert client.post(reverse("trainings:complete", args=[training.pk])).status_code == expected
        training.refresh_from_db()
        assert training.status == Training.Status.CLOSED


class TestUndo:
    def test_undo_until_a_certificate_is_downloaded(self, client, logged_organiser, django_capture_on_commit_callbacks):
        training, (first, _second, _absent) = ended_training(organisers=[logged_organiser])
        undo = reverse("trainings:complete-undo", args=[training.pk])
        client.post(reverse("trainings:complete", args=[training.pk]))
        old_link = first.certificate.get_download_url()
        response = client.post(undo, follow=True)
        assert "Cofnięto zakończenie szkolenia" in response.content.decode()
        training.refresh_from_db()
        assert training.status == Training.Status.CLOSED and training.completed_at is None
        assert not Certificate.objects.exists()
        assert client.get(old_link).status_code == 404  # the e-mailed link no longer leads anywhere

        # Attendance corrected, completed again; this time a participant downloads their certificate.
        client.post(reverse("trainings:complete", args=[training.pk]))
        certificate = Certificate.objects.get(enrolment=first)
        client.logout()
        assert client.get(certificate.get_download_url()).status_code == 200
        certificate.refresh_from_db()
        assert certificate.downloaded_at is None  # opening the link (or a mail scanner) is not a download
        response = client.post(certificate.get_download_url())
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
        certificate.refresh_from_db()
        assert certificate.downloaded_at is not None

        client.force_login(logged_organiser)
        page = client.get(reverse("trainings:certificates", args=[training.pk])).content.decode()
        assert "zakończenia nie można cofnąć" in page
        response = client.post(undo, follow=True)
        assert "zakończenia nie można cofnąć" in response.content.decode()
        training.refresh_from_db()
        assert training.status == Training.Status.COMPLETED and Certificate.objects.count() == 2

    def test_an_organiser_download_also_counts(self, client, logged_organiser):
        training, (first, _s, _a) = ended_training(organisers=[logged_organiser])
        services.training_complete(training_id=training.pk)
        certificate = first.certificate
        client.get(reverse("trainings:certificate-pdf", args=[training.pk, certificate.pk]))
        assert services.training_completion_undo_blocker(training=training)
        with pytest.raises(ValidationError):
            services.training_completion_undo(training_id=training.pk)


class TestParticipantDownload:
    def test_unknown_revoked_and_anonymised(self, client):
        training, (first, _s, _a) = ended_training()
        services.training_complete(training_id=training.pk)
        certificate = first.certificate
        unknown = reverse("trainings:certificate-download", args=["00000000-0000-4000-8000-000000000000"])
        assert client.get(unknown).status_code == 404
        Certificate.objects.filter(pk=certificate.pk).update(revoked_at=timezone.now())
        response = client.post(certificate.get_download_url())
        assert response.status_code == 410 and "unieważnione" in response.content.decode()
        certificate.refresh_from_db()
        assert certificate.downloaded_at is None


def test_links_and_site_name_come_from_settings_not_the_request(client, settings, django_capture_on_commit_callbacks):
    settings.BASE_URL = "https://szkolenia.example.gov.pl"
    settings.SITE_NAME = "Portal testowy"
    training, (first, _s, _a) = ended_training()
    with django_capture_on_commit_callbacks(execute=True):
        services.training_complete(training_id=training.pk)
    body = next(m for m in mail.outbox if m.to == [first.participant.email]).body
    assert re.search(r"https://szkolenia\.example\.gov\.pl/szkolenia/zaswiadczenia/pobierz/[0-9a-f-]{36}/", body)
    assert "Portal testowy" in body and "testserver" not in body
