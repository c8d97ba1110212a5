import pytest
from django.urls import reverse

from tests.factories import UserFactory
from trainings.models import Enrolment

from .factories import (
    CertificateFactory,
    EnrolmentFactory,
    TrainingFactory,
    TrainingSessionFactory,
    completed_training_with_attendance,
)

pytestmark = pytest.mark.django_db

MODELS = ["trainingprogramme", "training", "institution", "participant", "enrolment", "certificate"]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_admin_pages_render(admin_client, model):
    training, _s, (enrolment,) = completed_training_with_attendance(sessions=1, attended=[1])
    certificate = CertificateFactory(enrolment=enrolment)
    objects = {
        "trainingprogramme": None,
        "training": training,
        "institution": enrolment.participant.institution,
        "participant": enrolment.participant,
        "enrolment": enrolment,
        "certificate": certificate,
    }
    assert admin_client.get(reverse(f"admin:trainings_{model}_changelist")).status_code == 200
    # Enrolments come from registration (capacity, waiting list) and certificates from certificates_issue.
    add_status = 403 if model in ("enrolment", "certificate") else 200
    assert admin_client.get(reverse(f"admin:trainings_{model}_add")).status_code == add_status
    if objects[model] is not None:
        url = reverse(f"admin:trainings_{model}_change", args=[objects[model].pk])
        assert admin_client.get(url).status_code == 200


def test_admin_saves_target_institution_types(admin_client):
    training = TrainingSessionFactory().training
    url = reverse("admin:trainings_training_change", args=[training.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "target_institution_types": ["ops", "pup"],
            "starts_on": "2030-03-10",
            "ends_on": "2030-03-10",
            "organisers": [],
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
        }
    )
    # Empty many-to-many fields are left out of the POST, as a browser does.
    data.pop("organisers")
    data.pop("materials")
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    training.refresh_from_db()
    assert training.target_institution_types == ["ops", "pup"]


def _post_status(admin_client, enrolment, status):
    url = reverse("admin:trainings_enrolment_change", args=[enrolment.pk])
    return admin_client.post(
        url,
        {
            "status": status,
            "attendances-TOTAL_FORMS": "0",
            "attendances-INITIAL_FORMS": "0",
        },
    )


def test_admin_cannot_give_a_waitlisted_person_a_seat_of_a_full_training(admin_client):
    training = TrainingFactory(capacity=1)
    EnrolmentFactory(training=training, status=Enrolment.Status.CONFIRMED)
    waiting = EnrolmentFactory(training=training, status=Enrolment.Status.WAITLISTED)
    for status in (Enrolment.Status.CONFIRMED, Enrolment.Status.REGISTERED):
        response = _post_status(admin_client, waiting, status)
        assert response.status_code == 200
        assert "status" in response.context["adminform"].form.errors
        waiting.refresh_from_db()
        assert waiting.status == Enrolment.Status.WAITLISTED
    assert Enrolment.objects.filter(training=training).holding_seat().count() == 1


def test_admin_cancel_goes_through_the_service_and_promotes_the_waiting_list(admin_client, mailoutbox):
    training = TrainingFactory(capacity=1)
    seated = EnrolmentFactory(training=training, status=Enrolment.Status.CONFIRMED)
    waiting = EnrolmentFactory(training=training, status=Enrolment.Status.WAITLISTED)
    response = _post_status(admin_client, seated, Enrolment.Status.CANCELLED)
    assert response.status_code == 302
    seated.refresh_from_db()
    waiting.refresh_from_db()
    assert seated.status == Enrolment.Status.CANCELLED and seated.cancelled_at is not None
    assert waiting.status == Enrolment.Status.REGISTERED and waiting.promoted_at is not None
    assert Enrolment.objects.filter(training=training).holding_seat().count() == 1


def test_admin_confirm_goes_through_the_service(admin_client):
    enrolment = EnrolmentFactory(status=Enrolment.Status.REGISTERED)
    assert _post_status(admin_client, enrolment, Enrolment.Status.CONFIRMED).status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CONFIRMED and enrolment.confirmed_at is not None
