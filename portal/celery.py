"""The Celery application: long work (imports, big exports, e-mails, schedules) runs on workers.

Configuration comes from Django's settings (the CELERY_ namespace, portal/settings/base.py). Without a broker
(the embedded default of `make run`) tasks run eagerly in the web process; with REDIS_URL or CELERY_BROKER_URL set
they go to the broker and `make worker` runs them. Tasks live in each app's tasks.py and are found by autodiscovery.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def log_task_mode() -> None:
    """Says once, when a web process starts, where its tasks run: eagerly in this process (no broker configured:
    the `make run` default; e-mails and imports then run inside the request) or on workers through the broker."""
    import logging

    from django.conf import settings

    logger = logging.getLogger("portal.celery")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        logger.warning(
            "No Celery broker (REDIS_URL / CELERY_BROKER_URL unset): background tasks (e-mails, imports, "
            "exports) run EAGERLY inside the web process; the schedule (beat) does not run. Set REDIS_URL and "
            "start `make worker` for workers."
        )
    else:
        logger.info("Background tasks go to the broker; `make worker` must be running to execute them.")
