"""Hostile query strings on every route of the portal (pages, files, the admin, the API, OAI-PMH): never a 5xx, with
the production cache (Redis) up and down.

Each route (tests/core/routes.py builds a concrete URL for every pattern) is requested once per hostile query below,
in which every parameter name any view or FilterSet reads carries the same hostile value: a NUL character, other
control characters, a superscript digit (`str.isdigit` accepts it, `int` does not), an integer longer than Python
converts, an overlong value, repeated parameters, and percent-escapes that are not UTF-8 (in names and values).
Anonymously (Redis up and down), and as a superuser (with TOTP), who may open every page, the admin included.
"""

from urllib.parse import quote

import django_filters
import pytest
from django.conf import settings
from django.urls import resolve
from django.utils import translation

from monitoring.filters import StatisticsQueryForm
from tests.factories import UserFactory
from trainings.forms import CertificateLookupForm, ReportForm

from .routes import all_routes, build_path, sample_for

pytestmark = pytest.mark.e2e

# Read from request.GET by views directly (besides the FilterSets' and forms' fields collected below).
DIRECT_PARAMETERS = {
    "page", "page_size", "np_page", "format", "view", "krs", "q", "wojewodztwo", "serves", "next", "numer",
    "verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken",  # OAI-PMH
    "o", "p", "e", "_changelist_filters", "_popup", "_to_field", "all",  # the admin's change lists
}  # fmt: skip


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def parameter_names() -> list[str]:
    names = set(DIRECT_PARAMETERS)
    for filterset in _subclasses(django_filters.FilterSet):
        if filterset.__module__.split(".")[0] in {"cooperatives", "monitoring", "publications", "trainings"}:
            names.update(filterset.base_filters)
    for form in (StatisticsQueryForm, CertificateLookupForm, ReportForm):
        names.update(form.base_fields)
    return sorted(names)


def _query(names, value: str) -> str:
    return "&".join(f"{quote(name)}={quote(value)}" for name in names)


def hostile_queries(names) -> dict[str, str]:
    """Name of the case -> a raw query string."""
    return {
        "NUL": _query(names, "1\x00"),
        "control characters": _query(names, "\x01\x0b\x1b\x7f\x85\u2028x"),
        "superscript digit": _query(names, "²"),
        "huge integer": _query(names, "9" * 5000),  # past Python's 4300-digit limit on int(str)
        "overlong value": _query(names, "ą" * 3000),
        "repeated parameters": "&".join(f"{_query(names, '1')}&{_query(names, v)}" for v in ("²", "-1e309")),
        "bad UTF-8 in values": "&".join(f"{quote(name)}=%FF%FE%C3%28%ED%A0%80%C0%80" for name in names),
        "bad UTF-8 in names": "%FF%FE=1&%C0%80=1&%ED%A0%80=1&%00=1&%C2%B2=1&" + _query(names, "1"),
    }


def server_errors(client, objects, *, admin: bool) -> tuple[list[str], int]:
    client.raise_request_exception = False  # a 500 is collected with the others
    sample = sample_for(objects)
    queries = hostile_queries(parameter_names())
    failures, sent = [], 0
    for route in all_routes():
        if route.pattern.startswith(settings.ADMIN_URL) and not admin:
            continue  # anonymous: the admin's log-in redirect, whatever the query
        path = build_path(route, sample)
        with translation.override(settings.LANGUAGE_CODE):
            assert resolve(path).func == route.callback, path
        for case, query in queries.items():
            response = client.get(f"{path}?{query}")
            sent += 1
            if response.status_code >= 500:
                failures.append(f"{path} ({case}): {response.status_code}")
    return failures, sent


@pytest.fixture
def superuser(client):
    user = UserFactory(is_staff=True, is_superuser=True)  # with an activated TOTP authenticator
    client.force_login(user)
    return user


@pytest.mark.parametrize("cache", ["cache_up", "cache_down"])
def test_hostile_query_strings_on_every_route_anonymously(client, registry, cache, request):
    request.getfixturevalue(cache)
    failures, sent = server_errors(client, registry, admin=False)
    assert sent > 1000
    assert not failures, "\n".join(failures)


def test_hostile_query_strings_on_every_route_as_a_superuser(client, registry, superuser, cache_up):
    """With Redis up only (CI time): signed-in routes with the cache down are walked by test_cache_outage.py."""
    failures, sent = server_errors(client, registry, admin=True)
    assert sent > 2500
    assert not failures, "\n".join(failures)
