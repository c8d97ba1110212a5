import json

import pytest
from django.urls import reverse

from trainings.models import Attendance

from .factories import CertificateFactory, EnrolmentFactory, completed_training_with_attendance

pytestmark = pytest.mark.django_db

URL = reverse("trainings:personal-data")


def test_staff_export_everything_about_one_address(client, staff_user):
    training, sessions, (enrolment,) = completed_training_with_attendance(sessions=2, attended=[1])
    CertificateFactory(enrolment=enrolment, number="SZK/2014/1")
    participant = enrolment.participant
    EnrolmentFactory(participant=participant, status="waitlisted", waitlisted_at=enrolment.consent_at)
    EnrolmentFactory()  # someone else
    client.force_login(staff_user)
    response = client.post(URL, {"email": participant.email.upper()})
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="dane-osobowe.json"'
    data = json.loads(response.content)
    assert data["participant"]["email"] == participant.email
    assert data["participant"]["last_name"] == participant.last_name
    assert data["institution"]["gmina_code"] == "1061011"
    assert len(data["enrolments"]) == 2
    first = data["enrolments"][0]
    assert first["training"] == training.title and first["certificate"]["number"] == "SZK/2014/1"
    assert [a["status"] for a in first["attendance"]] == [
        Attendance.Status.PRESENT.label,
        Attendance.Status.ABSENT.label,
    ]
    assert data["enrolments"][1]["status"] == "lista rezerwowa" and data["enrolments"][1]["certificate"] is None


def test_unknown_address_and_invalid_input(client, staff_user):
    client.force_login(staff_user)
    response = client.post(URL, {"email": "nikt@example.org"})
    assert response.context["form"].errors["email"] == ["Nie przechowujemy żadnych danych o tym adresie e-mail."]
    response = client.post(URL, {"email": "to nie adres"})
    assert response.context["form"].errors["email"] == ["Podaj poprawny adres e-mail."]
    response = client.post(URL, {})
    assert response.context["form"].errors["email"] == ["To pole jest wymagane."]
