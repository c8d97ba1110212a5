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
