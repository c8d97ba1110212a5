"""Staff must protect their accounts with a second factor before they can do anything else."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .roles import requires_two_factor


class RequireStaffTwoFactorMiddleware:
    """Sends staff and coordinators without TOTP to set it up; account pages and static files pass.

    A session on the API gets a JSON 403 instead of a redirect. Token clients are not seen here (DRF authenticates
    them later), and tokens are issued only from a panel page, which is behind this check.
    """

    exempt_prefixes = ("/static/", "/media/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._is_exempt(request.path):
            if requires_two_factor(user) and not has_totp(user):
                message = _("Pracownicy i koordynatorzy muszą włączyć uwierzytelnianie dwuskładnikowe (TOTP).")
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                messages.warning(request, message)
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _is_exempt(self, path: str) -> bool:
        # Account pages (log-out, 2FA set-up, password) under every language prefix.
        return path.startswith(self.exempt_prefixes) or "/konto/" in path


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
