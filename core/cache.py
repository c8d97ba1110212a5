"""The shared cache as an optimisation only: an unreachable Redis is a miss, and one computation per expensive key.

`ResilientRedisCache` is the production backend (`portal/settings/base.py`, when `REDIS_URL` is set). On a Redis
error every operation behaves as on a cache that holds nothing and keeps nothing (a read is a miss, `add` adds
nothing, `incr` raises ValueError as for a missing key, writes and deletes do nothing), logs one warning per outage
and per RETRY_SECONDS, and for RETRY_SECONDS does not try Redis again, so a request never waits on a dead server
more than once. Callers need no change: every read path already computes what it misses.

What that means for the features built on the cache (core/README.md, "When the cache is down"):

- cached pages and counts are computed from the database on every request;
- the API's anonymous rate limit counts nothing, so it lets every request through (open: public reads);
- allauth's limits (failed log-ins, sign-up, password reset) take a lock with `add`, which never succeeds: they
  refuse (closed). The log-in form checks `is_available(probe=True)` first, so it says why at once
  (`core.security_log.AccountAdapter`);
- `/readyz` reports the cache as degraded.

`compute_once(key, compute, timeout)` is `cache.get_or_set` for expensive values: while a value is being computed,
other callers get the previous value (kept STALE_SECONDS past its timeout) or wait for the new one, instead of all
computing it at once (a thundering herd after an entry expires or on a cold cache).
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache as default_cache
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0  # after a failure, how long the cache counts as down before Redis is tried again
WARNING_SECONDS = 60.0  # at most one warning per this many seconds while the outage lasts

# Shared by every thread's backend instance (Django keeps one per thread) for the same servers.
_down_until: dict[tuple, float] = {}
_warned_at: dict[tuple, float] = {}
_state_lock = threading.Lock()


def reset_outage_state() -> None:
    """Forget every recorded outage (tests that start or stop a cache)."""
    with _state_lock:
        _down_until.clear()
        _warned_at.clear()


class ResilientRedisCache(RedisCache):
    """Django's Redis cache whose operations, when Redis is unreachable, behave as a miss or a no-op."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._outage_key = tuple(self._servers)

    # --- outage bookkeeping ---------------------------------------------------------------------------------

    def is_available(self, *, probe: bool = False) -> bool:
        """False while a recent failure marks the cache as down; with `probe`, ask Redis (a PING) when not."""
        if time.monotonic() < _down_until.get(self._outage_key, 0.0):
            return False
        if not probe:
            return True
        return self._attempt(lambda: bool(self._cache.get_client(write=True).ping()), False, "ping")

    def _failed(self, operation: str, error: Exception) -> None:
        now = time.monotonic()
        with _state_lock:
            _down_until[self._outage_key] = now + RETRY_SECONDS
            last = _warned_at.get(self._outage_key)
            warn = last is None or now - last >= WARNING_SECONDS
            if warn:
                _warned_at[self._outage_key] = now
        if warn:
            logger.warning(
                "Cache unavailable (%s on %s: %s); serving from the database, next try in %.0f s.",
                type(error).__name__,
                operation,
                error,
                RETRY_SECONDS,
            )

    def _attempt(self, call: Callable[[], Any], fallback: Any, operation: str) -> Any:
        if time.monotonic() < _down_until.get(self._outage_key, 0.0):
            return fallback
        try:
            result = call()
        except RedisError as error:
            self._failed(operation, error)
            return fallback
        if self._outage_key in _warned_at:
            with _state_lock:
                recovered = _warned_at.pop(self._outage_key, None) is not None
            if recovered:
                logger.warning("Cache available again.")
        return result

    # --- the cache API: each operation with what it means on an empty, forgetful cache ----------------------

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        return self._attempt(lambda: parent.add(key, value, timeout, version), False, "add")

    def get(self, key, default=None, version=None):
        parent = super()
        return self._attempt(lambda: parent.get(key, default, version), default, "get")

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        self._attempt(lambda: parent.set(key, value, timeout, version), None, "set")

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        parent = super()
        return self._attempt(lambda: parent.touch(key, timeout, version), False, "touch")

    def delete(self, key, version=None):
        parent = super()
        return self._attempt(lambda: parent.delete(key, version), False, "delete")

    def get_many(self, keys, version=None):
        parent = super()
        return self._attempt(lambda: parent.get_many(keys, version), {}, "get_many")

    def has_key(self, key, version=None):
        parent = super()
        return self._attempt(lambda: parent.has_key(key, version), False, "has_key")

    def incr(self, key, delta=1, version=None):
        parent = super()
        missing = object()
        result = self._attempt(lambda: parent.incr(key, delta, version), missing, "incr")
        if result is missing:
            raise ValueError(f"Key '{key}' not found (the cache is unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        keys = list(data)  # on failure, every key failed to be inserted (the documented return value)
        parent = super()
        return self._attempt(lambda: parent.set_many(data, timeout, version), keys, "set_many")

    def delete_many(self, keys, version=None):
        parent = super()
        self._attempt(lambda: parent.delete_many(keys, version), None, "delete_many")

    def clear(self):
        parent = super()
        return self._attempt(lambda: parent.clear(), False, "clear")


def is_available(cache=None, *, probe: bool = False) -> bool:
    """Whether the cache keeps what it is given. Backends that cannot fail (local memory) always do."""
    check = getattr(cache or default_cache, "is_available", None)
    return True if check is None else check(probe=probe)


# --- One computation per key ------------------------------------------------------------------------------------

STALE_SECONDS = 300  # how long past its timeout a value may still be served while its successor is computed
LOCK_SECONDS = 60  # a computation that takes longer (or whose process died) lets another caller try
WAIT_SECONDS = 5.0  # how long a caller without a previous value waits for another's computation
POLL_SECONDS = 0.05
_ENTRY = "core:once:"


def compute_once(
    key: str,
    compute: Callable[[], Any],
    timeout: int,
    *,
    stale: int = STALE_SECONDS,
    wait: float = WAIT_SECONDS,
    lock: int = LOCK_SECONDS,
    cache=None,
) -> Any:
    """The value cached under `key`, computed by `compute()` at most once at a time across every process.

    A fresh value (younger than `timeout` seconds) is returned as is. Otherwise the caller that wins the lock
    (`cache.add`) computes and stores it; the others get the previous value while it is less than `stale` seconds
    past its timeout, or else wait up to `wait` seconds for the winner's result, and compute it themselves only if
    it has not come (the winner failed or is slow). With the cache down every caller computes (nothing to share).
    `compute` must return a picklable value; None is a value like any other.
    """
    cache = cache or default_cache
    entry_key, lock_key = _ENTRY + key, _ENTRY + key + ":lock"
    entry = cache.get(entry_key)
    now = time.time()
    if entry is not None and entry[0] > now:
        return entry[1]
    token = uuid.uuid4().hex
    if cache.add(lock_key, token, lock):
        return _compute_and_store(cache, entry_key, lock_key, token, compute, timeout, stale)
    if not is_available(cache):
        return compute()
    if entry is not None:
        return entry[1]  # the previous value while another caller computes its successor
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        entry = cache.get(entry_key)
        if entry is not None:
            return entry[1]
        if cache.add(lock_key, token, lock):  # the winner gave up without a value: take over
            return _compute_and_store(cache, entry_key, lock_key, token, compute, timeout, stale)
    return compute()


def _compute_and_store(cache, entry_key, lock_key, token, compute, timeout, stale):
    try:
        value = compute()
        cache.set(entry_key, (time.time() + timeout, value), timeout + stale)
        return value
    finally:
        if cache.get(lock_key) == token:  # not a lock another caller took after ours expired
            cache.delete(lock_key)
