"""Issue 12: public registration must not fill a training or mail typed text to arbitrary addresses.

A registration holds no seat until the link e-mailed to the address is confirmed (POST, so a mail scanner opening
the link does nothing); the e-mail carries no text the registrant typed; the form has the same per-IP limit and
honeypot as every other public form (core.public_forms); unconfirmed registrations expire.
"""

import datetime
import io
import re

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from trainings import services
from trainings.models import Enrolment, Participant, Training

from .factories import EnrolmentFactory, TrainingFactory
from .test_views import valid_form

pytestmark = pytest.mark.django_db

HOSTILE = {
    "first_name": "Wygrałeś nagrodę",
    "last_name": "odbierz ją na http://evil.example/x",
    "position": '=HYPERLINK("http://evil.example")',
    "institution_name": "Kliknij http://evil.example/prize",
}


def confirm_link(message) -> str:
    return re.search(r"http://testserver(/szkolenia/potwierdzenie/\S+/)", message.body).group(1)


def test_twenty_registrations_hold_no_seat_and_send_no_typed_text(client, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_PUBLIC_FORM_RATE = (100, 3600)
    training = TrainingFactory(capacity=5)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            assert client.post(training.get_absolute_url(), valid_form(n, **HOSTILE)).status_code == 302
    assert Enrolment.objects.filter(training=training).holding_seat().count() == 0
    assert Enrolment.objects.filter(training=training, status=Enrolment.Status.PENDING).count() == 20
    assert client.get(training.get_absolute_url()).context["seats_left"] == 5
    assert len(mail.outbox) == 20
    for message in mail.outbox:
        text = message.subject + message.body
        assert "evil.example" not in text and "Wygrałeś" not in text and "HYPERLINK" not in text
        assert message.body.startswith("Dzień dobry,\n")
        assert "/szkolenia/potwierdzenie/" in message.body and "/szkolenia/rezygnacja/" not in message.body


def test_registration_is_rate_limited_per_address(client, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_PUBLIC_FORM_RATE = (2, 3600)
    training = TrainingFactory()
    url = training.get_absolute_url()
    assert client.post(url, {**valid_form(9), "email": "zły"}).status_code == 200  # invalid: not counted
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            assert client.post(url, valid_form(n)).status_code == 302
        response = client.post(url, valid_form(3))
    assert response.status_code == 429
    assert "Wysłano zbyt wiele zgłoszeń z tego adresu" in response.content.decode()
    assert Enrolment.objects.count() == 2 and len(mail.outbox) == 2
    # Another client address has its own budget.
    assert client.post(url, valid_form(4), REMOTE_ADDR="10.0.0.9").status_code == 302


def test_honeypot_refuses_bots(client, django_capture_on_commit_callbacks):
    training = TrainingFactory()
    content = client.get(training.get_absolute_url()).content.decode()
    assert 'class="honeypot" aria-hidden="true"' in content and 'name="website_url"' in content
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(training.get_absolute_url(), valid_form(1, website_url="http://spam.example"))
    assert response.status_code == 200
    assert "Formularz wygląda na wysłany automatycznie." in response.content.decode()
    assert not Enrolment.objects.exists() and not Participant.objects.exists() and not mail.outbox


def test_confirming_takes_the_seat_or_the_waiting_list(client, django_capture_on_commit_callbacks):
    training = TrainingFactory(capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(training.get_absolute_url(), valid_form(1))
        client.post(training.get_absolute_url(), valid_form(2))
    second_link, first_link = confirm_link(mail.outbox[1]), confirm_link(mail.outbox[0])
    page = client.get(second_link)
    assert "Anna Nowak" in page.content.decode()  # the owner of the address sees what was registered
    with django_capture_on_commit_callbacks(execute=True):
        client.post(second_link)  # the second registrant confirms first and gets the seat
        response = client.post(first_link)
    assert "listę rezerwową" in response.content.decode()
    statuses = dict(Enrolment.objects.values_list("participant__email", "status"))
    assert statuses == {"anna2@example.org": "registered", "anna1@example.org": "waitlisted"}
    assert "Lista rezerwowa" in mail.outbox[-1].subject
    # Confirming again changes nothing.
    client.post(first_link)
    assert Enrolment.objects.get(participant__email="anna1@example.org").status == "waitlisted"


def test_confirmation_after_registration_closed_is_refused_with_a_message(client):
    training = TrainingFactory()
    pending = services.enrolment_register(training_id=training.pk, data=_data(1))
    Training.objects.filter(pk=training.pk).update(status=Training.Status.CLOSED)
    url = reverse("trainings:confirm-email", args=[services.enrolment_confirm_signature(pending)])
    response = client.post(url)
    assert response.status_code == 409
    assert "Rejestracja na to szkolenie została zamknięta" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Enrolment.Status.PENDING


def test_confirmation_link_expires(client, monkeypatch, settings):
    settings.TRAININGS_CONFIRMATION_HOURS = 48
    pending = services.enrolment_register(training_id=TrainingFactory().pk, data=_data(1))
    url = reverse("trainings:confirm-email", args=[services.enrolment_confirm_signature(pending)])
    later = signing.time.time() + 49 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: later)
    response = client.post(url)
    assert response.status_code == 410 and "Link potwierdzający wygasł" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Enrolment.Status.PENDING
    forged = client.get(reverse("trainings:confirm-email", args=[f"{pending.cancel_token}:x"]))
    assert forged.status_code == 404


def test_expired_pending_registrations_are_removed_with_their_data():
    training = TrainingFactory()
    old = services.enrolment_register(training_id=training.pk, data=_data(1))
    recent = services.enrolment_register(training_id=training.pk, data=_data(2))
    known = EnrolmentFactory(training=TrainingFactory())  # a participant with another enrolment stays
    known_pending = services.enrolment_register(training_id=training.pk, data=_data(3, email=known.participant.email))
    long_ago = timezone.now() - datetime.timedelta(hours=49)
    Enrolment.objects.filter(pk__in=[old.pk, known_pending.pk]).update(created_at=long_ago)
    call_command("expire_pending_enrolments", stdout=io.StringIO())
    assert set(Enrolment.objects.values_list("pk", flat=True)) == {recent.pk, known.pk}
    assert not Participant.objects.filter(email="osoba1@example.org").exists()
    assert Participant.objects.filter(pk=known.participant_id).exists()


def test_an_expired_pending_registration_does_not_block_a_new_one(django_capture_on_commit_callbacks):
    training = TrainingFactory()
    old = services.enrolment_register(training_id=training.pk, data=_data(1))
    Enrolment.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=49))
    with django_capture_on_commit_callbacks(execute=True):
        again = services.enrolment_register(training_id=training.pk, data=_data(1))
    assert again.status == Enrolment.Status.PENDING and not Enrolment.objects.filter(pk=old.pk).exists()
    assert len(mail.outbox) == 1


def test_grammatical_form_is_asked_optionally_and_stored(client):
    training = TrainingFactory()
    form = client.get(training.get_absolute_url()).context["form"]
    assert not form.fields["grammatical_form"].required
    client.post(training.get_absolute_url(), valid_form(1, grammatical_form="f"))
    client.post(training.get_absolute_url(), valid_form(2))
    forms = dict(Participant.objects.values_list("email", "grammatical_form"))
    assert forms == {"anna1@example.org": "f", "anna2@example.org": ""}
    response = client.post(training.get_absolute_url(), valid_form(3, grammatical_form="x"))
    assert "Wybierz poprawną wartość" in response.context["form"].errors["grammatical_form"][0]


def _data(n: int, **overrides) -> services.RegistrationData:
    values = {
        "first_name": f"Jan{n}",
        "last_name": f"Nowak{n}",
        "email": f"osoba{n}@example.org",
        "position": "",
        "institution_name": "Urząd Gminy",
        "institution_type": "gmina_office",
        "institution_gmina_id": "1061011",
    }
    values.update(overrides)
    return services.RegistrationData(**values)
