"""core.cache: the Redis backend that survives an outage, and compute_once (one computation per key at a time)."""

import logging
import socket
import threading
import time
import uuid
from unittest import mock

import pytest
from django.core.cache import cache

from core import cache as core_cache
from core.cache import ResilientRedisCache, compute_once, is_available


class Counter:
    """A computation that counts its calls; optionally holds until released."""

    def __init__(self, value="computed", hold: threading.Event | None = None):
        self.calls = 0
        self.value = value
        self.hold = hold
        self.started = threading.Event()
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            self.calls += 1
        self.started.set()
        if self.hold is not None:
            assert self.hold.wait(30)
        return self.value


def no_sleeping():
    """core.cache's clock without sleep: a caller that would wait for another's computation fails instead."""
    fake = mock.Mock(wraps=time)
    fake.sleep.side_effect = AssertionError("waited although nobody else computes")
    return mock.patch.object(core_cache, "time", fake)


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


# --- compute_once -------------------------------------------------------------------------------------------------


def test_a_fresh_value_is_computed_once_and_then_served():
    compute = Counter()
    assert compute_once("k", compute, 60) == "computed"
    assert compute_once("k", compute, 60) == "computed"
    assert compute.calls == 1


def test_none_is_a_value_like_any_other():
    compute = Counter(value=None)
    assert compute_once("k", compute, 60) is None
    assert compute_once("k", compute, 60) is None
    assert compute.calls == 1


def test_concurrent_callers_compute_once_and_all_get_the_value():
    """Eight requests for a cold key at once: one computes, the others wait for its result."""
    release = threading.Event()
    compute = Counter(hold=release)
    results, barrier = [], threading.Barrier(8)

    def request():
        barrier.wait()
        results.append(compute_once("herd", compute, 60, wait=30))

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    assert compute.started.wait(30)
    time.sleep(0.1)  # let the others reach the lock (the result does not depend on it: latecomers hit the cache)
    release.set()
    for thread in threads:
        thread.join(30)
    assert results == ["computed"] * 8
    assert compute.calls == 1


def test_while_another_process_computes_a_waiting_caller_gets_its_result():
    """The lock is held elsewhere (simulated): the caller waits for that result instead of computing."""
    cache.add("core:once:k:lock", "another process", 60)
    compute = Counter()
    results = []
    caller = threading.Thread(target=lambda: results.append(compute_once("k", compute, 60, wait=30)))
    caller.start()
    time.sleep(0.2)
    assert caller.is_alive()  # waiting, not computing
    cache.set("core:once:k", (time.time() + 60, "from the other process"), 120)
    caller.join(30)
    assert results == ["from the other process"]
    assert compute.calls == 0


def test_while_another_process_recomputes_an_expired_value_the_previous_one_is_served_at_once():
    cache.set("core:once:k", (time.time() - 1, "previous"), 300)  # past its timeout, within the stale period
    cache.add("core:once:k:lock", "another process", 60)
    compute = Counter()
    with no_sleeping():
        assert compute_once("k", compute, 60) == "previous"
    assert compute.calls == 0


def test_an_expired_value_is_recomputed_by_the_caller_that_takes_the_lock():
    cache.set("core:once:k", (time.time() - 1, "previous"), 300)
    compute = Counter(value="new")
    assert compute_once("k", compute, 60) == "new"
    assert compute_once("k", compute, 60) == "new"
    assert compute.calls == 1
    assert cache.get("core:once:k:lock") is None  # released


def test_a_computation_that_fails_releases_the_lock_and_the_next_caller_computes():
    def failing():
        raise RuntimeError("database error")

    with pytest.raises(RuntimeError):
        compute_once("k", failing, 60)
    assert cache.get("core:once:k:lock") is None
    compute = Counter()
    with no_sleeping():
        assert compute_once("k", compute, 60) == "computed"
    assert compute.calls == 1


def test_a_waiting_caller_takes_over_when_the_other_gives_up_without_a_value():
    cache.add("core:once:k:lock", "another process", 60)
    compute = Counter()
    results = []
    caller = threading.Thread(target=lambda: results.append(compute_once("k", compute, 60, wait=30)))
    caller.start()
    time.sleep(0.2)
    cache.delete("core:once:k:lock")  # the other process failed
    caller.join(30)
    assert results == ["computed"]
    assert compute.calls == 1


def test_a_caller_that_waited_too_long_computes_itself():
    cache.add("core:once:k:lock", "a stuck process", 60)
    compute = Counter()
    assert compute_once("k", compute, 60, wait=0.1) == "computed"
    assert compute.calls == 1


@pytest.mark.django_db
def test_with_the_cache_down_every_caller_computes_without_waiting(cache_down):
    compute = Counter()
    with no_sleeping():
        for _ in range(3):
            assert compute_once("k", compute, 60) == "computed"
    assert compute.calls == 3
