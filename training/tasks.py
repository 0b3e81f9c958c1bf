from celery import shared_task
from django.core.management import call_command


@shared_task(name="training.tasks.clear_expired_sessions", acks_late=True, max_retries=3)
def clear_expired_sessions() -> str:
    """Delete expired sessions: personal data is kept no longer than it serves. Safe to rerun."""
    call_command("clearsessions")
    return "cleared"
