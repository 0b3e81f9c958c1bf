"""Messages to people about their cohorts: the kinds cohorts sends, registered with the sender
(training/notifications.py: each sent once, in the recipient's language and time zone, with a
discreet subject, in batches), and the events and schedules that send them."""

import hashlib
from datetime import timedelta

from django.db.models import Count, Max, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.models import CourseProgress
from training.models import NotificationLog, User
from training.notifications import BATCH, KINDS, Kind, group, register, send
from training.roles import GROUP_FOR_ROLE, Role

from .models import Application, Cohort, LiveSession, Membership, ModuleRelease

__all__ = ["BATCH", "KINDS", "send"]  # the sender, for cohorts.announcements

group("sessions", _("Reminders before live sessions"), order=10)
group("learning", _("Your learning"), order=20)
group("trainers", _("For trainers"), order=30)


def _trains(user) -> bool:
    return user.cohorts_trained.exists()


register(
    Kind("application_received", _("We received your application"),
         "cohorts/email/application_received.txt"),
    Kind("application_decided", _("News about your application"),
         "cohorts/email/application_decided.txt"),
    Kind("member_removed", _("News about your place in a cohort"),
         "cohorts/email/member_removed.txt"),
    Kind("member_moved", _("News about your place in a cohort"),
         "cohorts/email/member_moved.txt"),
    Kind("session_changed", _("A live session has changed"),
         "cohorts/email/session_changed.txt"),
    Kind("sessions_changed", _("Live sessions of your cohort have changed"),
         "cohorts/email/session_changed.txt"),
    Kind("session_cancelled", _("A live session is cancelled"),
         "cohorts/email/session_changed.txt"),
    Kind("sessions_cancelled", _("Live sessions of your cohort are cancelled"),
         "cohorts/email/session_changed.txt"),
    Kind("sessions_changed_cancelled",
         _("Live sessions of your cohort have changed, and some are cancelled"),
         "cohorts/email/session_changed.txt"),
    Kind("session_added", _("New live sessions in your cohort"),
         "cohorts/email/session_added.txt"),
    Kind("session_reminder_24h", _("Reminder: a live session tomorrow"),
         "cohorts/email/session_reminder.txt", essential=False, group="sessions",
         label=_("the day before"), order=1),
    Kind("session_reminder_1h", _("Reminder: a live session in an hour"),
         "cohorts/email/session_reminder.txt", essential=False, group="sessions",
         label=_("an hour before"), order=2),
    Kind("module_released", _("Something new to learn in your cohort"),
         "cohorts/email/module_released.txt", essential=False, group="learning",
         label=_("when a module opens"), order=1),
    Kind("nudge", _("We are here when you are ready"),
         "cohorts/email/nudge.txt", essential=False, group="learning",
         label=_("a gentle reminder when I have not been active"), order=2),
    Kind("digest", _("New applications to your cohorts"),
         "cohorts/email/digest.txt", essential=False, group="trainers",
         label=_("trainers: a daily summary of new applications"), shown_to=_trains),
    # A trainer's own words (cohorts/announcements.py): their subject heads the message in
    # the body, never the subject line (lock screens: it may name the work or a person).
    Kind("announcement", _("A message from your cohort's trainers"),
         "cohorts/email/announcement.txt"),
    Kind("reflection_reply", _("A trainer answered your reflection"),
         "cohorts/email/reflection_reply.txt"),
)  # fmt: skip


# --- Events -------------------------------------------------------------------------------------
def _about(application: Application):
    return lambda user: {"application": application, "cohort": application.cohort}


def application_received(application: Application) -> int:
    key = f"received:{application.pk}:{int(application.submitted_at.timestamp())}"
    return send("application_received", [(application.user, key)], _about(application))


def application_decided(application: Application, *, promoted: bool = False) -> int:
    """The decision as it stands; `promoted`: a place opened while the person waited."""
    when = application.decided_at or timezone.now()
    key = f"decided:{application.pk}:{application.status}:{int(when.timestamp())}"
    return send("application_decided", [(application.user, key)],
                lambda user: {"application": application, "cohort": application.cohort,
                              "promoted": promoted})  # fmt: skip


