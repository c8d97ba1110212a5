"""Planner statistics after bulk loads: core.database.analyze, called by bootstrap and every seeding command."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cooperatives.models import Cooperative
from core.database import analyze
from tests.cooperatives.factories import CooperativeFactory

pytestmark = pytest.mark.django_db


def analyzed_tables(queries) -> set[str]:
    """The tables named by the ANALYZE statements among `queries` ("*" for a bare ANALYZE of everything)."""
    tables = set()
    for query in queries:
        sql = query["sql"].strip()
        if sql.upper().startswith("ANALYZE"):
            names = sql[len("ANALYZE") :].replace('"', "").split(",")
            tables |= {name.strip() for name in names if name.strip()} or {"*"}
    return tables


def test_analyze_names_the_tables_of_a_model_and_its_many_to_many_links():
    with CaptureQueriesContext(connection) as queries:
        analyze(Cooperative)
    assert {"cooperatives_cooperative", "cooperatives_cooperative_target_groups"} <= analyzed_tables(queries)


def test_analyze_an_app_or_everything():
    with CaptureQueriesContext(connection) as queries:
        analyze("publications")
    tables = analyzed_tables(queries)
    assert "publications_publication" in tables
    assert all(table.startswith("publications_") for table in tables)
    with CaptureQueriesContext(connection) as queries:
        analyze()
    assert analyzed_tables(queries) == {"*"}


def test_analyze_gives_the_planner_the_real_row_count(postgresql_only):
    CooperativeFactory.create_batch(3)
    analyze(Cooperative)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'cooperatives_cooperative'")
        assert cursor.fetchone()[0] == 3


@pytest.mark.parametrize(
    ("command", "arguments", "table"),
    [
        ("seed_demo", ["--scale", "5", "--no-progress"], "cooperatives_cooperative"),
        ("seed_publications", [], "publications_publication"),
        ("seed_trainings", [], "trainings_training"),
    ],
)
def test_seeding_commands_analyze_what_they_filled(territory, command, arguments, table):
    with CaptureQueriesContext(connection) as queries:
        call_command(command, *arguments, stdout=io.StringIO())
    assert table in analyzed_tables(queries)


def test_seed_monitoring_analyzes_the_answers(territory):
    call_command("seed_demo", "--scale", "5", "--no-progress", stdout=io.StringIO())
    with CaptureQueriesContext(connection) as queries:
        call_command("seed_monitoring", stdout=io.StringIO())
    assert {"monitoring_response", "monitoring_answer"} <= analyzed_tables(queries)


def test_bootstrap_analyzes_everything_it_loaded_and_nothing_when_it_loaded_nothing(territory, monkeypatch):
    monkeypatch.setattr("cooperatives.management.commands.seed_demo.DEFAULT_SCALE", 5)
    with CaptureQueriesContext(connection) as queries:
        call_command("bootstrap", stdout=io.StringIO())
    assert "*" in analyzed_tables(queries)
    with CaptureQueriesContext(connection) as queries:
        call_command("bootstrap", stdout=io.StringIO())
    assert not analyzed_tables(queries)
