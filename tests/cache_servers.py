"""The production cache (Redis through core.cache.ResilientRedisCache, as portal/settings/base.py builds it from
REDIS_URL) for tests, up and down.

- `cache_up`: a private redis-server on a free loopback port, started for the test session (no persistence), emptied
  before each test. Never the machine's own Redis. Without the `redis-server` program the tests that need it are
  skipped, except in CI (`CI=true`), where they fail.
- `cache_down`: the same configuration on a loopback port that refuses connections (bound, never listening).
"""

import os
import runpy
import shutil
import socket
import subprocess
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.test import override_settings

from core.cache import reset_outage_state

BASE_SETTINGS = Path(settings.BASE_DIR) / "portal" / "settings" / "base.py"


def deployed_caches(redis_url: str) -> dict:
    """CACHES exactly as base.py builds them for production from REDIS_URL."""
    with mock.patch.dict(os.environ, {"REDIS_URL": redis_url}):
        return runpy.run_path(str(BASE_SETTINGS))["CACHES"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server():
    """redis://127.0.0.1:<port>/0 of a redis-server this session started (and stops)."""
    program = shutil.which("redis-server")
    if program is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is required in CI (apt-get install redis-server)")
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not start")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def cache_up(redis_server):
    """The production cache on a running Redis, empty."""
    reset_outage_state()
    with override_settings(CACHES=deployed_caches(redis_server)):
        from django.core.cache import cache

        assert cache.is_available(probe=True)
        cache.clear()
        yield
    reset_outage_state()


@pytest.fixture
def cache_down():
    """The production cache configuration on a loopback port that refuses connections."""
    reset_outage_state()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        port = holder.getsockname()[1]
        with override_settings(CACHES=deployed_caches(f"redis://127.0.0.1:{port}/0")):
            yield
    reset_outage_state()
