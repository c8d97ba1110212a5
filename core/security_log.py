"""Audit trail of authentication events and refused requests on the "portal.security" logger.

Each record says who (user id and e-mail, or the e-mail typed into the log-in form), when (the log record's time)
and where (client IP, method, path, user agent). Passwords and other secrets never reach these records: only the
e-mail address is taken from submitted credentials.
"""

import logging

from allauth.account import signals as account_signals
from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .cache import is_available as cache_is_available
from .proxies import client_ip

logger = logging.getLogger("portal.security")

USER_AGENT_MAX_LENGTH = 200
LOGIN_UNAVAILABLE_MESSAGE = _(
    "Logowanie jest chwilowo niedostępne z powodu awarii technicznej. Spróbuj ponownie za kilka minut."
)


def request_context(request) -> dict[str, str]:
    """Where the event happened: the client's address as core.proxies.client_ip sees it (X-Forwarded-For only
    through a trusted proxy)."""
    if request is None:
        return {"ip": "-", "method": "-", "path": "-", "user_agent": "-"}
    return {
        "ip": client_ip(request) or "-",
        "method": request.method or "-",
        "path": request.path,
        "user_agent": (request.META.get("HTTP_USER_AGENT", "") or "-")[:USER_AGENT_MAX_LENGTH],
    }


def user_context(user) -> dict[str, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": "-", "email": "-"}
    return {"user_id": str(user.pk), "email": user.email or "-"}


def log_event(event: str, *, request, user=None, email: str | None = None, level: int = logging.INFO, **extra):
    fields = {"event": event, **user_context(user), **request_context(request), **extra}
    if email is not None and fields["email"] == "-":
        fields["email"] = email
    message = " ".join(f'{key}="{_quote(value)}"' for key, value in fields.items())
    logger.log(level, message, extra={"security": fields})


def _quote(value) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def submitted_email(credentials: dict) -> str:
    """The log-in identifier only; every other credential (the password) is left out."""
    value = credentials.get("email") or credentials.get("username") or "-"
    return str(value)[:254]


@receiver(auth_signals.user_logged_in, dispatch_uid="portal_security_logged_in")
def on_logged_in(sender, request, user, **kwargs):
    log_event("login", request=request, user=user)


@receiver(auth_signals.user_logged_out, dispatch_uid="portal_security_logged_out")
def on_logged_out(sender, request, user, **kwargs):
    log_event("logout", request=request, user=user)


@receiver(auth_signals.user_login_failed, dispatch_uid="portal_security_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    log_event("login_failed", request=request, email=submitted_email(credentials), level=logging.WARNING)


@receiver(account_signals.password_changed, dispatch_uid="portal_security_password_changed")
def on_password_changed(sender, request, user, **kwargs):
    log_event("password_changed", request=request, user=user)


@receiver(account_signals.password_set, dispatch_uid="portal_security_password_set")
def on_password_set(sender, request, user, **kwargs):
    log_event("password_set", request=request, user=user)


@receiver(account_signals.password_reset, dispatch_uid="portal_security_password_reset")
def on_password_reset(sender, request, user, **kwargs):
    log_event("password_reset", request=request, user=user)


@receiver(mfa_signals.authentication_failed, dispatch_uid="portal_security_mfa_failed")
def on_mfa_failed(sender, request, user, **kwargs):
    # The user has passed the password step only, so they are named but not yet signed in.
    log_event("mfa_failed", request=request, email=f"{user.pk}:{user.email}", level=logging.WARNING)


class AccountAdapter(DefaultAccountAdapter):
    """allauth's adapter, plus a record when the failed-log-in limit locks an address out, and the client address
    of core.proxies for its per-IP limits.

    The failed-log-in limit is counted in the shared cache. Without the cache it cannot be counted, so log-in is
    refused (closed) with a message saying so, rather than allowing unlimited guessing (core/README.md)."""

    def get_client_ip(self, request) -> str:
        """The address allauth's rate limits count per IP: core.proxies.client_ip, never a client's own header."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def pre_authenticate(self, request, **credentials):
        if not cache_is_available(probe=True):
            log_event(
                "login_refused_cache_unavailable",
                request=request,
                email=submitted_email(credentials),
                level=logging.WARNING,
            )
            raise ValidationError(LOGIN_UNAVAILABLE_MESSAGE, code="login_unavailable")
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            log_event("lockout", request=request, email=submitted_email(credentials), level=logging.WARNING)
            raise
