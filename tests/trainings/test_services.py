import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from trainings import selectors, services
from trainings.models import Attendance, Certificate, Enrolment, InstitutionType, Participant, Training

from .factories import (
    AttendanceFactory,
    EnrolmentFactory,
    TrainingFactory,
    TrainingSessionFactory,
    completed_training_with_attendance,
)

pytestmark = pytest.mark.django_db


def registration(n: int, **overrides) -> services.RegistrationData:
    values = {
        "first_name": f"Jan{n}",
        "last_name": f"Nowak{n}",
        "email": f"osoba{n}@example.org",
        "position": "inspektor",
        "institution_name": "Urząd Gminy Testowej",
        "institution_type": InstitutionType.GMINA_OFFICE,
        "institution_gmina_id": "1061011",
    }
    values.update(overrides)
    return services.RegistrationData(**values)


def register_pending(training, n, **overrides):
    return services.enrolment_register(training_id=training.pk, data=registration(n, **overrides))


def register(training, n, **overrides):
    """A registration confirmed from its e-mail: it then holds a seat or waits on the list."""
    pending = register_pending(training, n, **overrides)
    return services.enrolment_confirm_email(enrolment_id=pending.pk)


class TestRegistration:
    def test_seats_then_waiting_list(self, django_capture_on_commit_callbacks):
        training = TrainingFactory(capacity=2)
        with django_capture_on_commit_callbacks(execute=True):
            statuses = [register(training, n).status for n in range(3)]
        assert statuses == [Enrolment.Status.REGISTERED, Enrolment.Status.REGISTERED, Enrolment.Status.WAITLISTED]
        # Each address gets the confirmation link, then the outcome with its cancellation link.
        assert [m.to for m in mail.outbox] == [[f"osoba{n}@example.org"] for n in (0, 0, 1, 1, 2, 2)]
        assert "Lista rezerwowa" in mail.outbox[5].subject
        assert "/szkolenia/potwierdzenie/" in mail.outbox[0].body
        assert "/szkolenia/rezygnacja/" in mail.outbox[1].body

    def test_no_email_when_transaction_rolls_back(self, django_capture_on_commit_callbacks):
        training = TrainingFactory()
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
            register_pending(training, 1)
            register_pending(training, 1)  # the same address again
        assert len(mail.outbox) == 1

    def test_same_person_twice_is_refused_with_a_message(self):
        training = TrainingFactory()
        register(training, 1)
        with pytest.raises(ValidationError) as error:
            register(training, 1, email="OSOBA1@example.org ")
        assert "już zapisana" in str(error.value)

    def test_known_address_keeps_stored_data(self):
        training, other = TrainingFactory(), TrainingFactory()
        register(training, 1)
        register(other, 1, first_name="Ktoś", last_name="Inny")
        participant = Participant.objects.get(email="osoba1@example.org")
        assert (participant.first_name, participant.last_name) == ("Jan1", "Nowak1")
        assert participant.enrolments.count() == 2

    @pytest.mark.parametrize(
        "status",
        [Training.Status.PLANNED, Training.Status.CLOSED, Training.Status.COMPLETED, Training.Status.CANCELLED],
    )
    def test_only_open_trainings_take_registrations(self, status):
        training = TrainingFactory(status=status)
        with pytest.raises(ValidationError):
            register(training, 1)
        assert not Enrolment.objects.exists()

    def test_re_registration_after_cancelling(self):
        training = TrainingFactory()
        first = register(training, 1)
        services.enrolment_cancel(enrolment_id=first.pk)
        again = register(training, 1)
        assert again.status == Enrolment.Status.REGISTERED


