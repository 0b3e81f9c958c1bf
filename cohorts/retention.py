"""Cohort data kept no longer than it serves: closed applications of people never accepted, the
record of messages sent, calendar addresses nobody uses. Each run by a scheduled task
(cohorts/tasks.py, recorded for the Retention report); each safe to run twice."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from training.models import NotificationLog

from .models import Application, CalendarFeed, Membership


@transaction.atomic
def applications_purge_closed(*, days: int | None = None, now=None) -> int:
    """Delete declined or withdrawn applications (with their answers) of people who never
    became members of that cohort, closed more than ACOMPANA_CLOSED_APPLICATION_DAYS ago.

    An application that led to a membership stays with it (how the person joined). Once a
    declined application is gone the person may apply to that cohort again: a decision is not
    held against someone for longer than the period."""
    days = settings.ACOMPANA_CLOSED_APPLICATION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    member = Membership.objects.filter(cohort=OuterRef("cohort"), user=OuterRef("user"))
    # Withdrawals record when they happened in decided_at; older ones only have submitted_at.
    closed_before = Q(decided_at__lt=cutoff) | Q(decided_at__isnull=True, submitted_at__lt=cutoff)
    stale = Application.objects.filter(
        closed_before,
        status__in=[Application.Status.DECLINED, Application.Status.WITHDRAWN],
    ).exclude(Exists(member))
    deleted, _by_model = stale.delete()
    return deleted


def _notification_log_floor_days() -> int:
    """The shortest period after which a sent message's key can never be asked for again.

    A key stops a message from going out twice only while the event that sends it can still
    happen: reminders fire in the 24 hours before a session, releases within 2 days of opening,
    nudges and digests carry their week and day, application and certificate news go out when
    the event happens; the longest window is a certificate's renewal reminder, sent up to the
    largest ACOMPANA_RENEWAL_REMINDER_DAYS before expiry, and its expiry notice, 14 days after.
    Past that window (plus a margin) a purged key is never produced again, so nothing is sent
    twice; a shorter setting is raised to it."""
    return max(settings.ACOMPANA_RENEWAL_REMINDER_DAYS, default=0) + 14 + 30


@transaction.atomic
def notification_logs_purge(*, days: int | None = None, now=None) -> int:
    """Delete the record of messages sent more than ACOMPANA_NOTIFICATION_LOG_DAYS ago (never
    less than the window in which the same message could be asked for again)."""
    days = settings.ACOMPANA_NOTIFICATION_LOG_DAYS if days is None else days
    days = max(days, _notification_log_floor_days())
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _by_model = NotificationLog.objects.filter(sent_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def calendar_feeds_purge(*, days: int | None = None, now=None) -> int:
    """Delete private calendar addresses never used and made, or last used, more than
    ACOMPANA_CALENDAR_FEED_UNUSED_DAYS ago. The person can make a new address any time."""
    days = settings.ACOMPANA_CALENDAR_FEED_UNUSED_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    unused = Q(last_used_at__isnull=True, created_at__lt=cutoff) | Q(last_used_at__lt=cutoff)
    deleted, _by_model = CalendarFeed.objects.filter(unused).delete()
    return deleted
