"""A real Celery worker against the machine's Redis runs the periodic task on the test database."""

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from tests.conftest import skip_or_fail
from training.celery import app

ROOT = Path(__file__).resolve().parents[2]
BROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")


def test_beat_schedule_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_clears_expired_sessions():
    if connection.vendor != "postgresql":
        skip_or_fail("the worker needs a database it can share with the test: set DATABASE_URL")
    try:
        redis.Redis.from_url(BROKER, socket_connect_timeout=2).ping()
    except redis.RedisError:
        skip_or_fail(f"Redis does not answer at {BROKER}")

    Session.objects.create(
        session_key="expired" + uuid.uuid4().hex[:20],
        session_data="x",
        expire_date=timezone.now() - timedelta(days=1),
    )
    Session.objects.create(
        session_key="current" + uuid.uuid4().hex[:20],
        session_data="x",
        expire_date=timezone.now() + timedelta(days=1),
    )

    db = settings.DATABASES["default"]
    queue = f"test-{uuid.uuid4().hex}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "training.settings.test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST']}:{db['PORT']}/"
            f"{db['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "training",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    previous = (app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend)
    app.conf.task_always_eager = False
    app.conf.broker_url = BROKER
    app.conf.result_backend = BROKER
    try:
        result = app.send_task("training.tasks.clear_expired_sessions", queue=queue)
        try:
            value = result.get(timeout=60)
        except Exception as exc:
            worker.terminate()
            output = worker.communicate(timeout=10)[0]
            pytest.fail(f"the worker did not finish the task: {exc!r}\n{output[-3000:]}")
        assert isinstance(value, int) and value >= 1  # how many expired sessions it removed
        keys = set(Session.objects.values_list("session_key", flat=True))
        assert not any(k.startswith("expired") for k in keys)
        assert any(k.startswith("current") for k in keys)
    finally:
        app.conf.task_always_eager, app.conf.broker_url, app.conf.result_backend = previous
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