class TestCancellation:
    def test_cancel_promotes_first_waitlisted_and_emails_them(self, django_capture_on_commit_callbacks):
        training = TrainingFactory(capacity=1)
        holder = register(training, 1)
        first_waiting = register(training, 2)
        second_waiting = register(training, 3)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            promoted = services.enrolment_cancel(enrolment_id=holder.pk)
        assert promoted.pk == first_waiting.pk
        first_waiting.refresh_from_db()
        second_waiting.refresh_from_db()
        holder.refresh_from_db()
        assert holder.status == Enrolment.Status.CANCELLED and holder.cancelled_at
        assert first_waiting.status == Enrolment.Status.REGISTERED and first_waiting.promoted_at
        assert second_waiting.status == Enrolment.Status.WAITLISTED
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["osoba2@example.org"]
        assert "Zwolniło się miejsce" in mail.outbox[0].subject
        assert "/szkolenia/rezygnacja/" in mail.outbox[0].body

    def test_cancelling_a_waitlisted_enrolment_promotes_nobody(self):
        training = TrainingFactory(capacity=1)
        register(training, 1)
        waiting = register(training, 2)
        later = register(training, 3)
        assert services.enrolment_cancel(enrolment_id=waiting.pk, base_url="http://t/") is None
        later.refresh_from_db()
        assert later.status == Enrolment.Status.WAITLISTED

    def test_cancelling_twice_is_harmless(self):
        training = TrainingFactory(capacity=1)
        holder = register(training, 1)
        register(training, 2)
        services.enrolment_cancel(enrolment_id=holder.pk, base_url="http://t/")
        assert services.enrolment_cancel(enrolment_id=holder.pk, base_url="http://t/") is None
        assert Enrolment.objects.filter(training=training).holding_seat().count() == 1

    def test_signed_link_round_trip_and_forgery(self):
        enrolment = EnrolmentFactory()
        signature = services.enrolment_cancel_signature(enrolment)
        assert services.enrolment_from_cancel_signature(signature) == enrolment
        with pytest.raises(Enrolment.DoesNotExist):
            services.enrolment_from_cancel_signature(str(enrolment.cancel_token))
        with pytest.raises(Enrolment.DoesNotExist):
            services.enrolment_from_cancel_signature(signature[:-2] + "xx")

    def test_confirm(self):
        enrolment = EnrolmentFactory(status=Enrolment.Status.REGISTERED)
        services.enrolment_confirm(enrolment_id=enrolment.pk)
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.CONFIRMED and enrolment.confirmed_at
        waitlisted = EnrolmentFactory(status=Enrolment.Status.WAITLISTED)
        with pytest.raises(ValidationError):
            services.enrolment_confirm(enrolment_id=waitlisted.pk)


class TestAttendanceAndEligibility:
    @pytest.mark.parametrize(("attended", "eligible"), [(5, True), (4, True), (3, False), (0, False)])
    def test_required_share_of_sessions(self, attended, eligible):
        # 80% of 5 sessions = 4 sessions.
        training, _sessions, (enrolment,) = completed_training_with_attendance(sessions=5, attended=[attended])
        assert selectors.eligible_enrolments().filter(pk=enrolment.pk).exists() is eligible

    def test_late_counts_as_attended_excused_does_not(self):
        training, sessions, (enrolment,) = completed_training_with_attendance(sessions=2, attended=[0])
        Attendance.objects.filter(session=sessions[0]).update(status=Attendance.Status.LATE)
        Attendance.objects.filter(session=sessions[1]).update(status=Attendance.Status.EXCUSED)
        assert not selectors.eligible_enrolments().filter(pk=enrolment.pk).exists()
        Attendance.objects.filter(session=sessions[1]).update(status=Attendance.Status.LATE)
        assert selectors.eligible_enrolments().filter(pk=enrolment.pk).exists()

    def test_cancelled_or_waitlisted_never_eligible(self):
        training, _s, (enrolment,) = completed_training_with_attendance(sessions=1, attended=[1])
        Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.WAITLISTED)
        assert not selectors.eligible_enrolments().exists()

    def test_bulk_record_creates_and_updates(self, staff_user):
        training = TrainingFactory()
        session = TrainingSessionFactory(training=training)
        first, second = EnrolmentFactory(training=training), EnrolmentFactory(training=training)
        AttendanceFactory(enrolment=first, session=session, status=Attendance.Status.ABSENT)
        written = services.attendance_record(
            session=session,
            statuses={first.pk: Attendance.Status.PRESENT, second.pk: Attendance.Status.LATE},
            marked_by=staff_user,
        )
        assert written == 2
        assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
            first.pk: "present",
            second.pk: "late",
        }
        # Unchanged rows are not rewritten.
        assert services.attendance_record(session=session, statuses={first.pk: "present"}, marked_by=None) == 0

    def test_bulk_record_refuses_foreign_and_waitlisted_enrolments(self):
        session = TrainingSessionFactory()
        foreign = EnrolmentFactory()
        waitlisted = EnrolmentFactory(training=session.training, status=Enrolment.Status.WAITLISTED)
        for enrolment in (foreign, waitlisted):
            with pytest.raises(ValidationError):
                services.attendance_record(session=session, statuses={enrolment.pk: "present"}, marked_by=None)
        with pytest.raises(ValidationError):
            services.attendance_record(
                session=session, statuses={EnrolmentFactory(training=session.training).pk: "bogus"}, marked_by=None
            )
        assert not Attendance.objects.exists()

    def test_certificates_issued_once_to_eligible_only(self):
        training, _s, enrolments = completed_training_with_attendance(sessions=5, attended=[5, 4, 2])
        issued = services.certificates_issue(training_id=training.pk)
        assert {c.enrolment_id for c in issued} == {enrolments[0].pk, enrolments[1].pk}
        assert services.certificates_issue(training_id=training.pk) == []
        numbers = list(Certificate.objects.values_list("number", flat=True))
        assert len(set(numbers)) == 2 and all(n.startswith("SZK/2014/") for n in numbers)

    def test_certificates_need_a_completed_training(self):
        training = TrainingFactory(status=Training.Status.OPEN)
        with pytest.raises(ValidationError):
            services.certificates_issue(training_id=training.pk)


