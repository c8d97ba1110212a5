"""Staff must protect their accounts with a second factor before they can do anything else."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .roles import requires_two_factor


class RequireStaffTwoFactorMiddleware:
    """Sends staff and coordinators without TOTP to set it up; account pages, static files and the API pass.

    The API is exempt because token clients cannot complete a TOTP set-up; staff tokens are issued only from a
    session that already passed this check.
    """

    exempt_prefixes = ("/static/", "/media/", "/api/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not self._is_exempt(request.path):
            if requires_two_factor(user) and not has_totp(user):
                messages.warning(
                    request,
                    _("Pracownicy i koordynatorzy muszą włączyć uwierzytelnianie dwuskładnikowe (TOTP)."),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _is_exempt(self, path: str) -> bool:
        if path.startswith(self.exempt_prefixes):
            return True
        # Account pages (log-out, 2FA set-up, password) under every language prefix.
        return "/konto/" in path


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
