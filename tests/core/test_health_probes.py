"""/healthz (/livez) and /readyz: the process manager's and the load balancer's view of the portal
(docs/operations.md). Each failing part is a real failure: a closed port, a missing migration, an unusable
directory."""

import os
import runpy
import socket
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import override_settings

from core import health

pytestmark = pytest.mark.django_db

READY = {
    "status": "ok",
    "database": "ok",
    "migrations": "ok",
    "cache": "ok",
    "broker": "eager",
    "storage": "ok",
    "failing": [],
}


@pytest.fixture(autouse=True)
def _fresh_migration_check():
    health.reset()
    yield
    health.reset()


@pytest.fixture
def closed_port():
    """A loopback port that refuses connections (bound, never listening)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        yield holder.getsockname()[1]


@pytest.mark.parametrize("path", ["/healthz", "/livez"])
def test_liveness_touches_neither_the_database_nor_the_cache(client, django_assert_num_queries, path):
    with django_assert_num_queries(0), mock.patch("core.cache.is_available", side_effect=AssertionError):
        response = client.get(path)
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_ready_when_every_part_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == READY
    assert "no-cache" in response["Cache-Control"]


def test_the_cache_down_is_degraded_but_still_ready(client, cache_down):
    """Pages are then computed from the database: slower but served, so the server stays in rotation."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {**READY, "status": "degraded", "cache": "unavailable", "failing": ["cache"]}


def test_a_reachable_broker_is_ok(client, redis_server):
    with override_settings(CELERY_BROKER_URL=redis_server, CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/readyz")
    assert response.json() == {**READY, "broker": "ok"}


def test_the_broker_down_is_degraded_and_named_without_its_address(client, closed_port, caplog):
    broker_url = f"redis://:secret-password@127.0.0.1:{closed_port}/0"
    with override_settings(CELERY_BROKER_URL=broker_url, CELERY_TASK_ALWAYS_EAGER=False):
        response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {**READY, "status": "degraded", "broker": "unavailable", "failing": ["broker"]}
    assert b"secret-password" not in response.content and str(closed_port).encode() not in response.content
    assert "Celery broker unreachable" in caplog.text and "secret-password" not in caplog.text


def test_a_migration_not_applied_is_not_ready_until_it_is(client):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'cooperatives' AND name = "
            "(SELECT MAX(name) FROM django_migrations WHERE app = 'cooperatives')"
        )
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {**READY, "status": "unavailable", "migrations": "pending", "failing": ["migrations"]}


def test_the_migration_check_is_kept_once_everything_is_applied(client):
    assert client.get("/readyz").json()["migrations"] == "ok"
    with mock.patch("django.db.migrations.executor.MigrationExecutor", side_effect=AssertionError):
        assert client.get("/readyz").json()["migrations"] == "ok"  # not computed again


def test_unusable_storage_is_not_ready(client, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the media directory should be")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": blocker / "m"}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {**READY, "status": "unavailable", "storage": "unavailable", "failing": ["storage"]}
    assert str(tmp_path).encode() not in response.content


def test_the_database_down_is_not_ready(client):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    with mock.patch.object(connections["default"], "cursor", refuse):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        **READY,
        "status": "unavailable",
        "database": "unavailable",
        "migrations": "unknown",
        "failing": ["database"],
    }


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
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 301
