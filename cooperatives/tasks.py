"""Background jobs of the registry: delivering buyers' inquiries, stale-data reminders and the inquiry purge."""

from celery import shared_task
from django.conf import settings

from core import site
from core.mail import retry_delay

# --- E-mail and schedules (helper c1) --------------------------------------------------------------------------


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_inquiry(self, inquiry_id: int) -> None:
    """Sends an inquiry's queued messages and the buyer's copy; a transient fault is retried with a growing delay
    (MAIL_MAX_RETRIES times), then recorded as a failure. Eagerly (no broker): one attempt, no waiting."""
    from . import services

    give_up = self.request.is_eager or self.request.retries >= settings.MAIL_MAX_RETRIES
    if not services.inquiry_deliver(inquiry_id=inquiry_id, build_url=site.absolute_url, give_up=give_up):
        raise self.retry(countdown=retry_delay(self.request.retries))


@shared_task
def notify_stale_cooperatives() -> int:
    """The schedule's run of `manage.py notify_stale_cooperatives`: at most one reminder per cooperative a day."""
    from . import services
    from .selfservice_selectors import stale_cooperatives

    return services.stale_cooperatives_notify(cooperatives=list(stale_cooperatives()), build_url=site.absolute_url)


@shared_task
def purge_inquiries() -> int:
    """The schedule's run of `manage.py purge_inquiries` (PORTAL_INQUIRY_RETENTION_DAYS)."""
    from . import services

    return services.inquiry_purge(older_than_days=settings.PORTAL_INQUIRY_RETENTION_DAYS)


@shared_task(acks_late=True)
def refresh_category_search(category_id: int) -> int:
    """A category's name or synonyms changed in the admin: the cooperatives offering it are found by the new words.
    Idempotent (the text is recomputed from the offers)."""
    from .search import refresh_category_texts

    return refresh_category_texts(category_id)
