"""A request id in every log record of a request, and of the Celery tasks it sends (docs/operations.md "Logs").

- `RequestIdMiddleware` (first in MIDDLEWARE) takes `X-Request-ID` from the request when it is a sane token (8-128
  characters of letters, digits, `.`, `_`, `-`: what nginx's $request_id, a UUID or a load balancer's trace id look
  like), else makes one (32 hex digits); it is returned in the response's `X-Request-ID` header. A value outside the
  rule is never used or logged (no log injection: no newlines, quotes or control characters can reach a record).
- `RequestIdFilter` (on the console handler, portal/settings/base.py LOGGING) puts it in every record as
  `request_id` ("-" outside a request).
- Celery: `before_task_publish` puts the current id in the task message's headers; `task_prerun` sets it for the
  task's run on the worker, `task_postrun` clears it (connected in core.apps.CoreConfig.ready, with Django's
  request_started / request_finished, which clear it around each request).
"""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
TASK_HEADER = "portal_request_id"
_VALID = re.compile(r"[A-Za-z0-9._-]{8,128}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("portal_request_id", default=None)


def get() -> str | None:
    return _current.get()


def is_valid(value: str | None) -> bool:
    return bool(value) and _VALID.fullmatch(value) is not None


def new() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        claimed = request.headers.get(HEADER)
        request_id = claimed if is_valid(claimed) else new()
        request.request_id = request_id
        # Kept until the response is finished (not reset on the way out), so the records Django writes after the
        # middleware chain ("django.request": 4xx/5xx) carry it too; request_started/finished clear it.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def clear(**kwargs) -> None:
    _current.set(None)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get() or "-"
        return True


# --- Celery -------------------------------------------------------------------------------------------------------


def on_before_task_publish(headers=None, **kwargs):
    request_id = _current.get()
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def on_task_prerun(task=None, **kwargs):
    carried = getattr(getattr(task, "request", None), TASK_HEADER, None)
    if is_valid(carried):
        task.request.portal_request_id_token = _current.set(carried)


def on_task_postrun(task=None, **kwargs):
    token = getattr(getattr(task, "request", None), "portal_request_id_token", None)
    if token is not None:
        task.request.portal_request_id_token = None
        try:
            _current.reset(token)
        except ValueError:  # set in another context (a pool that ran the hooks apart): just clear it
            _current.set(None)


def connect_signals() -> None:
    from celery import signals
    from django.core.signals import request_finished, request_started

    request_started.connect(clear, dispatch_uid="core.request_id.started")
    request_finished.connect(clear, dispatch_uid="core.request_id.finished")

    signals.before_task_publish.connect(on_before_task_publish, dispatch_uid="core.request_id.publish")
    signals.task_prerun.connect(on_task_prerun, dispatch_uid="core.request_id.prerun")
    signals.task_postrun.connect(on_task_postrun, dispatch_uid="core.request_id.postrun")
