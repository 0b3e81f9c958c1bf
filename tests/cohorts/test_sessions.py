"""Live sessions: scheduling in the cohort's zone across daylight-saving changes, what a time is
for each member, attendance and catching up, the calendar files and private feeds (every one
read back with both icalendar and vobject), privacy and permissions."""

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import services, sessions
from cohorts.models import Attendance, CalendarFeed, Cohort, LiveSession, Membership
from cohorts.sessions import SessionError
from tests.cohorts import factories
from tests.helpers import page
from training.factories import UserFactory
from training.roles import Role
from training.templatetags.acompana import time_range, when

pytestmark = pytest.mark.django_db

MADRID = ZoneInfo("Europe/Madrid")
HOST = "testserver"  # ACOMPANA_PLATFORM_ORIGIN in the test settings
MEETING = "https://meet.example.org/secret-room-4821"
DASH = "\N{EN DASH}"  # between a start and an end in the pages


# --- Helpers ------------------------------------------------------------------------------------
def in_days(days: int) -> date:
    return datetime.now(UTC).date() + timedelta(days=days)


# Open cohorts (no questions, no places limit) running six months from today; a course only
# with `course=True`.
make_cohort = partial(
    factories.make_cohort, course=False, questions=False, starts_in=0, ends_in=180,
    mode=Cohort.Mode.OPEN, capacity=None,
)  # fmt: skip


def member(cohort, user=None, **fields):
    """A member of `cohort`, joined the way volunteers join an open cohort."""
    user = user or UserFactory(**fields)
    assert isinstance(services.join_open(cohort=cohort, user=user), Membership)
    return user


def schedule(cohort, day, start="18:00", end="19:30", *, title="Live session", **kwargs):
    (session,) = sessions.sessions_save(
        cohort=cohort, day=day, start=time.fromisoformat(start), end=time.fromisoformat(end),
        title=title, **kwargs,
    )  # fmt: skip
    return session


