"""Buyers' inquiries reach the cooperatives and the buyer is told truthfully what happened (issue 13).

Before: only cooperatives with a *published* e-mail got anything (42% of the demo registry got nothing, nor did
representatives), yet the page said "Zapytanie otrzymały: ..." for all of them; no Reply-To, no copy, no RODO note.
"""

import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.test import Client, TestCase
from django.urls import reverse

from cooperatives import services
from cooperatives.models import DeliveryStatus, Inquiry, InquiryRecipient

from .factories import CooperativeFactory
from .selfservice_helpers import profile_post_data, representative

pytestmark = pytest.mark.django_db

INQUIRY = {
    "subject": "Catering na konferencję",
    "details": "80 osób, obiad i przerwa kawowa.",
    "place": "Łódź",
    "timeframe": "15 maja",
    "budget": "8000 zł",
    "contact_name": "Anna Zamawiająca",
    "organisation": "Urząd Gminy",
    "contact_email": "zamowienia@gmina.example",
    "contact_phone": "",
}
BUYER = INQUIRY["contact_email"]


def send(client, *cooperatives, deliver=True, **overrides):
    """Posts the form; with `deliver`, the task queued after the commit runs (eagerly, as without a broker)."""
    with TestCase.captureOnCommitCallbacks(execute=deliver) as queued:
        response = client.post(
            reverse("selfservice:inquiry"), {**INQUIRY, **overrides, "krs": [c.krs_number for c in cooperatives]}
        )
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert len(queued) == 1  # one task delivers the whole inquiry
    return response


def messages_to(address):
    return [m for m in mail.outbox if m.to == [address]]


def test_until_the_task_has_run_the_page_says_queued_never_sent(client):
    coop = CooperativeFactory(name="Spółdzielnia Cicha", email="ukryty@cicha.example")
    response = send(client, coop, deliver=False)
    assert not mail.outbox
    assert InquiryRecipient.objects.get().status == DeliveryStatus.PENDING
    assert Inquiry.objects.get().copy_status == DeliveryStatus.PENDING
    page = client.get(response["Location"]).content.decode()
    assert "W kolejce: wysyłamy." in page and "Przyjęliśmy zapytanie i wysyłamy je" in page
    assert "Wysłano e-mailem." not in page and "wysłaliśmy" not in page
    assert '<meta http-equiv="refresh"' in page  # refreshes itself until the outcome is known


def test_a_redelivered_task_sends_nothing_twice(client):
    from cooperatives.tasks import deliver_inquiry

    coop = CooperativeFactory(email="a@coop.example")
    send(client, coop)
    assert len(mail.outbox) == 2  # the cooperative and the buyer's copy
    deliver_inquiry.delay(Inquiry.objects.get().pk)  # as after a worker lost before acknowledging
    assert len(mail.outbox) == 2


def test_unpublished_registry_address_and_representatives_receive_it_with_reply_to_the_buyer(client):
    coop = CooperativeFactory(name="Spółdzielnia Cicha", email="ukryty@cicha.example", publish_email=False)
    rep = representative(coop)
    response = send(client, coop)

    inquiry = Inquiry.objects.get()
    assert response["Location"] == reverse("selfservice:inquiry-result", args=[inquiry.pk])
    for address in ("ukryty@cicha.example", rep.email):
        [message] = messages_to(address)
        assert message.reply_to == [BUYER]
        assert message.subject == "Zapytanie ofertowe: Catering na konferencję"
        assert "80 osób" in message.body and BUYER in message.body
    recipient = InquiryRecipient.objects.get()
    assert (recipient.status, recipient.emailed_to) == (DeliveryStatus.SENT, "ukryty@cicha.example")
    assert recipient.status_at is not None

    # The buyer's copy says where it went, and never shows the unpublished address.
    [copy] = messages_to(BUYER)
    assert "Spółdzielnia Cicha: wysłano" in copy.body
    assert "Catering na konferencję" in copy.subject
    assert "ukryty@cicha.example" not in copy.body + copy.subject
    assert rep.email not in copy.body
    assert Inquiry.objects.get().copy_status == DeliveryStatus.SENT

    page = client.get(response["Location"]).content.decode()
    assert "Spółdzielnia Cicha" in page and "Wysłano e-mailem." in page
    assert "Kopię zapytania z tą listą wysłaliśmy" in page and '<meta http-equiv="refresh"' not in page
    assert "ukryty@cicha.example" not in page
    assert "Zapytanie otrzymały" not in page


