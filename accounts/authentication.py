"""DRF authentication by API token (`Authorization: Token <secret>`), with every rule a token must pass.

- unknown, revoked or expired: 401 with a message saying which;
- the owner's role requires TOTP (accounts.roles.requires_two_factor) and they have none: 403, like a session;
- a write (any method but GET, HEAD, OPTIONS) needs the scope the view declares in `token_scope`
  (an `ApiToken.Scope`); a view that declares none accepts no token writes at all: 403.

The scope is checked here rather than in each view's permission classes so that no view can forget it; the refusal
is logged with the token's owner (`api_token_scope_refused`), since DRF forgets the user of a refused
authentication.
"""

import logging

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.permissions import SAFE_METHODS

from core.security_log import log_event

from . import tokens
from .models import ApiToken


class TokenRefused(exceptions.APIException):
    """401 with a `WWW-Authenticate: Token` challenge. DRF turns its own AuthenticationFailed into a 403 unless the
    view's *first* authentication class has a challenge (session authentication, first here, has none), and the
    API answers anonymous clients with 403, so token failures carry their own status and challenge."""

    status_code = 401
    default_code = "authentication_failed"
    auth_header = "Token"


class ApiTokenAuthentication(TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        try:
            result = super().authenticate(request)
        except exceptions.AuthenticationFailed as error:  # a malformed header ("Token" without a secret, …)
            raise TokenRefused(error.detail) from None
        if result is None:
            return None
        user, token = result
        if not tokens.may_hold_tokens(user):
            raise exceptions.PermissionDenied(
                _("Pracownicy i koordynatorzy muszą włączyć uwierzytelnianie dwuskładnikowe (TOTP).")
            )
        if request.method not in SAFE_METHODS:
            view = (getattr(request, "parser_context", None) or {}).get("view")
            scope = getattr(view, "token_scope", None)
            if scope is None or not token.has_scope(scope):
                log_event(
                    "api_token_scope_refused",
                    request=request._request,
                    user=user,
                    level=logging.WARNING,
                    token=token.prefix,
                    needed=scope or "-",
                )
                raise exceptions.PermissionDenied(self._scope_message(scope))
        tokens.note_use(token)
        return user, token

    def authenticate_credentials(self, key):
        token = tokens.find_token(key)
        if token is None:
            raise TokenRefused(_("Nieprawidłowy token."))
        if token.revoked_at is not None:
            raise TokenRefused(
                _("Token został odwołany (%(reason)s).") % {"reason": token.get_revoked_reason_display()}
            )
        if token.is_expired:
            raise TokenRefused(
                _("Token wygasł %(date)s; utwórz nowy w panelu.") % {"date": token.expires_at.date().isoformat()}
            )
        if not token.user.is_active:
            raise TokenRefused(_("Konto właściciela tokenu jest nieaktywne."))
        return token.user, token

    @staticmethod
    def _scope_message(scope) -> str:
        if scope is None:
            return _("Tej operacji nie można wykonać tokenem API.")
        return _("Token nie ma zakresu „%(scope)s” potrzebnego do tej operacji.") % {
            "scope": ApiToken.Scope(scope).label
        }
