"""/metrics: closed to the public, Celery's queue length and task outcomes across processes, and
the request metrics of every gunicorn worker process added up."""

import contextlib
import http.client
import re
import secrets
import time
from datetime import timedelta

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from tests.conftest import skip_or_fail
from tests.servers import Processes, celery_worker_args, free_port
from tests.test_production import BIN, ROOT, SMOKE_BROKER, production_env
from training import metrics
from training.models import OutboxTask

TOKEN = "metrics-test-token-0123456789"


def _broker(url):
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        skip_or_fail(f"Redis does not answer at {url}")
    return client


def _value(text, name, labels=""):
    """The value of one sample of the exposition text (labels in any order), or None."""
    wanted = set(re.findall(r'\w+="[^"]*"', labels))
    for line in text.splitlines():
        found = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        labelled = set(re.findall(r'\w+="[^"]*"', found.group(2) or "")) if found else None
        if found and found.group(1) == name and labelled == wanted:
            return float(found.group(3))
    return None


# --- Who may read it ------------------------------------------------------------------------------
@override_settings(ACOMPANA_METRICS_TOKEN="")
def test_without_a_token_setting_metrics_is_a_404_for_everyone(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@override_settings(ACOMPANA_METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize(
    "authorization", ["", f"Basic {TOKEN}", "Bearer wrong", f"Bearer {TOKEN}x", TOKEN]
)
def test_without_the_token_metrics_is_a_404(client, authorization):
    response = client.get("/metrics", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 404
    assert b"acompana_" not in response.content


@override_settings(ACOMPANA_METRICS_TOKEN=TOKEN)
def test_with_the_token_prometheus_reads_the_metrics_on_any_host_over_plain_http(client):
    # As Prometheus scrapes a container: its address as the host (not an allowed host), no
    # proxy in front (plain HTTP), no session, no database.
    response = client.get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", HTTP_HOST="10.0.3.7:8000"
    )
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response
    text = response.content.decode()
    assert "acompana_celery_broker_up" in text


@override_settings(ACOMPANA_METRICS_TOKEN=TOKEN)
@pytest.mark.parametrize("given", ["Bearer t\u00f6ken", f"Bearer {TOKEN}\u00e9", "B\u00e9arer x"])
def test_a_token_with_characters_outside_ascii_is_a_404_not_an_error(client, given):
    # The header as WSGI gives it: bytes read as latin-1.
    response = client.get("/metrics", HTTP_AUTHORIZATION=given)
    assert response.status_code == 404


# --- Celery: read from the broker at scrape time --------------------------------------------------
def test_queue_length_unacked_and_outcomes_come_from_the_broker():
    queue = f"metrics-{secrets.token_hex(6)}"
    task = f"tests.metrics.{secrets.token_hex(6)}"
    client = _broker(settings.CELERY_BROKER_URL)
    try:
        client.rpush(queue, *[b"{}"] * 3)
        client.rpush(queue + "\x06\x163", b"{}")  # a message of priority 3
        with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue, CELERY_TASK_ALWAYS_EAGER=False):
            before = metrics.exposition().decode()
            metrics.count_outcome("succeeded", task)
            metrics.count_outcome("succeeded", task)
            metrics.count_outcome("failed", task)
            text = metrics.exposition().decode()
    finally:
        client.delete(queue, queue + "\x06\x163")
        for state in metrics.STATES:
            client.hdel(metrics.OUTCOMES_KEY.format(state=state), task)
    assert _value(text, "acompana_celery_broker_up") == 1
    assert _value(text, "acompana_celery_queue_length", f'queue="{queue}"') == 4
    assert _value(text, "acompana_celery_unacked_tasks") is not None
    assert _value(before, "acompana_celery_tasks_total", f'task="{task}",state="succeeded"') is None
    assert _value(text, "acompana_celery_tasks_total", f'task="{task}",state="succeeded"') == 2
    assert _value(text, "acompana_celery_tasks_total", f'task="{task}",state="failed"') == 1


def test_task_outcomes_are_counted_over_one_connection_pool():
    url = settings.CELERY_BROKER_URL
    client = _broker(url)
    task = f"tests.metrics.{secrets.token_hex(6)}"
    key = metrics.OUTCOMES_KEY.format(state="succeeded")
    try:
        with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
            for _ in range(5):  # five tasks finished in one worker process
                metrics.count_outcome("succeeded", task)
        assert int(client.hget(key, task)) == 5
    finally:
        client.hdel(key, task)
    pool = metrics._outcome_pools[url]
    assert pool._created_connections == 1
    assert pool.connection_kwargs["socket_timeout"] == metrics.OUTCOME_TIMEOUT


@pytest.mark.django_db
def test_the_outbox_rows_waiting_for_the_broker_are_exported():
    text = metrics.exposition().decode()
    assert _value(text, "acompana_outbox_unsent") == 0
    now, task = timezone.now(), "training.tasks.clear_cache"
    OutboxTask.objects.create(task=task, attempts=1)  # a send failed
    OutboxTask.objects.create(task=task, created_at=now - timedelta(hours=1))  # never reported
    OutboxTask.objects.create(task=task)  # its process is sending it
    OutboxTask.objects.create(task=task, attempts=1, sent_at=now)  # sent
    text = metrics.exposition().decode()
    assert _value(text, "acompana_outbox_unsent") == 2


@override_settings(CELERY_BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
def test_a_broker_down_is_reported_not_an_error():
    text = metrics.exposition().decode()
    assert _value(text, "acompana_celery_broker_up") == 0
    assert "acompana_celery_queue_length{" not in text


# --- Real processes -------------------------------------------------------------------------------
def _get(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode(errors="replace")
    finally:
        connection.close()


@pytest.mark.integration
def test_a_real_worker_s_outcomes_and_two_gunicorn_workers_in_one_scrape(tmp_path, monkeypatch):
    """A worker (another process, as on another machine) runs a task that succeeds and one that
    fails; gunicorn with two worker processes answers requests; one scrape shows it all."""
    broker = _broker(SMOKE_BROKER)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    queue = f"metrics-{secrets.token_hex(6)}"
    port, nowhere = free_port(), free_port()
    env = production_env(
        tmp_path,
        DATABASE_URL=f"postgres://acompana:x@127.0.0.1:{nowhere}/acompana",
        ACOMPANA_METRICS_TOKEN=TOKEN,
    )
    processes = Processes(tmp_path)
    client = Celery("probe", broker=SMOKE_BROKER, backend=SMOKE_BROKER, set_as_current=False)
    keys = [metrics.OUTCOMES_KEY.format(state=state) for state in metrics.STATES]
    before = {
        (key, name): int(broker.hget(key, name) or 0)
        for key in keys
        for name in ("tests.probe.log_request_id", "tests.probe.fail")
    }
    try:
        processes.start(
            "worker",
            celery_worker_args(BIN, queue, include="tests.celery_probe"),
            env,
        )
        processes.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
                "training.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                "--graceful-timeout", "3",
            ],
            {**env, "TMPDIR": str(tmp_path)},
        )  # fmt: skip
        ok = client.send_task("tests.probe.log_request_id", args=["ok"], queue=queue)
        bad = client.send_task("tests.probe.fail", args=["bad"], queue=queue)
        try:
            ok.get(timeout=60)
        except Exception as error:
            pytest.fail(f"the worker did not run the task: {error!r}\n{processes.logs()}")
        with pytest.raises(RuntimeError):
            bad.get(timeout=60, propagate=True)
        ok.forget()
        bad.forget()

        deadline = time.monotonic() + 40
        while True:
            with contextlib.suppress(OSError):
                status, _text = _get(port, "/metrics", {"Host": "localhost"})
                break
            assert processes.started["gunicorn"][0].poll() is None, processes.logs()
            assert time.monotonic() < deadline, processes.logs()
            time.sleep(0.2)
        assert status == 404  # no token
        # Requests over new connections: gunicorn's two worker processes share them.
        for _ in range(20):
            assert (
                _get(port, "/h5p/x", {"Host": "localhost", "X-Forwarded-Proto": "https"})[0] == 404
            )
        scrapes = [
            _get(port, "/metrics", {"Host": "10.0.0.5:8000", "Authorization": f"Bearer {TOKEN}"})
            for _ in range(4)
        ]
    finally:
        processes.stop_all()
        client.close()
        broker.delete(queue, f"_kombu.binding.{queue}")
    statuses = {status for status, _text in scrapes}
    assert statuses == {200}, (statuses, processes.logs())
    text = scrapes[-1][1]
    succeeded = _value(
        text, "acompana_celery_tasks_total", 'task="tests.probe.log_request_id",state="succeeded"'
    )
    failed = _value(text, "acompana_celery_tasks_total", 'task="tests.probe.fail",state="failed"')
    keys_succeeded = (keys[0], "tests.probe.log_request_id")
    keys_failed = (keys[1], "tests.probe.fail")
    assert succeeded == before[keys_succeeded] + 1, text
    assert failed == before[keys_failed] + 1, text
    assert _value(text, "acompana_celery_queue_length", 'queue="celery"') is not None, text
    # Every request of both processes, whichever process answered the scrape (counted by
    # django-prometheus' middleware in its multiprocess files): the 20 requests above, always.
    counts = [_value(t, "django_http_requests_before_middlewares_total") for _s, t in scrapes]
    assert counts == [20.0] * len(scrapes), (counts, text)
    pids = set()
    for line in (tmp_path / "gunicorn.log").read_text().splitlines():
        if "Booting worker with pid" in line:
            pids.add(line.rsplit(" ", 1)[-1])
    assert len(pids) == 2, pids
