"""Tasks for tests that start a real worker (`--include tests.celery_probe`): they need neither
the database nor anything but the worker itself."""

import logging

from celery import shared_task

from training.logging import current_request_id

logger = logging.getLogger("acompana.probe")


@shared_task(name="tests.probe.log_request_id")
def log_request_id(marker):
    logger.info("probe %s", marker)
    return current_request_id()


@shared_task(name="tests.probe.fail")
def fail(marker):
    raise RuntimeError(f"probe failure {marker}")
