"""factory_boy factories of the training records. Trainings are held in Łódź (gmina 1061011) unless told otherwise."""

import datetime
import zoneinfo

import factory
from django.utils import timezone

from trainings.models import (
    Attendance,
    Certificate,
    Enrolment,
    Institution,
    InstitutionType,
    Participant,
    Topic,
    Training,
    TrainingProgramme,
    TrainingSession,
)

WARSAW = zoneinfo.ZoneInfo("Europe/Warsaw")


class TrainingProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingProgramme

    name = factory.Sequence(lambda n: f"Program szkoleń {n}")
    target_trainings = 10
    target_participants = 100
    starts_on = datetime.date(2013, 1, 1)
    ends_on = datetime.date(2015, 12, 31)


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Szkolenie testowe {n}")
    topic = Topic.BASICS
    format = Training.Format.IN_PERSON
    status = Training.Status.OPEN
    starts_on = datetime.date(2030, 3, 10)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on)
    venue = "Sala 1"
    gmina_id = "1061011"
    capacity = 10
    required_attendance_percent = 80

    @factory.post_generation
    def organisers(self, create, extracted, **kwargs):
        if create and extracted:
            self.organisers.add(*extracted)


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    training = factory.SubFactory(TrainingFactory)
    starts_at = factory.LazyAttribute(
        lambda o: datetime.datetime.combine(o.training.starts_on, datetime.time(9), WARSAW)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=6))


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"Ośrodek Pomocy Społecznej nr {n}")
    type = InstitutionType.SOCIAL_ASSISTANCE
    gmina_id = "1061011"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    first_name = factory.Sequence(lambda n: f"Anna{n}")
    last_name = factory.Sequence(lambda n: f"Kowalska{n}")
    email = factory.Sequence(lambda n: f"uczestnik{n}@example.org")
    institution = factory.SubFactory(InstitutionFactory)
    position = "pracownik socjalny"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    training = factory.SubFactory(TrainingFactory)
    participant = factory.SubFactory(ParticipantFactory)
    status = Enrolment.Status.CONFIRMED
    consent_at = factory.LazyFunction(timezone.now)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    enrolment = factory.SubFactory(EnrolmentFactory)
    session = factory.SubFactory(TrainingSessionFactory)
    status = Attendance.Status.PRESENT


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    enrolment = factory.SubFactory(EnrolmentFactory)
    number = factory.Sequence(lambda n: f"SZK/TEST/{n:06d}")


def completed_training_with_attendance(*, sessions: int = 5, attended: list[int], **training_kwargs):
    """A completed training with `sessions` sessions and one confirmed participant per entry of `attended`
    (the number of sessions that participant was present at; the rest marked absent)."""
    training_kwargs.setdefault("starts_on", datetime.date(2014, 5, 5))
    training = TrainingFactory(status=Training.Status.COMPLETED, **training_kwargs)
    session_rows = [
        TrainingSessionFactory(
            training=training,
            starts_at=datetime.datetime.combine(training.starts_on, datetime.time(8 + n), WARSAW),
            ends_at=datetime.datetime.combine(training.starts_on, datetime.time(8 + n, 45), WARSAW),
        )
        for n in range(sessions)
    ]
    enrolments = []
    for count in attended:
        enrolment = EnrolmentFactory(training=training)
        for index, session in enumerate(session_rows):
            status = Attendance.Status.PRESENT if index < count else Attendance.Status.ABSENT
            AttendanceFactory(enrolment=enrolment, session=session, status=status)
        enrolments.append(enrolment)
    return training, session_rows, enrolments
