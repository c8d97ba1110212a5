"""Backup and restore (core/backups.py, `make backup` / `make restore`): a restore into a new database equals the
original table by table; the files come back as they were; no cached page survives a restore (the version counters
go back with the data, docs/decisions/0003 and 0004). PostgreSQL only: pg_dump / pg_restore."""

import json
import shutil
import uuid

import psycopg
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection

from cooperatives.models import Cooperative
from core.backups import BackupError, Target, backup, clear_cached_data, restore_files, table_summary
from tests.cooperatives.factories import CooperativeFactory, OfferFactory
from tests.e2e.conftest import seed_dictionaries  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("postgresql_only", "territory", "seed_dictionaries"),
]


@pytest.fixture(autouse=True)
def _tools():
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump / pg_restore not installed (postgresql-client)")


@pytest.fixture
def file_roots(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    (settings.MEDIA_ROOT / "photos").mkdir(parents=True)
    (settings.MEDIA_ROOT / "photos" / "abc.jpg").write_bytes(b"\xff\xd8photo")
    (settings.PRIVATE_MEDIA_ROOT / "representation").mkdir(parents=True)
    (settings.PRIVATE_MEDIA_ROOT / "representation" / "doc.pdf").write_bytes(b"%PDF-1.7 private")
    return settings.MEDIA_ROOT, settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def new_database():
    """An empty database next to the test database, dropped afterwards."""
    source = Target.from_settings()
    name = f"{source.name}_restore_{uuid.uuid4().hex[:8]}"
    with source.connect(autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield Target(source.host, source.port, source.user, source.password, name)
    finally:
        with source.connect(autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restored_into_a_new_database_equals_the_original_table_by_table(tmp_path, file_roots, new_database):
    OfferFactory.create_batch(
        3, cooperative=CooperativeFactory(description="Zażółć gęślą jaźń; 'cudzysłów' \\ ukośnik")
    )
    manifest = backup(tmp_path / "backup")
    url = f"postgres://{new_database.user}@{new_database.host}:{new_database.port}/{new_database.name}"
    call_command("restore_portal", str(tmp_path / "backup"), "--database-url", url, "--yes")

    with Target.from_settings().connect() as original, new_database.connect() as restored:
        before, after = table_summary(original), table_summary(restored)
    assert after == before == manifest["tables"]
    assert before["cooperatives_cooperative"]["rows"] == 1
    assert before["cooperatives_offer"]["rows"] == 3
    assert before["cooperatives_territorialunit"]["rows"] > 2000
    assert len(before) > 50  # every table of every app, not a chosen few


def test_a_restore_that_does_not_match_its_manifest_is_an_error(tmp_path, file_roots, new_database):
    CooperativeFactory()
    backup(tmp_path / "backup")
    manifest = tmp_path / "backup" / "manifest.json"
    content = json.loads(manifest.read_text())
    content["tables"]["cooperatives_cooperative"]["rows"] = 2  # as if a row had been lost on the way
    manifest.write_text(json.dumps(content))
    url = f"postgres://{new_database.user}@{new_database.host}:{new_database.port}/{new_database.name}"
    with pytest.raises(CommandError, match="differs from the backup's manifest"):
        call_command("restore_portal", str(tmp_path / "backup"), "--database-url", url, "--yes")


def test_the_files_come_back_as_they_were(tmp_path, file_roots):
    media, private = file_roots
    backup(tmp_path / "backup")
    (media / "photos" / "abc.jpg").write_bytes(b"overwritten")
    (media / "photos" / "added-since.jpg").write_bytes(b"new")
    shutil.rmtree(private / "representation")
    restore_files(tmp_path / "backup" / "files.tar.gz")
    assert (media / "photos" / "abc.jpg").read_bytes() == b"\xff\xd8photo"
    assert not (media / "photos" / "added-since.jpg").exists()
    assert (private / "representation" / "doc.pdf").read_bytes() == b"%PDF-1.7 private"


def test_a_backup_never_overwrites_an_earlier_one_and_a_restore_needs_confirmation(tmp_path, file_roots):
    backup(tmp_path / "backup")
    with pytest.raises(BackupError, match="not empty"):
        backup(tmp_path / "backup")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_portal", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="is not a backup"):
        call_command("restore_portal", str(tmp_path), "--yes")


def _registry_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM registry_version")
        return cursor.fetchone()[0]


def test_a_cached_count_does_not_survive_a_restore(client, tmp_path, file_roots, cache_up):
    """The API's exact count is cached under the registry version. A restore takes the version back; once later
    edits bring it to a number it had before the restore, an entry cached then must not be served again."""
    CooperativeFactory.create_batch(3)
    backup(tmp_path / "backup")
    CooperativeFactory()  # after the backup: 4 cooperatives, counted and cached under a new version
    assert client.get("/api/v1/cooperatives/").json()["count"] == 4
    version_after_backup = _registry_version()

    redis = cache._cache.get_client(write=True)
    redis.set("celery", b"a queued task")  # the broker may share the cache's Redis database: it must survive
    call_command("restore_portal", str(tmp_path / "backup"), "--yes")
    assert redis.get("celery") == b"a queued task"
    assert Cooperative.objects.count() == 3
    assert _registry_version() < version_after_backup

    Cooperative.objects.order_by("pk").first().delete()  # a different history after the restore...
    with connection.cursor() as cursor:  # ...whose counter reaches the number the stale count was cached under
        cursor.execute("UPDATE registry_version SET version = %s", [version_after_backup])
    assert client.get("/api/v1/cooperatives/").json()["count"] == 2


def test_clearing_the_cache_keeps_other_users_of_the_redis_database(cache_up):
    cache.set("core:count:x", (1, 10))
    redis = cache._cache.get_client(write=True)
    redis.set("_kombu.binding.celery", b"binding")
    assert clear_cached_data() >= 1
    assert cache.get("core:count:x") is None
    assert redis.get("_kombu.binding.celery") == b"binding"


def test_backups_need_postgresql_urls():
    with pytest.raises(BackupError, match="Not a PostgreSQL database URL"):
        Target.from_url("sqlite:///db.sqlite3")
    assert Target.from_url("postgres://u:p%40ss@db.internal:5433/portal").password == "p@ss"
    assert psycopg  # the restore checks run through psycopg, as the portal's own connections do
