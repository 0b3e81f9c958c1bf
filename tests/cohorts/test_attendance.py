"""Attendance: only for sessions that have happened, a mark can be taken back to "not marked",
"mark all present", the statuses trainers use (caught up from the recording included), what
counts towards a certificate, and pages in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import eligibility
from certificates.models import Requirement
from cohorts import sessions
from cohorts.models import Attendance, LiveSession
from cohorts.sessions import SessionError
from tests.certificates.factories import add_requirement, make_track
from tests.cohorts.test_sessions import in_days, make_cohort, member, page, schedule
from training.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = Attendance.Status


def attendance_url(session) -> str:
    return reverse("cohorts:trainer_attendance", args=[session.cohort.slug, session.pk])


def statuses_of(session) -> dict:
    return dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))


# --- Broken #2: sessions that have not happened -------------------------------------------------
def test_a_session_still_to_come_cannot_be_marked_and_the_trainer_is_told_why(trainer_client):
    cohort = make_cohort("future", trainer=trainer_client.trainer)
    ana = member(cohort, display_name="Ana")
    future = schedule(cohort, in_days(3), title="Next week")

    with pytest.raises(SessionError, match="has not happened yet"):
        sessions.attendance_save(session=future, statuses={ana.pk: "present"},
                                 by=trainer_client.trainer)  # fmt: skip

    url = attendance_url(future)
    html = page(trainer_client.get(url))
    assert "This session has not happened yet" in html
    assert f'name="status-{ana.pk}"' not in html  # nothing to tick
    response = trainer_client.post(url, {f"status-{ana.pk}": "present"}, follow=True)
    assert "This session has not happened yet" in page(response)
    assert not Attendance.objects.exists()
    # The list of sessions offers no attendance link for it, and says when it can be marked.
    listing = page(trainer_client.get(reverse("cohorts:trainer_sessions", args=[cohort.slug])))
    assert url not in listing
    assert "Attendance can be marked from the session" in listing


def test_a_cancelled_session_cannot_be_marked():
    cohort = make_cohort("cancelled-marks")
    ana = member(cohort)
    session = schedule(cohort, in_days(-2))
    sessions.session_cancel(session)
    with pytest.raises(SessionError, match="cancelled"):
        sessions.attendance_save(session=session, statuses={ana.pk: "present"}, by=None)
    assert not Attendance.objects.exists()


def test_a_session_marks_from_its_start_while_it_runs():
    cohort = make_cohort("running-now")
    ana = member(cohort)
    now = timezone.now()
    session = LiveSession.objects.create(cohort=cohort, title="Now", starts_at=now - timedelta(
        minutes=5), ends_at=now + timedelta(minutes=55))  # fmt: skip
    assert sessions.attendance_save(session=session, statuses={ana.pk: "present"}, by=None) == 1


def test_a_mark_can_be_taken_back_to_not_marked(trainer_client):
    cohort = make_cohort("clear", trainer=trainer_client.trainer)
    ana, ben = member(cohort, display_name="Ana"), member(cohort, display_name="Ben")
    session = schedule(cohort, in_days(-1))
    url = attendance_url(session)
    trainer_client.post(url, {f"status-{ana.pk}": "present", f"status-{ben.pk}": "absent"})
    assert statuses_of(session) == {ana.pk: "present", ben.pk: "absent"}

    html = page(trainer_client.get(url))
    assert f'name="status-{ana.pk}" value=""' in html  # "Not marked" is a choice
    response = trainer_client.post(url, {f"status-{ana.pk}": "", f"status-{ben.pk}": "absent"},
                                   follow=True)  # fmt: skip
    assert "Attendance saved for 1 member." in page(response)  # one: singular
    assert statuses_of(session) == {ben.pk: "absent"}  # Ana's row is gone

    # A member's own word that they caught up stays when the trainer's mark is cleared.
    sessions.session_after(session, recording_url="https://video.example.org/r/1", notes="")
    sessions.caught_up(session=session, user=ben)
    trainer_client.post(url, {f"status-{ben.pk}": ""})
    row = Attendance.objects.get(session=session, user=ben)
    assert (row.status, row.marked_by, row.caught_up_at is not None) == ("", None, True)


# --- Mark all present, the statuses ---------------------------------------------------------------
def test_mark_all_present_marks_everyone_not_marked_otherwise(trainer_client):
    trainer = trainer_client.trainer
    cohort = make_cohort("all-present", trainer=trainer)
    names = ("Ana", "Ben", "Cai", "Dee")
    ana, ben, cai, dee = (member(cohort, display_name=name) for name in names)
    colleague = member(cohort, display_name="Co")  # a member who became a trainer of it:
    cohort.trainers.add(colleague)  # never marked here
    session = schedule(cohort, in_days(-1))
    url = attendance_url(session)
    html = page(trainer_client.get(url))
    assert 'value="all-present"' in html and "Mark all present" in html

    response = trainer_client.post(url, {
        "action": "all-present", f"status-{ana.pk}": "", f"status-{ben.pk}": "excused",
        f"status-{cai.pk}": "",
    }, follow=True)  # fmt: skip
    assert "Attendance saved for 4 members." in page(response)
    assert statuses_of(session) == {ana.pk: "present", ben.pk: "excused", cai.pk: "present",
                                    dee.pk: "present"}  # fmt: skip
    assert "A trainer of this cohort: not marked here." in html
    # Then the trainer changes the one who was not there.
    trainer_client.post(url, {f"status-{cai.pk}": "absent"})
    assert statuses_of(session)[cai.pk] == "absent"
    assert Attendance.objects.filter(session=session).count() == 4


def test_the_page_offers_the_four_statuses_and_keeps_late_for_older_marks(trainer_client):
    cohort = make_cohort("statuses", trainer=trainer_client.trainer)
    ana = member(cohort, display_name="Ana")
    session = schedule(cohort, in_days(-1))
    html = page(trainer_client.get(attendance_url(session)))
    for label in ("Not marked", "Present", "Absent", "Excused", "Caught up from the recording"):
        assert f'<th scope="col">{label}</th>' in html
    assert '<th scope="col">Late</th>' not in html
    trainer_client.post(attendance_url(session), {f"status-{ana.pk}": "caught_up"})
    assert statuses_of(session) == {ana.pk: "caught_up"}

    Attendance.objects.filter(session=session, user=ana).update(status="late")
    html = page(trainer_client.get(attendance_url(session)))
    assert '<th scope="col">Late</th>' in html
    assert f'name="status-{ana.pk}" value="late" aria-label="Ana: Late" checked' in html


# --- What counts towards a certificate (cohorts and certificates together) ------------------------
def attendance_check(user, track):
    (check,) = eligibility.compute(user, track).checks
    return check


def test_marks_count_towards_the_certificate_as_the_trainer_leaves_them(trainer_client):
    """The trainer's screens and the certificate's checklist agree: present counts, caught up
    counts where the cohort says so, a cleared mark no longer counts, a session still to come
    is in the total but nobody has attended it yet."""
    track = make_track()
    add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=100)
    cohort = make_cohort("counts", trainer=trainer_client.trainer, track=track,
                         catch_up_counts=True)  # fmt: skip
    ana = member(cohort, display_name="Ana")
    first, second = schedule(cohort, in_days(-8)), schedule(cohort, in_days(-1))
    later = schedule(cohort, in_days(6))
    trainer_client.post(attendance_url(first), {f"status-{ana.pk}": "present"})
    trainer_client.post(attendance_url(second), {f"status-{ana.pk}": "caught_up"})
    check = attendance_check(ana, track)
    assert check.detail == "2 of 3 attended (1 still to come)" and not check.met

    # A mark on the session still to come, made before that was refused, never counts.
    Attendance.objects.create(session=later, user=ana, status="present",
                              marked_by=trainer_client.trainer)  # fmt: skip
    assert attendance_check(ana, track).detail == "2 of 3 attended (1 still to come)"
    later.delete()
    assert attendance_check(ana, track).met

    # Cleared: it no longer counts.
    trainer_client.post(attendance_url(first), {f"status-{ana.pk}": ""})
    check = attendance_check(ana, track)
    assert (check.detail, check.met) == ("1 of 2 attended", False)


def test_a_mark_on_a_session_still_to_come_never_counts():
    """Marks made before future sessions were refused stay in the database: they never count,
    and the session still counts in the total (nobody is certified on the first of ten)."""
    track = make_track()
    add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=50)
    cohort = make_cohort("early-marks", track=track)
    ana, trainer = UserFactory(), UserFactory()
    member(cohort, ana)
    schedule(cohort, in_days(-1))
    future = schedule(cohort, in_days(6))
    Attendance.objects.create(session=future, user=ana, status="present", marked_by=trainer)
    check = attendance_check(ana, track)
    assert (check.detail, check.met) == ("0 of 2 attended (1 still to come)", False)


def test_caught_up_counts_only_where_the_cohort_says_so():
    track = make_track()
    add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=100)
    trainer = UserFactory()
    counts = make_cohort("catch-up-counts", track=track, catch_up_counts=True)
    does_not = make_cohort("catch-up-does-not", track=track, catch_up_counts=False)
    ana = UserFactory()
    for cohort in (counts, does_not):
        member(cohort, ana)
        session = schedule(cohort, in_days(-1))
        sessions.attendance_save(session=session, statuses={ana.pk: "caught_up"}, by=trainer)
    assert attendance_check(ana, track).detail == "1 of 2 attended"


# --- A fixed number of queries ------------------------------------------------------------------
def queries_for(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_attendance_and_sessions_pages_take_a_fixed_number_of_queries(trainer_client):
    cohort = make_cohort("queries", trainer=trainer_client.trainer)
    session = schedule(cohort, in_days(-1))
    schedule(cohort, in_days(2))
    people = [member(cohort, time_zone="Asia/Kolkata") for _ in range(2)]
    sessions.attendance_save(session=session, statuses={people[0].pk: "present"}, by=None)
    attendance, listing = attendance_url(session), reverse("cohorts:trainer_sessions",
                                                           args=[cohort.slug])  # fmt: skip
    small = (queries_for(trainer_client, attendance), queries_for(trainer_client, listing))

    zones = ["America/Santiago", "Europe/Madrid", "Pacific/Auckland", "Africa/Lagos"]
    more = [member(cohort, time_zone=zones[n % 4]) for n in range(10)]
    sessions.attendance_save(session=session, statuses={p.pk: "absent" for p in more}, by=None)
    sessions.sessions_save(cohort=cohort, day=in_days(-30), start=session.starts_at.time(),
                           end=session.ends_at.time(), title="Weekly", weeks=6)  # fmt: skip
    for number in range(5):
        sessions.session_cancel(schedule(cohort, in_days(10 + number)))
    large = (queries_for(trainer_client, attendance), queries_for(trainer_client, listing))
    assert large == small
