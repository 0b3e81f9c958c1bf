"""PostgreSQL restarted under load, under the real production gunicorn: while it is away every
request ends quickly with the friendly page as a 503 (JSON for the browser's scripts), never a
traceback nor a hang; once it is back the same web processes serve again (CONN_HEALTH_CHECKS),
nobody restarts them."""

import json
import threading
import time

import pytest
from django.urls import reverse

from training.factories import UserFactory

from .conftest import (
    copy_test_database,
    fetch,
    production_env,
    signed_in_cookies,
    start_web,
    wait_for,
)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FRIENDLY = "Something went wrong on our side"


class Load:
    """Threads asking for pages in a loop; every answer is kept (time, status, seconds, body)."""

    def __init__(self, port, requests, threads=4):
        self.port, self.requests = port, requests
        self.answers = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(threads)]

    def _run(self, index):
        n = index
        while not self.stop.is_set():
            path, kwargs = self.requests[n % len(self.requests)]
            n += 1
            started = time.monotonic()
            try:
                status, headers, body = fetch(self.port, path, timeout=20, **kwargs)
            except OSError as error:  # refused, reset, timed out: not clean
                status, headers, body = None, {}, repr(error)
            self.answers.append((started, path, status, time.monotonic() - started, headers, body))

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


def test_postgres_restarted_under_load_fails_cleanly_then_recovers(
    postgres_server, redis_server, processes, static_root, tmp_path
):
    anna = UserFactory(display_name="Anna")
    cookies = signed_in_cookies(anna)
    database_url = copy_test_database(postgres_server)
    env = production_env(
        tmp_path, static_root, DATABASE_URL=database_url, CONN_MAX_AGE="60",
        CELERY_BROKER_URL=redis_server.url(0), REDIS_CACHE_URL=redis_server.url(1),
        DATABASE_CONNECT_TIMEOUT="3",
    )  # fmt: skip
    port = start_web(processes, env)
    web = processes.started["web"][0]
    dashboard = reverse("dashboard")
    requests = [
        (dashboard, {"cookies": cookies}),
        ("/accounts/login/", {}),
        # What the H5P block's script sends (the statement's details do not matter here).
        (
            reverse("courses:h5p_xapi", args=[1, "00000000-0000-0000-0000-000000000000"]),
            {
                "method": "POST", "data": b"{}", "cookies": cookies,
                "headers": {"Accept": "application/json", "Content-Type": "application/json"},
            },
        ),
    ]  # fmt: skip
    status, _headers, body = fetch(port, dashboard, cookies=cookies)
    assert status == 200 and "Anna" in body, body[:2000]

    with Load(port, requests) as load:
        time.sleep(2)
        down_at = time.monotonic()
        postgres_server.stop(mode="fast")  # every connection is closed under the workers
        time.sleep(4)
        status, _headers, body = fetch(port, "/healthz")
        assert status == 503 and json.loads(body)["database"] == "unavailable", body
        postgres_server.start()
        up_at = time.monotonic()
        wait_for(
            lambda: fetch(port, dashboard, cookies=cookies)[0] == 200, timeout=30,
            message="the dashboard again", processes=processes,
        )  # fmt: skip
        time.sleep(3)
        recovered_at = time.monotonic()
        time.sleep(2)

    answers = load.answers
    assert answers, "no request was made"
    outage = [a for a in answers if down_at <= a[0] <= up_at]
    unavailable = [a for a in outage if a[2] == 503]
    assert unavailable, f"no 503 while PostgreSQL was down: {[a[2] for a in outage]}"
    for _started, path, status, seconds, headers, body in answers:
        assert seconds < 15, f"{path} took {seconds:.1f} s (a hang)"
        # The statement endpoint refuses this empty statement (403/400) once it can read.
        allowed = (200, 302, 503) + ((400, 403, 404) if "xapi" in path else ())
        assert status in allowed, f"{path}: {status}\n{body[:3000]}\n{processes.logs()}"
        assert "Traceback" not in body
        if status == 503:
            assert headers.get("Retry-After") == "30"
            if headers.get("Content-Type", "").startswith("application/json"):
                assert json.loads(body) == {"code": "unavailable"}
            else:
                assert FRIENDLY in body
    # The browser's scripts were told to keep their statement and try again (a 5xx).
    assert any(
        a[2] == 503 and a[4].get("Content-Type", "").startswith("application/json") for a in outage
    ), "the statement endpoint never answered 503 JSON during the outage"
    # Back to normal, with the same processes.
    after = [a for a in answers if a[0] >= recovered_at]
    assert after and all(a[2] in (200, 302) for a in after if "xapi" not in a[1]), after
    assert all(a[2] == 200 for a in after if a[1] == dashboard), [a[2] for a in after]
    assert web.poll() is None
    assert fetch(port, "/healthz")[0] == 200
