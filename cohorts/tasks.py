"""Cohort messages sent in the background, each once (NotificationLog).

Each task takes ids, reads afresh and calls one service. The services that queue a task import
this module; so the modules that both queue tasks and are called by them (invitations,
announcements) are imported inside the task (a cycle: the one place imports stay local).
"""

from celery import shared_task
from django.db import DatabaseError

from training.retention import retention

from . import notify
from .models import Application, Cohort, LiveSession, Membership
from .retention import (
    applications_purge_closed,
    calendar_feeds_purge,
    notification_logs_purge,
)


@shared_task(
    name="cohorts.tasks.send_cohort_invitations", acks_late=True,
    autoretry_for=(DatabaseError, OSError), retry_backoff=True, max_retries=5,
)  # fmt: skip
def send_cohort_invitations(invitation_ids: list[int]) -> int:
    """Email trainers' invitations to a cohort (cohorts.invitations). Safe to run twice."""
    from .invitations import invitations_send  # noqa: PLC0415 — a cycle: it queues this task

    return invitations_send(invitation_ids)


@shared_task(name="cohorts.tasks.expire_invitations", acks_late=True)
@retention("cohorts.tasks.expire_invitations", removed=lambda result: result[1])
def expire_invitations() -> list[int]:
    """Invitations past their date expire; old records of ended ones are deleted."""
    from .invitations import invitations_expire  # noqa: PLC0415 — a cycle: it queues this task

    return list(invitations_expire())


@shared_task(name="cohorts.tasks.purge_closed_applications", acks_late=True,
             autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)  # fmt: skip
@retention("cohorts.tasks.purge_closed_applications")
def purge_closed_applications() -> int:
    """Declined or withdrawn applications of people never accepted, past their period."""
    return applications_purge_closed()


@shared_task(name="cohorts.tasks.purge_notification_logs", acks_late=True,
             autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)  # fmt: skip
@retention("cohorts.tasks.purge_notification_logs")
def purge_notification_logs() -> int:
    """The record of messages sent long ago (cohorts.retention says why that is safe)."""
    return notification_logs_purge()


@shared_task(name="cohorts.tasks.purge_calendar_feeds", acks_late=True,
             autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3)  # fmt: skip
@retention("cohorts.tasks.purge_calendar_feeds")
def purge_calendar_feeds() -> int:
    """Private calendar addresses never used, or not used for a long time."""
    return calendar_feeds_purge()


# --- Notifications (cohorts.notify): each idempotent, safe to run twice -------------------------
RETRY = {"acks_late": True, "autoretry_for": (DatabaseError, OSError), "retry_backoff": True,
         "max_retries": 5}  # fmt: skip


@shared_task(name="cohorts.tasks.notify_application", **RETRY)
def notify_application(application_id: int, event: str, status: str = "") -> int:
    application = (
        Application.objects.select_related("user", "cohort").filter(pk=application_id).first()
    )
    if application is None:
        return 0
    if status and application.status != status:
        return 0  # it changed again since (withdrawn, say): that news is told on its own
    if event == "received":
        return notify.application_received(application)
    return notify.application_decided(application, promoted=event == "promoted")


@shared_task(name="cohorts.tasks.notify_member_left", **RETRY)
def notify_member_left(membership_id: int, event: str, to_cohort_id: int | None = None) -> int:
    """Tell a person a trainer removed them from a cohort, or moved them to another one."""
    membership = (
        Membership.objects.select_related("user", "cohort").filter(pk=membership_id).first()
    )
    if membership is None or membership.left_at is None:
        return 0  # back in the cohort since: nothing to tell
    if event == "removed" and membership.left_reason == Membership.LeftReason.REMOVED:
        return notify.member_removed(membership)
    to = Cohort.objects.filter(pk=to_cohort_id).first()
    if event == "moved" and membership.left_reason == Membership.LeftReason.MOVED and to:
        return notify.member_moved(membership, to)
    return 0


@shared_task(name="cohorts.tasks.notify_session_changed", **RETRY)
def notify_session_changed(session_id: int) -> int:
    session = LiveSession.objects.select_related("cohort").filter(pk=session_id).first()
    return notify.session_changed(session) if session else 0


@shared_task(name="cohorts.tasks.send_announcement", **RETRY)
def send_announcement(announcement_id: int) -> int:
    """A trainer's announcement to its audience, in batches, each person once."""
    from .announcements import announcement_deliver  # noqa: PLC0415 — a cycle: it queues this task

    return announcement_deliver(announcement_id)


@shared_task(name="cohorts.tasks.send_unsent_announcements", acks_late=True)
def send_unsent_announcements() -> int:
    """Announcements a run left unfinished (retries spent, task lost) are sent on."""
    from .announcements import announcements_unsent  # noqa: PLC0415 — a cycle: it queues this task

    return announcements_unsent()


@shared_task(name="cohorts.tasks.notify_reflection_reply", **RETRY)
def notify_reflection_reply(reflection_id: int, day: str) -> int:
    from .announcements import reflection_reply_notify  # noqa: PLC0415 — a cycle: it queues this task

    return reflection_reply_notify(reflection_id, day)


@shared_task(name="cohorts.tasks.notify_sessions", **RETRY)
def notify_sessions(session_ids: list[int], event: str = "changed") -> int:
    """Members told of sessions added, or changed or cancelled, saved together: one message
    per person for the batch."""
    batch = list(LiveSession.objects.select_related("cohort").filter(pk__in=session_ids))
    if event == "added":
        return notify.sessions_added(batch)
    return notify.sessions_changed(batch)


@shared_task(name="cohorts.tasks.send_session_reminders", **RETRY)
def send_session_reminders() -> int:
    return notify.session_reminders()


@shared_task(name="cohorts.tasks.send_module_releases", **RETRY)
def send_module_releases() -> int:
    return notify.module_releases()


@shared_task(name="cohorts.tasks.send_nudges", **RETRY)
def send_nudges() -> int:
    return notify.nudges()


@shared_task(name="cohorts.tasks.send_digests", **RETRY)
def send_digests() -> int:
    return notify.digests()
