from celery import shared_task
from django.core.management import call_command
from django.db import DatabaseError

from .services import user_purge_unverified


@shared_task(
    name="training.tasks.clear_expired_sessions", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
def clear_expired_sessions() -> str:
    """Delete expired sessions: personal data is kept no longer than it serves. Safe to rerun."""
    call_command("clearsessions")
    return "cleared"


@shared_task(
    name="training.tasks.purge_unverified_accounts", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
def purge_unverified_accounts() -> int:
    """Remove sign-ups that were never confirmed (see user_purge_unverified). Safe to rerun."""
    return user_purge_unverified()
