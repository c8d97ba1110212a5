"""A real streaming replica of the test PostgreSQL server, for the replica router's tests (core/db_router.py).

- `replica_server`: a second PostgreSQL cluster, made with `pg_basebackup -R -X stream` from the primary the tests
  use (DATABASE_URL's server), in a temporary directory, on a free loopback port; a hot standby that streams from
  the primary until the end of the session, then stopped and deleted. The primary must accept replication
  connections from 127.0.0.1 (`host replication all 127.0.0.1/32 trust` in pg_hba.conf; .ci/run adds it). The
  binaries come from `pg_config --bindir`, else /usr/lib/postgresql/<n>/bin. Run as root (CI), the cluster runs as
  the `postgres` user, since PostgreSQL refuses to run as root.
- `replica_database`: the primary's test database (created by pytest-django, streamed over), waited for, and
  registered as the "replica" alias exactly as portal/settings/base.py does for DATABASE_REPLICA_URL (a test mirror
  of "default": Django neither creates nor flushes it).

Without PostgreSQL (SQLite) or the tools, or without the replication permission, the tests that use them are skipped
with the reason, except in CI (`CI=true`), where that is a failure.
"""

import copy
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

REPLICA_ALIAS = "replica"
# A hot standby refuses to start with a lower value of these than its primary.
PRIMARY_LIMITS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"the replica tests must run in CI: {reason}")
    pytest.skip(reason)


def _bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = Path(subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip())
        if (found / "pg_basebackup").exists() and (found / "pg_ctl").exists():
            return found
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "pg_basebackup").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_cluster_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run the command as `postgres`."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _primary_value(cursor, query: str):
    cursor.execute(query)
    return cursor.fetchone()[0]


@pytest.fixture(scope="session")
def replica_server(django_db_setup, django_db_blocker):
    """{"HOST", "PORT"} of a running hot standby of the test database's server."""
    primary = connections["default"]
    if primary.vendor != "postgresql":
        _unavailable("the replica tests need PostgreSQL (set DATABASE_URL)")
    bindir = _bindir()
    if bindir is None:
        _unavailable("pg_basebackup / pg_ctl not found (install postgresql, or put pg_config on the PATH)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("running as root, but there is no `postgres` user to run the replica cluster")
    with django_db_blocker.unblock(), primary.cursor() as cursor:
        limits = {name: _primary_value(cursor, f"SHOW {name}") for name in PRIMARY_LIMITS}
    params = primary.settings_dict
    host, primary_port = params["HOST"] or "127.0.0.1", str(params["PORT"] or 5432)
    user = params["USER"] or "postgres"

    workdir = Path(tempfile.mkdtemp(prefix="portal-replica-"))
    data = workdir / "data"
    if os.geteuid() == 0:
        shutil.chown(workdir, "postgres", "postgres")
    port = _free_port()
    started = False
    try:
        backup = subprocess.run(
            _as_cluster_owner(
                [str(bindir / "pg_basebackup"), "-h", host, "-p", primary_port, "-U", user, "-D", str(data)]
                + ["-R", "-X", "stream", "-c", "fast", "--no-sync"]
            ),
            capture_output=True,
            text=True,
            env={**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""},
        )
        if backup.returncode != 0:
            _unavailable(
                "pg_basebackup from the primary failed (does pg_hba.conf allow `host replication all 127.0.0.1/32`?"
                f" .ci/run adds it): {backup.stderr.strip()}"
            )
        # Debian keeps the configuration in /etc, not in the data directory: the replica gets its own.
        overrides = {
            "port": str(port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{workdir}'",
            "hot_standby": "on",
            "fsync": "off",
            "shared_buffers": "'32MB'",
            "logging_collector": "off",
            "hba_file": f"'{data / 'pg_hba.conf'}'",
            "ident_file": f"'{data / 'pg_ident.conf'}'",
            **limits,
        }
        config = "".join(f"{name} = {value}\n" for name, value in overrides.items())
        for name, text in {
            "postgresql.conf": config,
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }.items():
            path = data / name
            with path.open("a") as handle:
                handle.write(text)
            if os.geteuid() == 0:
                shutil.chown(path, "postgres", "postgres")
        start = subprocess.run(
            _as_cluster_owner(
                [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(workdir / "replica.log"), "-w", "-t", "60", "start"]
            ),
            capture_output=True,
            text=True,
        )
        started = start.returncode == 0
        if not started:
            log = (workdir / "replica.log").read_text(errors="replace") if (workdir / "replica.log").exists() else ""
            pytest.fail(f"the replica did not start: {start.stderr.strip()} {log[-2000:]}")
        yield {"HOST": "127.0.0.1", "PORT": str(port)}
    finally:
        if started:
            subprocess.run(
                _as_cluster_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(workdir, ignore_errors=True)


def wait_for_replay(timeout: float = 30.0) -> None:
    """Returns once the replica has replayed everything the primary has written so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    while True:
        with connections[REPLICA_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica did not replay the primary's WAL up to {target} in {timeout} s")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def replica_database(replica_server, django_db_blocker):
    """The "replica" alias: the test database on the replica, as base.py configures DATABASE_REPLICA_URL."""
    settings_dict = copy.deepcopy(connections["default"].settings_dict)
    settings_dict.update(replica_server)
    settings_dict["OPTIONS"].pop("pool", None)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": "default"}
    settings.DATABASES[REPLICA_ALIAS] = settings_dict
    connections.settings[REPLICA_ALIAS] = settings_dict
    try:
        with django_db_blocker.unblock():
            deadline = time.monotonic() + 60
            while True:  # the test database was created on the primary before the base backup, or streams over
                try:
                    connections[REPLICA_ALIAS].ensure_connection()
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    connections[REPLICA_ALIAS].close()
                    time.sleep(0.2)
            wait_for_replay()
        yield REPLICA_ALIAS
    finally:
        with django_db_blocker.unblock():
            connections[REPLICA_ALIAS].close()
        del connections[REPLICA_ALIAS]
        connections.settings.pop(REPLICA_ALIAS, None)
        settings.DATABASES.pop(REPLICA_ALIAS, None)
