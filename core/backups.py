"""Backup and restore of the database (PostgreSQL, pg_dump's custom format) and the stored files (MEDIA_ROOT and
PRIVATE_MEDIA_ROOT, one tar), with a manifest of every table's row count and checksum; docs/operations.md.

A backup directory holds:

- `database.dump`: `pg_dump --format=custom` of the same snapshot the manifest's numbers were read from
  (`pg_export_snapshot`), so the restored database can be checked exactly against the manifest;
- `files.tar.gz`: `media/` (MEDIA_ROOT) and `private/` (PRIVATE_MEDIA_ROOT), when the files are stored locally
  (object storage is backed up by its own versioning, docs/deployment.md);
- `manifest.json`: when, which database, and per table its row count and an md5 of its rows in a fixed order.

A restore loads the dump (into the configured database or any other, `database_url`), checks every table against
the manifest, replaces the file roots' contents, runs ANALYZE and clears the cache: the registry version and the
waves' statistics versions (docs/decisions/0003, 0004) go back with the data, so an entry cached after the backup
could otherwise be served again once a counter climbs back to the number it was cached under.
"""

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import psycopg
from django.conf import settings
from django.core.cache import cache as default_cache
from django.db import connections
from django.utils import timezone
from psycopg import sql

DUMP_NAME = "database.dump"
FILES_NAME = "files.tar.gz"
MANIFEST_NAME = "manifest.json"
FILE_ROOTS = (("media", "MEDIA_ROOT"), ("private", "PRIVATE_MEDIA_ROOT"))


class BackupError(Exception):
    """A backup or restore that could not be made or does not match its manifest; the message says why."""


@dataclass(frozen=True)
class Target:
    """libpq connection parameters of one PostgreSQL database."""

    host: str
    port: str
    user: str
    password: str
    name: str

    @classmethod
    def from_settings(cls, alias: str = "default") -> "Target":
        db = connections[alias].settings_dict
        if connections[alias].vendor != "postgresql":
            raise BackupError("Backups need PostgreSQL (DATABASE_URL); for SQLite copy the database file itself.")
        return cls(
            str(db.get("HOST") or "127.0.0.1"), str(db.get("PORT") or "5432"), db.get("USER") or "",
            db.get("PASSWORD") or "", db["NAME"],
        )  # fmt: skip

    @classmethod
    def from_url(cls, url: str) -> "Target":
        parsed = urlparse(url)
        if parsed.scheme not in ("postgres", "postgresql", "pgsql") or not parsed.path.strip("/"):
            raise BackupError(f"Not a PostgreSQL database URL: {url!r} (postgres://user@host:5432/name).")
        return cls(
            parsed.hostname or "127.0.0.1", str(parsed.port or 5432), unquote(parsed.username or ""),
            unquote(parsed.password or ""), parsed.path.strip("/"),
        )  # fmt: skip

    def env(self) -> dict[str, str]:
        """The environment of pg_dump / pg_restore: the password never appears on a command line."""
        return {**os.environ, "PGHOST": self.host, "PGPORT": self.port, "PGUSER": self.user,
                "PGPASSWORD": self.password, "PGDATABASE": self.name}  # fmt: skip

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host, port=self.port, user=self.user, password=self.password or None, dbname=self.name, **kwargs
        )


# --- Checksums ------------------------------------------------------------------------------------------------


def table_summary(conn: psycopg.Connection) -> dict[str, dict]:
    """Every table of the public schema: its row count and the md5 of its rows as text, sorted (so two databases
    with the same rows give the same sum, whatever their physical order)."""
    tables = [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
    ]
    summary = {}
    for table in tables:
        quoted = sql.Identifier(table)
        query = sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} AS t"
        ).format(quoted)
        rows, checksum = conn.execute(query).fetchone()
        summary[table] = {"rows": rows, "md5": checksum}
    return summary


# --- Backup ---------------------------------------------------------------------------------------------------