def local(moment: datetime, zone=MADRID) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def parse_both(data: bytes) -> dict[str, dict]:
    """The events of an iCalendar file as icalendar and vobject read them (they must agree),
    by UID."""
    by_icalendar = {}
    for event in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        by_icalendar[str(event["UID"])] = {
            "sequence": int(event["SEQUENCE"]),
            "status": str(event["STATUS"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "summary": str(event["SUMMARY"]),
            "location": str(event["LOCATION"]) if "LOCATION" in event else None,
            "alarms": len(event.walk("VALARM")),
            "people": any(key in event for key in ("ORGANIZER", "ATTENDEE")),
        }
    calendar = vobject.readOne(data.decode())
    assert calendar.name == "VCALENDAR"
    by_vobject = {}
    for event in calendar.contents.get("vevent", []):
        by_vobject[event.uid.value] = {
            "sequence": int(event.sequence.value),
            "status": event.status.value,
            "start": event.dtstart.value,
            "end": event.dtend.value,
            "summary": event.summary.value,
            "location": event.location.value if "location" in event.contents else None,
            "alarms": len(event.contents.get("valarm", [])),
            "people": any(key in event.contents for key in ("organizer", "attendee")),
        }
    assert by_icalendar == by_vobject
    for uid, event in by_icalendar.items():
        # Times in UTC, for both parsers.
        assert event["start"].utcoffset() == timedelta(0), uid
        assert by_vobject[uid]["start"].utcoffset() == timedelta(0), uid
        assert event["end"].utcoffset() == timedelta(0), uid
    return by_icalendar


def uid_of(session: LiveSession) -> str:
    return f"{session.uid}@{HOST}"


def event_of(session: LiveSession) -> dict:
    session.refresh_from_db()
    events = parse_both(sessions.ics([session], name="Test"))
    assert list(events) == [uid_of(session)]
    return events[uid_of(session)]


def session_post(day="2027-01-11", start="18:00", end="19:30", **extra) -> dict:
    data = {"title": "Listening well", "description": "", "day": day, "start": start,
            "end": end, "meeting_url": MEETING, "action": "save"}  # fmt: skip
    data.update(extra)
    return data


# --- 1. The private calendar feed ---------------------------------------------------------------
@pytest.fixture
def feed(db):
    """Alba: member of two cohorts, trainer of a third, gone from a fourth; Bea shares a cohort
    with her; a fifth cohort is none of Alba's business."""
    alba = UserFactory(display_name="Alba Robles", email="alba.private@example.org",
                       time_zone="America/Santiago", roles=[Role.TRAINER])  # fmt: skip
    bea = UserFactory(display_name="Beatriz Quintana", email="bea.private@example.org")
    first, second = make_cohort("first"), make_cohort("second", time_zone="America/Lima")
    trained, left, other = make_cohort("trained"), make_cohort("left"), make_cohort("other")
    member(first, alba)
    member(second, alba)
    member(first, bea)
    member(left, alba)
    services.withdraw(cohort=left, user=alba)
    trained.trainers.add(alba)
    member(other, bea)
    mine = [
        schedule(first, in_days(3), title="Listening", meeting_url=MEETING),
        schedule(second, in_days(4), "09:00", "10:00", title="Safety planning"),
        schedule(trained, in_days(5), title="Trainers' preparation"),
    ]
    not_mine = [schedule(left, in_days(6), title="Left behind"),
                schedule(other, in_days(7), title="Not yours")]  # fmt: skip
    return SimpleNamespace(alba=alba, bea=bea, mine=mine, not_mine=not_mine)


def make_feed(client, user) -> str:
    """The address made on the calendar page, as the person copies it from there."""
    client.force_login(user)
    response = client.post(reverse("cohorts:calendar"))
    assert response.status_code == 200
    found = re.search(r"http://testserver/calendar/([A-Za-z0-9_-]{20,})\.ics", page(response))
    assert found, page(response)
    return found.group(1)


def fetch(token: str):
    """A calendar app fetching the feed: no session, no cookies."""
    return Client().get(reverse("cohorts:calendar_feed_url", args=[token]))


def test_the_calendar_page_shows_a_new_address_once_and_keeps_only_its_hash(client, feed):
    client.force_login(feed.alba)
    before = client.get(reverse("cohorts:calendar"))
    assert before.status_code == 200
    assert ".ics" not in page(before) and "Make my calendar address" in page(before)
    assert not CalendarFeed.objects.filter(user=feed.alba).exists()

    token = make_feed(client, feed.alba)
    stored = CalendarFeed.objects.get(user=feed.alba)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(CalendarFeed.objects.values()))
    # Shown once: the page does not show it again.
    later = page(client.get(reverse("cohorts:calendar")))
    assert token not in later
    assert "You have a calendar address" in later


def test_the_feed_holds_the_sessions_of_every_cohort_the_person_is_in_or_trains(client, feed):
    token = make_feed(client, feed.alba)
    response = fetch(token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    events = parse_both(response.content)
    assert set(events) == {uid_of(s) for s in feed.mine}
    assert not {uid_of(s) for s in feed.not_mine} & set(events)
    summaries = {e["summary"] for e in events.values()}
    assert summaries == {"Listening · Cohort first", "Safety planning · Cohort second",
                         "Trainers' preparation · Cohort trained"}  # fmt: skip


def test_the_feed_names_nobody(client, feed):
    token = make_feed(client, feed.alba)
    text = fetch(token).content.decode()
    events = parse_both(text.encode())
    assert not any(event["people"] for event in events.values())
    for private in ("ORGANIZER", "ATTENDEE", "MAILTO", "@example.org", "Beatriz", "Quintana",
                    feed.alba.email, feed.bea.email):  # fmt: skip
        assert private.lower() not in text.lower(), private


def test_feed_events_are_stable_confirmed_with_a_reminder_and_in_utc(client, feed):
    token = make_feed(client, feed.alba)
    first = parse_both(fetch(token).content)
    second_fetch = fetch(token).content
    second = parse_both(second_fetch)
    assert set(first) == set(second) == {uid_of(s) for s in feed.mine}
    for session in feed.mine:
        event = second[uid_of(session)]
        assert event["status"] == "CONFIRMED"
        assert event["alarms"] == 1
        assert event["sequence"] == 0
        assert event["start"] == session.starts_at and event["end"] == session.ends_at
        stamp = session.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        assert f"DTSTART:{stamp}" in second_fetch.decode()
    # The member's link is in the member's own feed.
    assert second[uid_of(feed.mine[0])]["location"] == MEETING


def test_a_new_address_retires_the_old_one(client, feed):
    old = make_feed(client, feed.alba)
    assert fetch(old).status_code == 200
    new = make_feed(client, feed.alba)
    assert new != old
    assert fetch(old).status_code == 404
    response = fetch(new)
    assert response.status_code == 200
    assert set(parse_both(response.content)) == {uid_of(s) for s in feed.mine}
    assert CalendarFeed.objects.filter(user=feed.alba).count() == 1


def test_unknown_addresses_and_inactive_people_get_404(client, feed):
    token = make_feed(client, feed.alba)
    assert fetch("x" * 43).status_code == 404
    assert fetch(token[:-1]).status_code == 404
    feed.alba.is_active = False
    feed.alba.save(update_fields=["is_active"])
    assert fetch(token).status_code == 404


# --- 2. Changes reach calendars through SEQUENCE ------------------------------------------------
def test_rescheduling_raises_the_sequence_and_keeps_the_uid():
    cohort = make_cohort("sequence")
    day = date(2027, 2, 1)
    session = schedule(cohort, day, meeting_url=MEETING)
    uid = session.uid
    event = event_of(session)
    assert (event["sequence"], event["status"]) == (0, "CONFIRMED")

    sessions.sessions_save(cohort=cohort, session=session, day=day + timedelta(days=1),
                           start=time(17), end=time(18, 30), title="Live session",
                           meeting_url=MEETING)  # fmt: skip
    event = event_of(session)
    assert session.uid == uid and session.sequence == 1
    assert event["sequence"] == 1
    assert local(event["start"]) == datetime(2027, 2, 2, 17)
    assert LiveSession.objects.count() == 1

    # Saving it again unchanged is no change for calendars.
    sessions.sessions_save(cohort=cohort, session=session, day=day + timedelta(days=1),
                           start=time(17), end=time(18, 30), title="Live session",
                           meeting_url=MEETING)  # fmt: skip
    assert event_of(session)["sequence"] == 1

    # The recording and notes are not a calendar change.
    sessions.session_after(session, recording_url="https://video.example.org/r/1", notes="Hi")
    assert event_of(session)["sequence"] == 1
    assert (session.recording_url, session.notes) == ("https://video.example.org/r/1", "Hi")

    sessions.session_cancel(session)
    event = event_of(session)
    assert session.uid == uid and session.cancelled
    assert (event["sequence"], event["status"], event["alarms"]) == (2, "CANCELLED", 0)
    sessions.session_cancel(session)  # twice is once
    assert event_of(session)["sequence"] == 2


def test_the_trainer_screens_change_the_sequence_only_for_calendar_changes(trainer_client):
    cohort = make_cohort("screens", trainer=trainer_client.trainer)
    session = schedule(cohort, date(2027, 1, 11), title="Listening well", meeting_url=MEETING)
    edit = reverse("cohorts:trainer_session_edit", args=[cohort.slug, session.pk])
    form = trainer_client.get(edit)
    assert form.status_code == 200 and 'value="18:00' in page(form)

    unchanged = trainer_client.post(edit, session_post())
    assert unchanged.status_code == 302, page(unchanged)[:3000]
    assert event_of(session)["sequence"] == 0

    moved = trainer_client.post(edit, session_post(start="19:00", end="20:30"))
    assert moved.status_code == 302
    event = event_of(session)
    assert event["sequence"] == 1 and local(event["start"]) == datetime(2027, 1, 11, 19)

    after = reverse("cohorts:trainer_session_after", args=[cohort.slug, session.pk])
    trainer_client.post(after, {"recording_url": "https://video.example.org/r/2", "notes": "x"})
    assert event_of(session)["sequence"] == 1
    assert session.recording_url == "https://video.example.org/r/2"

    cancel = reverse("cohorts:trainer_session_cancel", args=[cohort.slug, session.pk])
    assert trainer_client.post(cancel).status_code == 302
    event = event_of(session)
    assert (event["sequence"], event["status"]) == (2, "CANCELLED")


# --- 3. Daylight saving -------------------------------------------------------------------------
def last_sunday(year, month) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


@pytest.mark.parametrize(
    ("month", "utc_hours"),
    [(3, [17, 16, 16, 16]), (10, [16, 17, 17, 17])],
    ids=["clocks-forward", "clocks-back"],
)
def test_a_weekly_series_keeps_its_local_time_across_the_change(month, utc_hours):
    change = last_sunday(2027, month)
    assert change == {3: date(2027, 3, 28), 10: date(2027, 10, 31)}[month]
    cohort = make_cohort("dst")
    start = change - timedelta(weeks=1)
    saved = sessions.sessions_save(cohort=cohort, day=start, start=time(18), end=time(19, 30),
                                   title="Weekly", weeks=4)  # fmt: skip
    assert len(saved) == 4
    stored = list(LiveSession.objects.filter(cohort=cohort).order_by("starts_at"))
    days = [start + timedelta(weeks=week) for week in range(4)]
    assert [local(s.starts_at) for s in stored] == [datetime.combine(d, time(18)) for d in days]
    assert [local(s.ends_at) for s in stored] == [datetime.combine(d, time(19, 30)) for d in days]
    assert [s.starts_at.astimezone(UTC).hour for s in stored] == utc_hours
    # The calendar file says the same, in UTC.
    events = parse_both(sessions.ics(stored, name="DST"))
    assert [events[uid_of(s)]["start"].astimezone(UTC).hour for s in stored] == utc_hours
    assert [local(events[uid_of(s)]["start"]) for s in stored] == [
        datetime.combine(d, time(18)) for d in days
    ]


def test_a_time_that_does_not_exist_is_refused_and_a_series_through_it_saves_nothing():
    with pytest.raises(SessionError, match="does not exist"):
        sessions.local_to_utc(date(2027, 3, 28), time(2, 30), "Europe/Madrid")
    cohort = make_cohort("skipped")
    with pytest.raises(SessionError):
        sessions.sessions_save(cohort=cohort, day=date(2027, 3, 21), start=time(2, 30),
                               end=time(3, 30), title="Night owls", weeks=2)  # fmt: skip
    assert not LiveSession.objects.exists()  # the first week is not kept either


def test_the_trainer_form_refuses_the_skipped_hour(trainer_client):
    cohort = make_cohort("skipped-form", trainer=trainer_client.trainer)
    response = trainer_client.post(
        reverse("cohorts:trainer_session_new", args=[cohort.slug]),
        session_post(day="2027-03-28", start="02:30", end="04:00", weeks="1"),
    )
    assert response.status_code == 200
    assert "02:30 does not exist on 28 March 2027 in Madrid (Spain)" in page(response)
    assert not LiveSession.objects.exists()


# --- 4. What the time is for the members --------------------------------------------------------
SPREAD_ZONES = {"Asia/Kolkata": 2, "America/Santiago": 1, "Europe/Madrid": 1,
                "Pacific/Auckland": 1}  # fmt: skip


def spread_cohort(trainer=None) -> Cohort:
    cohort = make_cohort("spread", trainer=trainer)
    for zone, count in SPREAD_ZONES.items():
        for _ in range(count):
            member(cohort, time_zone=zone)
    return cohort


def test_time_spread_gives_each_zone_its_local_time_and_counts_members_at_night():
    cohort = spread_cohort()
    zones = sessions.member_zones(cohort)
    assert zones == SPREAD_ZONES
    starts = sessions.local_to_utc(date(2027, 1, 11), time(18), "Europe/Madrid")
    ends = sessions.local_to_utc(date(2027, 1, 11), time(19, 30), "Europe/Madrid")
    spread = sessions.time_spread(starts, ends, zones)
    rows = {row["zone"]: row for row in spread["rows"]}
    assert [row["zone"] for row in spread["rows"]] == [
        "America/Santiago", "Europe/Madrid", "Asia/Kolkata", "Pacific/Auckland"
    ]  # fmt: skip
    assert local(rows["Asia/Kolkata"]["start"], ZoneInfo("Asia/Kolkata")) == datetime(
        2027, 1, 11, 22, 30
    )
    assert rows["Asia/Kolkata"]["start"].utcoffset() == timedelta(hours=5, minutes=30)
    assert rows["America/Santiago"]["start"].strftime("%H:%M") == "14:00"
    assert rows["Europe/Madrid"]["start"].strftime("%H:%M") == "18:00"
    assert rows["Pacific/Auckland"]["start"].strftime("%d %H:%M") == "12 06:00"
    night = {zone for zone, row in rows.items() if row["night"]}
    assert night == {"Asia/Kolkata", "Pacific/Auckland"}
    assert spread["night_count"] == 3  # members, not zones


def test_night_starts_at_22_and_ends_at_7():
    starts = datetime(2027, 1, 11, 17, tzinfo=UTC)
    zones = {"Asia/Karachi": 1, "Pacific/Kiritimati": 4, "Europe/Madrid": 2}  # 22:00, 07:00
    spread = sessions.time_spread(starts, starts + timedelta(minutes=90), zones)
    rows = {row["zone"]: row for row in spread["rows"]}
    assert rows["Asia/Karachi"]["start"].strftime("%H:%M") == "22:00"
    assert rows["Pacific/Kiritimati"]["start"].strftime("%H:%M") == "07:00"
    assert rows["Asia/Karachi"]["night"] and not rows["Pacific/Kiritimati"]["night"]
    assert not rows["Europe/Madrid"]["night"]
    assert spread["night_count"] == 1


def test_the_night_window_spans_midnight_for_the_members_it_names():
    """ "For 3 members this is at night from A to B their time": with Kolkata at 22:30-00:00
    and Auckland at 06:00-07:30, the part at night is 22:30 to 07:00 (07:00-07:30 is not)."""
    starts = sessions.local_to_utc(date(2027, 1, 11), time(18), "Europe/Madrid")
    spread = sessions.time_spread(
        starts, starts + timedelta(minutes=90), {"Asia/Kolkata": 2, "Pacific/Auckland": 1}
    )
    assert spread["night_count"] == 3
    assert (spread["night_from"], spread["night_to"]) == (time(22, 30), time(7))


def test_the_preview_shows_each_zones_time_and_saves_nothing(trainer_client):
    cohort = spread_cohort(trainer=trainer_client.trainer)
    response = trainer_client.post(
        reverse("cohorts:trainer_session_new", args=[cohort.slug]),
        session_post(weeks="3", action="preview"),
    )
    assert response.status_code == 200
    html = page(response)
    assert "For 3 members this is at night" in html
    assert not LiveSession.objects.exists()
    # Each zone's own time, whatever the trainer's zone (here UTC).
    # Each zone named as a place, its times in one style (24-hour, the month as a word).
    assert f"Madrid, Spain (1): 11 January 2027, 18:00{DASH}19:30" in html
    assert f"Kolkata, India (2): 11 January 2027, 22:30 {DASH} 12 January 2027, 00:00" in html
    assert f"Santiago, Chile (1): 11 January 2027, 14:00{DASH}15:30" in html
    assert f"Auckland, New Zealand (1): 12 January 2027, 06:00{DASH}07:30" in html


def test_saving_a_series_creates_one_session_a_week(trainer_client):
    cohort = spread_cohort(trainer=trainer_client.trainer)
    response = trainer_client.post(
        reverse("cohorts:trainer_session_new", args=[cohort.slug]), session_post(weeks="3")
    )
    assert response.status_code == 302, page(response)[:3000]
    assert response["Location"] == reverse("cohorts:trainer_sessions", args=[cohort.slug])
    saved = list(cohort.sessions.order_by("starts_at"))
    assert [local(s.starts_at) for s in saved] == [
        datetime(2027, 1, 11, 18), datetime(2027, 1, 18, 18), datetime(2027, 1, 25, 18)
    ]  # fmt: skip
    assert len({s.uid for s in saved}) == 3
    assert {(s.title, s.meeting_url, s.sequence) for s in saved} == {("Listening well", MEETING, 0)}
    listing = page(trainer_client.get(reverse("cohorts:trainer_sessions", args=[cohort.slug])))
    assert listing.count("For 3 members this is at night") == 3


# --- 5. Attendance and catching up --------------------------------------------------------------
def test_a_trainer_marks_attendance_for_members_only(trainer_client):
    cohort = make_cohort("attendance", trainer=trainer_client.trainer)
    people = [member(cohort, display_name=name) for name in ("Ana", "Ben", "Cai", "Dee", "Eve")]
    outsider = UserFactory(display_name="Outsider")
    session = schedule(cohort, in_days(-1))
    url = reverse("cohorts:trainer_attendance", args=[cohort.slug, session.pk])
    listing = trainer_client.get(url)
    assert listing.status_code == 200
    assert all(person.display_name in page(listing) for person in people)
    assert "Outsider" not in page(listing)
    ana, ben, cai, dee, eve = people
    response = trainer_client.post(url, {
        f"status-{ana.pk}": "present", f"status-{ben.pk}": "late",
        f"status-{cai.pk}": "absent", f"status-{dee.pk}": "excused",
        f"status-{eve.pk}": "asleep", f"status-{outsider.pk}": "present",
    })  # fmt: skip
    assert response.status_code == 302
    marks = {a.user_id: a for a in Attendance.objects.filter(session=session)}
    assert {uid: a.status for uid, a in marks.items()} == {
        ana.pk: "present", ben.pk: "late", cai.pk: "absent", dee.pk: "excused"
    }  # fmt: skip
    assert {a.marked_by_id for a in marks.values()} == {trainer_client.trainer.pk}
    # Changing a mark changes the row; it does not add one.
    trainer_client.post(url, {f"status-{ana.pk}": "late"})
    assert Attendance.objects.get(session=session, user=ana).status == "late"
    assert Attendance.objects.filter(session=session).count() == 4


def test_attendance_save_ignores_non_members_and_unknown_statuses():
    cohort = make_cohort("attendance-service")
    ana = member(cohort)
    gone = member(cohort)
    services.withdraw(cohort=cohort, user=gone)
    outsider = UserFactory()
    session = schedule(cohort, in_days(-1))
    saved = sessions.attendance_save(
        session=session, statuses={outsider.pk: "present", ana.pk: "asleep", gone.pk: "late"},
        by=None,
    )  # fmt: skip
    assert saved == 0 and not Attendance.objects.exists()
    assert sessions.attendance_save(session=session, statuses={ana.pk: "absent"}, by=None) == 1


@pytest.fixture
def recorded(db):
    cohort = make_cohort("recorded")
    session = schedule(cohort, in_days(-2))
    sessions.session_after(session, recording_url="https://video.example.org/r/9", notes="")
    return cohort, session


def caught_up_url(cohort, session) -> str:
    return reverse("cohorts:session_caught_up", args=[cohort.slug, session.pk])


def test_an_absent_member_confirms_catching_up(client, recorded):
    cohort, session = recorded
    absent = member(cohort)
    sessions.attendance_save(session=session, statuses={absent.pk: "absent"}, by=None)
    client.force_login(absent)
    detail = page(client.get(reverse("cohorts:detail", args=[cohort.slug])))
    assert caught_up_url(cohort, session) in detail
    response = client.post(caught_up_url(cohort, session), follow=True)
    assert "Your trainers can see that you caught up." in page(response)
    attendance = Attendance.objects.get(session=session, user=absent)
    assert attendance.caught_up_at is not None and attendance.status == "absent"


def test_a_member_who_was_there_cannot_claim_catching_up(client, recorded):
    cohort, session = recorded
    present = member(cohort)
    sessions.attendance_save(session=session, statuses={present.pk: "present"}, by=None)
    client.force_login(present)
    response = client.post(caught_up_url(cohort, session), follow=True)
    assert "You attended this session." in page(response)
    attendance = Attendance.objects.get(session=session, user=present)
    assert attendance.caught_up_at is None and attendance.status == "present"


def test_catching_up_needs_a_recording_of_a_past_session(client):
    cohort = make_cohort("no-recording")
    past = schedule(cohort, in_days(-2))
    future = schedule(cohort, in_days(2))
    sessions.session_after(future, recording_url="https://video.example.org/r/early", notes="")
    person = member(cohort)
    client.force_login(person)
    for session in (past, future):
        response = client.post(caught_up_url(cohort, session), follow=True)
        assert "There is no recording of this session yet." in page(response)
    assert not Attendance.objects.exists()


def test_non_members_get_404_for_a_sessions_file_and_catching_up(client, recorded):
    cohort, session = recorded
    outsider = UserFactory()
    gone = member(cohort)
    services.withdraw(cohort=cohort, user=gone)
    other = make_cohort("elsewhere")
    elsewhere = member(other)
    for person in (outsider, gone, elsewhere):
        client.force_login(person)
        ics_url = reverse("cohorts:session_ics", args=[cohort.slug, session.pk])
        assert client.get(ics_url).status_code == 404
        assert client.post(caught_up_url(cohort, session)).status_code == 404
    # A member of another cohort cannot reach this session through their own cohort either.
    client.force_login(elsewhere)
    through_mine = reverse("cohorts:session_ics", args=[other.slug, session.pk])
    assert client.get(through_mine).status_code == 404
    assert client.post(caught_up_url(other, session)).status_code == 404
    assert not Attendance.objects.exists()
    client.logout()
    anonymous = client.get(reverse("cohorts:session_ics", args=[cohort.slug, session.pk]))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


# --- 6. The cohort page and the single-session file ---------------------------------------------
def test_only_members_see_the_meeting_link_and_everyone_sees_the_first_times(client):
    cohort = make_cohort("doors")
    session = schedule(cohort, in_days(10), title="Opening circle", meeting_url=MEETING)
    url = reverse("cohorts:detail", args=[cohort.slug])
    ics_url = reverse("cohorts:session_ics", args=[cohort.slug, session.pk])

    alba = member(cohort, time_zone="Asia/Kolkata")
    client.force_login(alba)
    html = page(client.get(url))
    assert MEETING in html and ics_url in html
    with timezone.override(ZoneInfo("Asia/Kolkata")):
        assert time_range(session.starts_at, session.ends_at) in html

    client.force_login(UserFactory(time_zone="America/Santiago"))
    html = page(client.get(url))
    assert MEETING not in html and "secret-room" not in html and ics_url not in html
    assert "Opening circle" in html
    with timezone.override(ZoneInfo("America/Santiago")):
        assert time_range(session.starts_at, session.ends_at) in html

    client.logout()
    html = page(client.get(url))
    assert MEETING not in html and "secret-room" not in html and ics_url not in html
    assert "Opening circle" in html
    with timezone.override(ZoneInfo("UTC")):
        assert time_range(session.starts_at, session.ends_at) in html


def test_a_member_downloads_one_session_as_a_calendar_file(client):
    cohort = make_cohort("download")
    session = schedule(cohort, in_days(8), title="Opening circle", meeting_url=MEETING)
    schedule(cohort, in_days(15), title="Second circle")
    client.force_login(member(cohort))
    response = client.get(reverse("cohorts:session_ics", args=[cohort.slug, session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == f'attachment; filename="session-{session.pk}.ics"'
    events = parse_both(response.content)
    assert list(events) == [uid_of(session)]
    event = events[uid_of(session)]
    assert event["summary"] == "Opening circle · Cohort download"
    assert (event["start"], event["end"]) == (session.starts_at, session.ends_at)
    assert event["location"] == MEETING
    assert response.content.count(b"BEGIN:VEVENT") == 1


# --- 7. Trainers of another cohort --------------------------------------------------------------
def test_a_trainer_of_one_cohort_gets_404_for_every_session_url_of_another(trainer_client):
    mine = make_cohort("mine", trainer=trainer_client.trainer)
    theirs = make_cohort("theirs", trainer=UserFactory(roles=[Role.TRAINER]))
    person = member(theirs)
    session = schedule(theirs, in_days(-1), title="Theirs", meeting_url=MEETING)
    before = LiveSession.objects.values().get(pk=session.pk)

    def urls(slug):
        return {
            "list": reverse("cohorts:trainer_sessions", args=[slug]),
            "new": reverse("cohorts:trainer_session_new", args=[slug]),
            "edit": reverse("cohorts:trainer_session_edit", args=[slug, session.pk]),
            "cancel": reverse("cohorts:trainer_session_cancel", args=[slug, session.pk]),
            "after": reverse("cohorts:trainer_session_after", args=[slug, session.pk]),
            "attendance": reverse("cohorts:trainer_attendance", args=[slug, session.pk]),
        }

    posts = {
        "list": {}, "new": session_post(weeks="2"), "edit": session_post(start="07:00"),
        "cancel": {}, "after": {"recording_url": "https://evil.example.org/", "notes": "x"},
        "attendance": {f"status-{person.pk}": "absent"},
    }  # fmt: skip
    for slug in (theirs.slug, mine.slug):  # theirs, and their session through my cohort
        for name, url in urls(slug).items():
            if slug == mine.slug and name in ("list", "new"):
                continue
            if name not in ("cancel", "after"):
                assert trainer_client.get(url).status_code == 404, (slug, name)
            assert trainer_client.post(url, posts[name]).status_code == 404, (slug, name)
    assert LiveSession.objects.values().get(pk=session.pk) == before
    assert LiveSession.objects.count() == 1
    assert not Attendance.objects.exists()


# --- 8. The cohort list -------------------------------------------------------------------------
def test_the_cohort_list_shows_first_sessions_in_constant_queries(client):
    viewer = UserFactory(time_zone="Asia/Kolkata")

    def cohort_with_sessions(slug):
        cohort = make_cohort(slug, course=True)
        for week in range(3):
            schedule(cohort, in_days(7 * (week + 1)), title=f"{slug} week {week}")
        return cohort

    first = cohort_with_sessions("list-0")
    member(first, viewer)
    client.force_login(viewer)
    url = reverse("cohorts:list")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        small = page(client.get(url))
    assert small.count("First live sessions, your time:") == 1
    for number in range(1, 6):
        cohort_with_sessions(f"list-{number}")
    with CaptureQueriesContext(connection) as six:
        large = page(client.get(url))
    assert large.count("First live sessions, your time:") == 6
    # Two sessions shown per cohort, the earliest two.
    third = LiveSession.objects.filter(cohort=first).order_by("starts_at")[2]
    with timezone.override(ZoneInfo("Asia/Kolkata")):
        shown = [when(s.starts_at) for s in LiveSession.objects.filter(cohort=first)]
        assert shown[0] in large and shown[1] in large
        assert when(third.starts_at) not in large
    assert len(six) == len(one), [q["sql"] for q in six.captured_queries]


@pytest.mark.parametrize(
    ("language", "calendar_name", "meeting", "cohort"),
    [
        ("es", "Sesiones en vivo", "Enlace de la reunión", "Tu cohorte"),
        ("ar", "الجلسات المباشرة", "رابط الاجتماع", "دفعتك"),
    ],
)
def test_the_feed_speaks_its_owners_language(client, feed, language, calendar_name, meeting,
                                              cohort):  # fmt: skip
    """A calendar app fetches the feed without the person's cookies: the calendar's name and the
    events' descriptions are in the language on their profile, right-to-left text included, and
    both parsers read the folded lines back whole."""
    feed.alba.preferred_language = language
    feed.alba.save(update_fields=["preferred_language"])
    token = make_feed(client, feed.alba)
    data = fetch(token).content
    parse_both(data)  # both parsers agree on every event
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == calendar_name
    descriptions = [str(event["DESCRIPTION"]) for event in calendar.walk("VEVENT")]
    # The session with a meeting link says so, the link unbroken; every event links the cohort.
    assert [f"{meeting}: {MEETING}" in text for text in descriptions].count(True) == 1
    assert descriptions and all(f"{cohort}: http://testserver/cohorts/" in t for t in descriptions)
    via_vobject = vobject.readOne(data.decode())
    assert {e.description.value for e in via_vobject.contents["vevent"]} == set(descriptions)
