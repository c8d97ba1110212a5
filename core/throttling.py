"""The API's rate limits. Kept apart from core.api: DRF reads the throttle classes while defining its views."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import throttling
from rest_framework.settings import api_settings

from .proxies import client_ip


class AnonRateThrottle(throttling.AnonRateThrottle):
    """DRF's anonymous throttle, reading its rate when a request comes in, per client address.

    DRF's own class copies the rates once, at import, so a later settings change (another environment's
    override, a test) would silently not apply. Its client is the whole X-Forwarded-For header, which the client
    writes itself (a new value per request passed any limit): here it is core.proxies.client_ip.
    """

    def get_ident(self, request):
        return client_ip(request)

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No default throttle rate set for '{self.scope}' scope") from None
