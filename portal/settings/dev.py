"""Local development: DEBUG on, an insecure key, e-mails printed to the console.

Without DATABASE_URL the portal runs on the local SQLite file db.sqlite3 (see README).
"""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env("SECRET_KEY", "django-insecure-development-only-key")  # never used in production
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
