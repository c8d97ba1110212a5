"""Real Celery workers for tests, on the real Redis (TEST_CELERY_BROKER_URL, default redis://127.0.0.1:6379/1).

- `celery_broker`: points this process's Celery app at the broker (no longer eager), with a queue private to the
  test, and gives it back eager afterwards. Skipped when Redis does not answer (failed in CI, `CI=true`).
- `celery_worker_process`: a factory; `worker = celery_worker_process()` starts `celery -A portal worker` (solo pool)
  as a subprocess on the test database, `worker.kill()` SIGKILLs it mid-task, `worker.mail()` lists the messages
  it sent (tests.celery_worker.FileMailBackend: one JSON file each). Use it with transactional_db (the worker sees
  committed rows only) and on PostgreSQL (SQLite's test database lives in this process's memory).
  `worker.hold_mail()`: messages to an address containing "slow" wait until `worker.release_mail()`.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection

BROKER_URL = os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/1")
WORKER_START_SECONDS = 90


class FileMailBackend(BaseEmailBackend):
    """The worker's mail "server": each message becomes one JSON file in WORKER_MAIL_DIR."""

    def send_messages(self, messages):
        directory = Path(os.environ["WORKER_MAIL_DIR"])
        hold = directory / "hold"
        for message in messages:
            if hold.exists() and any("slow" in address for address in message.recipients()):
                (directory / "holding").touch()  # the test may kill the worker now
                while hold.exists():
                    time.sleep(0.05)
            record = {
                "to": message.to,
                "reply_to": message.reply_to,
                "subject": message.subject,
                "body": message.body,
                "headers": dict(message.message().items()),
            }
            (directory / f"{time.time_ns()}-{uuid.uuid4().hex}.json").write_text(json.dumps(record))
        return len(messages)


def wait_for(predicate, *, timeout: float = 20, interval: float = 0.1, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@pytest.fixture
def celery_broker():
    import redis

    from portal.celery import app

    client = redis.Redis.from_url(BROKER_URL, socket_connect_timeout=0.5)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required in CI ({BROKER_URL})")
        pytest.skip(f"no Redis at {BROKER_URL}")
    queue = f"test-{uuid.uuid4().hex[:12]}"
    changed = {
        "task_always_eager": False,
        "broker_url": BROKER_URL,
        "result_backend": BROKER_URL,
        "task_default_queue": queue,
        "broker_transport_options": {"visibility_timeout": 2},
    }
    saved = {name: app.conf[name] for name in changed}

    def reset_clients():
        from kombu import pools

        app._pool = None
        pools.reset()  # kombu keeps one pool per broker URL for the process; closed ones must not be reused
        app.__dict__.pop("amqp", None)  # routes and queues are built from the configuration once
        vars(app._local).pop("backend", None)

    app.conf.update(changed)
    reset_clients()
    try:
        yield {"url": BROKER_URL, "queue": queue}
    finally:
        app.conf.update(saved)
        reset_clients()
        client.delete(queue)
        client.close()


class WorkerProcess:
    def __init__(self, *, queue: str, workdir: Path):
        self.queue = queue
        self.mail_dir = workdir / "mail"
        self.mail_dir.mkdir(exist_ok=True)
        self.workdir = workdir
        self.process = None
        self.starts = 0

    def start(self) -> "WorkerProcess":
        self.starts += 1
        log = self.workdir / f"worker-{self.starts}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "WORKER_TEST_DATABASE": connection.settings_dict["NAME"],
            "WORKER_BROKER_URL": BROKER_URL,
            "WORKER_QUEUE": self.queue,
            "WORKER_MAIL_DIR": str(self.mail_dir),
        }
        env.pop("REDIS_URL", None)
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", self.queue]
        command += ["-n", f"{self.queue}-{self.starts}@%h", "--without-gossip", "--without-mingle"]
        command += ["--without-heartbeat", "--loglevel=INFO"]
        with log.open("w") as output:  # the portal's logging writes to stderr
            self.process = subprocess.Popen(
                command, env=env, cwd=settings.BASE_DIR, start_new_session=True, stdout=output, stderr=output
            )
        wait_for(
            lambda: (log.exists() and " ready." in log.read_text()) or self.process.poll() is not None,
            timeout=WORKER_START_SECONDS,
            message="the worker to start",
        )
        assert self.process.poll() is None, log.read_text()
        return self

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a lost machine would: no clean-up, no acknowledgement."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def mail(self) -> list[dict]:
        files = sorted(self.mail_dir.glob("*.json"))
        return [json.loads(path.read_text()) for path in files]

    def hold_mail(self) -> None:
        (self.mail_dir / "hold").touch()

    def release_mail(self) -> None:
        (self.mail_dir / "hold").unlink(missing_ok=True)

    def is_holding(self) -> bool:
        return (self.mail_dir / "holding").exists()


@pytest.fixture
def celery_worker_process(celery_broker, transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs the test database on PostgreSQL (set DATABASE_URL)")
    workers = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(queue=celery_broker["queue"], workdir=tmp_path)
        workers.append(worker)
        return worker.start()

    yield start
    for worker in workers:
        worker.release_mail()
        worker.stop()
