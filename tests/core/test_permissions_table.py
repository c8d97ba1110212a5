"""docs/permissions.md lists every route, and every route not marked public there refuses an anonymous visitor.

A new URL pattern or API route fails the first test until it is written into the table with its roles; a route
marked not public fails the second one if it answers an anonymous request with data (or a 500).
"""

import re
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import resolve, reverse
from django.utils import translation

from tests.factories import UserFactory

from .routes import Route, all_routes, build_path, sample_for

TABLE = Path(settings.BASE_DIR) / "docs" / "permissions.md"
ADMIN_FAMILY = "<ADMIN_URL>*"
ROW = re.compile(
    r"^\|\s*`(?P<route>(?:[^`\\]|\\.)+)`\s*\|\s*`[^`]*`\s*\|\s*(?P<anonymous>[a-z]+)\s*\|\s*(?P<signed_in>[a-z]+)\s*\|"
)
ANONYMOUS_VALUES = {"yes", "no", "link"}
SIGNED_IN_VALUES = {"yes", "no", "link", "empty", "organiser"}


def documented_routes(column: str = "anonymous") -> dict[str, str]:
    """Route -> its cell in the column "anonymous" or "signed_in" (a signed-in user without any role)."""
    rows = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match["route"].replace("\\|", "|")] = match[column]
    return rows


def is_admin(route: Route) -> bool:
    return route.pattern.startswith(settings.ADMIN_URL)


def test_every_route_is_in_the_permission_table():
    documented = documented_routes()
    assert set(documented.values()) <= ANONYMOUS_VALUES
    assert set(documented_routes("signed_in").values()) <= SIGNED_IN_VALUES
    routes = all_routes()
    assert len(routes) > 300  # the walk reaches the DRF router, allauth and the admin
    assert any(is_admin(route) for route in routes)
    missing = sorted({r.documented_as for r in routes if not is_admin(r)} - set(documented))
    assert not missing, f"routes missing from docs/permissions.md: {missing}"
    # The admin family is one row, and nobody may use it anonymously.
    assert documented[ADMIN_FAMILY] == "no"
    stale = sorted(set(documented) - {r.documented_as for r in routes} - {ADMIN_FAMILY})
    assert not stale, f"docs/permissions.md lists routes that no longer exist: {stale}"


def refused(client, response, hops: int = 3) -> bool:
    """401/403/404, or redirects that end at a log-in page (the admin's log-out sends to the admin index first)."""
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302 and hops:
        location = response["Location"]
        if location.startswith((reverse("account_login"), reverse("admin:login"))):
            return True
        return refused(client, client.get(location), hops - 1)
    return False


def refusals(client, objects, column: str) -> list[str]:
    """Requests every route whose cell in `column` is "no" (every route at all for anonymous visitors, which may
    change nothing) and returns what was not refused, and every 500."""
    client.raise_request_exception = False  # a 500 is collected as a failure with the others
    documented = documented_routes(column)
    sample = sample_for(objects)
    failures = []
    for route in all_routes():
        path = build_path(route, sample)
        with translation.override(settings.LANGUAGE_CODE):
            resolved = resolve(path)
        assert resolved.func == route.callback, f"{path} does not resolve to {route.pattern}"
        allowed = documented[ADMIN_FAMILY] if is_admin(route) else documented[route.documented_as]
        if column != "anonymous" and allowed != "no":
            continue
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path)
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
        elif allowed == "no" and not refused(client, response):
            failures.append(f"{path} ({route.name}) is refused to {column} but answered {response.status_code}")
    return failures


def test_routes_not_marked_public_refuse_anonymous_visitors(client, registry):
    failures = refusals(client, registry, "anonymous")
    assert not failures, "\n".join(failures)


def test_routes_not_open_to_every_user_refuse_a_user_without_a_role(client, registry):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    failures = refusals(client, registry, "signed_in")
    assert not failures, "\n".join(failures)
    assert client.session["_auth_user_id"] == str(user.pk)  # still signed in: no route logged the user out
