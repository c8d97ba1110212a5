"""The anonymous rate limit of the API: a 429 with Retry-After, following the current settings."""

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db

THREE_PER_MINUTE = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/min"}}


@override_settings(REST_FRAMEWORK=THREE_PER_MINUTE)
def test_anonymous_clients_are_rate_limited_with_retry_after(client, territory):
    for _ in range(3):
        assert client.get("/api/v1/categories/").status_code == 200
    response = client.get("/api/v1/categories/")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert 0 < int(response["Retry-After"]) <= 60
    assert "detail" in response.json()
    # Detail pages and other resources share the client's budget.
    assert client.get("/api/v1/territorial-units/02/").status_code == 429
    # Another client has its own budget.
    assert client.get("/api/v1/categories/", REMOTE_ADDR="192.0.2.10").status_code == 200


def test_the_test_settings_leave_normal_use_unthrottled(client, territory):
    for _ in range(10):
        assert client.get("/api/v1/categories/").status_code == 200
