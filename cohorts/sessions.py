"""Live sessions: entered in the cohort's time zone, stored in UTC, shown in each person's own;
attendance; and the calendars (one event per session, one private feed per person)."""

import hashlib
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from icalendar import Alarm, Calendar, Event

from training import outbox
from training.errors import ServiceError
from training.roles import Role
from training.templatetags.acompana import when
from training.timezones import zone_label

from .models import Attendance, CalendarFeed, Cohort, LiveSession, Membership
from .signals import sessions_changed
from .tasks import notify_sessions


class SessionError(ServiceError):
    """A session cannot be saved as asked; the message says why, translated."""

    code = "session"


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
              "Choose another time.") % {"time": time_format(at), "day": date_format(day),
                                         "zone": zone_label(zone)}
        )  # fmt: skip
    return result


def _tell_members(changed: list[LiveSession], event: str = "changed") -> None:
    """Members hear about sessions added, changed or cancelled once they are saved, in one
    message per person for the whole batch (background)."""
    ids = [session.pk for session in changed]
    if ids:
        outbox.queue(notify_sessions, ids, event)


def _counting_changed(cohort: Cohort, sessions: list[LiveSession]) -> None:
    """What members attended out of how many changed (certificates re-evaluates them, as when
    attendance is marked): sessions that count were added, moved or cancelled, or a session's
    kind changed."""
    if sessions:
        sessions_changed.send(sender=LiveSession, cohort=cohort, sessions=sessions)


# A session ending "earlier" than it starts ends the next day (22:00 to 00:30): for short
# overnight sessions. 20:00 to 19:00 is a slip of the finger, not a 23-hour session.
MAX_SESSION_HOURS = 12


def wall_length(start: time, end: time) -> timedelta:
    """How long a session from `start` to `end` lasts on the clock (to the next day when it
    ends "earlier")."""
    minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
    return timedelta(minutes=minutes % (24 * 60))


def too_long(start: time, end: time) -> str:
    """Why these times cannot be a session (longer than MAX_SESSION_HOURS), or ""."""
    length = wall_length(start, end)
    if length <= timedelta(hours=MAX_SESSION_HOURS):
        return ""
    values = {"start": time_format(start), "end": time_format(end),
              "length": _duration(length), "hours": MAX_SESSION_HOURS}  # fmt: skip
    if end <= start:
        text = ngettext(
            "An end earlier than the start is on the next day: from %(start)s to %(end)s would "
            "last %(length)s. A session lasts at most %(hours)s hour: check the end time.",
            "An end earlier than the start is on the next day: from %(start)s to %(end)s would "
            "last %(length)s. A session lasts at most %(hours)s hours: check the end time.",
            MAX_SESSION_HOURS,
        )
        return text % values
    text = ngettext(
        "From %(start)s to %(end)s would last %(length)s. A session lasts at most %(hours)s "
        "hour: check the times.",
        "From %(start)s to %(end)s would last %(length)s. A session lasts at most %(hours)s "
        "hours: check the times.",
        MAX_SESSION_HOURS,
    )
    return text % values


def local_span(day: date, start: time, end: time, zone: str) -> tuple[datetime, datetime]:
    """A session's start and end in UTC from a local day and times; one ending "earlier" than
    it starts ends the next day (22:00 to 00:30). Refuses more than MAX_SESSION_HOURS."""
    if reason := too_long(start, end):
        raise SessionError(reason)
    try:
        end_day = day if end > start else day + timedelta(days=1)
    except OverflowError as error:  # the last day a date can hold
        raise SessionError(_out_of_range()) from error
    return local_to_utc(day, start, zone), local_to_utc(end_day, end, zone)


@dataclass
class Occurrence:
    """One session as planned: its day in the cohort's zone, its moments in UTC and, when it
    changes an existing session, that session."""

    day: date
    starts_at: datetime
    ends_at: datetime
    session: LiveSession | None = None


def _shifted(day: date, days: int) -> date:
    try:
        return day + timedelta(days=days)
    except OverflowError as error:
        raise SessionError(_out_of_range()) from error


def local_day(moment: datetime, cohort: Cohort) -> date:
    return moment.astimezone(ZoneInfo(cohort.time_zone)).date()


