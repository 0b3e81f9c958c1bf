"""Live sessions: entered in the cohort's time zone, stored in UTC, shown in each person's own;
attendance; and the calendars (one event per session, one private feed per person)."""

import hashlib
import secrets
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Attendance, CalendarFeed, Cohort, LiveSession, Membership


class SessionError(Exception):
    """A session cannot be saved as asked; the message says why, translated."""


def _out_of_range() -> str:
    return _("This date is too far from today. Choose a date in the coming years.")


def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """A wall-clock time in `zone` as UTC; refuses times that do not exist there (the hour
    skipped when clocks go forward)."""
    local = datetime.combine(day, at).replace(tzinfo=ZoneInfo(zone))
    try:
        result = local.astimezone(UTC)
        back = result.astimezone(ZoneInfo(zone))
    except OverflowError as error:  # past the year 9999 (or before the year 1) in UTC
        raise SessionError(_out_of_range()) from error
    if (back.date(), back.time().replace(tzinfo=None)) != (day, at):
        raise SessionError(
            _("%(time)s does not exist on %(day)s in %(zone)s: the clocks change that night. "
              "Choose another time.") % {"time": at.strftime("%H:%M"), "day": day, "zone": zone}
        )  # fmt: skip
    return result


def _tell_members(session: LiveSession) -> None:
    """Members hear about a changed or cancelled session once it is saved (background)."""
    from .tasks import notify_session_changed

    pk = session.pk
    transaction.on_commit(lambda: notify_session_changed.delay(pk))


def local_span(day: date, start: time, end: time, zone: str) -> tuple[datetime, datetime]:
    """A session's start and end in UTC from a local day and times; one ending "earlier" than
    it starts ends the next day (22:00 to 00:30)."""
    try:
        end_day = day if end > start else day + timedelta(days=1)
    except OverflowError as error:  # the last day a date can hold
        raise SessionError(_out_of_range()) from error
    return local_to_utc(day, start, zone), local_to_utc(end_day, end, zone)


CALENDAR_FIELDS = ("title", "description", "starts_at", "ends_at", "meeting_url")


@transaction.atomic
def sessions_save(
    *, cohort: Cohort, day: date, start: time, end: time, title: str, description: str = "",
    meeting_url: str = "", interpretation_languages=(), weeks: int = 1,
    session: LiveSession | None = None,
) -> list[LiveSession]:  # fmt: skip
    """Create a session (or a weekly series of `weeks`) or change one. Each occurrence keeps
    its local time in the cohort's zone, across daylight-saving changes."""
    if weeks < 1 or weeks > 52:
        raise SessionError(_("A series has between 1 and 52 weeks."))
    saved = []
    for week in range(1 if session else weeks):
        try:
            first_day = day + timedelta(weeks=week)
        except OverflowError as error:
            raise SessionError(_out_of_range()) from error
        starts, ends = local_span(first_day, start, end, cohort.time_zone)
        values = {
            "title": title, "description": description, "starts_at": starts, "ends_at": ends,
            "meeting_url": meeting_url, "interpretation_languages": list(interpretation_languages),
        }  # fmt: skip
        if session is None:
            saved.append(LiveSession.objects.create(cohort=cohort, **values))
            continue
        changed = any(getattr(session, name) != values[name] for name in CALENDAR_FIELDS)
        for name, value in values.items():
            setattr(session, name, value)
        if changed:
            session.sequence += 1
        session.save()
        if changed:
            _tell_members(session)
        saved.append(session)
    return saved


@transaction.atomic
def session_cancel(session: LiveSession) -> LiveSession:
    if session.cancelled_at is None:
        session.cancelled_at = timezone.now()
        session.sequence += 1
        session.save(update_fields=["cancelled_at", "sequence", "updated_at"])
        _tell_members(session)
    return session


def session_after(session: LiveSession, *, recording_url: str, notes: str) -> LiveSession:
    """After the session: the recording and notes (not a calendar change)."""
    session.recording_url = recording_url
    session.notes = notes
    session.save(update_fields=["recording_url", "notes", "updated_at"])
    return session


# --- Who is where -------------------------------------------------------------------------------
NIGHT_START, NIGHT_END = 22, 7


def _is_night(moment: datetime) -> bool:
    return moment.hour >= NIGHT_START or moment.hour < NIGHT_END


def member_zones(cohort: Cohort) -> Counter:
    return Counter(
        Membership.objects.filter(cohort=cohort, left_at__isnull=True).values_list(
            "user__time_zone", flat=True
        )
    )


def time_spread(starts_at: datetime, ends_at: datetime, zones: Counter) -> dict:
    """What a session's time is for the members, zone by zone, and who it falls at night for
    ("for 4 members this is between 22:00 and 00:00")."""
    rows = []
    for zone, count in zones.items():
        tz = ZoneInfo(zone)
        local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
        rows.append({
            "zone": zone, "count": count, "start": local_start, "end": local_end,
            "night": _is_night(local_start) or _is_night(local_end - timedelta(minutes=1)),
        })  # fmt: skip
    rows.sort(key=lambda row: (row["start"].utcoffset(), row["zone"]))
    night = [row for row in rows if row["night"]]

    def night_order(moment: time) -> tuple:
        # The night runs across midnight: evening times come before early-morning ones.
        return (moment.hour < 12, moment)

    return {
        "rows": rows,
        "night_count": sum(row["count"] for row in night),
        "night_from": min((r["start"].time() for r in night), key=night_order, default=None),
        "night_to": max((r["end"].time() for r in night), key=night_order, default=None),
    }