def _trainers_message(cohort_id, user_id) -> str:
    """What the trainers wrote with their last decision about the person in that cohort."""
    return (
        Application.objects.filter(cohort_id=cohort_id, user_id=user_id)
        .values_list("message", flat=True).first() or ""
    )  # fmt: skip


def member_removed(membership: Membership) -> int:
    """The trainers ended the person's place; their message is the declined application's."""
    message = _trainers_message(membership.cohort_id, membership.user_id)
    key = f"removed:{membership.pk}:{int(membership.left_at.timestamp())}"
    return send("member_removed", [(membership.user, key)],
                lambda user: {"cohort": membership.cohort, "message": message})  # fmt: skip


def member_moved(membership: Membership, to: Cohort) -> int:
    """The trainers moved the person; their message is the accepted application's there."""
    message = _trainers_message(to.pk, membership.user_id)
    key = f"moved:{membership.pk}:{to.pk}:{int(membership.left_at.timestamp())}"
    return send("member_moved", [(membership.user, key)],
                lambda user: {"cohort": membership.cohort, "to": to,
                              "message": message})  # fmt: skip


def _members(cohort_id) -> list:
    return list(
        User.objects.filter(
            cohort_memberships__cohort_id=cohort_id, cohort_memberships__left_at__isnull=True,
            is_active=True,
        )
    )  # fmt: skip


def _batch(sessions: list[LiveSession], *, with_sequence: bool) -> str:
    """A short, stable name for a batch of sessions (and their versions, for a change)."""
    parts = ",".join(f"{s.pk}.{s.sequence}" if with_sequence else str(s.pk)
                     for s in sorted(sessions, key=lambda s: s.pk))  # fmt: skip
    return hashlib.sha256(parts.encode()).hexdigest()[:24]


def sessions_changed(sessions: list[LiveSession]) -> int:
    """One message per member for a batch of sessions changed or cancelled together (a whole
    series): each named with its date and time in the member's zone."""
    sessions = sorted(sessions, key=lambda s: (s.starts_at, s.pk))
    if not sessions:
        return 0
    cohort = sessions[0].cohort
    # The subject says what happened: changed, cancelled, or both in one batch.
    cancelled = sum(1 for s in sessions if s.cancelled)
    if len(sessions) == 1:
        (session,) = sessions
        people = [(u, f"changed:{session.pk}:{session.sequence}:{u.pk}")
                  for u in _members(session.cohort_id)]  # fmt: skip
        return send("session_cancelled" if cancelled else "session_changed", people,
                    lambda user: {"session": session, "sessions": sessions,
                                  "cohort": cohort})  # fmt: skip
    kind = ("sessions_cancelled" if cancelled == len(sessions)
            else "sessions_changed_cancelled" if cancelled else "sessions_changed")  # fmt: skip
    batch = _batch(sessions, with_sequence=True)
    people = [(u, f"changed:{batch}:{u.pk}") for u in _members(cohort.pk)]
    context = {"sessions": sessions, "cohort": cohort,
               "all_cancelled": cancelled == len(sessions)}  # fmt: skip
    return send(kind, people, lambda user: context)


def session_changed(session: LiveSession) -> int:
    return sessions_changed([session])


def sessions_added(sessions: list[LiveSession], now=None) -> int:
    """Members hear of new sessions still to come: one message per person for the batch (a
    weekly series is one message listing its dates)."""
    now = now or timezone.now()
    sessions = sorted((s for s in sessions if not s.cancelled and s.starts_at > now),
                      key=lambda s: (s.starts_at, s.pk))  # fmt: skip
    if not sessions:
        return 0
    cohort = sessions[0].cohort
    batch = _batch(sessions, with_sequence=False)
    people = [(u, f"added:{batch}:{u.pk}") for u in _members(cohort.pk)]
    return send("session_added", people,
                lambda user: {"sessions": sessions, "cohort": cohort})  # fmt: skip