def series_to_come(session: LiveSession, now: datetime | None = None):
    """The later occurrences of the session's weekly series (after this one, as saved) that
    have not started and are not cancelled: what "this session and the others still to come"
    changes or cancels with it. Earlier ones, and what happened, stay as they were."""
    if session.series is None:
        return LiveSession.objects.none()

    saved = Subquery(LiveSession.objects.filter(pk=session.pk).values("starts_at")[:1])
    later = Q(starts_at__gt=saved) | Q(starts_at=saved, pk__gt=session.pk)
    return LiveSession.objects.filter(
        later, cohort_id=session.cohort_id, series=session.series, cancelled_at__isnull=True,
        starts_at__gt=now or timezone.now(),
    ).exclude(pk=session.pk)  # fmt: skip


def plan(
    *, cohort: Cohort, day: date, start: time, end: time, weeks: int = 1,
    session: LiveSession | None = None, whole_series: bool = False,
) -> list[Occurrence]:  # fmt: skip
    """The occurrences a save would make (or change), in order; refuses what cannot be. A new
    weekly series keeps its local time every week. Changing the whole series moves each
    occurrence still to come by as many days as this one moves, to the new times."""
    if weeks < 1 or weeks > 52:
        raise SessionError(_("A series has between 1 and 52 weeks."))
    if session is None:
        days = [_shifted(day, 7 * week) for week in range(weeks)]
        return [Occurrence(d, *local_span(d, start, end, cohort.time_zone)) for d in days]
    shift = (day - local_day(session.starts_at, cohort)).days
    targets = [session]
    if whole_series:
        targets += list(series_to_come(session))
    occurrences = []
    for target in sorted(targets, key=lambda s: (s.starts_at, s.pk)):
        new_day = day if target is session else _shifted(local_day(target.starts_at, cohort), shift)
        occurrences.append(
            Occurrence(new_day, *local_span(new_day, start, end, cohort.time_zone), target)
        )
    return occurrences


CALENDAR_FIELDS = ("title", "description", "starts_at", "ends_at", "meeting_url", "kind")


@transaction.atomic
def sessions_save(
    *, cohort: Cohort, day: date, start: time, end: time, title: str, description: str = "",
    meeting_url: str = "", interpretation_languages=(), weeks: int = 1,
    session: LiveSession | None = None, whole_series: bool = False, tell: bool = True,
    kind: str = LiveSession.Kind.SESSION,
) -> list[LiveSession]:  # fmt: skip
    """Create a session (or a weekly series of `weeks`, sharing a `series`) or change one (or,
    with `whole_series`, every occurrence of its series still to come). Each occurrence keeps
    its local time in the cohort's zone, across daylight-saving changes. Members are told once
    for the batch: of sessions added, or of the ones whose date, time or details changed."""
    occurrences = plan(cohort=cohort, day=day, start=start, end=end,
                       weeks=1 if session else weeks, session=session,
                       whole_series=whole_series)  # fmt: skip
    details = {
        "title": title, "description": description, "meeting_url": meeting_url,
        "interpretation_languages": list(interpretation_languages), "kind": kind,
    }  # fmt: skip
    if session is None:
        series = uuid.uuid4() if len(occurrences) > 1 else None
        saved = [
            LiveSession.objects.create(
                cohort=cohort, series=series, starts_at=o.starts_at, ends_at=o.ends_at, **details
            )
            for o in occurrences
        ]
        if tell:  # (not for the demo's made-up people)
            _tell_members(saved, "added")
        _counting_changed(cohort, [s for s in saved if s.kind != LiveSession.Kind.DEBRIEF])
        return saved
    saved, changed, counting = [], [], []
    debrief = LiveSession.Kind.DEBRIEF
    for occurrence in occurrences:
        target = occurrence.session
        values = {**details, "starts_at": occurrence.starts_at, "ends_at": occurrence.ends_at}
        differs = any(getattr(target, name) != values[name] for name in CALENDAR_FIELDS)
        # Turned into a debrief or back, or a session that counts moved.
        if target.kind != values["kind"] or (
            target.kind != debrief and target.starts_at != values["starts_at"]
        ):
            counting.append(target)
        for name, value in values.items():
            setattr(target, name, value)
        if differs:
            target.sequence += 1
            changed.append(target)
        target.save()
        saved.append(target)
    # A cancelled session moved about is no news: its calendar entry follows (sequence).
    if tell:
        _tell_members([target for target in changed if not target.cancelled])
    _counting_changed(cohort, [target for target in counting if not target.cancelled])
    return saved


