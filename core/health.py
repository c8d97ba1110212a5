"""The readiness checks behind /readyz (core.views.readyz, docs/operations.md "Health probes").

Each check answers "ok" or why not, in a word; none reveals an address, a password or an error text (the probe is
reachable without credentials). Failures are logged on "core.health" with the reason, for the operator.

- database: `SELECT 1` on the primary (and on the replica when DATABASE_REPLICA_URL is set);
- migrations: every migration of the code applied to the database. The migration executor's plan is computed on the
  first probe (it reads the migration files: ~0.1-0.5 s) and, once empty, kept for the life of the process (the code
  cannot change under it); while migrations are pending every probe computes it again, so the server becomes ready
  as soon as `migrate` has run;
- cache: Redis answers a PING (core.cache);
- broker: the Celery broker accepts a connection (1 s timeout), when one is configured ("eager" when tasks run in
  the web process: nothing to reach);
- storage: the default storage is usable: its directory exists (or can be made) and is writable
  (FileSystemStorage), or an `exists()` round trip succeeds (object storage).
"""

import logging
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import DatabaseError, connections

logger = logging.getLogger("core.health")

OK = "ok"
UNAVAILABLE = "unavailable"

_migrations_applied: set[str] = set()  # aliases whose migration plan was found empty


def reset() -> None:
    _migrations_applied.clear()


def database(alias: str = "default") -> str:
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
        return OK
    except DatabaseError as error:
        logger.error("readyz: database %r unreachable: %s", alias, error.__class__.__name__)
        return UNAVAILABLE


def migrations(alias: str = "default") -> str:
    if alias in _migrations_applied:
        return OK
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connections[alias])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return UNAVAILABLE
    if plan:
        logger.error("readyz: %d migration(s) not applied, the first %s", len(plan), plan[0][0])
        return "pending"
    _migrations_applied.add(alias)
    return OK


def cache() -> str:
    from .cache import is_available

    return OK if is_available(probe=True) else UNAVAILABLE


def broker() -> str:
    url = getattr(settings, "CELERY_BROKER_URL", None)
    if not url or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return "eager"
    from kombu import Connection

    try:
        with Connection(
            url,
            connect_timeout=1,
            transport_options={"socket_connect_timeout": 1, "socket_timeout": 1, "max_retries": 0},
        ) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return OK
    except Exception as error:  # noqa: BLE001  (any transport's failure means the same: not reachable)
        logger.error("readyz: Celery broker unreachable: %s", error.__class__.__name__)
        return UNAVAILABLE


def storage() -> str:
    backend = storages["default"]
    try:
        if isinstance(backend, FileSystemStorage):
            location = backend.location
            os.makedirs(location, exist_ok=True)  # as the storage itself does on the first save
            usable = os.path.isdir(location) and os.access(location, os.W_OK | os.X_OK)
            if not usable:
                logger.error("readyz: the default storage's directory is missing or not writable")
                return UNAVAILABLE
        else:
            backend.exists("readyz-probe")
        return OK
    except Exception as error:  # noqa: BLE001  (any backend's failure means the same: not usable)
        logger.error("readyz: the default storage failed: %s", error.__class__.__name__)
        return UNAVAILABLE
