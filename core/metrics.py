"""Prometheus metrics (django-prometheus) at /metrics, for the monitoring system only (docs/operations.md "Metrics").

The page is a 404, as if it did not exist, unless the request comes from an address in `METRICS_ALLOWED_IPS`
(addresses or CIDR networks; the client address as core.proxies.client_ip sees it, so X-Forwarded-For counts only
through TRUSTED_PROXIES) or carries `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). Both empty
(the default): nobody gets it.

Request metrics come from django-prometheus' middleware (second and last in MIDDLEWARE). Its database and cache
backend wrappers are not used. Tried with the pool: the database wrapper keeps query counts and works, but counts
every checkout from Django's pool as a "new connection" (5 checkouts of one pooled connection: 5) and the
statements Django runs on each checkout as queries, so its numbers mislead; the cache wrapper would replace the
resilient Redis cache (core/cache.py).

With several worker processes set PROMETHEUS_MULTIPROC_DIR (an empty directory, shared by the workers of one
server) so a scrape sums every worker, not the one that answered.
"""

import functools
import hmac
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.views.decorators.cache import never_cache

from .proxies import client_ip


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {entry!r} is not an IP address or network.") from None
    return tuple(networks)


def is_allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "") or ""
    if token:
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode()):
            return True
    networks = _networks(tuple(getattr(settings, "METRICS_ALLOWED_IPS", ())))
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in networks)


@never_cache
def metrics(request):
    if not is_allowed(request):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)