@transaction.atomic
def session_cancel(session: LiveSession, *, whole_series: bool = False) -> list[LiveSession]:
    """Cancel a session (or it and every occurrence of its series still to come); members are
    told once, with the date and time of each cancelled session."""
    targets = [session] + (list(series_to_come(session)) if whole_series else [])
    now = timezone.now()
    cancelled = []
    for target in targets:
        if target.cancelled_at is None:
            target.cancelled_at = now
            target.sequence += 1
            target.save(update_fields=["cancelled_at", "sequence", "updated_at"])
            cancelled.append(target)
    _tell_members(cancelled)
    counted = [target for target in cancelled if target.kind != LiveSession.Kind.DEBRIEF]
    if counted:
        _counting_changed(session.cohort, counted)
    return cancelled


def session_after(session: LiveSession, *, recording_url: str, notes: str) -> LiveSession:
    """After the session: the recording and notes (not a calendar change)."""
    session.recording_url = recording_url
    session.notes = notes
    session.save(update_fields=["recording_url", "notes", "updated_at"])
    return session


# --- Warnings (the trainer may go ahead) --------------------------------------------------------
def ambiguous(moment: datetime) -> bool:
    """A local wall-clock time that happens twice (the hour repeated when clocks go back)."""
    return moment.utcoffset() != moment.replace(fold=1 - moment.fold).utcoffset()


