"""Every e-mail and every absolute link names the site and points at it from the settings (SITE_NAME, BASE_URL),
never from the host a request came to (issue 13: account e-mails greeted "Witamy z 127.0.0.1:8121!").

Each request here comes to the app server's own address, 127.0.0.1:8121, as behind a reverse proxy that does not
pass the public host on.
"""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.cooperatives.factories import CooperativeFactory, MembershipFactory
from tests.cooperatives.selfservice_helpers import representative, verified_user
from tests.factories import UserFactory
from tests.trainings.factories import TrainingFactory
from tests.trainings.test_completion import ended_training
from tests.trainings.test_views import valid_form
from trainings import services as training_services

pytestmark = pytest.mark.django_db

HOST = "127.0.0.1:8121"
BASE_URL = "https://spoldzielnie.example.gov.pl"
SITE_NAME = "Portal testowy spółdzielni"
URL = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture(autouse=True)
def site_settings(settings):
    settings.BASE_URL = BASE_URL
    settings.SITE_NAME = SITE_NAME


@pytest.fixture
def client():
    return Client(HTTP_HOST=HOST)


def assert_from_settings(message, *, links=1):
    text = message.subject + "\n" + message.body
    assert HOST not in text and "127.0.0.1" not in text and "testserver" not in text
    assert SITE_NAME in text
    urls = URL.findall(message.body)
    assert len(urls) >= links, message.body
    assert all(url.startswith(BASE_URL + "/") for url in urls), urls


def test_signup_confirmation(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail task runs (eagerly)
        response = client.post(
            reverse("account_signup"),
            {"email": "nowa@example.org", "password1": "Spoldzielnia-2026!", "password2": "Spoldzielnia-2026!"},
        )
    assert response.status_code == 302
    [message] = mail.outbox
    assert_from_settings(message)
    assert "Witamy z" not in message.body and message.subject.startswith(f"[{SITE_NAME}] ")
    assert f"{BASE_URL}/konta/" in message.body or f"{BASE_URL}/" in message.body


def test_password_reset_for_a_known_and_an_unknown_address(client, django_capture_on_commit_callbacks):
    user = verified_user()
    for email in (user.email, "nieznany@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(reverse("account_reset_password"), {"email": email}).status_code == 302
    known, unknown = mail.outbox
    assert_from_settings(known)
    assert_from_settings(unknown)


def test_inquiry_to_a_cooperative_and_the_buyers_copy(client, django_capture_on_commit_callbacks):
    coop = CooperativeFactory(email="biuro@spoldzielnia.example")
    with django_capture_on_commit_callbacks(execute=True):  # the delivery task runs (eagerly)
        response = client.post(
            reverse("selfservice:inquiry"),
            {
                "subject": "Catering",
                "details": "Obiad dla 80 osób.",
                "place": "Łódź",
                "timeframe": "maj",
                "budget": "",
                "contact_name": "Anna Zamawiająca",
                "organisation": "Urząd Gminy",
                "contact_email": "zamowienia@gmina.example",
                "contact_phone": "",
                "krs": [coop.krs_number],
            },
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert_from_settings(message)


def test_invitation_of_a_representative(client, django_capture_on_commit_callbacks):
    coop = CooperativeFactory()
    client.force_login(representative(coop))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("selfservice:members", args=[coop.krs_number]), {"email": "nowy@example.org"})
    [message] = mail.outbox
    assert not {HOST, "testserver"} & set(URL.findall(message.body))
    assert all(url.startswith(BASE_URL + "/") for url in URL.findall(message.body))
    assert URL.findall(message.body)


def test_training_registration_confirmation(client, django_capture_on_commit_callbacks):
    training = TrainingFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(training.get_absolute_url(), valid_form(1)).status_code == 302
    [message] = mail.outbox
    assert_from_settings(message)


def test_certificate_email(django_capture_on_commit_callbacks):
    training, (first, _second, _absent) = ended_training()
    with django_capture_on_commit_callbacks(execute=True):
        training_services.training_complete(training_id=training.pk)
    message = next(m for m in mail.outbox if m.to == [first.participant.email])
    assert_from_settings(message)


def test_survey_reminder(wave_accepting_answers, django_capture_on_commit_callbacks):
    coop = CooperativeFactory()
    MembershipFactory(cooperative=coop, user=UserFactory(email="rep@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_survey_reminders")
    [message] = mail.outbox
    assert_from_settings(message)
    assert f"{BASE_URL}{reverse('monitoring:my-surveys')}" in message.body


def test_oai_and_the_profile_canonical_link(client):
    body = client.get(reverse("oai"), {"verb": "Identify"}).content.decode()
    assert f"<baseURL>{BASE_URL}/oai/</baseURL>" in body and HOST not in body
    coop = CooperativeFactory()
    page = client.get(coop.get_absolute_url()).content.decode()
    assert f'rel="canonical" href="{BASE_URL}{coop.get_absolute_url()}"' in page
    assert HOST not in page


@pytest.fixture
def wave_accepting_answers(db):
    from tests.monitoring.conftest import make_wave

    return make_wave()
