import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.prod")
# Before the settings load: the web process bounds its statements (DATABASE_STATEMENT_TIMEOUT_MS, core/database.py).
os.environ.setdefault("PORTAL_PROCESS", "web")
application = get_wsgi_application()

from portal.celery import log_task_mode  # noqa: E402

log_task_mode()  # once per web process: where background tasks run (eagerly here, without a broker)
