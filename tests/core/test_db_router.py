"""The replica router (core/db_router.py): public reads on a real streaming replica (tests/replica_server.py), writes
and a writer's next reads on the primary, nothing changed without DATABASE_REPLICA_URL."""

import os
import runpy
import socket
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.db_router import ReplicaRouter
from tests.cooperatives.factories import CooperativeFactory
from tests.replica_server import wait_for_replay

BASE_SETTINGS = Path(settings.BASE_DIR) / "portal" / "settings" / "base.py"
ROUTED = override_settings(DATABASE_ROUTERS=["core.db_router.ReplicaRouter"])


def base_settings(**environment) -> dict:
    with mock.patch.dict(os.environ, environment):
        if "DATABASE_REPLICA_URL" not in environment:
            os.environ.pop("DATABASE_REPLICA_URL", None)
        return runpy.run_path(str(BASE_SETTINGS))


# --- Without a replica, and the configuration --------------------------------------------------------------------


def test_without_the_setting_there_is_no_replica_and_no_router():
    configured = base_settings(DATABASE_URL="postgres://portal@db.internal:5432/portal")
    assert set(configured["DATABASES"]) == {"default"}
    assert configured["DATABASE_ROUTERS"] == []


def test_the_setting_adds_a_replica_with_the_primarys_options_and_the_router():
    configured = base_settings(
        DATABASE_URL="postgres://portal@db.internal:5432/portal",
        DATABASE_REPLICA_URL="postgres://portal@replica.internal:5433/portal",
    )
    replica, primary = configured["DATABASES"]["replica"], configured["DATABASES"]["default"]
    assert (replica["HOST"], replica["PORT"]) == ("replica.internal", 5433)
    assert replica["OPTIONS"] == primary["OPTIONS"]  # the pool, the trigram threshold, the statement timeout
    assert replica["TEST"] == {"MIRROR": "default"}
    assert configured["DATABASE_ROUTERS"] == ["core.db_router.ReplicaRouter"]


def test_migrations_run_only_on_the_primary():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "cooperatives") is True
    assert router.allow_migrate("replica", "cooperatives") is False


@pytest.mark.django_db
def test_without_a_replica_a_write_sets_no_pin_cookie(client, territory):
    cooperative = CooperativeFactory()
    response = client.post(reverse("cooperatives:shortlist-add"), {"krs": cooperative.krs_number})
    assert response.status_code == 302
    assert settings.DATABASE_REPLICA_PIN_COOKIE not in response.cookies


# --- Against a real streaming replica ----------------------------------------------------------------------------

replica_test = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@contextmanager
def replay_paused():
    """The replica stops applying the primary's changes: what is written meanwhile exists only on the primary."""
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with connections["replica"].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


@replica_test
def test_the_replica_is_a_hot_standby_of_the_primary(client, replica_database, territory):
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database()")
        in_recovery, name = cursor.fetchone()
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), current_database()")
        assert cursor.fetchone() == (False, name)
    assert in_recovery is True
    assert client.get("/readyz").json()["replica"] == "ok"
    assert connections["replica"].settings_dict["PORT"] != connections["default"].settings_dict["PORT"]
    cooperative = CooperativeFactory(name="Spółdzielnia Socjalna Strumień")
    wait_for_replay()
    with connections["replica"].cursor() as cursor:
        cursor.execute("SELECT name FROM cooperatives_cooperative WHERE krs_number = %s", [cooperative.krs_number])
        assert cursor.fetchone() == ("Spółdzielnia Socjalna Strumień",)


@replica_test
@ROUTED
def test_public_reads_land_on_the_replica(client, replica_database, territory):
    cooperative = CooperativeFactory()
    wait_for_replay()
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get(reverse("cooperatives:detail", args=[cooperative.krs_number])).status_code == 200
        assert client.get(f"/api/v1/cooperatives/{cooperative.krs_number}/").json()["name"] == cooperative.name
    assert any("cooperatives_cooperative" in query["sql"] for query in on_replica.captured_queries)

    with replay_paused():
        newer = CooperativeFactory()  # on the primary only, for now
        assert client.get(reverse("cooperatives:detail", args=[newer.krs_number])).status_code == 404
        assert client.get(f"/api/v1/cooperatives/{newer.krs_number}/").status_code == 404
    wait_for_replay()
    assert client.get(reverse("cooperatives:detail", args=[newer.krs_number])).status_code == 200


@replica_test
@ROUTED
def test_after_a_write_the_same_client_reads_the_primary_and_another_client_the_replica(
    client, django_app_client_factory, replica_database, territory
):
    other = django_app_client_factory()
    with replay_paused():
        cooperative = CooperativeFactory()  # not on the replica yet
        detail = reverse("cooperatives:detail", args=[cooperative.krs_number])
        assert client.get(detail).status_code == 404  # the replica

        # A write (the shortlist is kept in the database session): the response pins this client to the primary.
        response = client.post(reverse("cooperatives:shortlist-add"), {"krs": cooperative.krs_number})
        assert response.status_code == 302
        pin = response.cookies[settings.DATABASE_REPLICA_PIN_COOKIE]
        assert pin["max-age"] == settings.DATABASE_REPLICA_PIN_SECONDS

        with CaptureQueriesContext(connections["replica"]) as on_replica:
            assert client.get(detail).status_code == 200  # the primary: it sees its own write's world
            assert client.get(f"/api/v1/cooperatives/{cooperative.krs_number}/").status_code == 200
        assert on_replica.captured_queries == []

        assert other.get(detail).status_code == 404  # everybody else still reads the replica


@replica_test
@ROUTED
def test_a_forged_pin_cookie_is_ignored(client, replica_database, territory):
    with replay_paused():
        cooperative = CooperativeFactory()
        client.cookies[settings.DATABASE_REPLICA_PIN_COOKIE] = "1"
        assert client.get(reverse("cooperatives:detail", args=[cooperative.krs_number])).status_code == 404


@replica_test
@ROUTED
def test_unsafe_methods_and_authenticated_api_requests_use_only_the_primary(client, replica_database, territory):
    from tests.factories import UserFactory, api_token_header

    with replay_paused():
        cooperative = CooperativeFactory()
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            client.post(reverse("cooperatives:shortlist-add"), {"krs": cooperative.krs_number})
        assert on_replica.captured_queries == []
        token = api_token_header(UserFactory())
        fresh = django_test_client()
        response = fresh.get(f"/api/v1/cooperatives/{cooperative.krs_number}/", HTTP_AUTHORIZATION=token)
        assert response.status_code == 200


def django_test_client():
    from django.test import Client

    return Client()


@pytest.fixture
def django_app_client_factory():
    return django_test_client


@replica_test
def test_the_replica_down_is_degraded_in_readyz(client, replica_database):
    """Shared by every server, like the cache; the operator unsets DATABASE_REPLICA_URL (docs/operations.md)."""
    replica = connections["replica"]
    port = replica.settings_dict["PORT"]
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))  # bound, never listening: connections are refused
        replica.close()
        replica.settings_dict["PORT"] = str(holder.getsockname()[1])
        try:
            response = client.get("/readyz")
        finally:
            replica.close()
            replica.settings_dict["PORT"] = port
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["replica"], body["failing"]) == ("degraded", "unavailable", ["replica"])
    assert client.get("/readyz").json()["replica"] == "ok"
