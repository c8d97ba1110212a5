"""Background jobs (issue 16): e-mails through tasks, sent once; the schedule; real workers on Redis.

The worker tests start `celery worker` subprocesses on the real Redis (tests/celery_worker.py) and need PostgreSQL;
the others run eagerly, as `make run` does without a broker.
"""

import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.test import TestCase

from cooperatives.models import DeliveryStatus, Inquiry, InquiryRecipient
from cooperatives.services import inquiry_send
from core.mail import deliver, queue_mail
from core.models import OutgoingEmail
from core.tasks import send_email
from tests.celery_worker import wait_for
from tests.cooperatives.factories import CooperativeFactory
from tests.cooperatives.selfservice_helpers import representative

BUYER = "zamowienia@gmina.example"
INQUIRY = {
    "subject": "Catering",
    "details": "80 osób.",
    "place": "Łódź",
    "timeframe": "maj",
    "budget": "",
    "contact_name": "Anna",
    "organisation": "Urząd",
    "contact_email": BUYER,
    "contact_phone": "",
}


# --- Eagerly (no broker) ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_message_is_queued_until_the_commit_and_sent_once():
    with TestCase.captureOnCommitCallbacks(execute=True) as queued:
        email = queue_mail("Temat\r\nBcc: x@example.org", "Treść", ["a@example.org"], key="test:1")
        assert queue_mail("Inny", "Inna", ["a@example.org"], key="test:1") == email  # same key: nothing new
        assert not mail.outbox  # nothing before the commit
    assert len(queued) == 1
    [message] = mail.outbox
    assert (message.to, message.subject, message.body) == (["a@example.org"], "Temat Bcc: x@example.org", "Treść")
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT and email.sent_at and email.attempts == 1
    send_email.delay(email.pk)  # delivered again (a retry, a lost acknowledgement): not sent again
    assert len(mail.outbox) == 1


class FlakyBackend:
    """A mail server that is down for the first `failures` attempts, then accepts."""

    failures = 0

    def __init__(self, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if type(self).failures:
            type(self).failures -= 1
            raise smtplib.SMTPServerDisconnected("gone")
        mail.outbox.extend(messages)
        return len(messages)


@pytest.mark.django_db
def test_transient_faults_are_tried_again_and_a_refusal_is_final(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures = 2
    email = queue_mail("T", "B", ["a@example.org"], enqueue=False)
    assert deliver(email.pk) is None and deliver(email.pk) is None  # the server down: try later
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("queued", 2, "SMTPServerDisconnected: gone")
    assert deliver(email.pk) is True and len(mail.outbox) == 1
    assert deliver(email.pk) is True and len(mail.outbox) == 1  # never twice

    FlakyBackend.failures = 1
    eager = queue_mail("T", "B", ["b@example.org"], enqueue=False)
    assert send_email.delay(eager.pk).get() == "failed"  # eagerly: one attempt, no waiting in the request
    eager.refresh_from_db()
    assert eager.status == OutgoingEmail.Status.FAILED


@pytest.mark.django_db
def test_the_schedule_names_a_task_for_every_periodic_command():
    from portal.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks == {
        "monitoring.tasks.send_survey_reminders",
        "cooperatives.tasks.notify_stale_cooperatives",
        "cooperatives.tasks.purge_inquiries",
        "trainings.tasks.anonymise_participants",
        "trainings.tasks.expire_pending_enrolments",
        "core.tasks.purge_stored_mail",
        "exportjobs.tasks.purge_expired_exports",
    }
    assert tasks <= set(app.tasks)


@pytest.mark.django_db
def test_scheduled_stale_notices_are_sent_once_a_day():
    from django.utils import timezone

    from cooperatives.tasks import notify_stale_cooperatives

    coop = CooperativeFactory(verified_at=timezone.now() - timezone.timedelta(days=400))
    rep = representative(coop)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert notify_stale_cooperatives.delay().get() == 1
        notify_stale_cooperatives.delay().get()  # run twice the same day (a re-delivered task)
    assert [m.to for m in mail.outbox] == [[rep.email]]
    assert coop.name in mail.outbox[0].body


# --- Real workers on Redis -------------------------------------------------------------------------------------


def test_an_email_goes_through_a_worker_once(celery_worker_process):
    worker = celery_worker_process()
    email = queue_mail("Temat", "Treść", ["a@example.org"], reply_to=["b@example.org"], headers={"X-Test": "1"})
    [message] = wait_for(worker.mail, message="the message")
    assert message["to"] == ["a@example.org"] and message["reply_to"] == ["b@example.org"]
    assert (message["subject"], message["body"], message["headers"]["X-Test"]) == ("Temat", "Treść", "1")
    wait_for(lambda: OutgoingEmail.objects.get(pk=email.pk).sent_at, message="sent_at")
    assert send_email.delay(email.pk).get(timeout=20) == "sent"  # delivered again: not sent again
    assert len(worker.mail()) == 1


def test_a_worker_killed_mid_inquiry_restarts_and_each_message_is_sent_once(celery_worker_process, territory):
    coop = CooperativeFactory(name="Spółdzielnia Szybka", email="biuro@fast.example")
    rep = representative(coop)
    rep.email = "slow-rep@fast.example"
    rep.save(update_fields=["email"])
    worker = celery_worker_process()
    worker.hold_mail()  # the second message (to the representative) hangs in the "server"
    inquiry = inquiry_send(cooperatives=[coop], data=INQUIRY, build_url=lambda path: f"http://testserver{path}")
    wait_for(worker.is_holding, message="the worker to be mid-task")
    worker.kill()
    assert [m["to"] for m in worker.mail()] == [["biuro@fast.example"]]  # the first one went before the kill
    assert InquiryRecipient.objects.get().status == DeliveryStatus.PENDING  # nothing claimed for the cooperative

    worker.release_mail()
    worker.start()  # the broker hands the unacknowledged task to the new worker
    wait_for(
        lambda: Inquiry.objects.get(pk=inquiry.pk).copy_status != DeliveryStatus.PENDING,
        timeout=30,
        message="the inquiry to be delivered after the restart",
    )
    sent = sorted(tuple(m["to"]) for m in worker.mail())
    assert sent == [("biuro@fast.example",), ("slow-rep@fast.example",), (BUYER,)]  # once each
    assert InquiryRecipient.objects.get().status == DeliveryStatus.SENT
    assert OutgoingEmail.objects.filter(status="sent").count() == 3
