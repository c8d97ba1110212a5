"""The permission matrix of every organiser and staff URL: anonymous, a plain user, the organiser of another
training, the organiser of this training, and ministry staff."""

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from trainings import permissions

from .factories import CertificateFactory, TrainingFactory, TrainingSessionFactory, completed_training_with_attendance

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "plain_user", "other_organiser", "organiser", "staff_user"]
TRAINING_RULE = {"anonymous": "login", "plain_user": "forbidden", "other_organiser": "forbidden"}
STAFF_RULE = {**TRAINING_RULE, "organiser": "forbidden"}


@pytest.fixture
def setup(organiser, other_organiser):
    training, sessions, enrolments = completed_training_with_attendance(
        sessions=2, attended=[2, 2], organisers=[organiser]
    )
    TrainingFactory(organisers=[other_organiser])
    certificate = CertificateFactory(enrolment=enrolments[0])
    return {"training": training, "session": sessions[0], "enrolments": enrolments, "certificate": certificate}


def urls(setup):
    training, session, enrolments = setup["training"], setup["session"], setup["enrolments"]
    pk = training.pk
    # Both participants were present at the first session; the organiser marks the first one late.
    attendance_post = {
        f"enrolment_{enrolments[0].pk}": "late",
        f"seen_{enrolments[0].pk}": "present",
        f"seen_{enrolments[1].pk}": "present",
    }
    return [
        ("GET", reverse("trainings:participants", args=[pk]), {}, TRAINING_RULE),
        ("POST", reverse("trainings:status", args=[pk]), {"status": "cancelled"}, TRAINING_RULE),
        ("GET", reverse("trainings:participants-export", args=[pk, "csv"]), {}, TRAINING_RULE),
        ("GET", reverse("trainings:participants-export", args=[pk, "xlsx"]), {}, TRAINING_RULE),
        ("POST", reverse("trainings:enrolment-confirm", args=[pk, enrolments[1].pk]), {}, TRAINING_RULE),
        ("GET", reverse("trainings:attendance", args=[pk, session.pk]), {}, TRAINING_RULE),
        ("POST", reverse("trainings:attendance", args=[pk, session.pk]), attendance_post, TRAINING_RULE),
        ("GET", reverse("trainings:certificates", args=[pk]), {}, TRAINING_RULE),
        ("POST", reverse("trainings:certificates", args=[pk]), {}, TRAINING_RULE),
        ("GET", reverse("trainings:certificate-pdf", args=[pk, setup["certificate"].pk]), {}, TRAINING_RULE),
        ("GET", reverse("trainings:certificates-zip", args=[pk]), {}, TRAINING_RULE),
        ("GET", reverse("trainings:reports"), {}, STAFF_RULE),
        ("GET", reverse("trainings:reports-export", args=["grupy", "csv"]), {}, STAFF_RULE),
        ("GET", reverse("trainings:reports-export", args=["powiaty", "xlsx"]), {}, STAFF_RULE),
        ("GET", reverse("trainings:personal-data"), {}, STAFF_RULE),
        ("POST", reverse("trainings:personal-data"), {"email": "nikt@example.org"}, STAFF_RULE),
        ("GET", reverse("trainings:panel"), {}, {"anonymous": "login", "plain_user": "forbidden"}),
        # Last: by now the certificate was downloaded above, so the undo is refused (with a message) for those
        # allowed to ask. POST to complete is in test_completion.py (this training is already completed).
        ("GET", reverse("trainings:complete", args=[pk]), {}, TRAINING_RULE),
        ("POST", reverse("trainings:complete-undo", args=[pk]), {}, TRAINING_RULE),
    ]


def outcome(response) -> str:
    if response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL)):
        return "login"
    if response.status_code == 403:
        return "forbidden"
    assert response.status_code in (200, 302), response.status_code
    return "ok"


@pytest.mark.parametrize("role", ROLES)
def test_matrix(client, request, setup, role):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    for method, url, data, rule in urls(setup):
        response = client.get(url) if method == "GET" else client.post(url, data)
        assert outcome(response) == rule.get(role, "ok"), (role, method, url)


def test_api_matrix(client, request, setup):
    pk = setup["training"].pk
    endpoints = [f"/api/v1/trainings/{pk}/enrolments/", f"/api/v1/trainings/{pk}/attendance/"]
    expected = {"anonymous": 403, "plain_user": 403, "other_organiser": 403, "organiser": 200, "staff_user": 200}
    for role, status in expected.items():
        client.logout()
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        for url in endpoints:
            assert client.get(url).status_code == status, (role, url)
        body = {"session": setup["session"].pk, "marks": [{"enrolment": setup["enrolments"][0].pk, "status": "late"}]}
        response = client.post(endpoints[1], body, content_type="application/json")
        assert response.status_code == status, (role, "POST attendance")


def test_predicates_refuse_inactive_users(organiser, staff_user):
    training = TrainingFactory(organisers=[organiser])
    assert permissions.can_view_participants(organiser, training)
    organiser.is_active = False
    staff_user.is_active = False
    assert not permissions.can_view_participants(organiser, training)
    assert not permissions.can_view_reports(staff_user)


def test_panel_lists_only_own_trainings(client, organiser, staff_user):
    own = TrainingFactory(organisers=[organiser])
    other = TrainingFactory()
    client.force_login(organiser)
    assert [t.pk for t in client.get(reverse("trainings:panel")).context["page_obj"]] == [own.pk]
    client.force_login(staff_user)
    assert {t.pk for t in client.get(reverse("trainings:panel")).context["page_obj"]} == {own.pk, other.pk}


def test_session_of_another_training_is_404(client, organiser):
    training = TrainingFactory(organisers=[organiser])
    foreign_session = TrainingSessionFactory()
    client.force_login(organiser)
    assert client.get(reverse("trainings:attendance", args=[training.pk, foreign_session.pk])).status_code == 404


def test_public_pages_hide_participants(client, setup):
    content = client.get(setup["training"].get_absolute_url()).content.decode()
    participant = setup["enrolments"][0].participant
    assert participant.email not in content and participant.last_name not in content
    assert "Lista uczestników" not in content
