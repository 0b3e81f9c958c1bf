"""Redis stopped under the real production processes (gunicorn, a Celery worker), then started
again: pages render without the cache, /healthz says the broker is down, and a task queued
meanwhile (a data download) is sent once Redis is back and done by the worker."""

import json
import logging
import re
import time

import pytest
from django.urls import reverse

from training.cache import PooledClientRedisCache
from training.factories import UserFactory
from training.models import DataDownload, OutboxTask

from .conftest import (
    fetch,
    production_env,
    session_database_url,
    signed_in_cookies,
    start_web,
    start_worker,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _ask_for_data(port, cookies):
    """What the person does on /accounts/data/: open it, press the button (with the form's
    CSRF token, as the browser sends it)."""
    path = reverse("account_data")
    status, headers, body = fetch(port, path, cookies=cookies)
    assert status == 200, body[:2000]
    csrf = re.search(r"acompana_csrftoken=([^;]+)", headers.get("Set-Cookie") or "")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert csrf and token, body[:2000]
    status, headers, body = fetch(
        port, path, method="POST",
        data=f"csrfmiddlewaretoken={token.group(1)}".encode(),
        cookies={**cookies, "acompana_csrftoken": csrf.group(1)},
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://localhost{path}", "Origin": "https://localhost",
        },
    )  # fmt: skip
    return status, body


def test_redis_stopped_pages_render_and_queued_tasks_are_sent_when_it_returns(
    redis_server, processes, static_root, tmp_path
):
    anna, bruno = UserFactory(display_name="Anna"), UserFactory(display_name="Bruno")
    env = production_env(
        tmp_path, static_root, DATABASE_URL=session_database_url(),
        CELERY_BROKER_URL=redis_server.url(0), CELERY_RESULT_BACKEND=redis_server.url(0),
        REDIS_CACHE_URL=redis_server.url(1),
        # One web process: "the next successful send of the same process relays" is what the
        # test watches (the beat task does it for every process, every minute).
        WEB_CONCURRENCY="1",
    )  # fmt: skip
    port = start_web(processes, env)
    start_worker(processes, env)
    status, _headers, body = fetch(port, "/healthz")
    assert status == 200 and json.loads(body)["broker"] == "ok", body
    cookies = signed_in_cookies(anna)
    status, headers, body = fetch(port, reverse("dashboard"), cookies=cookies)
    assert status == 200, (status, headers.get("Location"), processes.logs())

    redis_server.stop()

    # Pages render: the cache is a miss, the session is read from the database.
    status, _headers, body = fetch(port, "/accounts/login/")
    assert status == 200, f"{body[:2000]}\n{processes.logs()}"
    status, _headers, body = fetch(port, reverse("dashboard"), cookies=cookies)
    assert status == 200, f"{body[:2000]}\n{processes.logs()}"
    assert "Anna" in body  # still signed in
    status, _headers, body = fetch(port, "/healthz")
    assert status == 503, body
    assert json.loads(body) == {"status": "unavailable", "database": "ok", "broker": "unavailable"}

    # A task queued now is committed with the change, and waits.
    status, body = _ask_for_data(port, cookies)
    assert status == 302, f"{body[:2000]}\n{processes.logs()}"
    waiting = OutboxTask.objects.get(task="training.tasks.build_data_download")
    assert waiting.sent_at is None and waiting.attempts == 1, waiting.last_error
    assert DataDownload.objects.get(person=anna).status == DataDownload.Status.PENDING

    redis_server.start()
    wait_for(lambda: fetch(port, "/healthz")[0] == 200, timeout=20, message="/healthz 200",
             processes=processes)  # fmt: skip

    # The next task queued by that process is sent, and the one that waited with it.
    status, body = _ask_for_data(port, signed_in_cookies(bruno))
    assert status == 302, body[:2000]
    wait_for(lambda: not OutboxTask.objects.filter(sent_at=None).exists(), timeout=20,
             message="every outbox row sent", processes=processes)  # fmt: skip
    # The worker (which lost its broker too) builds both archives.
    wait_for(
        lambda: DataDownload.objects.filter(status=DataDownload.Status.READY).count() == 2,
        timeout=90, message="both data downloads ready", processes=processes,
    )  # fmt: skip


def test_the_cache_degrades_to_no_cache_logs_once_and_empties_itself_on_return(
    redis_server, caplog
):
    """The backend itself against a Redis stopped and started: a miss, a dropped write, a rate
    limit that lets through (0), one warning; then, once RETRY_SECONDS have passed, what was
    cached before the outage (and may be stale: an invalidation was dropped during it) is gone."""
    cache = PooledClientRedisCache(
        redis_server.url(1),
        {
            "KEY_PREFIX": "faults",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "RETRY_SECONDS": 1},
        },
    )
    cache.set("generation", 1, None)
    cache.set("page", "old page", None)
    assert cache.get("page") == "old page"

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="training.cache"):
        assert cache.get("page", "missed") == "missed"
        assert cache.get_many(["page", "generation"]) == {}
        cache.set("generation", 2, None)  # an invalidation, dropped
        assert cache.add("lock", 1) is False
        assert cache.count("rate:someone", 60) == 0  # rate limits fail open
        assert cache.delete("page") is False
        assert cache.has_key("page") is False
        with pytest.raises(ValueError):
            cache.incr("generation")
        assert cache.get_or_set("fresh", lambda: "computed") == "computed"
    warnings = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(warnings) == 1, caplog.text

    redis_server.start()
    time.sleep(1)  # RETRY_SECONDS after the last failure, Redis is asked again
    assert cache.get("page") is None  # emptied: the dropped invalidation cannot leave it stale
    assert cache.get("generation") is None
    cache.set("page", "new page")
    assert cache.get("page") == "new page"