def test_each_cooperative_gets_its_own_message_and_never_sees_the_others(client):
    first = CooperativeFactory(email="a@first.example", publish_email=True)
    second = CooperativeFactory(email="b@second.example", publish_email=False)
    send(client, first, second)
    for message in mail.outbox:
        assert len(message.to) == 1 and not message.cc and not message.bcc
    assert "b@second.example" not in messages_to("a@first.example")[0].message().as_string()


def test_cooperatives_that_cannot_be_reached_are_reported_with_their_phone_or_profile(client):
    reached = CooperativeFactory(name="Spółdzielnia Osiągalna", email="biuro@osiagalna.example")
    no_address = CooperativeFactory(name="Spółdzielnia Bez Adresu", email="", phone="42 111 22 33", publish_phone=True)
    opted_out = CooperativeFactory(
        name="Spółdzielnia Bez Zapytań", email="biuro@bez.example", publish_email=False, accepts_inquiries=False
    )
    opted_out_rep = representative(opted_out)
    response = send(client, reached, no_address, opted_out)

    statuses = dict(InquiryRecipient.objects.values_list("cooperative__name", "status"))
    assert statuses == {
        "Spółdzielnia Osiągalna": DeliveryStatus.SENT,
        "Spółdzielnia Bez Adresu": DeliveryStatus.NO_ADDRESS,
        "Spółdzielnia Bez Zapytań": DeliveryStatus.OPTED_OUT,
    }
    # Opted out: neither its address nor its representatives are sent anything.
    assert not messages_to("biuro@bez.example") and not messages_to(opted_out_rep.email)

    page = client.get(response["Location"]).content.decode()
    assert "Nie dostarczono: brak adresu e-mail." in page
    assert 'href="tel:42111' in page  # the published phone of the one without an address
    assert "Nie dostarczono: nie przyjmuje zapytań przez portal." in page
    assert f'href="{opted_out.get_absolute_url()}"' in page
    assert "biuro@bez.example" not in page

    [copy] = messages_to(BUYER)
    assert "Spółdzielnia Bez Adresu: nie dostarczono (brak adresu e-mail). Telefon: 42 111 22 33." in copy.body
    assert f"http://testserver{opted_out.get_absolute_url()}" in copy.body
    assert "biuro@bez.example" not in copy.body

    # Representatives of the cooperative that opted out never see the buyer's data.
    inquiry = Inquiry.objects.get()
    client.force_login(opted_out_rep)
    assert client.get(reverse("selfservice:inquiry-detail", args=[inquiry.pk])).status_code == 403
    assert list(client.get(reverse("selfservice:dashboard")).context["inquiries"]) == []


def test_a_send_the_mail_server_refuses_is_recorded_as_failed_never_claimed(client, monkeypatch):
    ok = CooperativeFactory(name="Spółdzielnia Dobra", email="ok@dobra.example")
    broken = CooperativeFactory(name="Spółdzielnia Zła", email="zly@zla.example")
    seen_before_send = []
    original_send = EmailMessage.send

    def fake_send(message, fail_silently=False):
        # Nothing is claimed before the attempt: the row still says "pending" while the message is being sent.
        if message.to != [BUYER]:
            coop = ok if message.to == ["ok@dobra.example"] else broken
            seen_before_send.append(InquiryRecipient.objects.get(cooperative=coop).status)
        if message.to == ["zly@zla.example"]:
            raise smtplib.SMTPRecipientsRefused({"zly@zla.example": (550, b"no such user")})
        return original_send(message, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMessage, "send", fake_send)
    response = send(client, ok, broken)

    assert seen_before_send == [DeliveryStatus.PENDING, DeliveryStatus.PENDING]
    statuses = dict(InquiryRecipient.objects.values_list("cooperative__name", "status"))
    assert statuses == {"Spółdzielnia Dobra": DeliveryStatus.SENT, "Spółdzielnia Zła": DeliveryStatus.FAILED}
    assert InquiryRecipient.objects.get(cooperative=broken).emailed_to == ""
    page = client.get(response["Location"]).content.decode()
    assert "Nie dostarczono: nie udało się wysłać." in page
    [copy] = messages_to(BUYER)
    assert "Spółdzielnia Zła: nie dostarczono (nie udało się wysłać)." in copy.body


