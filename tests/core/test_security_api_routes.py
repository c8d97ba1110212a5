"""Every API route, its ".json" format-suffix variant included, answers ministry staff without a 500.

The router adds a suffix variant of each route; views that did not accept its `format` argument crashed there."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from accounts.roles import MINISTRY_STAFF
from tests.factories import UserFactory

from .routes import all_routes, build_path, sample_for


@pytest.mark.django_db
def test_every_api_route_answers_staff_without_a_server_error(client, registry):
    staff = UserFactory(totp=True)
    staff.groups.add(Group.objects.get(name=MINISTRY_STAFF))
    EmailAddress.objects.create(user=staff, email=staff.email, verified=True, primary=True)
    client.force_login(staff)
    client.raise_request_exception = False
    sample = sample_for(registry)
    api_routes = [route for route in all_routes() if route.pattern.startswith("api/")]
    suffixed = [route for route in api_routes if "format" in route.pattern]
    assert len(suffixed) > 20
    failures = []
    for route in api_routes:
        path = build_path(route, sample)
        response = client.get(path)
        if response.status_code == 405:
            response = client.post(path, {}, content_type="application/json")
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
    assert not failures, "\n".join(failures)
