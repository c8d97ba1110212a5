"""Bounds on slow queries, and fresh planner statistics after bulk loads.

Web requests run under a PostgreSQL `statement_timeout` (DATABASE_STATEMENT_TIMEOUT_MS, default 15 s), a
connection option that portal/settings/base.py adds only in the web process (PORTAL_PROCESS=web, set by
portal/wsgi.py and portal/asgi.py before the settings load): management commands and workers are not limited, and
no request pays a round trip for it. A statement cancelled by it raises psycopg's QueryCanceled (wrapped by Django
as OperationalError); `core.middleware.StatementTimeoutMiddleware` turns that into a logged 503 (templates/503.html,
JSON under /api/).

`analyze(...)` refreshes the planner's statistics: the seeding commands, `bootstrap` and the survey import call it
after writing, so a freshly loaded database is never planned as if its tables were empty.
"""

from django.apps import apps
from django.db import connections


def is_statement_timeout(error: BaseException | None) -> bool:
    """Whether `error` (or what caused it) is PostgreSQL cancelling a statement (SQLSTATE 57014)."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if getattr(error, "sqlstate", None) == "57014":
            return True
        error = error.__cause__ or error.__context__
    return False


def _tables(targets) -> list[str]:
    """Each target: an app label (every table of the app) or a model (its table and many-to-many tables)."""
    models = []
    for target in targets:
        if isinstance(target, str):
            models.extend(apps.get_app_config(target).get_models(include_auto_created=True))
        else:
            models.append(target)
            models.extend(field.remote_field.through for field in target._meta.local_many_to_many)
    tables = []
    for model in models:
        if model._meta.managed and not model._meta.proxy and model._meta.db_table not in tables:
            tables.append(model._meta.db_table)
    return tables


def analyze(*targets, using: str = "default") -> None:
    """ANALYZE the tables of the given app labels or models (every table when none is given).

    PostgreSQL otherwise plans a freshly loaded table as nearly empty until autovacuum gets to it (a statistics page
    took over a minute on never-analysed tables); on SQLite it fills sqlite_stat1 the same way."""
    connection = connections[using]
    if connection.vendor not in ("postgresql", "sqlite"):
        return
    tables = [connection.ops.quote_name(table) for table in _tables(targets)]
    if targets and not tables:
        return
    with connection.cursor() as cursor:
        if not targets:
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE " + ", ".join(tables))
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