def test_a_failed_copy_is_said_on_the_result_page(client, monkeypatch):
    coop = CooperativeFactory(email="a@coop.example")
    original_send = EmailMessage.send

    def fake_send(message, fail_silently=False):
        if message.to == [BUYER]:
            raise OSError("connection refused")
        return original_send(message, fail_silently=fail_silently)

    monkeypatch.setattr(EmailMessage, "send", fake_send)
    response = send(client, coop)
    assert Inquiry.objects.get().copy_status == DeliveryStatus.FAILED
    assert "Nie udało się wysłać kopii" in client.get(response["Location"]).content.decode()


def test_typed_line_breaks_never_reach_an_email_header():
    # The form refuses a subject with a line break (tests/core/test_text_inputs.py); text that reaches the service
    # by another way still cannot add a header.
    coop = CooperativeFactory(email="a@coop.example")
    data = {**INQUIRY, "subject": "Catering\r\nBcc: ofiara@example.org"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.inquiry_send(cooperatives=[coop], data=data, build_url=lambda path: f"http://testserver{path}")
    assert mail.outbox
    for message in mail.outbox:
        headers = message.message().as_string().split("\n\n", 1)[0]
        assert "ofiara@example.org" not in message.recipients()
        assert "\nBcc:" not in headers
        assert "\r" not in message.subject and "\n" not in message.subject


def test_result_page_is_only_for_the_browser_that_sent_the_inquiry(client):
    coop = CooperativeFactory(email="a@coop.example")
    response = send(client, coop)
    assert client.get(response["Location"]).status_code == 200
    assert Client().get(response["Location"]).status_code == 404


def test_form_shows_the_rodo_notice_with_the_retention_period_and_who_will_not_be_reached(client, settings):
    settings.PORTAL_INQUIRY_RETENTION_DAYS = 365
    settings.PORTAL_DATA_CONTROLLER = "Ministerstwo Testowe"
    reachable = CooperativeFactory(email="a@coop.example")
    unreachable = CooperativeFactory(name="Spółdzielnia Nieosiągalna", email="")
    page = client.get(
        reverse("selfservice:inquiry"), {"krs": [reachable.krs_number, unreachable.krs_number]}
    ).content.decode()
    assert "Administrator danych: Ministerstwo Testowe" in page
    assert "Okres przechowywania: 365 dni" in page
    assert "art. 6 ust. 1" in page
    assert "Spółdzielnia Nieosiągalna (brak adresu e-mail w rejestrze)" in page


def test_representative_can_opt_out_of_inquiries_in_the_profile(client):
    coop = CooperativeFactory(email="biuro@coop.example")
    client.force_login(representative(coop))
    url = reverse("selfservice:cooperative-edit", args=[coop.krs_number])
    assert 'name="accepts_inquiries"' in client.get(url).content.decode()
    data = profile_post_data(coop)
    del data["accepts_inquiries"]  # the box unticked
    assert client.post(url, data).status_code == 302
    coop.refresh_from_db()
    assert coop.accepts_inquiries is False
    assert client.post(url, profile_post_data(coop, accepts_inquiries="on")).status_code == 302
    coop.refresh_from_db()
    assert coop.accepts_inquiries is True


class RefusingBackend(LocmemBackend):
    """A mail backend that refuses one address the way an SMTP server does, and counts its connections."""

    opened = 0
    instances: set[int] = set()

    def open(self):
        type(self).opened += 1
        return True

    def send_messages(self, messages):
        type(self).instances.add(id(self))
        for message in messages:
            if "odmowa@coop.example" in message.to:
                raise smtplib.SMTPRecipientsRefused({"odmowa@coop.example": (550, b"mailbox unavailable")})
        return super().send_messages(messages)


def test_one_connection_serves_every_message_and_a_refusal_is_recorded(client, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.opened, RefusingBackend.instances = 0, set()
    refused = CooperativeFactory(name="Spółdzielnia Odmowna", email="odmowa@coop.example")
    fine = [CooperativeFactory(email=f"biuro{n}@coop.example") for n in range(3)]
    response = send(client, refused, *fine)
    assert len(RefusingBackend.instances) == 1  # one connection for every message
    assert RefusingBackend.opened == 2  # opened once, and again after the refusal (a server may drop it)
    assert InquiryRecipient.objects.get(cooperative=refused).status == DeliveryStatus.FAILED
    assert set(InquiryRecipient.objects.exclude(cooperative=refused).values_list("status", flat=True)) == {"sent"}
    assert "Spółdzielnia Odmowna</th>" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 4  # three cooperatives and the copy