def backup(directory: Path, *, files: bool = True, target: Target | None = None) -> dict:
    """Write a backup into `directory` (created; must be empty) and return its manifest."""
    target = target or Target.from_settings()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: a backup goes into a new directory.")
    # One snapshot for the numbers and the dump: the transaction stays open (and its snapshot valid) until
    # pg_dump has attached to it.
    with target.connect(autocommit=False) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        tables = table_summary(conn)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
             f"--file={directory / DUMP_NAME}"],
            target,
        )  # fmt: skip
        conn.rollback()
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": target.name,
        "tables": tables,
        "files": files,
    }
    if files:
        with tarfile.open(directory / FILES_NAME, "w:gz") as archive:
            for arcname, setting in FILE_ROOTS:
                root = Path(getattr(settings, setting))
                if root.is_dir():
                    archive.add(root, arcname=arcname)
    (directory / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    return manifest


# --- Restore --------------------------------------------------------------------------------------------------


def restore(directory: Path, *, target: Target | None = None, files: bool = True, clear_cache: bool = True) -> dict:
    """Restore the backup in `directory` into `target` (default: the configured database), check every table
    against the manifest, restore the files and clear the cache. Returns the manifest."""
    directory = Path(directory)
    manifest_path, dump = directory / MANIFEST_NAME, directory / DUMP_NAME
    if not manifest_path.is_file() or not dump.is_file():
        raise BackupError(f"{directory} is not a backup: {MANIFEST_NAME} or {DUMP_NAME} is missing.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    target = target or Target.from_settings()
    connections.close_all()  # this process's own connections must not hold the tables the restore drops
    # All or nothing: one transaction drops what the backup holds and loads it again; on any error (say, a table
    # added by a later migration still refers to a restored one) the database stays as it was.
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", f"--dbname={target.name}", str(dump)], target)  # fmt: skip
    with target.connect(autocommit=True) as conn:
        restored = table_summary(conn)
        conn.execute("ANALYZE")
    if restored != manifest["tables"]:
        differing = sorted(
            name
            for name in set(restored) | set(manifest["tables"])
            if restored.get(name) != manifest["tables"].get(name)
        )
        raise BackupError(f"The restored database differs from the backup's manifest in: {', '.join(differing)}.")
    if files and manifest.get("files"):
        restore_files(directory / FILES_NAME)
    if clear_cache:
        clear_cached_data()
    return manifest


def restore_files(archive_path: Path) -> None:
    """Replace the contents of MEDIA_ROOT and PRIVATE_MEDIA_ROOT with the archive's (files added since the backup
    go too). Each root is unpacked beside itself first, so a broken archive leaves the current files in place."""
    with tarfile.open(archive_path, "r:gz") as archive, tempfile.TemporaryDirectory() as unpack_dir:
        archive.extractall(unpack_dir, filter="data")  # no absolute paths, links out or devices
        for arcname, setting in FILE_ROOTS:
            root, unpacked = Path(getattr(settings, setting)), Path(unpack_dir) / arcname
            root.mkdir(parents=True, exist_ok=True)
            for child in root.iterdir():
                shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
            if unpacked.is_dir():
                for child in unpacked.iterdir():
                    shutil.move(str(child), root / child.name)


def clear_cached_data(cache=None) -> int | None:
    """Delete every entry of the portal's cache; the number deleted on Redis (None elsewhere).

    On Redis only the cache's own keys go (its key prefix), never the whole database: the Celery broker may share
    it (CELERY_BROKER_URL defaults to REDIS_URL) and its queued tasks must survive. Rate-limit counters and
    lock-outs are cache entries too and start again from zero. Raises BackupError when the cache is unreachable:
    then clear it before the app servers start again.
    """
    cache = cache or default_cache
    redis_cache = getattr(cache, "_cache", None)
    if redis_cache is None or not hasattr(redis_cache, "get_client"):
        cache.clear()
        return None
    from redis.exceptions import RedisError

    try:
        client = redis_cache.get_client(write=True)
        deleted = 0
        batch = []
        for key in client.scan_iter(match=f"{cache.key_prefix}:*", count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                deleted += client.delete(*batch)
                batch = []
        if batch:
            deleted += client.delete(*batch)
    except RedisError as error:
        message = f"The cache could not be cleared ({error}); clear it before starting the app servers."
        raise BackupError(message) from None
    return deleted


def _run(command: list[str], target: Target) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client, the server's major version).")
    result = subprocess.run([program, *command[1:]], env=target.env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
