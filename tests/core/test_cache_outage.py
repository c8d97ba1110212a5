"""With the shared cache unreachable the portal keeps serving from the database (core/cache.py, core/README.md).

The cache here is the production configuration (what portal/settings/base.py builds from REDIS_URL) pointed at a
loopback port where nothing listens, so every cache operation meets a refused connection.
"""

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tests.factories import UserFactory

from .test_permissions_table import refusals

PASSWORD = "haslo-testowe-123"

# `cache_down` (tests/cache_servers.py): the production cache configuration on a loopback port that refuses
# connections.


def test_a_cache_operation_is_a_miss_not_an_error(cache_down):
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)  # the real backend, really unreachable
    assert cache.get("anything", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.add("a", 1) is False
    cache.set("a", 1)
    cache.delete("a")
    with pytest.raises(ValueError):  # as for a missing key
        cache.incr("a")


def test_every_public_route_answers_without_a_500_when_the_cache_is_down(client, registry, cache_down):
    failures = refusals(client, registry, "anonymous")
    assert not failures, "\n".join(failures)


def test_every_route_of_a_signed_in_user_answers_without_a_500_when_the_cache_is_down(client, registry, cache_down):
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)  # sessions live in the database, not in the cache
    failures = refusals(client, registry, "signed_in")
    assert not failures, "\n".join(failures)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_log_in_is_refused_with_a_clear_message_when_the_cache_is_down(client, cache_down):
    """Closed, not open: without the cache the failed-log-in limit cannot be counted, so nobody may guess passwords
    unlimited; the visitor is told why in Polish (no 500, no misleading "too many attempts")."""
    user = UserFactory()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "chwilowo niedostępne z powodu awarii technicznej" in html
    assert 'class="skip-link"' in html  # the portal's layout
    # The form's own check (reauthentication and any path that skips the view's limit) says the same.
    from allauth.account.adapter import get_adapter
    from django.core.exceptions import ValidationError
    from django.test import RequestFactory

    with pytest.raises(ValidationError) as refused:
        get_adapter().pre_authenticate(RequestFactory().post("/"), email=user.email, password=PASSWORD)
    assert "Logowanie jest chwilowo niedostępne" in str(refused.value)


@pytest.mark.django_db
def test_api_throttle_is_open_when_the_cache_is_down(client, territory, cache_down):
    """Public reads stay available: the anonymous API rate limit cannot count, so it lets requests through."""
    limited = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "2/min"}}
    with override_settings(REST_FRAMEWORK=limited):
        statuses = [client.get("/api/v1/categories/").status_code for _ in range(5)]
    assert statuses == [200] * 5


@pytest.mark.django_db
def test_public_forms_are_accepted_when_the_cache_is_down(client, cache_down):
    """Their per-address limit is counted in the cache; without it they stay open (core/README.md)."""
    from cooperatives.models import ErrorReport
    from tests.cooperatives.factories import CooperativeFactory

    cooperative = CooperativeFactory()
    url = reverse("selfservice:report-error", args=[cooperative.krs_number])
    with override_settings(PORTAL_PUBLIC_FORM_RATE=(1, 3600)):
        statuses = [client.post(url, {"message": "Telefon jest nieaktualny."}).status_code for _ in range(3)]
    assert statuses == [302] * 3
    assert ErrorReport.objects.count() == 3
