"""Tasks of the core app: sending one stored e-mail, and deleting old stored ones (core/mail.py)."""

from celery import shared_task
from django.conf import settings

from . import mail


@shared_task(bind=True, max_retries=None, acks_late=True)
def send_email(self, pk: int) -> str:
    """Sends the OutgoingEmail `pk` once: a transient fault is retried with a growing delay (MAIL_MAX_RETRIES times),
    then the message is recorded as failed. Eagerly (no broker) there is no waiting: one attempt."""
    give_up = self.request.is_eager or self.request.retries >= settings.MAIL_MAX_RETRIES
    outcome = mail.deliver(pk, give_up=give_up)
    if outcome is None:
        raise self.retry(countdown=mail.retry_delay(self.request.retries))
    return "sent" if outcome else "failed"


@shared_task
def purge_stored_mail() -> int:
    return mail.purge_sent_mail(older_than_days=settings.MAIL_RETENTION_DAYS)
