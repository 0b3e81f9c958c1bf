"""The Celery app for test_worker_killed.py: training's own, with the first certificate render of
the test made slow (after WeasyPrint, before the PDF is stored) so that the test can kill the
worker in the middle of it. Production code is unchanged: the slowness is patched in here, in
the worker process, and only when ACOMPANA_TEST_RENDER_LOG is set.

Each render writes its process id to that file; the first one then sleeps
ACOMPANA_TEST_RENDER_SECONDS.
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from training.celery import app

__all__ = ["app"]


def _slow_first_render(**kwargs):
    from certificates import pdf  # noqa: PLC0415 - Django is set up once a task runs

    if getattr(pdf.render, "slowed_for_tests", False):
        return
    original = pdf.render

    def render(*args, **kwargs):
        content = original(*args, **kwargs)
        log = Path(os.environ["ACOMPANA_TEST_RENDER_LOG"])
        first = not log.exists() or not log.read_text().strip()
        with log.open("a") as file:
            file.write(f"{os.getpid()}\n")
        if first:
            time.sleep(float(os.environ.get("ACOMPANA_TEST_RENDER_SECONDS", "0")))
        return content

    render.slowed_for_tests = True
    pdf.render = render


if os.environ.get("ACOMPANA_TEST_RENDER_LOG"):
    task_prerun.connect(_slow_first_render, weak=False)
