"""Cohort messages sent in the background, each once (NotificationLog)."""

from celery import shared_task
from django.db import DatabaseError


@shared_task(
    name="cohorts.tasks.send_cohort_invitations", acks_late=True,
    autoretry_for=(DatabaseError, OSError), retry_backoff=True, max_retries=5,
)  # fmt: skip
def send_cohort_invitations(invitation_ids: list[int]) -> int:
    """Email trainers' invitations to a cohort (cohorts.invitations). Safe to run twice."""
    from .invitations import invitations_send

    return invitations_send(invitation_ids)


@shared_task(name="cohorts.tasks.expire_invitations", acks_late=True)
def expire_invitations() -> list[int]:
    """Invitations past their date expire; old records of ended ones are deleted."""
    from .invitations import invitations_expire

    return list(invitations_expire())


# --- Notifications (cohorts.notify): each idempotent, safe to run twice -------------------------
RETRY = {"acks_late": True, "autoretry_for": (DatabaseError, OSError), "retry_backoff": True,
         "max_retries": 5}  # fmt: skip


@shared_task(name="cohorts.tasks.notify_application", **RETRY)
def notify_application(application_id: int, event: str, status: str = "") -> int:
    from . import notify
    from .models import Application

    application = (
        Application.objects.select_related("user", "cohort").filter(pk=application_id).first()
    )
    if application is None:
        return 0
    if status and application.status != status:
        return 0  # it changed again since (withdrawn, say): that news is told on its own
    if event == "received":
        return notify.application_received(application)
    return notify.application_decided(application)


@shared_task(name="cohorts.tasks.notify_session_changed", **RETRY)
def notify_session_changed(session_id: int) -> int:
    from . import notify
    from .models import LiveSession

    session = LiveSession.objects.select_related("cohort").filter(pk=session_id).first()
    return notify.session_changed(session) if session else 0


@shared_task(name="cohorts.tasks.send_session_reminders", **RETRY)
def send_session_reminders() -> int:
    from . import notify

    return notify.session_reminders()


@shared_task(name="cohorts.tasks.send_module_releases", **RETRY)
def send_module_releases() -> int:
    from . import notify

    return notify.module_releases()


@shared_task(name="cohorts.tasks.send_nudges", **RETRY)
def send_nudges() -> int:
    from . import notify

    return notify.nudges()


@shared_task(name="cohorts.tasks.send_digests", **RETRY)
def send_digests() -> int:
    from . import notify

    return notify.digests()
