"""Walkthrough findings on sessions and messages: SQLite-safe announcements (no DISTINCT ON, no
advisory locks) that never stay "Sending…" for ever; sessions of at most 12 hours; a series
changed or cancelled from the middle touches only this occurrence and the later ones; subjects
that say a session is cancelled; plurals; the member page's sessions still to come; the part of
a session that is at night."""

from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import announcements, notify, sessions
from cohorts.models import Announcement, LiveSession, Membership
from cohorts.tasks import send_announcement, send_unsent_announcements
from tests.cohorts.factories import make_cohort as make_application_cohort
from tests.cohorts.test_announcements import _people
from tests.cohorts.test_sessions import (
    in_days,
    local,
    make_cohort,
    member,
    page,
    schedule,
    session_post,
)

pytestmark = pytest.mark.django_db


# --- 1. The dashboard's latest announcement per cohort, without DISTINCT ON -----------------
def test_the_newest_announcement_of_each_cohort_without_postgresql_only_sql(trainer, monkeypatch):
    one = make_application_cohort(trainer=trainer, questions=False)
    two = make_application_cohort(slug="other", trainer=trainer, questions=False)
    now = timezone.now()

    def write(cohort, subject, minutes_ago, audience="members"):
        return Announcement.objects.create(
            cohort=cohort, subject=subject, body="…", language="en", audience=audience,
            created_at=now - timedelta(minutes=minutes_ago),
        )  # fmt: skip

    write(one, "old", 30)
    newest_one = write(one, "new", 5)
    write(one, "to the waitlist", 1, audience="waitlist")
    newest_two = write(two, "only", 10)
    write(two, "too old", 60 * 24 * 20)
    # As on SQLite: a backend without DISTINCT ON refuses it (a 500 on the dashboard before).
    monkeypatch.setattr(connection.features, "can_distinct_on_fields", False)
    with CaptureQueriesContext(connection) as queries:
        latest = announcements.latest_for_members([one.pk, two.pk])
    assert latest == {one.pk: newest_one, two.pk: newest_two}
    assert len(queries) == 1


# --- 2. Sending once, portably, and never "Sending…" for ever -------------------------------------
def test_sending_uses_no_postgresql_only_sql(trainer):
    cohort = make_application_cohort(trainer=trainer, questions=False)
    _people(cohort)
    announcement = Announcement.objects.create(cohort=cohort, sent_by=trainer, subject="Hi",
                                               body="Hello", language="en")  # fmt: skip
    with CaptureQueriesContext(connection) as queries:
        assert send_announcement(announcement.pk) == 2
    sql = " ".join(query["sql"] for query in queries).lower()
    assert "pg_" not in sql and "advisory" not in sql  # a 500 on SQLite before
    announcement.refresh_from_db()
    assert (announcement.recipients, announcement.delivery) == (2, "sent")


def test_a_send_that_fails_says_so_and_is_sent_on_later(trainer, trainer_client):
    cohort = make_application_cohort(trainer=trainer_client.trainer, questions=False)
    _people(cohort)
    # Members since before it was written (half an hour ago).
    Membership.objects.filter(cohort=cohort).update(joined_at=timezone.now() - timedelta(hours=1))
    announcement = Announcement.objects.create(
        cohort=cohort, sent_by=trainer_client.trainer, subject="Room change", body="Room 2",
        language="en", created_at=timezone.now() - timedelta(minutes=30),
    )  # fmt: skip
    down = mock.patch(
        "training.notifications.get_connection", side_effect=OSError("mail server down")
    )
    with down, pytest.raises(OSError):
        announcements.announcement_deliver(announcement.pk)
    announcement.refresh_from_db()
    assert (announcement.sent_at, announcement.recipients) == (None, 0)
    assert announcement.delivery == "retrying"
    url = reverse("cohorts:trainer_messages", args=[cohort.slug])
    html = page(trainer_client.get(url))
    assert "Sending…" not in html
    assert "Not sent to everyone yet: sending stopped after 0 people." in html
    # The periodic task sends what is left, once.
    assert send_unsent_announcements() == 2
    assert send_unsent_announcements() == 0
    announcement.refresh_from_db()
    assert (announcement.recipients, announcement.delivery) == (2, "sent")
    assert "Sent to 2 people" in page(trainer_client.get(url))
    assert len(mail.outbox) == 2
    # After two days it is not tried again, and the page says it failed.
    stuck = Announcement.objects.create(
        cohort=cohort, sent_by=trainer_client.trainer, subject="Old", body="Old news",
        language="en", created_at=timezone.now() - timedelta(days=3),
    )  # fmt: skip
    assert send_unsent_announcements() == 0
    assert stuck.delivery == "failed"
    assert "Sending failed: it reached 0 people" in page(trainer_client.get(url))


