"""Care's background work: each task takes ids, calls one service and is safe to run twice."""

from celery import shared_task
from django.db import DatabaseError

from training.retention import retention

from . import services


@shared_task(name="care.tasks.purge_checkins", acks_late=True,
             autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)  # fmt: skip
@retention("care.tasks.purge_checkins")
def purge_checkins() -> int:
    """Check-ins older than ACOMPANA_CHECKIN_RETENTION_DAYS. Safe to rerun."""
    return services.checkins_purge()


@shared_task(name="care.tasks.notify_debrief_request", acks_late=True,
             autoretry_for=(DatabaseError, OSError), retry_backoff=True, max_retries=5)  # fmt: skip
def notify_debrief_request(request_id: int) -> int:
    """Tell the cohort's trainers of a debrief request (each once, whatever runs twice)."""
    return services.debrief_request_notify(request_id)
