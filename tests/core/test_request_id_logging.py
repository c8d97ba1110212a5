"""Request ids in logs (core/request_id.py), JSON logs (LOG_FORMAT=json) and the id carried into Celery tasks."""

import io
import json
import logging
import logging.config
import os
import runpy
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from core import request_id

BASE_SETTINGS = Path(settings.BASE_DIR) / "portal" / "settings" / "base.py"
# A page that logs: a refused API request is recorded on "portal.security" (core.middleware).
LOGGING_PATH = "/api/v1/manage/cooperatives/"


def logging_config(log_format: str) -> dict:
    with mock.patch.dict(os.environ, {"LOG_FORMAT": log_format}):
        return runpy.run_path(str(BASE_SETTINGS))["LOGGING"]


@pytest.fixture
def console(request):
    """The console handler as LOGGING builds it for the format, writing to a string; records of every logger."""
    config = logging_config(getattr(request, "param", "json"))
    configurator = logging.config.DictConfigurator(config)
    handler_config = config["handlers"]["console"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(configurator.configure_formatter(dict(config["formatters"][handler_config["formatter"]])))
    for name in handler_config["filters"]:
        handler.addFilter(configurator.configure_filter(dict(config["filters"][name])))
    # Also on "tests": a Celery worker started in a test replaces the root logger's handlers.
    loggers = [logging.getLogger(), logging.getLogger("tests")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield stream
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def json_records(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_a_sane_request_id_is_kept_returned_and_in_every_record_of_the_request(client, console):
    response = client.get(LOGGING_PATH, headers={"X-Request-ID": "lb-7f3a9c2e.01"})
    assert response.status_code in (401, 403)
    assert response["X-Request-ID"] == "lb-7f3a9c2e.01"
    records = json_records(console)
    assert records, "the refused request was logged"
    assert {record["request_id"] for record in records} == {"lb-7f3a9c2e.01"}
    assert {"time", "level", "logger", "message"} <= set(records[0])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claimed",
    [
        "short",
        "x" * 129,
        'abc123456"}\n{"level": "CRITICAL"',
        "abc12345\r\nINFO forged",
        "zażółć-gęślą",
        "a b c d e f g h",
    ],
)
def test_an_insane_request_id_is_replaced_and_never_logged(client, console, claimed):
    response = client.get(LOGGING_PATH, headers={"X-Request-ID": claimed.encode("utf-8").decode("latin-1")})
    made = response["X-Request-ID"]
    assert made != claimed and len(made) == 32 and int(made, 16) >= 0
    records = json_records(console)  # each line is still one JSON object: nothing was injected
    assert records and {record["request_id"] for record in records} == {made}
    assert "forged" not in console.getvalue() and "CRITICAL" not in console.getvalue()


@pytest.mark.django_db
def test_each_request_gets_its_own_id(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first != second and request_id.is_valid(first) and request_id.is_valid(second)
    assert request_id.get() is None  # nothing left behind after the request


@pytest.mark.django_db
@pytest.mark.parametrize("console", ["plain"], indirect=True)
def test_plain_logs_carry_the_request_id_too(client, console):
    client.get(LOGGING_PATH, headers={"X-Request-ID": "plain-request-0001"})
    lines = console.getvalue().splitlines()
    assert lines and all("[plain-request-0001]" in line for line in lines)
    logging.getLogger("tests").warning("outside a request")
    assert console.getvalue().splitlines()[-1].endswith("tests [-] outside a request")


def test_plain_is_the_default_and_an_unknown_format_is_refused():
    with mock.patch.dict(os.environ, {}, clear=False):
        os.environ.pop("LOG_FORMAT", None)
        assert runpy.run_path(str(BASE_SETTINGS))["LOGGING"]["handlers"]["console"]["formatter"] == "plain"
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        logging_config("xml")


def test_the_request_id_travels_to_a_celery_task_through_a_real_broker(redis_server, console):
    """A task sent during a request runs on a worker (a real one, on a private Redis) with the request's id."""
    from celery import Celery
    from celery.contrib.testing.worker import start_worker

    app = Celery("request-id-test", broker=redis_server, backend=redis_server)
    app.conf.update(
        task_serializer="json", accept_content=["json"], result_serializer="json", worker_hijack_root_logger=False
    )

    @app.task(name="tests.current_request_id")
    def current_request_id():
        logging.getLogger("tests.task").warning("inside the task")
        return request_id.get()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        token = request_id._current.set("web-request-0042")
        try:
            carried = current_request_id.delay().get(timeout=20)
        finally:
            request_id._current.reset(token)
        alone = current_request_id.delay().get(timeout=20)  # sent outside a request
    assert carried == "web-request-0042"
    assert alone is None
    in_task = [record for record in json_records(console) if record["logger"] == "tests.task"]
    assert in_task[0]["request_id"] == "web-request-0042" and in_task[-1]["request_id"] == "-"
