"""/livez and /readyz: the process manager's and the load balancer's view of the portal (docs/operations.md)."""

import os
import runpy
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_liveness_touches_neither_the_database_nor_the_cache(client, django_assert_num_queries):
    with django_assert_num_queries(0), mock.patch("core.cache.is_available", side_effect=AssertionError):
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_the_database_and_the_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_the_cache_down_is_degraded_but_still_ready(client, cache_down):
    """Pages are then computed from the database: slower but served, so the server stays in rotation."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "unavailable"}


def test_the_database_down_is_not_ready(client):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with mock.patch.object(connections["default"], "cursor", refuse):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable", "cache": "ok"}


def production_setting(name: str):
    """A setting as portal/settings/prod.py defines it (with the variables it requires)."""
    environment = {
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
        "MONITORING_PERTURBATION_KEY": "y" * 32,
    }
    with mock.patch.dict(os.environ, environment):
        return runpy.run_module("portal.settings.prod")[name]


def test_probes_answer_over_plain_http_where_production_redirects_pages_to_https(client):
    exempt = production_setting("SECURE_REDIRECT_EXEMPT")
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=exempt):
        assert client.get("/readyz").status_code == 200
        assert client.get("/livez").status_code == 200
        assert client.get("/").status_code == 301
