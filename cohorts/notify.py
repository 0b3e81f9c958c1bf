"""Messages to people about their cohorts: each sent once (NotificationLog), in the recipient's
language and time zone, with a discreet subject (never the words of a course or session title:
a subject line is read over shoulders and on lock screens). Sent in batches over one mail
connection; a batch that fails to send is not logged, so the next run tries again."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from training.models import User

from .models import (
    Application,
    Cohort,
    LiveSession,
    Membership,
    ModuleRelease,
    NotificationLog,
    NotificationSettings,
)

BATCH = 200


@dataclass(frozen=True)
class Kind:
    name: str
    subject: str  # lazy, translated per recipient
    template: str
    essential: bool = True
    setting: str = ""  # the NotificationSettings field that turns it off


KINDS = {
    kind.name: kind
    for kind in [
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
             "cohorts/email/session_reminder.txt", essential=False, setting="session_reminders"),
        Kind("session_reminder_1h", _("Reminder: a live session in an hour"),
             "cohorts/email/session_reminder.txt", essential=False, setting="session_reminders"),
        Kind("module_released", _("Something new to learn in your cohort"),
             "cohorts/email/module_released.txt", essential=False, setting="module_released"),
        Kind("nudge", _("We are here when you are ready"),
             "cohorts/email/nudge.txt", essential=False, setting="nudges"),
        Kind("digest", _("New applications to your cohorts"),
             "cohorts/email/digest.txt", essential=False, setting="digest"),
        # A trainer's own words (cohorts/announcements.py): their subject heads the message in
        # the body, never the subject line (lock screens: it may name the work or a person).
        Kind("announcement", _("A message from your cohort's trainers"),
             "cohorts/email/announcement.txt"),
        Kind("reflection_reply", _("A trainer answered your reflection"),
             "cohorts/email/reflection_reply.txt"),
        # Certification (certificates/tasks.py)
        Kind("certificate_ready", _("Your certificate"),
             "certificates/email/certificate_ready.txt"),
        Kind("renewal_reminder", _("Time to renew your certificate"),
             "certificates/email/renewal_reminder.txt"),
        Kind("certificate_revoked", _("About your certificate"),
             "certificates/email/certificate_revoked.txt"),
        Kind("certificate_expired", _("About your certificate"),
             "certificates/email/certificate_expired.txt"),
    ]
}  # fmt: skip


def _wanted(users, kind: Kind) -> list:
    if kind.essential:
        return list(users)
    off = set(
        NotificationSettings.objects.filter(
            user__in=[u.pk for u in users], **{kind.setting: False}
        ).values_list("user_id", flat=True)
    )
    return [u for u in users if u.pk not in off]


def _render(user, kind: Kind, context: dict) -> EmailMessage:
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(user.time_zone or "UTC"):
        context = {**context, "user": user, "organisation": settings.ACOMPANA_ORGANISATION,
                   "site": settings.ACOMPANA_PLATFORM_ORIGIN}  # fmt: skip
        subject = str(kind.subject) % {"organisation": settings.ACOMPANA_ORGANISATION,
                                       **context.get("subject_values", {})}  # fmt: skip
        body = render_to_string(kind.template, context)
    return EmailMessage(subject, body, None, [user.email])


def send(kind_name: str, people: list[tuple[object, str]], context_for) -> int:
    """Send `kind` to each (user, key) not sent before; `context_for(user)` gives the context.
    A key names one message to one person (it includes the person).
    In batches of BATCH over one connection. Returns how many were sent."""
    kind = KINDS[kind_name]
    sent = 0
    for start in range(0, len(people), BATCH):
        chunk = people[start : start + BATCH]
        keys = [key for _user, key in chunk]
        done = set(NotificationLog.objects.filter(key__in=keys).values_list("key", flat=True))
        todo = [(user, key) for user, key in chunk if key not in done]
        wanted = {u.pk for u in _wanted([user for user, _key in todo], kind)}
        # Never to a deleted ("former member") or deactivated account, whatever asked.
        todo = [(user, key) for user, key in todo if user.pk in wanted and user.email
                and user.is_active and user.anonymised_at is None]  # fmt: skip
        if not todo:
            continue
        messages = [_render(user, kind, context_for(user)) for user, _key in todo]
        with transaction.atomic():
            NotificationLog.objects.bulk_create(
                [NotificationLog(user=user, key=key, kind=kind.name) for user, key in todo],
                ignore_conflicts=True,
            )
            # If sending fails, the log rolls back and the next run tries again.
            with get_connection() as connection:
                connection.send_messages(messages)
        sent += len(messages)
    return sent


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
    import hashlib

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


def nudges(now=None) -> int:
    """Members of running cohorts inactive for the cohort's number of days: at most weekly."""
    from courses.models import CourseProgress

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
        people = [(u, f"nudge:{cohort.pk}:{u.pk}:{week}") for u in quiet]
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
    from django.db.models import Prefetch, Q

    from training.roles import GROUP_FOR_ROLE, Role

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
