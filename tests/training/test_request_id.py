"""A request id on every log line of a request, in its response, and in the worker's lines for
the tasks it queued; production's log lines are JSON."""

import contextlib
import io
import json
import logging
import secrets
import subprocess
import sys
import time

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.test import override_settings

from tests.celery_probe import log_request_id
from tests.conftest import skip_or_fail
from tests.servers import Processes, celery_worker_args
from tests.test_production import BIN, ROOT, SMOKE_BROKER, production_env
from training.logging import (
    HEADER,
    RequestIdFilter,
    _request_id,
    current_request_id,
    json_logging,
)

pytestmark = pytest.mark.django_db


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records = []

    def emit(self, record):
        self.records.append(record)


@contextlib.contextmanager
def _captured(name="django.request"):
    handler, logger = _Capture(), logging.getLogger(name)
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def test_each_response_names_a_new_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]
    assert first and second and first != second
    assert current_request_id() is None  # nothing left behind for the next request


def test_the_proxy_s_request_id_is_kept_and_a_forged_one_replaced(client):
    given = "0b6f4c1e-5d2a-4c7e-9f1a-3c2b1a0d9e8f"
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    for forged in ('x" injected="1', "a" * 500, "short"):
        answered = client.get("/healthz", HTTP_X_REQUEST_ID=forged)["X-Request-ID"]
        assert answered != forged and len(answered) == 32


def test_log_lines_of_the_request_carry_its_id(client):
    """Even Django's "Not Found" line, written after the middleware chain has returned."""
    with _captured() as records:
        response = client.get(f"/no-such-page-{secrets.token_hex(4)}/")
    assert response.status_code == 404
    lines = [record for record in records if "Not Found" in record.getMessage()]
    assert lines, records
    assert {record.request_id for record in lines} == {response["X-Request-ID"]}


def test_the_id_goes_into_the_headers_of_a_task_queued_during_the_request():
    """The publishing side (the worker's side: the integration test below)."""
    headers = {}
    token = _request_id.set("abcdef0123456789")
    try:
        from celery.signals import before_task_publish  # noqa: PLC0415 — as Celery sends it

        before_task_publish.send(sender="some.task", headers=headers, body=None)
    finally:
        _request_id.reset(token)
    assert headers[HEADER] == "abcdef0123456789"
    before_task_publish.send(sender="some.task", headers=(outside := {}), body=None)
    assert HEADER not in outside


def test_an_eager_task_sees_the_request_s_id():
    token = _request_id.set("eager0123456789abc")
    try:
        assert log_request_id.delay("eager").get() == "eager0123456789abc"
    finally:
        _request_id.reset(token)


def test_production_log_lines_are_json_with_the_request_id():
    config = json_logging(settings.LOGGING)
    formatter_config = dict(config["formatters"]["json"])
    factory = formatter_config.pop("()")
    module, _, name = factory.rpartition(".")
    formatter = getattr(__import__(module, fromlist=[name]), name)(**formatter_config)
    assert config["handlers"]["console"]["formatter"] == "json"
    assert "request_id" in config["handlers"]["console"]["filters"]
    assert "redact_secrets" in config["handlers"]["console"]["filters"]
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s",
                               ("/calendar/x.ics",), None)  # fmt: skip
    token = _request_id.set("json0123456789")
    try:
        RequestIdFilter().filter(record)
    finally:
        _request_id.reset(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "json0123456789"
    assert line["level"] == "WARNING" and line["logger"] == "django.request"
    assert line["message"] == "Not Found: /calendar/x.ics"
    assert "time" in line


@override_settings(SENTRY_DSN="")
def test_sentry_is_off_without_a_dsn():
    from training.logging import init_sentry  # noqa: PLC0415

    assert init_sentry("") is False


# --- A real worker, with production settings ----------------------------------------------------
@pytest.mark.integration
def test_the_worker_s_log_lines_for_a_task_carry_the_request_id(tmp_path, monkeypatch):
    try:
        redis.Redis.from_url(SMOKE_BROKER, socket_connect_timeout=2).ping()
    except redis.RedisError:
        skip_or_fail(f"Redis does not answer at {SMOKE_BROKER}")
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    queue = f"request-id-{secrets.token_hex(6)}"
    env = production_env(tmp_path)
    processes = Processes(tmp_path)
    request_id = f"req-{secrets.token_hex(8)}"
    marker = secrets.token_hex(6)
    client = Celery("probe", broker=SMOKE_BROKER, backend=SMOKE_BROKER, set_as_current=False)
    try:
        processes.start(
            "worker",
            celery_worker_args(BIN, queue, include="tests.celery_probe"),
            env,
        )
        # As a request does: the id is set, then a task is queued (before_task_publish adds it).
        token = _request_id.set(request_id)
        try:
            result = client.send_task("tests.probe.log_request_id", args=[marker], queue=queue)
        finally:
            _request_id.reset(token)
        try:
            seen = result.get(timeout=60)
        except Exception as error:
            pytest.fail(f"the worker did not run the task: {error!r}\n{processes.logs()}")
        assert seen == request_id
        result.forget()
        time.sleep(0.5)  # the worker's last lines
    finally:
        processes.stop_all()
        client.close()
        with contextlib.suppress(redis.RedisError), redis.Redis.from_url(SMOKE_BROKER) as r:
            r.delete(queue, f"_kombu.binding.{queue}")
    output = (tmp_path / "worker.log").read_text()
    lines = []
    for text in io.StringIO(output):
        with contextlib.suppress(ValueError):
            lines.append(json.loads(text))
    probe = [line for line in lines if line.get("message") == f"probe {marker}"]
    assert probe, output
    assert probe[0]["request_id"] == request_id, probe
    assert probe[0]["logger"] == "acompana.probe"


def test_production_reports_errors_to_sentry_only_with_a_dsn(tmp_path):
    """In a process of its own (Sentry's client is global): production settings with and
    without SENTRY_DSN. Nothing is sent (no error happens; the DSN's host is never reached)."""
    probe = (
        "import sentry_sdk, training.settings.production as s; c = sentry_sdk.get_client(); "
        "print(c.is_active(), c.options.get('send_default_pii'), "
        "c.options.get('traces_sample_rate'))"
    )
    results = {}
    for dsn in ("", "https://public@127.0.0.1:9/1"):
        env = production_env(tmp_path, SENTRY_DSN=dsn)
        done = subprocess.run(
            [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        results[bool(dsn)] = done.stdout.split()
    assert results[False][0] == "False"
    assert results[True] == ["True", "False", "0.0"]
