"""Which address a request comes from: proxy headers count only when the direct peer is a configured proxy.

`TRUSTED_PROXIES` (env, comma-separated addresses or CIDR networks; default empty: trust nobody) names the reverse
proxies and load balancers in front of the portal. `core.middleware.TrustedProxyMiddleware` removes every
`X-Forwarded-*` / `Forwarded` header of a request whose peer (REMOTE_ADDR) is not one of them, before anything reads
them, so Django's SECURE_PROXY_SSL_HEADER (the scheme) only believes a trusted proxy. `client_ip(request)` is the one
answer to "who is this client" for the API throttle, allauth's rate limits, the public forms' limit and the security
log.
"""

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
PROXY_HEADER_PREFIXES = ("HTTP_X_FORWARDED_", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


@functools.lru_cache(maxsize=8)
def _parse(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network (CIDR), e.g. 10.0.0.5 or 10.0.0.0/24."
            ) from None
    return tuple(networks)


def trusted_networks() -> tuple[Network, ...]:
    """The configured proxies; an invalid entry is an ImproperlyConfigured error."""
    return _parse(tuple(getattr(settings, "TRUSTED_PROXIES", ())))


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    parsed = _address(address or "")
    return parsed is not None and any(parsed in network for network in trusted_networks())


def client_ip(request) -> str:
    """REMOTE_ADDR, unless it is a trusted proxy: then the nearest address in X-Forwarded-For that is not one.

    X-Forwarded-For is read from the right, where each trusted proxy appended the address it was connected from;
    anything left of the first untrusted address was written by the client and is ignored. A malformed entry ends
    the walk at the last trusted hop."""
    peer = request.META.get("REMOTE_ADDR", "") or ""
    if not is_trusted_proxy(peer):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    nearest = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return nearest
        if not any(address in network for network in trusted_networks()):
            return str(address)
        nearest = str(address)
    return nearest


def strip_untrusted_proxy_headers(request) -> None:
    """Drop the proxy headers of a request that did not come through a trusted proxy (a client can send them)."""
    if is_trusted_proxy(request.META.get("REMOTE_ADDR", "")):
        return
    for key in [key for key in request.META if key.startswith(PROXY_HEADER_PREFIXES)]:
        del request.META[key]
