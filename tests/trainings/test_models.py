import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from trainings.models import Enrolment, Training

from .factories import WARSAW, EnrolmentFactory, TrainingFactory, TrainingSessionFactory

pytestmark = pytest.mark.django_db


def test_powiat_and_voivodeship_derive_from_the_gmina():
    training = TrainingFactory(gmina_id="1465011")
    assert (training.powiat_id, training.voivodeship_id) == ("1465", "14")
    training.gmina_id = "1061011"
    training.save(update_fields=["gmina"])
    training.refresh_from_db()
    assert (training.powiat_id, training.voivodeship_id) == ("1061", "10")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"capacity": 0},
        {"required_attendance_percent": 101},
        {"starts_on": datetime.date(2030, 1, 2), "ends_on": datetime.date(2030, 1, 1)},
        {"gmina_id": None, "format": Training.Format.IN_PERSON},
    ],
)
def test_training_constraints(kwargs):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingFactory(**kwargs)


def test_one_active_enrolment_per_person_and_training():
    enrolment = EnrolmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EnrolmentFactory(training=enrolment.training, participant=enrolment.participant)
    Enrolment.objects.filter(pk=enrolment.pk).update(status="cancelled", cancelled_at=enrolment.consent_at)
    EnrolmentFactory(training=enrolment.training, participant=enrolment.participant)


def test_clean_gives_polish_messages():
    training = TrainingFactory.build(
        gmina_id=None, starts_on=datetime.date(2030, 1, 2), ends_on=datetime.date(2030, 1, 1)
    )
    with pytest.raises(ValidationError) as error:
        training.clean()
    assert "wcześniejsza" in error.value.message_dict["ends_on"][0]
    training = TrainingFactory(starts_on=datetime.date(2030, 1, 2))
    session = TrainingSessionFactory.build(
        training=training,
        starts_at=datetime.datetime(2030, 1, 5, 9, tzinfo=WARSAW),
        ends_at=datetime.datetime(2030, 1, 5, 8, tzinfo=WARSAW),
    )
    with pytest.raises(ValidationError) as error:
        session.clean()
    assert error.value.message_dict == {"ends_at": ["Sesja musi kończyć się po rozpoczęciu."]}
    session.ends_at = datetime.datetime(2030, 1, 5, 12, tzinfo=WARSAW)
    with pytest.raises(ValidationError) as error:
        session.clean()
    assert error.value.message_dict == {"starts_at": ["Sesja musi mieścić się w terminie szkolenia."]}
