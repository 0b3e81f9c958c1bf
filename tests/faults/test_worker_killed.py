"""A Celery worker killed (SIGKILL) while it renders a certificate's PDF: the task runs again and
leaves exactly one PDF. Real workers (production settings, prefork pool) on a Redis of their own;
the render is slowed by tests/faults/slow_worker.py, not in the code that runs in production.

- Only the pool process killed (out of memory): the worker requeues the task at once
  (task_acks_late + task_reject_on_worker_lost) and runs it again.
- The whole worker killed (its container, its machine): the message stays unacknowledged in
  Redis; a worker started again delivers it once the visibility timeout has passed
  (CELERY_VISIBILITY_TIMEOUT: short here, 30 minutes by default).
"""

import os
import signal
import time

import pytest
from celery import Celery

from certificates.models import Certificate
from tests.certificates.factories import TrackFactory, make_certificate
from training.factories import UserFactory

from .conftest import kill_group, production_env, session_database_url, start_worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SLOW_RENDER = 40  # seconds: under the render's soft time limit (60); the test kills before


def _renders(log):
    return log.read_text().split() if log.exists() else []


def _queue_render(redis_server, certificate):
    client = Celery("faults", broker=redis_server.url(0), set_as_current=False)
    try:
        client.send_task(
            "certificates.tasks.render_certificate", args=[certificate.pk, ""], ignore_result=True
        )
    finally:
        client.close()


def _pdfs(tmp_path):
    folder = tmp_path / "private" / "certificates"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def _env(tmp_path, static_root, redis_server, log, **overrides):
    return production_env(
        tmp_path, static_root, DATABASE_URL=session_database_url(),
        CELERY_BROKER_URL=redis_server.url(0), CELERY_RESULT_BACKEND=redis_server.url(0),
        REDIS_CACHE_URL=redis_server.url(1), ACOMPANA_TEST_RENDER_LOG=str(log),
        ACOMPANA_TEST_RENDER_SECONDS=str(SLOW_RENDER), **overrides,
    )  # fmt: skip


def _certificate():
    return make_certificate(UserFactory(display_name="Rosa Kill"), TrackFactory())


def _exactly_one_pdf(certificate, tmp_path, log, processes):
    wait_for(
        lambda: Certificate.objects.get(pk=certificate.pk).pdf_status == Certificate.Pdf.READY,
        timeout=120, message="the PDF rendered again", processes=processes,
    )  # fmt: skip
    time.sleep(3)  # a late duplicate delivery would show now
    certificate.refresh_from_db()
    assert len(_renders(log)) == 2, (_renders(log), processes.logs())
    assert _pdfs(tmp_path) == [certificate.pdf.name.rsplit("/", 1)[-1]], _pdfs(tmp_path)


def test_a_pool_process_killed_mid_render_is_requeued_at_once(
    redis_server, processes, static_root, tmp_path
):
    log = tmp_path / "renders.log"
    certificate = _certificate()
    start_worker(processes, _env(tmp_path, static_root, redis_server, log),
                 app="tests.faults.slow_worker")  # fmt: skip
    _queue_render(redis_server, certificate)
    wait_for(lambda: _renders(log), timeout=90, message="the render started", processes=processes)
    child = int(_renders(log)[0])
    os.kill(child, signal.SIGKILL)  # the pool process only: its worker lives on

    _exactly_one_pdf(certificate, tmp_path, log, processes)
    assert int(_renders(log)[1]) != child


def test_the_whole_worker_killed_mid_render_runs_it_again_after_a_restart(
    redis_server, processes, static_root, tmp_path
):
    log = tmp_path / "renders.log"
    certificate = _certificate()
    first = start_worker(
        processes, _env(tmp_path, static_root, redis_server, log),
        name="doomed", app="tests.faults.slow_worker",
    )  # fmt: skip
    _queue_render(redis_server, certificate)
    wait_for(lambda: _renders(log), timeout=90, message="the render started", processes=processes)
    kill_group(first)  # every process of the worker, SIGKILL: nothing acknowledges anything
    assert _pdfs(tmp_path) == []
    assert Certificate.objects.get(pk=certificate.pk).pdf_status == Certificate.Pdf.PENDING

    # Started again; its visibility timeout (short here) brings the message back.
    start_worker(
        processes, _env(tmp_path, static_root, redis_server, log, CELERY_VISIBILITY_TIMEOUT="5"),
        name="restarted", app="tests.faults.slow_worker",
    )  # fmt: skip
    _exactly_one_pdf(certificate, tmp_path, log, processes)
