"""Pages and files with personal or confidential data are sent with `Cache-Control: no-store, private`.

Walks docs/permissions.md: every route not public to anonymous visitors ("no"), requested by ministry staff
(which may see everything), and every route opened from a signed link ("link"), requested anonymously. Public
pages seen anonymously keep their own caching (core/privacy.py).
"""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import resolve
from django.utils import translation
from rest_framework.test import APIClient

from accounts.roles import MINISTRY_STAFF
from tests.factories import UserFactory

from .routes import all_routes, build_path, sample_for
from .test_permissions_table import ADMIN_FAMILY, documented_routes, is_admin

pytestmark = pytest.mark.django_db


def is_private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def routes_marked(*values: str):
    documented = documented_routes()
    for route in all_routes():
        allowed = documented[ADMIN_FAMILY] if is_admin(route) else documented[route.documented_as]
        if allowed in values:
            yield route


def get(client, path):
    response = client.get(path)
    if response.status_code == 405:
        response = client.post(path)
    return response


def test_every_route_not_public_is_private_for_staff(client, registry):
    staff = UserFactory(totp=True)
    staff.groups.add(Group.objects.get(name=MINISTRY_STAFF))
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    client.force_login(staff)
    client.raise_request_exception = False
    sample = sample_for(registry)
    checked, failures = 0, []
    for route in routes_marked("no"):
        path = build_path(route, sample)
        response = get(client, path)
        checked += 1
        if not is_private(response):
            failures.append(f"{path} ({route.name}): {response.status_code}, {response.get('Cache-Control')!r}")
    assert checked > 100  # the panel, monitoring staff pages and microdata, trainings, the API, the admin
    assert not failures, "\n".join(failures)


def test_pages_opened_from_a_signed_link_are_private_for_anyone(client, registry):
    client.raise_request_exception = False
    sample = sample_for(registry)
    links = list(routes_marked("link"))
    assert links
    for route in links:
        path = build_path(route, sample)
        with translation.override(settings.LANGUAGE_CODE):
            assert resolve(path).view_name in settings.PRIVATE_DATA_URL_NAMES, f"{route.name}: list it"
        response = get(client, path)
        assert response.status_code < 500 and is_private(response), (path, response.get("Cache-Control"))


def test_api_responses_for_a_token_user_are_private(registry):
    representative = UserFactory()
    api = APIClient()
    api.force_authenticate(representative)  # DRF authenticates the request itself, as with a token
    response = api.get("/api/v1/responses/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"


def test_public_pages_for_anonymous_visitors_keep_their_caching(client, registry):
    for path in ("/", "/open-data/", "/api/v1/cooperatives/"):
        response = client.get(path)
        assert response.status_code == 200 and not response.has_header("Cache-Control"), path
    response = client.get("/mapa/dane.json", {"bbox": "14,49,24,55", "zoom": "6"})
    assert response.status_code == 200 and response["Cache-Control"] == "public, max-age=60"


def test_a_stricter_header_a_view_set_is_kept(client, registry):
    staff = UserFactory(totp=True, is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    client.force_login(staff)
    response = client.get(f"/{settings.ADMIN_URL}")
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private", "no-cache", "must-revalidate"} <= directives  # the admin's never_cache
