"""Gunicorn settings of one app server (`gunicorn -c deploy/gunicorn.conf.py portal.wsgi`); docs/deployment.md.

Every value can be overridden from the environment (GUNICORN_*), so the systemd unit and the tests use this file
as it is.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    """An integer from the environment; unset or empty: the default."""
    return int(os.environ.get(name) or default)


# Loopback by default: nginx on the same machine. Several machines: the app server's private address.
bind = os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"
# Synchronous workers, 2 per core + 1 (the portal's requests wait on PostgreSQL, rarely on the CPU alone). Each
# worker holds its own database pool (DB_POOL_MAX_SIZE): workers x servers x pool must fit max_connections.
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# Above DATABASE_STATEMENT_TIMEOUT_MS (15 s): a slow page ends as the portal's 503 page, not a killed worker.
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle workers now and then, so a slow leak never grows without bound; jitter keeps them from restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Bodies are bounded by Django (DATA_UPLOAD_MAX_MEMORY_SIZE) and nginx (client_max_body_size); headers here.
limit_request_line = 8190
limit_request_fields = 100
# Proxy headers are judged by the portal alone (TRUSTED_PROXIES, core.middleware.TrustedProxyMiddleware): gunicorn
# believes none, so there is one list of trusted proxies to keep right, not two.
forwarded_allow_ips = ""
# Logs to stdout/stderr (journald under systemd). The access log carries nginx's X-Request-ID, so one request can
# be followed from nginx's log to the app server's.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or "-"
errorlog = os.environ.get("GUNICORN_ERROR_LOG") or "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL") or "info"
access_log_format = (
    '%({x-forwarded-for}i)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s" request_id=%({x-request-id}i)s pid=%(p)s'
)
# The application is loaded in each worker (not the master): a graceful reload (SIGHUP) picks up new code.
preload_app = False
