"""Weekly series and what members are told: one occurrence or the whole series changed or
cancelled, sessions added, every message naming each session's date and time in the recipient's
language and zone; the cohort's and the viewer's times on trainer pages; "check the time" for
every occurrence; warnings for dates outside the cohort and for the hour that happens twice."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from cohorts import notify, sessions
from cohorts.models import LiveSession
from tests.cohorts.test_sessions import (
    MADRID,
    in_days,
    local,
    make_cohort,
    member,
    page,
    schedule,
    session_post,
)
from training.factories import UserFactory
from training.models import NotificationLog
from training.templatetags.acompana import time_range, when
from training.timezones import zone_label_inline

pytestmark = pytest.mark.django_db


def when_for(person, moment: datetime) -> str:
    """A moment as the person reads it: their language, their zone, the zone named."""
    with translation.override(person.preferred_language), timezone.override(person.time_zone):
        return when(moment)


def weekly(cohort, first: date, weeks=4, start="18:00", end="19:30", title="Weekly circle"):
    return sessions.sessions_save(
        cohort=cohort, day=first, start=time.fromisoformat(start), end=time.fromisoformat(end),
        title=title, weeks=weeks,
    )  # fmt: skip


def place_for(person) -> str:
    """The person's zone as they read it after a time: a place in their language ("(Calcuta,
    India)")."""
    return f"({zone_label_inline(person.time_zone, person.preferred_language)})"


def bodies_for(person) -> list[str]:
    return [m.body for m in mail.outbox if m.to == [person.email]]


@pytest.fixture
def people(db):
    """Two members reading in different languages and zones."""
    cohort = make_cohort("series", time_zone="Europe/Madrid")
    ana = member(cohort, display_name="Ana", preferred_language="es", time_zone="Asia/Kolkata")
    ben = member(cohort, display_name="Ben", preferred_language="en",
                 time_zone="America/Santiago")  # fmt: skip
    return cohort, ana, ben


# --- A series is a series -----------------------------------------------------------------------
def test_a_weekly_series_shares_one_series_and_a_single_session_has_none():
    cohort = make_cohort("ids")
    saved = weekly(cohort, in_days(7), weeks=3)
    assert len({s.series for s in saved}) == 1 and saved[0].series is not None
    assert schedule(cohort, in_days(30)).series is None