def test_anonymise_only_participants_whose_trainings_are_old():
    now = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)
    old, _s, (old_enrolment,) = completed_training_with_attendance(
        sessions=1, attended=[1], starts_on=datetime.date(2019, 5, 1)
    )
    recent, _s, (recent_enrolment,) = completed_training_with_attendance(
        sessions=1, attended=[1], starts_on=datetime.date(2024, 5, 1)
    )
    # Someone with an old and a recent training keeps their data.
    EnrolmentFactory(training=old, participant=recent_enrolment.participant)
    count = services.participants_anonymise(older_than=datetime.timedelta(days=5 * 365), now=now)
    assert count == 1
    old_participant = Participant.objects.get(pk=old_enrolment.participant_id)
    assert old_participant.anonymised_at == now
    assert (old_participant.first_name, old_participant.last_name, old_participant.email) == ("", "", "")
    assert old_participant.full_name == "uczestnik zanonimizowany"
    assert Participant.objects.get(pk=recent_enrolment.participant_id).anonymised_at is None


@pytest.mark.parametrize("status", [Training.Status.COMPLETED, Training.Status.CANCELLED])
def test_enrolments_of_finished_trainings_cannot_be_cancelled(status, client):
    enrolment = EnrolmentFactory(training=TrainingFactory(status=status))
    with pytest.raises(ValidationError):
        services.enrolment_cancel(enrolment_id=enrolment.pk, base_url="http://t/")
    url = reverse("trainings:cancel", kwargs={"signature": services.enrolment_cancel_signature(enrolment)})
    response = client.post(url)
    assert "rezygnacja nie jest możliwa" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CONFIRMED


def test_status_transitions_are_checked():
    training = TrainingFactory(status=Training.Status.COMPLETED)
    with pytest.raises(ValidationError) as error:
        services.training_set_status(training_id=training.pk, status="open", base_url="http://t/")
    assert "Nie można zmienić statusu z „zakończone” na „otwarta rejestracja”." in error.value.messages
    assert services.training_allowed_statuses(training=TrainingFactory(status="planned")) == ["open", "cancelled"]


def test_verification_page_after_anonymisation(client):
    training, _s, (enrolment,) = completed_training_with_attendance(
        sessions=1, attended=[1], starts_on=datetime.date(2013, 5, 1)
    )
    certificate = Certificate.objects.create(enrolment=enrolment, number="SZK/2013/1")
    name = enrolment.participant.full_name
    services.participants_anonymise(older_than=datetime.timedelta(days=5 * 365))
    content = client.get(certificate.get_verification_url()).content.decode()
    assert "Zaświadczenie jest ważne." in content and "uczestnik zanonimizowany" in content
    assert name not in content
