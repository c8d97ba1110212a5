"""Background jobs of the trainings app."""

import datetime

from celery import shared_task
from django.conf import settings

# --- Schedules (helper c1) -----------------------------------------------------------------------------------


@shared_task
def anonymise_participants() -> int:
    """The schedule's run of `manage.py anonymise_participants` (TRAININGS_ANONYMISE_AFTER_YEARS)."""
    from .services import participants_anonymise

    years = settings.TRAININGS_ANONYMISE_AFTER_YEARS
    return participants_anonymise(older_than=datetime.timedelta(days=round(365.25 * years)))


@shared_task
def expire_pending_enrolments() -> int:
    """The schedule's run of `manage.py expire_pending_enrolments` (unconfirmed registrations)."""
    from .services import enrolments_expire_pending

    return enrolments_expire_pending()