# --- 14. Plurals ----------------------------------------------------------------------------------
def test_the_messages_page_counts_in_the_singular_for_one(trainer_client):
    cohort = make_cohort("plurals", trainer=trainer_client.trainer)
    member(cohort)
    html = page(trainer_client.get(reverse("cohorts:trainer_messages", args=[cohort.slug])))
    assert "1 members" not in html
    assert "1 member<" in html and "0 people on the waitlist" in html


# --- 3. At most 12 hours ------------------------------------------------------------------------
def test_a_session_ending_before_it_starts_is_refused_beyond_12_hours(trainer_client):
    cohort = make_cohort("long", trainer=trainer_client.trainer)
    url = reverse("cohorts:trainer_session_new", args=[cohort.slug])
    response = trainer_client.post(url, session_post(start="20:00", end="19:00", weeks="1"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["end"]
    assert form.errors["end"] == [
        "An end earlier than the start is on the next day: from 20:00 to 19:00 would last "
        "23 h 00 min. A session lasts at most 12 hours: check the end time."
    ]
    assert sessions.too_long(time(6), time(19))  # 13 hours on one day: refused too
    assert not sessions.too_long(time(8), time(20))  # 12 hours
    assert not LiveSession.objects.exists()
    with pytest.raises(sessions.SessionError):  # the service refuses it too
        schedule(cohort, in_days(10), start="20:00", end="19:00")
    # A short overnight session still ends the next day.
    assert (
        trainer_client.post(url, session_post(start="22:00", end="00:30", weeks="1")).status_code
        == 302
    )
    (saved,) = LiveSession.objects.all()
    assert saved.ends_at - saved.starts_at == timedelta(hours=2, minutes=30)
    assert local(saved.ends_at) == datetime(2027, 1, 12, 0, 30)


# --- 4. A series from the middle ------------------------------------------------------------------
def _six_weeks(cohort):
    return sessions.sessions_save(cohort=cohort, day=in_days(7), start=time(18), end=time(19),
                                  title="Circle", weeks=6)  # fmt: skip


@pytest.mark.parametrize("number, later", [(5, 1), (4, 2)])
def test_editing_a_series_from_the_middle_changes_this_one_and_the_later_ones(
    trainer_client, number, later
):
    cohort = make_cohort("six", trainer=trainer_client.trainer)
    series = _six_weeks(cohort)
    target = series[number - 1]
    edit = reverse("cohorts:trainer_session_edit", args=[cohort.slug, target.pk])
    html = page(trainer_client.get(edit))
    expected = ("This session and the next one of its series" if later == 1
                else f"This session and the {later} later ones of its series")  # fmt: skip
    assert html.count(expected) == 2  # change, and cancel
    assert "others of its series" not in html
    day = local(target.starts_at).date().isoformat()
    response = trainer_client.post(edit, session_post(day=day, start="20:00", end="21:00",
                                                      title="Moved", scope="series"))  # fmt: skip
    assert response.status_code == 302
    stored = list(LiveSession.objects.order_by("starts_at", "pk"))
    assert [s.title for s in stored] == ["Circle"] * (number - 1) + ["Moved"] * (later + 1)
    assert [local(s.starts_at).time() for s in stored] == (
        [time(18)] * (number - 1) + [time(20)] * (later + 1)
    )


def test_cancelling_a_series_from_the_middle_cancels_this_one_and_the_later_ones(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort("six-cancel", trainer=trainer_client.trainer)
    ana = member(cohort, display_name="Ana")
    series = _six_weeks(cohort)
    url = reverse("cohorts:trainer_session_cancel", args=[cohort.slug, series[4].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(url, {"scope": "series"}, follow=True)
    assert "2 sessions are cancelled." in page(response)
    cancelled = set(
        LiveSession.objects.filter(cancelled_at__isnull=False).values_list("pk", flat=True)
    )
    assert cancelled == {series[4].pk, series[5].pk}
    # 12. The subject says they are cancelled.
    assert [m.subject for m in mail.outbox if m.to == [ana.email]] == [
        "Live sessions of your cohort are cancelled"
    ]


# --- 12. Subjects that say what happened ----------------------------------------------------------
def test_the_subject_of_a_cancellation_says_it_is_cancelled(django_capture_on_commit_callbacks):
    cohort = make_cohort("subjects")
    ana = member(cohort, display_name="Ana")
    one, two, three = (schedule(cohort, in_days(days)) for days in (5, 12, 19))
    with django_capture_on_commit_callbacks(execute=True):
        sessions.session_cancel(one)
    assert mail.outbox[-1].subject == "A live session is cancelled"
    assert "is cancelled" in mail.outbox[-1].body
    # A batch with a session changed and one cancelled says both.
    sessions.session_cancel(three, whole_series=False)
    two.title = "Renamed"
    two.sequence += 1
    two.save()
    three.refresh_from_db()
    assert notify.sessions_changed([two, three]) == 1
    assert mail.outbox[-1].subject == (
        "Live sessions of your cohort have changed, and some are cancelled"
    )
    assert mail.outbox[-1].to == [ana.email]
    two.starts_at += timedelta(hours=1)
    two.sequence += 1
    two.save()
    assert notify.sessions_changed([two]) == 1
    assert mail.outbox[-1].subject == "A live session has changed"


# --- 8. The member page: sessions still to come ---------------------------------------------------
def test_the_member_page_says_how_many_sessions_are_still_to_come(trainer_client):
    cohort = make_cohort("member-page", trainer=trainer_client.trainer)
    ana = member(cohort, display_name="Ana")
    schedule(cohort, in_days(-7))
    schedule(cohort, in_days(7))
    schedule(cohort, in_days(14))
    cancelled = schedule(cohort, in_days(21))
    sessions.session_cancel(cancelled)
    url = reverse("cohorts:trainer_member", args=[cohort.slug, ana.pk])
    html = page(trainer_client.get(url))
    assert "Attended 0 of 1 session held so far." in html
    assert "2 more sessions are still to come." in html
    with CaptureQueriesContext(connection) as few:
        trainer_client.get(url)
    for days in (28, 35, 42):
        schedule(cohort, in_days(days))
    with CaptureQueriesContext(connection) as more:
        assert "5 more sessions are still to come." in page(trainer_client.get(url))
    assert len(more) == len(few)


# --- 19. The part of a session at night -----------------------------------------------------------
def test_the_night_is_the_part_of_the_session_at_night(trainer_client):
    """01:30-02:30 in New York the night its clocks go back (7 Nov 2027) lasts two hours: 06:30
    to 08:30 in Madrid, of which only 06:30-07:00 is at night."""
    cohort = make_cohort("night", trainer=trainer_client.trainer, time_zone="America/New_York")
    member(cohort, time_zone="Europe/Madrid")
    starts, ends = sessions.local_span(date(2027, 11, 7), time(1, 30), time(2, 30),
                                       "America/New_York")  # fmt: skip
    spread = sessions.time_spread(starts, ends, sessions.member_zones(cohort))
    (row,) = spread["rows"]
    assert (row["start"].strftime("%H:%M"), row["end"].strftime("%H:%M")) == ("06:30", "08:30")
    assert (spread["night_from"], spread["night_to"]) == (time(6, 30), time(7))
    response = trainer_client.post(
        reverse("cohorts:trainer_session_new", args=[cohort.slug]),
        session_post(day="2027-11-07", start="01:30", end="02:30", action="preview", weeks="1"),
    )
    html = page(response)
    assert "For 1 member this is at night from 06:30 to 07:00 their time." in html
    assert "between 06:30 and 08:30" not in html
    assert "at night from 06:30 to 07:00</strong>" in html  # said in words, not only colour
    assert "lasts 2 h 00 min, not 1 h 00 min" in html  # the trainer is told why


def test_a_session_across_the_whole_night_is_at_night():
    """Neither 21:00 nor 07:30 is at night; what lies between is."""
    starts = datetime(2027, 1, 11, 20, tzinfo=UTC)  # 21:00 in Madrid
    spread = sessions.time_spread(starts, starts + timedelta(hours=10, minutes=30),
                                  {"Europe/Madrid": 1})  # fmt: skip
    assert spread["night_count"] == 1
    assert (spread["night_from"], spread["night_to"]) == (time(22), time(7))
