"""Test settings: fast hashing, in-memory e-mail and cache, plain static storage.

The database is DATABASE_URL when set (PostgreSQL in CI), else SQLite.
"""

from .base import *  # noqa: F403
from .base import DATABASES, REST_FRAMEWORK

SECRET_KEY = "test-only-secret-key-not-for-production"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests open and close many connections around the test database; a pool only adds latency there.
for _database in DATABASES.values():
    _database.get("OPTIONS", {}).pop("pool", None)
# Rate limits are tested explicitly; elsewhere they must not make the suite order-dependent.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/min"}}
# Serve static files from the finders (no collectstatic before tests) without scanning STATIC_ROOT at start-up.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Links in e-mails and certificates point at the test client's host, so tests can follow them.
BASE_URL = "http://testserver"
# Tasks run eagerly in the test process, whatever the environment says; tests/celery_worker.py starts a real worker
# on Redis where a test needs one.
CELERY_TASK_ALWAYS_EAGER = True