# --- Broken #5: a cancelled occurrence names its date and time ---------------------------------
def test_a_cancelled_occurrence_is_announced_with_its_date_and_time_in_each_zone(
    trainer_client, people, django_capture_on_commit_callbacks
):
    cohort, ana, ben = people
    cohort.trainers.add(trainer_client.trainer)
    series = weekly(cohort, in_days(7))
    second = series[1]
    url = reverse("cohorts:trainer_session_cancel", args=[cohort.slug, second.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert trainer_client.post(url, {"scope": "one"}).status_code == 302
    assert [s.cancelled for s in LiveSession.objects.order_by("starts_at")] == [
        False, True, False, False
    ]  # fmt: skip
    (for_ana,) = bodies_for(ana)
    (for_ben,) = bodies_for(ben)
    assert when_for(ana, second.starts_at) in for_ana and "(Calcuta, India)" in for_ana
    assert when_for(ana, second.starts_at) != when_for(ben, second.starts_at)
    assert when_for(ben, second.starts_at) in for_ben and "(Santiago, Chile)" in for_ben
    assert "is cancelled" in for_ben
    # Nobody else's time: each message only in its reader's zone.
    assert "India" not in for_ben and "Chile" not in for_ana


def test_every_message_about_a_session_names_its_date_and_time(people):
    """Changed, cancelled, added and reminders alike."""
    cohort, ana, ben = people
    (session,) = sessions.sessions_save(cohort=cohort, day=in_days(5), start=time(18),
                                        end=time(19), title="Practice")  # fmt: skip
    assert notify.sessions_added([session]) == 2
    session.starts_at += timedelta(hours=1)
    session.ends_at += timedelta(hours=1)
    session.sequence += 1
    session.save()
    assert notify.session_changed(session) == 2
    sessions.session_cancel(session)
    assert notify.session_changed(session) == 2
    session.cancelled_at = None
    session.starts_at = timezone.now() + timedelta(minutes=30)
    session.ends_at = session.starts_at + timedelta(hours=1)
    session.save()
    assert notify.session_reminders() == 2
    for person in (ana, ben):
        bodies = bodies_for(person)
        assert len(bodies) == 4
        for body in bodies:
            assert place_for(person) in body, body
        assert when_for(person, session.starts_at) in bodies[-1]


# --- The whole series ---------------------------------------------------------------------------
def test_cancelling_the_whole_series_cancels_what_is_to_come_and_tells_once(
    trainer_client, people, django_capture_on_commit_callbacks
):
    cohort, ana, ben = people
    cohort.trainers.add(trainer_client.trainer)
    series = weekly(cohort, in_days(-8))  # two already held, two to come
    held, to_come = series[:2], series[2:]
    edit = reverse("cohorts:trainer_session_edit", args=[cohort.slug, held[1].pk])
    html = page(trainer_client.get(edit))
    assert "This session and the 2 later ones of its series" in html
    assert "Weekly series: session 2 of 4" in html

    url = reverse("cohorts:trainer_session_cancel", args=[cohort.slug, to_come[0].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(url, {"scope": "series"}, follow=True)
    assert "2 sessions are cancelled." in page(response)
    assert {s.pk for s in LiveSession.objects.filter(cancelled_at__isnull=False)} == {
        s.pk for s in to_come
    }
    # One message per person, with each cancelled date in their zone.
    (for_ana,) = bodies_for(ana)
    (for_ben,) = bodies_for(ben)
    for person, body in ((ana, for_ana), (ben, for_ben)):
        for session in to_come:
            assert when_for(person, session.starts_at) in body
        for session in held:
            assert when_for(person, session.starts_at) not in body
    assert NotificationLog.objects.filter(kind="sessions_cancelled").count() == 2


def test_changing_the_whole_series_moves_what_is_to_come_and_leaves_the_past(
    trainer_client, people, django_capture_on_commit_callbacks
):
    cohort, _ana, ben = people
    cohort.trainers.add(trainer_client.trainer)
    series = weekly(cohort, in_days(-8))
    held, to_come = series[:2], series[2:]
    before = {s.pk: (s.starts_at, s.ends_at) for s in held}
    first = local(to_come[0].starts_at).date()
    edit = reverse("cohorts:trainer_session_edit", args=[cohort.slug, to_come[0].pk])
    # One day later, an hour later, a new title: this one and the last one move alike.
    post = session_post(day=(first + timedelta(days=1)).isoformat(), start="19:00", end="20:30",
                        title="Moved circle", scope="series")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert trainer_client.post(edit, post).status_code == 302
    for session in to_come:
        old_day = local(session.starts_at).date()
        session.refresh_from_db()
        assert local(session.starts_at) == datetime.combine(old_day + timedelta(days=1), time(19))
        assert (session.title, session.sequence) == ("Moved circle", 1)
    for session in held:
        session.refresh_from_db()
        assert (session.starts_at, session.ends_at) == before[session.pk]
        assert (session.title, session.sequence) == ("Weekly circle", 0)
    (for_ben,) = bodies_for(ben)
    assert all(when_for(ben, s.starts_at) in for_ben for s in to_come)


def test_changing_one_occurrence_leaves_the_others(trainer_client, people):
    cohort, _ana, _ben = people
    cohort.trainers.add(trainer_client.trainer)
    series = weekly(cohort, in_days(7))
    target = series[1]
    edit = reverse("cohorts:trainer_session_edit", args=[cohort.slug, target.pk])
    day = local(target.starts_at).date().isoformat()
    assert trainer_client.post(edit, session_post(day=day, start="20:00", end="21:00",
                                                  scope="one")).status_code == 302  # fmt: skip
    stored = list(LiveSession.objects.order_by("pk"))
    assert [local(s.starts_at).time() for s in stored] == [time(18), time(20), time(18), time(18)]
    assert len({s.series for s in stored}) == 1  # still one series


# --- Members told when sessions are added ------------------------------------------------------
def test_members_hear_once_of_sessions_added_in_their_language_and_zone(
    trainer_client, people, django_capture_on_commit_callbacks
):
    cohort, ana, ben = people
    cohort.trainers.add(trainer_client.trainer)
    outsider = UserFactory()
    url = reverse("cohorts:trainer_session_new", args=[cohort.slug])
    first = in_days(10)
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(url, session_post(day=first.isoformat(), weeks="3"))
    assert response.status_code == 302
    added = list(LiveSession.objects.order_by("starts_at"))
    assert len(mail.outbox) == 2  # one per member, not per session; nobody else
    assert {m.to[0] for m in mail.outbox} == {ana.email, ben.email}
    assert outsider.email not in {m.to[0] for m in mail.outbox}
    for person in (ana, ben):
        (body,) = bodies_for(person)
        for session in added:
            assert when_for(person, session.starts_at) in body
    assert "3 live sessions were added" in bodies_for(ben)[0]
    # The task run again sends nothing more.
    assert notify.sessions_added(added) == 0


def test_sessions_in_the_past_are_not_announced(people):
    cohort, _ana, _ben = people
    past = schedule(cohort, in_days(-3))
    assert notify.sessions_added([past]) == 0
    assert mail.outbox == []


# --- Times in the cohort's zone and the viewer's --------------------------------------------------
def test_trainer_pages_show_the_cohorts_time_and_the_viewers(trainer_client):
    trainer = trainer_client.trainer
    trainer.time_zone = "America/Santiago"
    trainer.save(update_fields=["time_zone"])
    cohort = make_cohort("zones", trainer=trainer, time_zone="Europe/Madrid")
    member(cohort)
    session = schedule(cohort, in_days(-1))
    with timezone.override(MADRID):
        cohorts_time = when(session.starts_at)
    with timezone.override(ZoneInfo("America/Santiago")):
        viewers_time = when(session.starts_at)
    assert "(Madrid, Spain)" in cohorts_time and "(Santiago, Chile)" in viewers_time
    spans = {}
    for zone in ("Europe/Madrid", "America/Santiago"):
        spans[zone] = time_range(session.starts_at, session.ends_at, zone)
    assert spans["Europe/Madrid"].endswith("18:00\N{EN DASH}19:30 (Madrid, Spain)")
    for url in (
        reverse("cohorts:trainer_sessions", args=[cohort.slug]),
        reverse("cohorts:trainer_session_edit", args=[cohort.slug, session.pk]),
        reverse("cohorts:trainer_attendance", args=[cohort.slug, session.pk]),
    ):
        html = page(trainer_client.get(url))
        assert f"{spans['Europe/Madrid']}, the cohort's time" in html, url
        assert f"{spans['America/Santiago']}, your time" in html, url


# --- Check the time for every occurrence ---------------------------------------------------
def test_the_preview_checks_the_time_of_every_occurrence_across_a_clock_change(trainer_client):
    """Madrid's clocks go forward on 28 March 2027; Kolkata's never move: the series' 18:00 in
    Madrid is 22:30 in Kolkata, then 21:30 from the change on."""
    cohort = make_cohort("check-each", trainer=trainer_client.trainer, time_zone="Europe/Madrid")
    member(cohort, time_zone="Asia/Kolkata")
    response = trainer_client.post(
        reverse("cohorts:trainer_session_new", args=[cohort.slug]),
        session_post(day="2027-03-15", weeks="4", action="preview"),
    )
    html = page(response)
    assert "The time changes for some members during the series" in html
    assert "2 sessions, 15 March 2027 to 22 March 2027" in html
    assert "2 sessions, 29 March 2027 to 5 April 2027" in html
    assert "Kolkata, India (1): 15 March 2027, 22:30 \N{EN DASH} 16 March 2027, 00:00" in html
    assert "Kolkata, India (1): 29 March 2027, 21:30\N{EN DASH}23:00" in html
    assert not LiveSession.objects.exists()


def test_spread_by_occurrence_groups_weeks_with_the_same_times():
    cohort = make_cohort("groups", time_zone="Europe/Madrid")
    occurrences = sessions.plan(cohort=cohort, day=date(2027, 3, 15), start=time(18),
                                end=time(19), weeks=4)  # fmt: skip
    groups = sessions.spread_by_occurrence(occurrences, {"Asia/Kolkata": 2, "Europe/Madrid": 1})
    assert [len(g["occurrences"]) for g in groups] == [2, 2]
    same = sessions.spread_by_occurrence(occurrences, {"Europe/Madrid": 1})
    assert [len(g["occurrences"]) for g in same] == [4]


# --- Warnings, not refusals ---------------------------------------------------------------------
def test_a_session_outside_the_cohorts_dates_is_a_warning_not_a_refusal(trainer_client):
    cohort = make_cohort("outside", trainer=trainer_client.trainer)
    late = cohort.ends_on + timedelta(days=3)
    url = reverse("cohorts:trainer_session_new", args=[cohort.slug])
    preview = page(trainer_client.post(url, session_post(day=late.isoformat(), weeks="1",
                                                         action="preview")))  # fmt: skip
    assert "is outside the cohort&#x27;s dates" in preview
    assert not LiveSession.objects.exists()
    saved = trainer_client.post(url, session_post(day=late.isoformat(), weeks="1"), follow=True)
    assert LiveSession.objects.count() == 1
    assert "is outside the cohort&#x27;s dates" in page(saved)  # said again once saved
    assert "Check:" in page(saved)  # and on the list, beside the session


def test_the_hour_that_happens_twice_is_a_warning_and_saved_at_its_first_time(trainer_client):
    """Madrid's clocks go back on 31 October 2027 at 03:00: 02:30 happens twice."""
    cohort = make_cohort("twice", trainer=trainer_client.trainer)
    cohort.ends_on = date(2027, 12, 31)
    cohort.save(update_fields=["ends_on"])
    url = reverse("cohorts:trainer_session_new", args=[cohort.slug])
    post = session_post(day="2027-10-31", start="02:30", end="03:30", weeks="1")
    preview = page(trainer_client.post(url, {**post, "action": "preview"}))
    assert "02:30 happens twice on" in preview and "UTC+02:00" in preview
    assert trainer_client.post(url, post).status_code == 302
    (session,) = LiveSession.objects.all()
    assert session.starts_at == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert sessions.warnings_for(cohort, sessions.plan(
        cohort=cohort, day=date(2027, 10, 24), start=time(2, 30), end=time(3, 30)
    )) == []  # fmt: skip


def test_the_list_follows_the_calendar_after_an_occurrence_moves(trainer_client, people):
    cohort, _ana, _ben = people
    cohort.trainers.add(trainer_client.trainer)
    first, second, third = weekly(cohort, in_days(7), weeks=3)
    later = (local(third.starts_at).date() + timedelta(days=2)).isoformat()
    edit = reverse("cohorts:trainer_session_edit", args=[cohort.slug, second.pk])
    assert trainer_client.post(edit, session_post(day=later, scope="one")).status_code == 302
    html = page(trainer_client.get(reverse("cohorts:trainer_sessions", args=[cohort.slug])))
    links = [reverse("cohorts:trainer_session_edit", args=[cohort.slug, s.pk])
             for s in (first, third, second)]  # fmt: skip
    assert sorted(links, key=html.index) == links
    assert "Weekly series: session 3 of 3" in html  # its place in the series follows too


def test_the_saved_message_counts_sessions_in_words_not_session_s(trainer_client):
    cohort = make_cohort("counted", trainer=trainer_client.trainer)
    day = cohort.starts_on + timedelta(days=1)
    url = reverse("cohorts:trainer_session_new", args=[cohort.slug])
    one = page(trainer_client.post(url, session_post(day=day.isoformat(), weeks="1"),
                                   follow=True))  # fmt: skip
    assert "Saved: 1 session. Members&#x27; calendars update by themselves." in one
    three = page(trainer_client.post(url, session_post(day=(day + timedelta(days=1)).isoformat(),
                                                       weeks="3"), follow=True))  # fmt: skip
    assert "Saved: 3 sessions. Members&#x27; calendars update by themselves." in three
    assert "session(s)" not in one + three