# --- Scheduled ----------------------------------------------------------------------------------
def session_reminders(now=None) -> int:
    """24 hours and 1 hour before each session, to its members (a moved session reminds
    again: the key carries its sequence)."""
    now = now or timezone.now()
    sent = 0
    windows = [("session_reminder_24h", timedelta(hours=24), timedelta(hours=1)),
               ("session_reminder_1h", timedelta(hours=1), timedelta(0))]  # fmt: skip
    for kind, ahead, not_before in windows:
        sessions = LiveSession.objects.filter(
            cancelled_at__isnull=True, starts_at__gt=now + not_before, starts_at__lte=now + ahead
        ).select_related("cohort")
        for session in sessions:
            people = [(u, f"{kind}:{session.pk}:{session.sequence}:{u.pk}")
                      for u in _members(session.cohort_id)]  # fmt: skip
            sent += send(kind, people,
                         lambda user, s=session: {"session": s, "cohort": s.cohort})  # fmt: skip
    return sent


def module_releases(now=None) -> int:
    now = now or timezone.now()
    sent = 0
    releases = ModuleRelease.objects.filter(
        cohort__module_release=Cohort.Release.SCHEDULED,
        opens_at__lte=now, opens_at__gt=now - timedelta(days=2),
    ).select_related("cohort", "module")  # fmt: skip
    for release in releases:
        people = [(u, f"released:{release.pk}:{u.pk}") for u in _members(release.cohort_id)]
        sent += send("module_released", people,
                     lambda user, r=release: {"release": r, "cohort": r.cohort,
                                              "module": r.module})  # fmt: skip
    return sent


# A quiet member is nudged again only this long after the last nudge about the same cohort.
NUDGE_EVERY = timedelta(days=7)


def nudges(now=None) -> int:
    """Members of running cohorts inactive for the cohort's number of days: at most once in
    NUDGE_EVERY (seven days since the last nudge, not once per calendar week: Sunday then
    Monday would be two nudges in two days)."""
    now = now or timezone.now()
    week = now.strftime("%G-W%V")
    sent = 0
    for cohort in Cohort.objects.filter(status=Cohort.Status.RUNNING,
                                        nudge_after_days__isnull=False):  # fmt: skip
        cutoff = now - timedelta(days=cohort.nudge_after_days)
        members = _members(cohort.pk)
        last = dict(
            CourseProgress.objects.filter(
                user__in=[m.pk for m in members], course__in=cohort.courses.all()
            ).values("user_id").annotate(last=Max("last_activity_at")).values_list("user_id",
                                                                                   "last")
        )  # fmt: skip
        joined = dict(
            Membership.objects.filter(cohort=cohort, left_at__isnull=True).values_list(
                "user_id", "joined_at"
            )
        )
        quiet = [
            m for m in members
            if max(filter(None, [last.get(m.pk), joined.get(m.pk)]), default=cutoff) < cutoff
        ]  # fmt: skip
        nudged = set(
            NotificationLog.objects.filter(
                kind="nudge", key__startswith=f"nudge:{cohort.pk}:",
                sent_at__gt=now - NUDGE_EVERY,
            ).values_list("user_id", flat=True)
        )  # fmt: skip
        people = [(u, f"nudge:{cohort.pk}:{u.pk}:{week}") for u in quiet if u.pk not in nudged]
        sent += send("nudge", people, lambda user, c=cohort: {"cohort": c})
    return sent


def digests(now=None) -> int:
    """Each trainer: the applications their cohorts received in the last day (if any)."""
    now = now or timezone.now()
    since = now - timedelta(days=1)
    counts = dict(
        Application.objects.filter(status=Application.Status.SUBMITTED, submitted_at__gte=since)
        .values("cohort_id")
        .annotate(count=Count("pk"))
        .values_list("cohort_id", "count")
    )
    cohort_ids = list(counts)
    if not cohort_ids:
        return 0
    by_trainer: dict[int, list] = {}
    # Only people who still hold the trainer role: a former trainer hears nothing more.
    current = User.objects.filter(
        Q(groups__name=GROUP_FOR_ROLE[Role.TRAINER]) | Q(is_superuser=True)
    ).distinct()
    for cohort in Cohort.objects.filter(pk__in=cohort_ids).prefetch_related(
        Prefetch("trainers", queryset=current)
    ):
        for trainer in cohort.trainers.all():
            by_trainer.setdefault(trainer.pk, [trainer, []])[1].append((cohort, counts[cohort.pk]))
    day = now.strftime("%Y-%m-%d")
    people = [(trainer, f"digest:{trainer.pk}:{day}") for trainer, _rows in by_trainer.values()]
    return send("digest", people, lambda user: {"rows": by_trainer[user.pk][1]})
