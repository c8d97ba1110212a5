"""Web requests have a statement timeout; a statement it cancels is a logged 503, never a 500 (core/database.py)."""

import logging
import os
import runpy
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from core.database import is_statement_timeout

BASE_SETTINGS = Path(settings.BASE_DIR) / "portal" / "settings" / "base.py"
POSTGRES_URL = "postgres://portal@127.0.0.1:5432/portal"


def _sleep_past_a_tiny_timeout():
    """What the production timeout does to a slow query, in miniature: 50 ms allowed, 2 s asked for."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 50")
        cursor.execute("SELECT pg_sleep(2)")


def slow_page(request):
    _sleep_past_a_tiny_timeout()
    return HttpResponse("never")


class SlowApi(APIView):
    def get(self, request):
        _sleep_past_a_tiny_timeout()
        return Response({})


def broken_page(request):
    raise OperationalError("server closed the connection unexpectedly")


urlpatterns = [
    path("wolna-strona/", slow_page),
    path("api/v1/wolne/", SlowApi.as_view()),
    path("zepsuta-strona/", broken_page),
]


def connection_options(**environment) -> str:
    inherited = {key: value for key, value in os.environ.items() if key != "PORTAL_PROCESS"}
    with mock.patch.dict(os.environ, {**inherited, "DATABASE_URL": POSTGRES_URL, **environment}, clear=True):
        return runpy.run_path(str(BASE_SETTINGS))["DATABASES"]["default"]["OPTIONS"]["options"]


# --- Where the timeout applies ----------------------------------------------------------------------------------


def test_the_web_process_bounds_its_statements_and_other_processes_do_not():
    assert "-c statement_timeout=15000" in connection_options(PORTAL_PROCESS="web")
    assert "statement_timeout" not in connection_options()  # manage.py: commands, imports, migrations
    assert "-c statement_timeout=2500" in connection_options(PORTAL_PROCESS="web", DATABASE_STATEMENT_TIMEOUT_MS="2500")
    assert "statement_timeout" not in connection_options(PORTAL_PROCESS="web", DATABASE_STATEMENT_TIMEOUT_MS="0")
    # The search setting is kept beside it.
    assert "pg_trgm.word_similarity_threshold=0.5" in connection_options(PORTAL_PROCESS="web")


@pytest.mark.parametrize("entry_point", ["portal.wsgi", "portal.asgi"])
def test_the_wsgi_and_asgi_entry_points_are_the_web_process(entry_point):
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "DATABASE_URL": POSTGRES_URL}
    environment.pop("PORTAL_PROCESS", None)
    script = (
        f"import {entry_point}; from django.conf import settings; "
        "print(settings.DATABASES['default']['OPTIONS']['options'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=settings.BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "-c statement_timeout=15000" in result.stdout


# --- What a cancelled statement becomes -------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_cancelled_statement_is_a_logged_503_page_in_polish(postgresql_only, client, caplog):
    caplog.set_level(logging.ERROR, logger="core.database")
    response = client.get("/wolna-strona/")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    html = response.content.decode()
    assert "Strona chwilowo niedostępna" in html
    assert "trwało zbyt długo" in html
    assert '<html lang="pl">' in html
    [record] = [r for r in caplog.records if r.name == "core.database"]
    assert "/wolna-strona/" in record.getMessage()


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_a_cancelled_statement_in_the_api_is_a_json_503(postgresql_only, client):
    response = client.get("/api/v1/wolne/")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert "zbyt długo" in response.json()["detail"]


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_other_database_errors_are_not_passed_off_as_a_timeout(client):
    client.raise_request_exception = False
    assert client.get("/zepsuta-strona/").status_code == 500


def test_is_statement_timeout_follows_the_cause():
    class QueryCanceled(Exception):
        sqlstate = "57014"

    try:
        try:
            raise QueryCanceled("canceling statement due to statement timeout")
        except QueryCanceled as error:
            raise OperationalError("wrapped") from error
    except OperationalError as wrapped:
        assert is_statement_timeout(wrapped)
    assert not is_statement_timeout(OperationalError("connection refused"))
    assert not is_statement_timeout(None)
