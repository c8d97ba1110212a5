"""core.cache: the Redis backend that survives an outage."""

import logging
import socket
import uuid
from unittest import mock

import pytest

from core import cache as core_cache
from core.cache import ResilientRedisCache, is_available

# --- The backend --------------------------------------------------------------------------------------------------


@pytest.fixture
def dead_redis():
    """A ResilientRedisCache on a loopback port that refuses connections."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        backend = ResilientRedisCache(f"redis://127.0.0.1:{holder.getsockname()[1]}/0", {})
        yield backend
    core_cache.reset_outage_state()


def test_an_outage_is_one_warning_and_one_connection_attempt_not_one_per_operation(dead_redis, caplog):
    caplog.set_level(logging.WARNING, logger="core.cache")
    attempts = []
    real_get_client = type(dead_redis._cache).get_client

    def counting_get_client(client, *args, **kwargs):
        attempts.append(1)
        return real_get_client(client, *args, **kwargs)

    with mock.patch.object(type(dead_redis._cache), "get_client", counting_get_client):
        for _ in range(20):
            assert dead_redis.get("key", "fallback") == "fallback"
        assert dead_redis.set_many({"a": 1, "b": 2}) == ["a", "b"]
        assert not dead_redis.is_available()
    assert len(attempts) == 1  # later operations do not try the dead server again for RETRY_SECONDS
    warnings = [r for r in caplog.records if r.name == "core.cache"]
    assert len(warnings) == 1
    assert "Cache unavailable" in warnings[0].getMessage()


def test_the_cache_is_tried_again_after_the_retry_interval(dead_redis, caplog):
    caplog.set_level(logging.WARNING, logger="core.cache")
    assert dead_redis.get("key") is None
    assert not dead_redis.is_available()
    with mock.patch.object(core_cache, "RETRY_SECONDS", 0):
        assert dead_redis.get("key") is None  # tried (and failed) again
    # Still within the same outage: no second warning.
    assert len([r for r in caplog.records if r.name == "core.cache"]) == 1


@pytest.mark.skipif(
    socket.socket().connect_ex(("127.0.0.1", 6379)) != 0, reason="needs the local Redis on 127.0.0.1:6379"
)
def test_with_redis_up_the_backend_is_django_s_redis_cache():
    backend = ResilientRedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    assert backend.is_available(probe=True)
    assert backend.add("k", 1, 30) is True
    assert backend.add("k", 2, 30) is False
    assert backend.incr("k") == 2
    assert backend.get_many(["k", "missing"]) == {"k": 2}
    backend.delete("k")
    with pytest.raises(ValueError):
        backend.incr("k")


def test_local_memory_caches_are_always_available():
    assert is_available() is True
    assert is_available(probe=True) is True
