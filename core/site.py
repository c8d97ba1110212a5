"""The site's own name and public address: the SITE_NAME and BASE_URL settings, never the host of a request.

E-mails, certificates, OAI-PMH, JSON-LD and exports are read away from the request that made them, and several
app servers behind a proxy each see their own host (127.0.0.1:8121): every absolute link is built here.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def base_url() -> str:
    return settings.BASE_URL.rstrip("/")


def absolute_url(path: str = "/") -> str:
    """`path` (as reverse() or get_absolute_url() give it) under BASE_URL."""
    if not path.startswith("/"):
        path = "/" + path
    return base_url() + path


def rebase_url(url: str) -> str:
    """An absolute URL built from a request's host, moved to BASE_URL (path, query and fragment kept)."""
    bits = urlsplit(url)
    if not bits.scheme and not bits.netloc and not url.startswith("/"):
        return url
    base = urlsplit(base_url())
    return urlunsplit((base.scheme, base.netloc, base.path.rstrip("/") + bits.path, bits.query, bits.fragment))


@dataclass(frozen=True)
class Site:
    """What allauth's e-mail templates read as `current_site` (name and domain), from the settings."""

    name: str
    domain: str


def current_site() -> Site:
    return Site(name=settings.SITE_NAME, domain=urlsplit(base_url()).netloc or base_url())


def email_signature() -> str:
    """The last lines of every e-mail the portal writes: the site's name and address (plain text, no greeting)."""
    return f"--\n{settings.SITE_NAME}\n{absolute_url('/')}"
