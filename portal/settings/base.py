"""Settings shared by every environment. Environment-specific modules (dev, test, prod) only override.

Everything that differs between machines comes from the environment (see .env.example).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = env("SECRET_KEY")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Reverse proxies / load balancers in front of the portal (addresses or CIDR networks). Only requests whose direct
# peer is one of them may carry X-Forwarded-For / -Proto (core/proxies.py); empty: no proxy header is believed.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "simple_history",
    "csp",
    "django_prometheus",
    "core",
    "accounts",
    "cooperatives",
    "monitoring",
    "publications",
    "trainings",
    "exportjobs",
]

MIDDLEWARE = [
    # First: proxy headers from anyone but a TRUSTED_PROXIES peer are dropped before anything reads them.
    "core.middleware.TrustedProxyMiddleware",
    # Request metrics (core/metrics.py): the Before one next and the After one last, to time the whole chain.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # The request id of every log record (X-Request-ID, core/request_id.py).
    "core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Reads of public pages on DATABASE_REPLICA_URL, the read-your-writes pin (core/db_router.py); idle without one.
    "core.db_router.ReplicaMiddleware",
    "core.middleware.StatementTimeoutMiddleware",
    "core.middleware.RejectNulInApiParametersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.privacy.PrivateDataMiddleware",
    "core.middleware.RefusedAccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequireStaffTwoFactorMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.errors.StyledMethodNotAllowedMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# /metrics (Prometheus) answers only these client addresses / networks, or a request with
# `Authorization: Bearer <METRICS_TOKEN>`; anyone else gets a 404 (core/metrics.py). Both empty: nobody.
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS")
METRICS_TOKEN = env("METRICS_TOKEN", "")

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.portal",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
# PostgreSQL in production and CI (DATABASE_URL). The SQLite default exists only so `make run` works with
# nothing installed; PostgreSQL-only features (full-text search, trigram, unaccent) degrade there.
DATABASE_URL = env("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
# A bound on every statement of a web request (0: none). Only the web process: portal/wsgi.py and portal/asgi.py
# set PORTAL_PROCESS=web before the settings load; management commands (imports, seeding, migrations) are not
# limited. A cancelled statement is a logged 503 (core/database.py, core.middleware.StatementTimeoutMiddleware).
DATABASE_STATEMENT_TIMEOUT_MS = int(env("DATABASE_STATEMENT_TIMEOUT_MS", "15000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Typo tolerance of search: one wrong letter in a 7-letter word scores 0.57 in pg_trgm's word similarity,
    # below the default threshold of 0.6. Set at connection start-up, so it costs no extra round trip; so is the
    # statement timeout.
    connection_options = "-c pg_trgm.word_similarity_threshold=0.5"
    if env("PORTAL_PROCESS") == "web" and DATABASE_STATEMENT_TIMEOUT_MS > 0:
        connection_options += f" -c statement_timeout={DATABASE_STATEMENT_TIMEOUT_MS}"
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = connection_options
    # Django's built-in psycopg 3 connection pool (requires CONN_MAX_AGE = 0).
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": int(env("DB_POOL_MIN_SIZE", "2")),
        "max_size": int(env("DB_POOL_MAX_SIZE", "10")),
        "timeout": 10,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (INCLUDE columns) speed up PostgreSQL's counts at scale; SQLite builds the same indexes
    # without the included columns, which is all the embedded development database needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# A streaming replica of the primary (PostgreSQL hot standby) for the reads of public pages and the anonymous API
# (core/db_router.py, docs/operations.md "Database replica"). Unset: everything on the primary, as before.
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL")
# After a write, the client reads from the primary for this long (a signed cookie), to see its own writes.
DATABASE_REPLICA_PIN_SECONDS = int(env("DATABASE_REPLICA_PIN_SECONDS", "10"))
DATABASE_REPLICA_PIN_COOKIE = "portal_primary"
# Views (URL names, fnmatch patterns) whose GETs may read the replica; the API without credentials always may.
DATABASE_REPLICA_VIEWS = (
    "cooperatives:home",
    "cooperatives:list",
    "cooperatives:detail",
    "cooperatives:offers",
    "cooperatives:offer-detail",
    "cooperatives:map",
    "cooperatives:map-data",
    "cooperatives:open-data*",
    "monitoring:index",
    "monitoring:wave",
    "monitoring:download",
)
DATABASE_ROUTERS = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=0),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        # Tests never create it: it is the primary's test database, streamed.
        "TEST": {"MIRROR": "default"},
    }
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Accounts (django-allauth) ----------------------------------------------------------------------------
# Log-in by e-mail only, mandatory e-mail verification; failed log-ins are rate-limited per e-mail address and per
# client address in the shared cache, which locks an e-mail address out for a while. TOTP is open to everyone and
# required for staff (accounts.middleware). See accounts/README.md.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_PREVENT_ENUMERATION = True
# Failed log-ins: strict per account (5 in 15 minutes locks that address out), tolerant per client address, which
# a whole office or university may share behind one NAT (100 in 15 minutes: no office mistypes that often, and a
# password sprayer gets 400 guesses an hour instead of 600 before). The account's limit comes first: attempts on a
# locked account are refused before they count against the address, so one locked user cannot lock out the office.
# "login" (every log-in request per address, allauth's default 30/m) is raised for the same reason.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("ACCOUNT_LOGIN_FAILED_RATE", "5/15m/key,100/15m/ip"),
    "login": env("ACCOUNT_LOGIN_RATE", "200/m/ip"),
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Records lock-outs on the "portal.security" logger; names the site and builds e-mail links from SITE_NAME and
# BASE_URL (subjects start "[SITE_NAME] "), never from the request's host.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "selfservice:dashboard"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Portal spółdzielni socjalnych"

# --- Cache ----------------------------------------------------------------------------------------------
# Shared state (rate limits, cached counts) must live in a shared cache once there are several app servers.
# The cache is an optimisation: with Redis unreachable core.cache.ResilientRedisCache answers every operation as a
# miss or a no-op, so pages are computed from the database (core/README.md, "When the cache is down"). The short
# socket timeouts bound what one request can lose to a Redis that does not answer.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions in the database, never in the cache alone: a cache outage must not sign everybody out.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Background tasks (Celery) --------------------------------------------------------------------------
# The broker is CELERY_BROKER_URL, else REDIS_URL. Without either, tasks run eagerly inside the process that sends
# them (the embedded default: `make run` needs no broker; portal/celery.py). `make worker` runs a worker and beat.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or REDIS_URL
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL or None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(env("CELERY_TASK_TIME_LIMIT", "1800"))
CELERY_TASK_SOFT_TIME_LIMIT = int(env("CELERY_TASK_SOFT_TIME_LIMIT", "1700"))
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Warsaw"

# E-mail goes through tasks (core/mail.py): a transient fault is retried after MAIL_RETRY_BASE_SECONDS, doubling
# (at most an hour), MAIL_MAX_RETRIES times; stored messages are deleted after MAIL_RETENTION_DAYS.
MAIL_RETRY_BASE_SECONDS = int(env("MAIL_RETRY_BASE_SECONDS", "30"))
MAIL_MAX_RETRIES = int(env("MAIL_MAX_RETRIES", "8"))
MAIL_RETENTION_DAYS = int(env("MAIL_RETENTION_DAYS", "14"))

# Periodic jobs, run by `celery beat` (`make worker` starts one). Each task calls the same service code as the
# management command of the same purpose (docs/operations.md, "Background jobs").
CELERY_BEAT_SCHEDULE = {
    "survey-reminders": {
        "task": "monitoring.tasks.send_survey_reminders",
        "schedule": crontab(minute=0, hour=9, day_of_week="mon"),
    },
    "stale-cooperative-notices": {
        "task": "cooperatives.tasks.notify_stale_cooperatives",
        "schedule": crontab(minute=0, hour=8, day_of_month="1"),
    },
    "inquiry-purge": {"task": "cooperatives.tasks.purge_inquiries", "schedule": crontab(minute=30, hour=3)},
    "participant-anonymisation": {
        "task": "trainings.tasks.anonymise_participants",
        "schedule": crontab(minute=45, hour=3),
    },
    "pending-enrolment-expiry": {"task": "trainings.tasks.expire_pending_enrolments", "schedule": crontab(minute=15)},
    "stored-mail-purge": {"task": "core.tasks.purge_stored_mail", "schedule": crontab(minute=0, hour=4)},
    "expired-export-purge": {"task": "exportjobs.tasks.purge_expired_exports", "schedule": crontab(minute=20)},
}

# --- Internationalisation -------------------------------------------------------------------------------
# Polish is the source language of the portal's texts; English is provided through locale/en.
LANGUAGE_CODE = "pl"
LANGUAGES = [("pl", _("polski")), ("en", _("angielski"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date style per language (portal/formats/<language>/formats.py): "3 grudnia 2026", "3 December 2026".
FORMAT_MODULE_PATH = ["portal.formats"]
TIME_ZONE = "Europe/Warsaw"
USE_I18N = True
USE_TZ = True

# --- Static files and uploads ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))  # collectstatic writes here
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Object storage (docs/deployment.md, core/storage.py): with AWS_STORAGE_BUCKET_NAME set, public uploads go to that
# S3-compatible bucket and private files (personal documents, exports, certificate archives) to
# AWS_PRIVATE_BUCKET_NAME (default: the same bucket) under AWS_PRIVATE_LOCATION, reachable only through signed URLs
# valid PORTAL_SIGNED_URL_SECONDS. Keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (boto3 reads them, or
# an instance role). Without a bucket: local files under MEDIA_ROOT and PRIVATE_MEDIA_ROOT.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", "")
AWS_PRIVATE_BUCKET_NAME = env("AWS_PRIVATE_BUCKET_NAME", "") or AWS_STORAGE_BUCKET_NAME
AWS_PUBLIC_LOCATION = env("AWS_PUBLIC_LOCATION", "")
AWS_PRIVATE_LOCATION = env("AWS_PRIVATE_LOCATION", "private")
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL") or None
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME") or None
AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN") or None
AWS_S3_ADDRESSING_STYLE = env("AWS_S3_ADDRESSING_STYLE") or None
AWS_DEFAULT_ACL = env("AWS_DEFAULT_ACL") or None
AWS_S3_SIGNATURE_VERSION = env("AWS_S3_SIGNATURE_VERSION", "s3v4")
PORTAL_SIGNED_URL_SECONDS = int(env("PORTAL_SIGNED_URL_SECONDS", "300"))


def object_storages(*, public_bucket: str, private_bucket: str) -> dict:
    """The "default" (public) and "private" entries of STORAGES: S3 when a bucket is named, else local files."""
    if not public_bucket:
        return {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "private": {"BACKEND": "core.storage.LocalPrivateStorage"},
        }
    common = {
        "endpoint_url": AWS_S3_ENDPOINT_URL,
        "region_name": AWS_S3_REGION_NAME,
        "addressing_style": AWS_S3_ADDRESSING_STYLE,
        "signature_version": AWS_S3_SIGNATURE_VERSION,
        "file_overwrite": False,
    }
    return {
        "default": {
            "BACKEND": "core.storage.PublicS3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": public_bucket,
                "location": AWS_PUBLIC_LOCATION,
                "custom_domain": AWS_S3_CUSTOM_DOMAIN,
                "querystring_auth": False,
                "default_acl": AWS_DEFAULT_ACL,
            },
        },
        "private": {
            "BACKEND": "core.storage.PrivateS3Storage",
            "OPTIONS": {
                **common,
                "bucket_name": private_bucket,
                "location": AWS_PRIVATE_LOCATION,
                "querystring_auth": True,
                "querystring_expire": PORTAL_SIGNED_URL_SECONDS,
                "default_acl": "private",
            },
        },
    }


STORAGES = {
    **object_storages(public_bucket=AWS_STORAGE_BUCKET_NAME, private_bucket=AWS_PRIVATE_BUCKET_NAME),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Public uploads served at MEDIA_URL by core.media.public_media (only these folders, with a year's immutable cache);
# set PORTAL_SERVE_MEDIA=false when the web server serves them (docs/deployment.md).
PORTAL_SERVE_MEDIA = env_bool("PORTAL_SERVE_MEDIA", True)
PORTAL_PUBLIC_MEDIA_DIRS = ("photos/", "logos/", "publications/covers/")
# Personal documents (representatives' supporting PDFs): outside MEDIA_ROOT, served only by a checked view; a
# system check (portal.E001) stops start-up when the two overlap.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private_media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

# --- E-mail ---------------------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's name and public address, for e-mails, certificates and anything else read outside a request.
SITE_NAME = env("SITE_NAME", "Portal spółdzielni socjalnych")
BASE_URL = env("BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- REST API -------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PortalPageNumberPagination",
    "PAGE_SIZE": 20,
    # Every list's parameters are validated together (a 400 naming each bad one); bodies are JSON only, nested at
    # most PORTAL_API_MAX_JSON_DEPTH levels (core/api.py, core/parsers.py).
    "DEFAULT_FILTER_BACKENDS": ["core.api.ParameterValidatingFilterBackend"],
    "DEFAULT_PARSER_CLASSES": ["core.parsers.DepthLimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "accounts.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("API_ANON_RATE", "120/min")},
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API portalu spółdzielni socjalnych",
    "DESCRIPTION": "Publiczne API rejestru spółdzielni socjalnych, ich ofert i jednostek terytorialnych (TERYT).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.add_error_responses",
    ],
    # Several apps have a "status" field; name each choice set after its model so they never collide.
    "ENUM_NAME_OVERRIDES": {
        "CooperativeStatusEnum": "cooperatives.models.Cooperative.Status",
        # a response's status appears in two components (the response, and the response after a write)
        "ResponseStatusEnum": "monitoring.models.Response.Status",
    },
}

# --- Portal ---------------------------------------------------------------------------------------------
PORTAL_API_MAX_PAGE_SIZE = 100
PORTAL_API_MAX_JSON_DEPTH = 32
# API tokens (accounts/README.md): validity chosen at creation (default, maximum), live tokens per user, and how
# often "last used" is written (seconds).
PORTAL_API_TOKEN_DEFAULT_DAYS = 90
PORTAL_API_TOKEN_MAX_DAYS = 365
PORTAL_API_TOKEN_MAX_ACTIVE = 10
PORTAL_API_TOKEN_USE_RESOLUTION = 300
PORTAL_SEARCH_MAX_LENGTH = 200
# Self-service (cooperatives/README.md): upload limits, link validity, rate limits of the public forms.
PORTAL_IMAGE_MAX_BYTES = 5 * 1024 * 1024
# Judged from the image header before decoding: 24 megapixels and 8,000 px a side take a modern camera's photo but
# bound the memory of decoding one (a 6300 x 6300 PNG of 38 KB used to cost ~400 MB). Stored copies are scaled down.
PORTAL_IMAGE_MAX_PIXELS = 24_000_000
PORTAL_IMAGE_MAX_SIDE = 8_000
PORTAL_IMAGE_MAX_SIDE_STORED = 2_400
PORTAL_DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
PORTAL_REPRESENTATION_LINK_HOURS = 72
PORTAL_PUBLIC_FORM_RATE = (5, 3600)  # submissions per client IP per seconds (error reports, inquiries)
PORTAL_STALE_AFTER_DAYS = 365
PORTAL_INQUIRY_RETENTION_DAYS = 730  # buyers' inquiries hold personal data; purge_inquiries deletes older ones
# The controller of personal data typed into the portal's forms (RODO notices), and how to reach it.
PORTAL_DATA_CONTROLLER = env("PORTAL_DATA_CONTROLLER", "Operator Portalu spółdzielni socjalnych")
PORTAL_DATA_PROTECTION_CONTACT = env("PORTAL_DATA_PROTECTION_CONTACT", "iod@example.org")
# Buyers (cooperatives/reserved.py, cpv.py): a declared share of employees at risk of exclusion older than this
# no longer counts for reserved contracts; the full CPV vocabulary as a CSV file (empty: cooperatives/data/cpv/).
PORTAL_RESERVED_SHARE_MAX_AGE_DAYS = 730
PORTAL_CPV_FILE = env("PORTAL_CPV_FILE", "")

# Background exports (exportjobs/README.md): files larger than these numbers of rows (by format) are built by a
# worker into private storage instead of being sent at once (whole-registry XLSX takes ~100 s: docs/performance.md);
# certificate archives of more than PORTAL_EXPORT_BACKGROUND_CERTIFICATES certificates likewise. A finished file
# stays downloadable PORTAL_EXPORT_FILE_HOURS; purge_expired_exports deletes it then, and forgets expired and failed
# jobs after PORTAL_EXPORT_JOB_DAYS.
PORTAL_EXPORT_BACKGROUND_ROWS = {
    "csv": int(env("PORTAL_EXPORT_BACKGROUND_ROWS_CSV", "250000")),
    "json": int(env("PORTAL_EXPORT_BACKGROUND_ROWS_JSON", "100000")),
    "geojson": int(env("PORTAL_EXPORT_BACKGROUND_ROWS_JSON", "100000")),
    "xlsx": int(env("PORTAL_EXPORT_BACKGROUND_ROWS_XLSX", "10000")),
}
PORTAL_EXPORT_BACKGROUND_CERTIFICATES = int(env("PORTAL_EXPORT_BACKGROUND_CERTIFICATES", "100"))
PORTAL_EXPORT_FILE_HOURS = int(env("PORTAL_EXPORT_FILE_HOURS", "48"))
PORTAL_EXPORT_JOB_DAYS = 30

# Statistical disclosure control (docs/decisions/0005): published sums of fewer cooperatives are hidden; the secret
# key of the cell-key perturbation (prod.py requires it; changing it changes every published number) and the size
# of the noise of sums (a share of a cell's largest contribution) come from the environment.
MONITORING_MIN_CELL_SIZE = 3
MONITORING_PERTURBATION_KEY = env("MONITORING_PERTURBATION_KEY", "development-only-perturbation-key")
MONITORING_PERTURBATION_SCALE = env("MONITORING_PERTURBATION_SCALE", "0.2")

# Trainings (trainings/README.md): how long a registration waits for its e-mail confirmation, and the limit of
# certificate look-ups by number per client IP (submissions, seconds).
TRAININGS_CONFIRMATION_HOURS = 48
# Participants whose trainings all ended this many years ago are anonymised (manage.py anonymise_participants).
TRAININGS_ANONYMISE_AFTER_YEARS = 5
TRAININGS_VERIFY_RATE = (30, 3600)

# LOG_FORMAT=json: one JSON object a line (python-json-logger) for a log collector; default plain text for `make run`.
# Every record carries the request id (core/request_id.py: X-Request-ID, also in Celery tasks a request sent).
LOG_FORMAT = env("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Log-ins, failures, lock-outs, log-outs, password changes and refused requests (core/security_log.py).
        # Its own logger so operators can route it to an audit store; it propagates to the console by default.
        "portal.security": {"level": "INFO"},
    },
}

# --- Security headers -----------------------------------------------------------------------------------
# Content-Security-Policy (django-csp): no inline code anywhere, so templates keep scripts and styles in static
# files. Map tiles come from OpenStreetMap; Swagger UI gets its own view without inline code (core/views.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:", "https://tile.openstreetmap.org"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
PERMISSIONS_POLICY = "geolocation=(), camera=(), microphone=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Pages opened anonymously from a signed link sent by e-mail (or only by the session that sent an inquiry), showing
# personal data: sent with `Cache-Control: no-store, private`, as is every response to a signed-in user
# (core/privacy.py).
PRIVATE_DATA_URL_NAMES = frozenset(
    {
        "account_confirm_email",
        "account_reset_password_from_key",
        "trainings:cancel",
        "trainings:confirm-email",
        "trainings:certificate-download",
        "selfservice:representation-confirm",
        "selfservice:inquiry-result",
        "exportjobs:detail",
        "exportjobs:status",
        "exportjobs:download",
    }
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"  # the portal's page (templates/403_csrf.html), JSON under /api/

# --- Accessibility statement (core/templates: /deklaracja-dostepnosci/) ------------------------------------
# Dates required by the act of 4 April 2019 on digital accessibility; the operator updates them on each review.
ACCESSIBILITY_ENTITY_NAME = env("ACCESSIBILITY_ENTITY_NAME", "Operator Portalu spółdzielni socjalnych")
ACCESSIBILITY_SITE_PUBLISHED = env("ACCESSIBILITY_SITE_PUBLISHED", "2026-11-01")
ACCESSIBILITY_SITE_UPDATED = env("ACCESSIBILITY_SITE_UPDATED", "2026-11-28")
ACCESSIBILITY_STATEMENT_PREPARED = env("ACCESSIBILITY_STATEMENT_PREPARED", "2026-11-28")
ACCESSIBILITY_STATEMENT_REVIEWED = env("ACCESSIBILITY_STATEMENT_REVIEWED", "2026-11-28")
ACCESSIBILITY_CONTACT_NAME = env("ACCESSIBILITY_CONTACT_NAME", "Zespół portalu spółdzielni socjalnych")
ACCESSIBILITY_CONTACT_EMAIL = env("ACCESSIBILITY_CONTACT_EMAIL", "dostepnosc@example.org")
ACCESSIBILITY_CONTACT_PHONE = env("ACCESSIBILITY_CONTACT_PHONE", "+48 22 000 00 00")

# --- Public-body pages (core: contact, privacy, easy-to-read, sign language) -----------------------------------
# Who runs the portal and how to reach it (the contact page; the operator's name is PORTAL_DATA_CONTROLLER). An
# empty address is shown as "to be completed by the operator", never invented.
PORTAL_CONTACT_ADDRESS = env("PORTAL_CONTACT_ADDRESS", "")
PORTAL_CONTACT_EMAIL = env("PORTAL_CONTACT_EMAIL", "kontakt@example.org")
PORTAL_CONTACT_PHONE = env("PORTAL_CONTACT_PHONE", "+48 22 000 00 00")
PORTAL_CONTACT_HOURS = env("PORTAL_CONTACT_HOURS", "poniedziałek–piątek, 8:15–16:15")
# The accessibility coordinator (act of 19 July 2019 on ensuring accessibility); defaults to the statement's contact.
ACCESSIBILITY_COORDINATOR_NAME = env("ACCESSIBILITY_COORDINATOR_NAME", ACCESSIBILITY_CONTACT_NAME)
ACCESSIBILITY_COORDINATOR_EMAIL = env("ACCESSIBILITY_COORDINATOR_EMAIL", ACCESSIBILITY_CONTACT_EMAIL)
# The sign-language (PJM) video of the portal, a URL of a file or page; empty until it is recorded (the page says so).
PORTAL_PJM_VIDEO_URL = env("PORTAL_PJM_VIDEO_URL", "")
# Text size and contrast chosen by the visitor (core/display.py): kept in a cookie for a year.
PORTAL_DISPLAY_COOKIE_AGE = 365 * 24 * 3600

# The admin lives at a configurable path (ADMIN_URL, with a trailing slash).
ADMIN_URL = env("ADMIN_URL", "admin/")
