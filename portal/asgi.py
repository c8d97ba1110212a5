import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.prod")
# Before the settings load: the web process bounds its statements (DATABASE_STATEMENT_TIMEOUT_MS, core/database.py).
os.environ.setdefault("PORTAL_PROCESS", "web")
application = get_asgi_application()
