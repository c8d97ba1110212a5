import pytest
from django.urls import reverse

from tests.factories import UserFactory

from .factories import CertificateFactory, TrainingSessionFactory, completed_training_with_attendance

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
    assert admin_client.get(reverse(f"admin:trainings_{model}_add")).status_code == 200
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
