"""Reads of public pages and the anonymous API on a streaming replica, everything else on the primary.

Only when `DATABASE_REPLICA_URL` is set (portal/settings/base.py adds the "replica" alias, this router and nothing
else); without it every query goes to "default", as before. The rules:

- `ReplicaMiddleware` decides once per request, in process_view, whether the request *may* read from the replica:
  a safe method (GET, HEAD, OPTIONS), a view named in `DATABASE_REPLICA_VIEWS` (the public catalogue, offers, map,
  open data, public statistics) or the API without credentials (no Authorization header), and no pin (below).
- `ReplicaRouter.db_for_read` sends such a request's reads to "replica", except models of `PRIMARY_ONLY_APPS`
  (sessions, users, log-in state: a replica behind by a second must never sign anybody out). Outside a request
  (management commands, Celery tasks) everything is on the primary.
- Every write goes to the primary, and once a request has written, its later reads do too.
- Read-your-writes across requests: the response to a non-safe method, or to any request that wrote, sets a signed
  cookie (`DATABASE_REPLICA_PIN_COOKIE`, signed with SECRET_KEY, so every app server honours it) that keeps the
  client on the primary for `DATABASE_REPLICA_PIN_SECONDS`, longer than the replica's lag should ever be. Another
  client keeps reading the replica. An API client that wants to read its own writes at once keeps the cookie, or
  sends its token (authenticated API requests never use the replica).
- Migrations run only on the primary (the replica receives them by streaming).

Tests: tests/core/test_db_router.py, against a real streaming replica (tests/replica_server.py).
"""

import contextvars
import fnmatch
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA_ALIAS = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "accounts", "account", "mfa", "admin", "socialaccount"})
PIN_SALT = "core.db_router.pin"


@dataclass
class _RequestState:
    replica_allowed: bool = False
    wrote: bool = False


_state: contextvars.ContextVar[_RequestState | None] = contextvars.ContextVar("portal_db_state", default=None)


def replica_configured() -> bool:
    return REPLICA_ALIAS in connections.settings


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        state = _state.get()
        if state is None or not state.replica_allowed or state.wrote:
            return DEFAULT_DB_ALIAS
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return REPLICA_ALIAS

    def db_for_write(self, model, **hints):
        state = _state.get()
        if state is not None:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def is_pinned(request) -> bool:
    value = request.get_signed_cookie(
        settings.DATABASE_REPLICA_PIN_COOKIE,
        default=None,
        salt=PIN_SALT,
        max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
    )
    return value is not None


def _view_may_use_replica(request) -> bool:
    if request.path_info.startswith("/api/"):
        return "HTTP_AUTHORIZATION" not in request.META
    match = request.resolver_match
    name = match.view_name if match else ""
    return any(fnmatch.fnmatchcase(name, pattern) for pattern in settings.DATABASE_REPLICA_VIEWS)


class ReplicaMiddleware:
    """Sets the request's routing state (see the module's docstring) and the read-your-writes pin. Does nothing
    without a replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        state = _RequestState()
        token = _state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _state.reset(token)
        if request.method not in SAFE_METHODS or state.wrote:
            response.set_signed_cookie(
                settings.DATABASE_REPLICA_PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        state = _state.get()
        if state is not None:
            state.replica_allowed = (
                request.method in SAFE_METHODS and _view_may_use_replica(request) and not is_pinned(request)
            )
        return None
