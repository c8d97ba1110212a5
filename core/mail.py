"""The one way the portal sends e-mail. Django's own classes, except that a subject is always one line: text a
user typed (a cooperative's name, a training's title, an inquiry's subject) may hold a line break, and Django
refuses a header with one (BadHeaderError) when the message is sent, typically after the data is saved."""

import contextlib
import logging
import random
import smtplib
import uuid
from datetime import timedelta

from django.conf import settings
from django.core import mail as django_mail
from django.db import transaction
from django.utils import timezone

from .validators import one_line

logger = logging.getLogger(__name__)


class SingleLineSubjectMixin:
    def message(self, *args, **kwargs):
        self.subject = one_line(self.subject)
        return super().message(*args, **kwargs)


class EmailMessage(SingleLineSubjectMixin, django_mail.EmailMessage):
    pass


class EmailMultiAlternatives(SingleLineSubjectMixin, django_mail.EmailMultiAlternatives):
    pass


get_connection = django_mail.get_connection


def send_mail(
    subject,
    message,
    from_email,
    recipient_list,
    *,
    fail_silently=False,
    connection=None,
    html_message=None,
    reply_to=None,
    headers=None,
) -> int:
    """django.core.mail.send_mail, with a one-line subject (and Reply-To and extra headers when given)."""
    connection = connection or get_connection(fail_silently=fail_silently)
    mail = EmailMultiAlternatives(
        subject, message, from_email, recipient_list, connection=connection, reply_to=reply_to, headers=headers
    )
    if html_message:
        mail.attach_alternative(html_message, "text/html")
    return mail.send()


# --- Sending through a worker ---------------------------------------------------------------------------------
# Every e-mail is stored as an OutgoingEmail row in the caller's transaction and handed to a Celery task after the
# commit (core.tasks.send_email). The task locks the row and sends only a `queued` one, then marks it `sent`: a
# retried or re-delivered task never sends it twice. Transient faults (the server down, a dropped connection, a 4xx
# reply) are retried with a growing delay; permanent ones (a 5xx refusal, a header Django refuses) are recorded.
# A worker killed after the server accepted a message but before the commit would send it again on re-delivery:
# SMTP offers no way to ask whether a message arrived, so that window (milliseconds) is the one duplicate left.

MAIL_ERRORS = (smtplib.SMTPException, OSError, ValueError)  # ValueError: a header Django refuses to write


def is_transient(error: BaseException) -> bool:
    """True for a fault worth trying again later: no connection, a dropped one, or a 4xx (temporary) reply."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return True
    if isinstance(error, smtplib.SMTPException):
        return False
    return isinstance(error, OSError)  # refused, reset, timed out, name not resolved


def retry_delay(retries: int) -> int:
    """Seconds before the next attempt: MAIL_RETRY_BASE_SECONDS doubling each time, at most an hour, with jitter."""
    base = settings.MAIL_RETRY_BASE_SECONDS * 2**retries
    return int(min(base, 3600) * random.uniform(0.8, 1.2)) or 1


def queue_mail(
    subject: str,
    body: str,
    recipient_list: list[str],
    *,
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict | None = None,
    html_message: str = "",
    key: str = "",
    group: str = "",
    enqueue: bool = True,
):
    """Stores one message and sends it by a task once the current transaction commits (at once outside one).

    `key` names what the message is for (e.g. "survey-reminder:3:15:2026-12-03"): a second call with the same key
    queues nothing. Without one every call is a new message. `enqueue=False` only stores it (the caller's task
    sends it with `deliver`). Returns the OutgoingEmail row.
    """
    from .models import OutgoingEmail

    email, created = OutgoingEmail.objects.get_or_create(
        key=key or f"mail:{uuid.uuid4().hex}",
        defaults={
            "group": group,
            "subject": one_line(subject),
            "body": body,
            "html_body": html_message or "",
            "from_email": from_email or settings.DEFAULT_FROM_EMAIL,
            "to": list(recipient_list),
            "reply_to": list(reply_to or []),
            "headers": dict(headers or {}),
        },
    )
    if created and enqueue:
        transaction.on_commit(lambda: enqueue_mail(email.pk))
    return email


def enqueue_mail(pk: int) -> None:
    from .tasks import send_email

    send_email.delay(pk)


def _message(email, connection) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        email.subject,
        email.body,
        email.from_email,
        email.to,
        reply_to=email.reply_to or None,
        headers=email.headers or None,
        connection=connection,
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def deliver(pk: int, *, connection=None, give_up: bool = False) -> bool | None:
    """Sends the stored message unless it was sent already (or failed for good).

    True: sent (now or before). False: failed for good (a permanent refusal, or a transient fault with `give_up`).
    None: a transient fault, worth another attempt later. With a shared `connection`, a failure closes and reopens
    it for the next message (the server may have dropped it). The row stays locked while the message is sent, so
    two deliveries of the same task cannot both send it.
    """
    from .models import OutgoingEmail

    with transaction.atomic():
        email = OutgoingEmail.objects.select_for_update().filter(pk=pk).first()
        if email is None:
            return False
        if email.status != OutgoingEmail.Status.QUEUED:
            return email.status == OutgoingEmail.Status.SENT
        email.attempts += 1
        try:
            sent = _message(email, connection or get_connection(fail_silently=False)).send(fail_silently=False) == 1
        except MAIL_ERRORS as error:
            logger.warning("e-mail %s not sent (attempt %s): %s", email.pk, email.attempts, error.__class__.__name__)
            if connection is not None:
                with contextlib.suppress(*MAIL_ERRORS):
                    connection.close()
                with contextlib.suppress(*MAIL_ERRORS):
                    connection.open()
            email.last_error = f"{error.__class__.__name__}: {error}"[:200]
            if is_transient(error) and not give_up:
                email.save(update_fields=["attempts", "last_error", "updated_at"])
                return None
            email.status = OutgoingEmail.Status.FAILED
            email.save(update_fields=["attempts", "last_error", "status", "updated_at"])
            return False
        email.status = OutgoingEmail.Status.SENT if sent else OutgoingEmail.Status.FAILED
        email.sent_at = timezone.now() if sent else None
        email.save(update_fields=["attempts", "status", "sent_at", "updated_at"])
        return sent


def mark_failed(pk: int) -> None:
    from .models import OutgoingEmail

    OutgoingEmail.objects.filter(pk=pk, status=OutgoingEmail.Status.QUEUED).update(
        status=OutgoingEmail.Status.FAILED, updated_at=timezone.now()
    )


def purge_sent_mail(*, older_than_days: int) -> int:
    """Deletes stored messages (sent, failed or stuck) older than the retention period; returns how many."""
    from .models import OutgoingEmail

    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _per_model = OutgoingEmail.objects.filter(created_at__lt=cutoff).delete()
    return deleted