def _offset(moment: datetime) -> str:
    minutes = int(moment.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "\N{MINUS SIGN}"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def warnings_for(cohort: Cohort, occurrences: list[Occurrence]) -> list[str]:
    """What the trainer should know before saving, without being stopped: sessions outside the
    cohort's dates, and times that happen twice in the cohort's zone (clocks going back)."""
    warnings = []
    outside = [o.day for o in occurrences if not cohort.starts_on <= o.day <= cohort.ends_on]
    if outside:
        text = ngettext(
            "%(days)s is outside the cohort's dates (%(start)s to %(end)s).",
            "%(count)s sessions are outside the cohort's dates (%(start)s to %(end)s): %(days)s.",
            len(outside),
        )
        warnings.append(text % {
            "count": len(outside), "days": ", ".join(date_format(d) for d in outside),
            "start": date_format(cohort.starts_on), "end": date_format(cohort.ends_on),
        })  # fmt: skip
    zone = ZoneInfo(cohort.time_zone)
    for occurrence in occurrences:
        for moment in (occurrence.starts_at, occurrence.ends_at):
            local = moment.astimezone(zone)
            if ambiguous(local):
                warnings.append(
                    _("%(time)s happens twice on %(day)s in %(zone)s: the clocks go back that "
                      "night. The session is saved at the first %(time)s (%(offset)s); check "
                      "that this is the one you mean.")
                    % {"time": time_format(local), "day": date_format(local.date()),
                       "zone": zone_label(cohort.time_zone), "offset": _offset(local)}
                )  # fmt: skip
                break
        start, end = occurrence.starts_at.astimezone(zone), occurrence.ends_at.astimezone(zone)
        length = occurrence.ends_at - occurrence.starts_at
        clock = wall_length(start.time(), end.time())
        if length != clock:
            # 01:30-02:30 the night the clocks go back lasts two hours (members see it so).
            warnings.append(
                _("On %(day)s the clocks change in %(zone)s during the session: from %(start)s "
                  "to %(end)s lasts %(length)s, not %(clock)s. Members see its real times in "
                  "their zone.")
                % {"day": date_format(start.date()), "zone": zone_label(cohort.time_zone),
                   "start": time_format(start), "end": time_format(end),
                   "length": _duration(length), "clock": _duration(clock)}
            )  # fmt: skip
    return warnings


def _duration(length: timedelta) -> str:
    hours, minutes = divmod(int(length.total_seconds()) // 60, 60)
    return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}


def session_warnings(session: LiveSession, cohort: Cohort) -> list[str]:
    """The same warnings for a saved session (the list of sessions shows them)."""
    occurrence = Occurrence(local_day(session.starts_at, cohort), session.starts_at,
                            session.ends_at, session)  # fmt: skip
    return warnings_for(cohort, [occurrence])


# --- Who is where -------------------------------------------------------------------------------
NIGHT_START, NIGHT_END = 22, 7


def _night_part(local_start: datetime, local_end: datetime) -> tuple[time, time] | None:
    """The part of a session (its local start and end in one zone) between NIGHT_START and
    NIGHT_END on that zone's clock, as (from, to), or None. 06:30-08:30 is at night from 06:30
    to 07:00; 21:00-07:30 from 22:00 to 07:00 (neither its start nor its end is at night)."""
    start, end = local_start.replace(tzinfo=None), local_end.replace(tzinfo=None)
    parts = []
    day = start.date() - timedelta(days=1)
    while day <= end.date():
        night_from = datetime.combine(day, time(NIGHT_START))
        night_to = datetime.combine(day + timedelta(days=1), time(NIGHT_END))
        if max(start, night_from) < min(end, night_to):
            parts.append((max(start, night_from), min(end, night_to)))
        day += timedelta(days=1)
    if not parts:
        return None
    return parts[0][0].time(), parts[-1][1].time()


def member_zones(cohort: Cohort) -> Counter:
    return Counter(
        Membership.objects.filter(cohort=cohort, left_at__isnull=True).values_list(
            "user__time_zone", flat=True
        )
    )


def time_spread(starts_at: datetime, ends_at: datetime, zones: Counter) -> dict:
    """What a session's time is for the members, zone by zone, and who it falls at night for,
    with the part of it at night ("for 4 members this is at night from 22:00 to 00:00")."""
    rows = []
    for zone, count in zones.items():
        tz = ZoneInfo(zone)
        local_start, local_end = starts_at.astimezone(tz), ends_at.astimezone(tz)
        night = _night_part(local_start, local_end)
        rows.append({
            "zone": zone, "count": count, "start": local_start, "end": local_end,
            "night": night is not None, "night_from": night and night[0],
            "night_to": night and night[1],
        })  # fmt: skip
    rows.sort(key=lambda row: (row["start"].utcoffset(), row["zone"]))
    night = [row for row in rows if row["night"]]

    def night_order(moment: time) -> tuple:
        # The night runs across midnight: evening times come before early-morning ones.
        return (moment.hour < 12, moment)

    return {
        "rows": rows,
        "night_count": sum(row["count"] for row in night),
        # Only the part at night: a session at 06:30-08:30 is at night until 07:00.
        "night_from": min((r["night_from"] for r in night), key=night_order, default=None),
        "night_to": max((r["night_to"] for r in night), key=night_order, default=None),
    }


def spread_by_occurrence(occurrences: list[Occurrence], zones: Counter) -> list[dict]:
    """Check the time for every occurrence of a series: consecutive occurrences that fall at
    the same local times for every member are one group; a clock change (the cohort's or a
    member's) starts a new one, so the trainer sees the week it moves for somebody."""
    groups: list[dict] = []
    for occurrence in occurrences:
        spread = time_spread(occurrence.starts_at, occurrence.ends_at, zones)
        signature = tuple(
            (row["zone"], row["start"].time(), row["end"].time(),
             (row["start"].date() - occurrence.day).days)
            for row in spread["rows"]
        )  # fmt: skip
        if groups and groups[-1]["signature"] == signature:
            groups[-1]["occurrences"].append(occurrence)
        else:
            groups.append({"signature": signature, "spread": spread,
                           "occurrences": [occurrence]})  # fmt: skip
    for group in groups:
        group["first"], group["last"] = group["occurrences"][0], group["occurrences"][-1]
    return groups


def series_positions(items) -> dict[int, tuple[int, int]]:
    """Each session of a series: (its number in the series, how many the series has)."""
    by_series: dict = {}
    for session in items:
        if session.series:
            by_series.setdefault(session.series, []).append(session)
    positions = {}
    for members in by_series.values():
        members.sort(key=lambda s: (s.starts_at, s.pk))
        for number, session in enumerate(members, start=1):
            positions[session.pk] = (number, len(members))
    return positions


# --- Attendance ---------------------------------------------------------------------------------
# Offered on the attendance page; "late" stays readable on older marks (and counts as there).
MARKS = (Attendance.Status.PRESENT, Attendance.Status.ABSENT, Attendance.Status.EXCUSED,
         Attendance.Status.CAUGHT_UP)  # fmt: skip


def not_markable(session: LiveSession, now: datetime | None = None) -> str:
    """Why attendance cannot be marked for this session yet (or at all), or ""."""
    if session.cancelled:
        return _("This session was cancelled: there is no attendance to mark.")
    if session.starts_at > (now or timezone.now()):
        return _("This session has not happened yet: it starts %(when)s. Attendance can be "
                 "marked from its start.") % {"when": when(session.starts_at)}  # fmt: skip
    return ""


@transaction.atomic
def attendance_save(*, session: LiveSession, statuses: dict[int, str], by,
                    everyone_else: str = "") -> int:  # fmt: skip
    """Statuses for members of the session's cohort ({user id: status}; "" clears a mark back
    to "not marked"); others are ignored. With `everyone_else`, each member not given a status
    here gets that one ("mark all present"). Refused for a session that has not started or was
    cancelled, and as a whole when it marks the acting trainer or any trainer of the cohort:
    nobody marks their own attendance (it counts towards a certificate). Returns how many
    members' marks changed."""
    if reason := not_markable(session):
        raise SessionError(reason)
    trainers = set(session.cohort.trainers.values_list("pk", flat=True))
    acting = getattr(by, "pk", None)
    if any(status and (user_id == acting or user_id in trainers)
           for user_id, status in statuses.items()):  # fmt: skip
        raise SessionError(_("Nobody marks their own attendance: a trainer of this cohort is not "
                             "marked in its sessions. Nothing was saved."))  # fmt: skip
    active = Membership.objects.filter(cohort=session.cohort, left_at__isnull=True)
    members = set(active.values_list("user_id", flat=True)) - trainers - {acting}
    valid = set(Attendance.Status.values)
    if everyone_else and everyone_else not in valid:
        raise SessionError(_("Choose a status from the list."))
    wanted = {uid: status for uid, status in statuses.items()
              if uid in members and (status == "" or status in valid)}  # fmt: skip
    if everyone_else:
        wanted.update({uid: everyone_else for uid in members if not statuses.get(uid)})
    # One marking at a time per session: two trainers saving together do not collide.
    LiveSession.objects.select_for_update().filter(pk=session.pk).first()
    marks = Attendance.objects.filter(session=session, user_id__in=list(wanted))
    existing = {a.user_id: a for a in marks}
    now = timezone.now()
    changed = 0
    # Row by row (few change at once): certification listens to each saved or deleted mark.
    for user_id, status in wanted.items():
        row = existing.get(user_id)
        if (row.status if row else "") == status:
            continue
        changed += 1
        if row is None:
            Attendance.objects.create(session=session, user_id=user_id, status=status,
                                      marked_by=by, marked_at=now)  # fmt: skip
        elif status:
            row.status, row.marked_by, row.marked_at = status, by, now
            row.save(update_fields=["status", "marked_by", "marked_at"])
        elif row.caught_up_at:  # the member's own word that they caught up stays
            row.status, row.marked_by, row.marked_at = "", None, None
            row.save(update_fields=["status", "marked_by", "marked_at"])
        else:
            row.delete()
    return changed


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
    mine = Q(cohort__memberships__user=user, cohort__memberships__left_at__isnull=True)
    if user.has_role(Role.TRAINER):
        mine |= Q(cohort__trainers=user)
    sessions = LiveSession.objects.filter(mine).select_related("cohort").distinct()
    return sessions.order_by("starts_at")


def ics(sessions, *, name: str) -> bytes:
    """An iCalendar file: one event per session, stable UIDs, SEQUENCE, times in UTC, a
    reminder an hour before, STATUS:CANCELLED for cancelled sessions, and nobody's name or
    address (no organiser, no attendees)."""
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
        if session.kind == LiveSession.Kind.DEBRIEF:
            summary = _("Debrief / supervision: %(session)s") % {"session": summary}
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
