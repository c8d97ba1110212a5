"""Response headers Django has no setting for, and the audit record of refused requests."""

import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from .database import is_statement_timeout
from .proxies import strip_untrusted_proxy_headers, trusted_networks
from .security_log import log_event

REFUSED_STATUSES = {401: "unauthenticated", 403: "forbidden"}


class TrustedProxyMiddleware:
    """First in the chain: X-Forwarded-* and Forwarded headers survive only from a proxy named in TRUSTED_PROXIES,
    so nothing after it (SECURE_PROXY_SSL_HEADER, core.proxies.client_ip) believes a client's own claims."""

    def __init__(self, get_response):
        trusted_networks()  # a malformed TRUSTED_PROXIES stops start-up, not the first request
        self.get_response = get_response

    def __call__(self, request):
        strip_untrusted_proxy_headers(request)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Turns off browser features the portal never uses, so injected code cannot use them either."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy:
            response.headers.setdefault("Permissions-Policy", policy)
        return response


class RefusedAccessLogMiddleware:
    """Logs every 401 and 403 answer to "portal.security": PermissionDenied, CSRF failures, DRF refusals and the
    staff two-factor check all end up as such a response, whoever produced it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        event = REFUSED_STATUSES.get(response.status_code)
        if event:
            log_event(
                f"access_refused_{event}",
                request=request,
                user=getattr(request, "user", None),
                level=logging.WARNING,
                status=response.status_code,
            )
        return response


class RejectNulInApiParametersMiddleware:
    """A NUL byte in an API query parameter is a 400 with a message per parameter.

    PostgreSQL refuses NUL in text, so such a value would otherwise surface as a database error (a 500) in whichever
    filter passes it on. Pages validate their own forms and answer with their own error summaries.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            bad = sorted({key for key, value in request.GET.lists() for v in [key, *value] if "\x00" in v})
            if bad:
                from django.http import JsonResponse

                message = "Wartość zawiera niedozwolony znak NUL."
                return JsonResponse({name.replace("\x00", "") or "parametr": [message] for name in bad}, status=400)
        return self.get_response(request)


class StatementTimeoutMiddleware:
    """A query cancelled by the statement timeout (core/database.py) is a 503 that says the page took too long,
    logged on "core.database" with the path: a styled page, JSON under /api/. Never a 500."""

    RETRY_AFTER_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_statement_timeout(exception):
            return None
        logging.getLogger("core.database").error(
            "Statement timeout: %s %s was cancelled after DATABASE_STATEMENT_TIMEOUT_MS=%s",
            request.method,
            request.path,
            settings.DATABASE_STATEMENT_TIMEOUT_MS,
        )
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"detail": _("Zapytanie trwało zbyt długo i zostało przerwane. Spróbuj ponownie za chwilę.")},
                status=503,
            )
        else:
            # Without the request: no context processor touches the database that has just proved slow.
            response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
