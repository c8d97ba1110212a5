"""Settings of a worker process started by tests/celery_worker.py: the test settings, on the test session's database
and the test broker, with a mail backend that writes one file per message (so the test process can count them)."""

import os

from portal.settings.test import *  # noqa: F403
from portal.settings.test import DATABASES

DATABASES["default"]["NAME"] = os.environ["WORKER_TEST_DATABASE"]
DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ["WORKER_TEST_DATABASE"]
EMAIL_BACKEND = "tests.celery_worker.FileMailBackend"
CELERY_BROKER_URL = CELERY_RESULT_BACKEND = os.environ["WORKER_BROKER_URL"]
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["WORKER_QUEUE"]
# A message a killed worker had taken comes back to the next worker after this many seconds (Redis transport).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
MAIL_RETRY_BASE_SECONDS = 1
