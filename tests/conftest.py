"""Shared fixtures. The TERC register is loaded once per test database (session scope); tests that flush the
database (transactional_db) get it back through the `territory` fixture."""

import pytest

from cooperatives.models import TerritorialUnit
from cooperatives.teryt import load_territorial_units
from tests.cache_servers import cache_down, cache_up, redis_server  # noqa: F401  (fixtures: the production cache)
from tests.celery_worker import celery_broker, celery_worker_process  # noqa: F401  (fixtures: real Celery workers)
from tests.replica_server import replica_database, replica_server  # noqa: F401  (fixtures: a streaming replica)
from tests.storage_servers import s3_server, s3_storage  # noqa: F401  (fixtures: S3 object storage)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_territorial_units()


@pytest.fixture
def territory(db):
    """Guarantees the territorial units are present (they are, unless a transactional test flushed them)."""
    if not TerritorialUnit.objects.exists():
        load_territorial_units()


@pytest.fixture(autouse=True)
def _polish_after_each_test():
    """A request to /en/ leaves English active in the thread; later reverse() calls would build /en/ URLs."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def postgresql_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")