# --- Attendance ---------------------------------------------------------------------------------
@transaction.atomic
def attendance_save(*, session: LiveSession, statuses: dict[int, str], by) -> int:
    """Statuses for members of the session's cohort ({user id: status}); others are ignored.
    Refused as a whole when it marks the acting trainer or any trainer of the cohort: nobody
    marks their own attendance (it counts towards a certificate)."""
    trainers = set(session.cohort.trainers.values_list("pk", flat=True))
    acting = getattr(by, "pk", None)
    if any(user_id == acting or user_id in trainers for user_id in statuses):
        raise SessionError(_("Nobody marks their own attendance: a trainer of this cohort is not "
                             "marked in its sessions. Nothing was saved."))  # fmt: skip
    members = set(
        Membership.objects.filter(cohort=session.cohort, left_at__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    now = timezone.now()
    saved = 0
    for user_id, status in statuses.items():
        if user_id not in members or status not in Attendance.Status.values:
            continue
        Attendance.objects.update_or_create(
            session=session, user_id=user_id,
            defaults={"status": status, "marked_by": by, "marked_at": now},
        )  # fmt: skip
        saved += 1
    return saved


@transaction.atomic
def caught_up(*, session: LiveSession, user) -> Attendance:
    """A member confirms they caught up from the recording of a session they missed."""
    if session.cohort.trainers.filter(pk=user.pk).exists():
        raise SessionError(_("A trainer of this cohort does not confirm catching up in it."))
    if not session.recording_url or session.starts_at > timezone.now():
        raise SessionError(_("There is no recording of this session yet."))
    attendance, _created = Attendance.objects.get_or_create(session=session, user=user)
    if attendance.status in (Attendance.Status.PRESENT, Attendance.Status.LATE):
        raise SessionError(_("You attended this session."))
    if attendance.caught_up_at is None:
        attendance.caught_up_at = timezone.now()
        attendance.save(update_fields=["caught_up_at"])
    return attendance


# --- Calendars ----------------------------------------------------------------------------------
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_token_new(user) -> str:
    """A new private feed address for this person; the old one stops working."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": _hash(token), "last_used_at": None}
    )
    return token


def feed_owner(token: str):
    """The active person whose feed this is (None otherwise); notes that the feed is in use,
    at most once a day (calendar apps fetch every few hours)."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=_hash(token)).first()
    if feed is None or not feed.user.is_active:
        return None
    now = timezone.now()
    if feed.last_used_at is None or feed.last_used_at < now - timedelta(days=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed.user


def sessions_for(user):
    """The sessions of every cohort the person is a member of, or trains (while they still hold
    the trainer role: a former trainer's feed keeps only their own cohorts)."""
    from django.db.models import Q

    from training.roles import Role

    mine = Q(cohort__memberships__user=user, cohort__memberships__left_at__isnull=True)
    if user.has_role(Role.TRAINER):
        mine |= Q(cohort__trainers=user)
    sessions = LiveSession.objects.filter(mine).select_related("cohort").distinct()
    return sessions.order_by("starts_at")


def ics(sessions, *, name: str) -> bytes:
    """An iCalendar file: one event per session, stable UIDs, SEQUENCE, times in UTC, a
    reminder an hour before, STATUS:CANCELLED for cancelled sessions, and nobody's name or
    address (no organiser, no attendees)."""
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Acompaña//Live sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    host = settings.ACOMPANA_PLATFORM_ORIGIN.split("://", 1)[-1]
    now = timezone.now()
    for session in sessions:
        event = Event()
        event.add("uid", f"{session.uid}@{host}")
        event.add("dtstamp", now)
        event.add("last-modified", session.updated_at)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("sequence", session.sequence)
        summary = f"{session.title} · {session.cohort.title}"
        if session.cancelled:
            summary = _("Cancelled: %(session)s") % {"session": summary}
        event.add("summary", summary)
        # In the active language (the person's: see the views): what the event is, how to join.
        lines = [session.description] if session.description else []
        if session.meeting_url:
            lines.append(_("Meeting link: %(url)s") % {"url": session.meeting_url})
            event.add("location", session.meeting_url)
        if session.interpretation_languages:
            names = ", ".join(str(n) for n in session.interpretation_language_names)
            lines.append(_("Interpretation: %(languages)s") % {"languages": names})
        cohort_url = settings.ACOMPANA_PLATFORM_ORIGIN + reverse(
            "cohorts:detail", args=[session.cohort.slug]
        )
        lines.append(_("Your cohort: %(url)s") % {"url": cohort_url})
        event.add("description", "\n\n".join(lines))
        event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
        if not session.cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", session.title)
            alarm.add("trigger", timedelta(hours=-1))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
