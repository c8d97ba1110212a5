import io

import pytest
from django.core.management import call_command

from trainings import selectors
from trainings.management.commands.seed_trainings import PROGRAMME_NAME
from trainings.models import Certificate, Enrolment, Participant, Training, TrainingProgramme

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        list(Training.objects.order_by("pk").values_list("title", "starts_on", "gmina_id", "status", "capacity")),
        list(Participant.objects.order_by("pk").values_list("first_name", "last_name", "email", "institution__name")),
        list(Certificate.objects.order_by("pk").values_list("number", flat=True)),
    )


def test_seed_is_deterministic_idempotent_and_marked_as_demo():
    call_command("seed_trainings", stdout=io.StringIO())
    first = snapshot()
    programme = TrainingProgramme.objects.get(name=PROGRAMME_NAME)
    assert (programme.target_trainings, programme.target_participants) == (200, 3000)
    assert (programme.starts_on.year, programme.ends_on.year) == (2012, 2015)
    assert not Training.objects.filter(is_demo=False).exists()
    assert not Participant.objects.filter(is_demo=False).exists()
    assert Training.objects.filter(status=Training.Status.OPEN).exists()
    assert all(email.endswith("@example.org") for email in Participant.objects.values_list("email", flat=True))
    # Demo certificates are exactly the eligible enrolments.
    assert set(Certificate.objects.values_list("enrolment_id", flat=True)) == set(
        selectors.eligible_enrolments().values_list("pk", flat=True)
    )

    out = io.StringIO()
    call_command("seed_trainings", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert snapshot() == first

    # Deterministic: a fresh run produces the same data.
    Certificate.objects.all().delete()
    Enrolment.objects.all().delete()
    Participant.objects.all().delete()
    Training.objects.all().delete()
    TrainingProgramme.objects.all().delete()
    call_command("seed_trainings", stdout=io.StringIO())
    again = snapshot()
    assert again[0] == first[0] and again[1] == first[1]
    assert len(again[2]) == len(first[2])
