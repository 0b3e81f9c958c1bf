"""In real Chromium, a cohort's whole life, each step through the pages of the person who does it:

a trainer creates the cohort (its address follows the title) and its screening questions; four
volunteers (Spanish, French, English, Brazilian Portuguese) apply; the trainer accepts them all
at once and is told first that three get a place and one waits; a member leaves and the person
waiting gets the place; a weekly series crosses the night the clocks change in the cohort's zone
(Europe/Madrid) and one of its occurrences is cancelled; attendance is marked with "mark all
present"; the trainer signs off a skill of the track, which certifies one member automatically;
another member's certification on a second track waits for a coordinator's approval; the
coordinator exports the responder pool as CSV, JSON and XLSX.

Every message sent along the way is read: who it went to, in which language (the phrases the
catalogues translate) and whether it says what really happened (the person who waits is never
welcomed; the promoted person is told the place is theirs; a cancelled occurrence is named with
its date and time in the recipient's own zone)."""

import csv
import io
import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook
from playwright.sync_api import expect

from certificates import services as certification
from certificates.models import (
    Certificate,
    CertificationRequest,
    CohortTrack,
    PoolMember,
    Requirement,
    Track,
    TrackSkill,
)
from cohorts import services as cohort_services
from cohorts.models import Application, Attendance, Cohort, LiveSession, Membership
from courses.factories import make_course
from tests.browser.test_cohort_journey import sign_in
from tests.conftest import enrol_totp
from training.factories import UserFactory
from training.roles import Role
from training.templatetags.acompana import time_range, when
from training.timezones import zone_label_inline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MADRID = "Europe/Madrid"
TITLE = "Círculo de escucha · primavera"
SLUG = "circulo-de-escucha-primavera"  # what the page makes of the title


# --- Reading the messages ------------------------------------------------------------------------
def say(language: str, msgid: str, **values) -> str:
    """A phrase as the catalogue of `language` has it (the English one when it has none)."""
    with translation.override(language):
        text = gettext(msgid)
    return text % values if values else text


def moment_for(person, moment: datetime) -> str:
    """A date and time as a message to `person` names it: their language, their zone."""
    with translation.override(person.preferred_language), timezone.override(person.time_zone):
        return when(moment)


class Inbox:
    """django.core.mail.outbox read as it grows: each step takes the messages it caused, and
    every message of the journey is checked by exactly one step."""

    def __init__(self):
        self.read = 0

    def take(self, expected: int) -> dict:
        new = mail.outbox[self.read :]
        self.read = len(mail.outbox)
        summary = [(m.to, m.subject) for m in new]
        assert len(new) == expected, summary
        by_address = {}
        for message in new:
            assert len(message.to) == 1, summary  # one message per person, never a shared one
            assert message.to[0] not in by_address, summary  # and one per person per step
            by_address[message.to[0]] = message
        return by_address

    def all_checked(self):
        assert self.read == len(mail.outbox)


def check_frame(message, person, subject: str) -> str:
    """The subject, greeting and footer in the person's language; returns the body."""
    language, body = person.preferred_language, message.body
    assert message.subject == say(language, subject), (person.email, message.subject)
    hello = say(language, "Hello %(name)s,", name=person.display_name)
    assert hello in body, (person.email, body)
    footer = say(language, "Choose which messages you receive:")
    assert footer in body, (person.email, body)
    if language != "en":
        # The translation exists: the English frame must not be there.
        assert say("en", "Hello %(name)s,", name=person.display_name) not in body
        assert "Choose which messages you receive:" not in body
    return body


def check_phrase(body: str, person, msgid: str, **values) -> None:
    expected = say(person.preferred_language, msgid, **values)
    assert expected in body, (person.email, expected, body)
    english = say("en", msgid, **values)
    if expected != english:
        assert english not in body, (person.email, body)


def refuse_phrase(body: str, person, msgid: str, **values) -> None:
    for language in {person.preferred_language, "en"}:
        assert say(language, msgid, **values) not in body, (person.email, body)


# --- The calendar --------------------------------------------------------------------------------
def next_clock_change(after: date, zone: str = MADRID) -> date:
    """The next day (a Sunday) on which the clocks change in `zone`."""
    tz, day = ZoneInfo(zone), after
    while True:
        today = datetime.combine(day, time(12), tz).utcoffset()
        tomorrow = datetime.combine(day + timedelta(days=1), time(12), tz).utcoffset()
        if today != tomorrow:
            return day + timedelta(days=1)
        day += timedelta(days=1)


def madrid(day: date, at: time) -> datetime:
    return datetime.combine(day, at, ZoneInfo(MADRID))


def tab(page, name: str) -> None:
    """A tab of the trainer's cohort pages."""
    page.locator("nav.account-nav[aria-label='Cohort']").get_by_role(
        "link", name=name, exact=True
    ).click()
    page.wait_for_load_state("load")


# --- The people and what the coordinators prepared -----------------------------------------------
@pytest.fixture
def world(password):
    course, _modules = make_course("listening-basics", modules=1, title="Listening basics")
    trainer = UserFactory(display_name="Tomás", email="tomas@example.org", time_zone=MADRID,
                          roles=[Role.TRAINER], password=password)  # fmt: skip
    coordinator = UserFactory(display_name="Coral", email="coral@example.org",
                              time_zone="America/Bogota", roles=[Role.COORDINATOR],
                              password=password)  # fmt: skip
    people = {
        "lucia": UserFactory(display_name="Lucía", email="lucia@example.org",
                             preferred_language="es", time_zone="America/Mexico_City",
                             password=password),
        "amelie": UserFactory(display_name="Amélie", email="amelie@example.org",
                              preferred_language="fr", time_zone="Europe/Paris",
                              password=password),
        "kofi": UserFactory(display_name="Kofi", email="kofi@example.org",
                            preferred_language="en", time_zone="Africa/Accra",
                            password=password),
        "joao": UserFactory(display_name="João", email="joao@example.org",
                            preferred_language="pt-br", time_zone="America/Sao_Paulo",
                            password=password),
    }  # fmt: skip
    # Track A certifies by itself: a skill of the track signed off, half the live sessions.
    automatic = Track.objects.create(title="Peer responder", slug="peer-responder",
                                     approval=Track.Approval.AUTOMATIC)  # fmt: skip
    listening = TrackSkill.objects.create(track=automatic, name="Active listening")
    Requirement.objects.create(track=automatic, kind=Requirement.Kind.SKILL, skill=listening,
                               sort_order=0)  # fmt: skip
    Requirement.objects.create(track=automatic, kind=Requirement.Kind.ATTENDANCE,
                               min_attendance=50, sort_order=1)  # fmt: skip
    # Track B: a coordinator approves each certification. Its skill is signed off in a practicum
    # cohort (same trainer) that João already belongs to.
    approved = Track.objects.create(title="Crisis line", slug="crisis-line",
                                    approval=Track.Approval.COORDINATOR)  # fmt: skip
    de_escalation = TrackSkill.objects.create(track=approved, name="De-escalation")
    Requirement.objects.create(track=approved, kind=Requirement.Kind.SKILL, skill=de_escalation,
                               sort_order=0)  # fmt: skip
    today = timezone.localdate()
    practicum = Cohort.objects.create(
        slug="crisis-line-practicum", title="Crisis-line practicum", working_language="en",
        time_zone=MADRID, starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60),
        mode=Cohort.Mode.APPLICATION, status=Cohort.Status.RUNNING,
    )  # fmt: skip
    CohortTrack.objects.create(cohort=practicum, track=approved)
    practicum.trainers.add(trainer)
    cohort_services._admit(practicum, people["joao"], Membership.Source.CSV)
    return {
        "course": course, "trainer": trainer, "coordinator": coordinator, "people": people,
        "automatic": automatic, "approved": approved, "practicum": practicum,
        "trainer_secret": enrol_totp(trainer), "coordinator_secret": enrol_totp(coordinator),
    }  # fmt: skip


def test_a_cohort_from_its_creation_to_the_pool_export(page, browser, live_server, world,
                                                       password, tmp_path):  # fmt: skip
    base = live_server.url
    people = world["people"]
    lucia, amelie, kofi, joao = (people[k] for k in ("lucia", "amelie", "kofi", "joao"))
    trainer = world["trainer"]
    inbox = Inbox()
    today = timezone.localdate()
    change = next_clock_change(today + timedelta(days=14))
    series_start = change - timedelta(days=5)  # the Tuesday before the clocks change

    # 1. The trainer creates the cohort; its address follows the title as it is typed.
    sign_in(page, base, trainer, password, code_secret=world["trainer_secret"])
    page.goto(f"{base}/dashboard/trainer/cohorts/new/")
    page.wait_for_load_state("load")
    page.locator("#id_title").press_sequentially(TITLE)
    expect(page.locator("#id_slug")).to_have_value(SLUG)
    page.get_by_label("Listening basics").check()
    page.select_option("#id_working_language", "en")
    page.select_option("#id_time_zone", MADRID)
    page.fill("#id_starts_on", (today - timedelta(days=10)).isoformat())
    page.fill("#id_ends_on", (change + timedelta(days=20)).isoformat())
    page.fill("#id_capacity", "3")
    page.select_option("#id_mode", Cohort.Mode.APPLICATION)
    page.select_option("#id_status", Cohort.Status.OPEN)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/dashboard/trainer/cohorts/{SLUG}/")
    cohort = Cohort.objects.get(slug=SLUG)
    assert cohort.title == TITLE and cohort.time_zone == MADRID and cohort.capacity == 3
    assert list(cohort.trainers.all()) == [trainer]

    tab(page, "Screening questions")
    page.fill("#id_questions-0-text", "Why do you want to join?")
    page.get_by_role("button", name="Save questions").click()
    expect(page.get_by_text("Screening questions saved.")).to_be_visible()
    assert list(cohort.questions.values_list("text", flat=True)) == ["Why do you want to join?"]
    # The coordinators choose the track a cohort prepares for (trainers cannot).
    CohortTrack.objects.create(cohort=cohort, track=world["automatic"])
    # The cohort started ten days ago: the trainer records the two sessions already held (a
    # weekly pair in the past; nobody is told of sessions that are over).
    tab(page, "Live sessions")
    page.get_by_role("link", name="Schedule a session").click()
    page.fill("#id_title", "Opening circle")
    page.fill("#id_day", (today - timedelta(days=9)).isoformat())
    page.fill("#id_start", "10:00")
    page.fill("#id_end", "11:00")
    page.fill("#id_weeks", "2")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/dashboard/trainer/cohorts/{SLUG}/sessions/")
    held = list(LiveSession.objects.filter(cohort=cohort, title="Opening circle"))
    assert len(held) == 2 and all(s.ends_at < timezone.now() for s in held)
    inbox.take(0)

    # 2. Four volunteers apply, each in their own browser and language.
    volunteers = {}
    for person in (lucia, amelie, kofi, joao):
        context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 900})
        their_page = context.new_page()
        their_page.set_default_timeout(15_000)
        sign_in(their_page, base, person, password)
        their_page.goto(f"{base}/cohorts/{SLUG}/")
        their_page.fill("textarea[name^='answer-']", f"{person.display_name} listens well.")
        with their_page.expect_navigation():
            their_page.locator("form[action$='/apply/'] button[type=submit]").click()
        volunteers[person.pk] = (context, their_page)
    assert set(
        Application.objects.filter(cohort=cohort, status=Application.Status.SUBMITTED)
        .values_list("user__display_name", flat=True)
    ) == {"Lucía", "Amélie", "Kofi", "João"}  # fmt: skip
    received = inbox.take(4)
    for person in (lucia, amelie, kofi, joao):
        body = check_frame(received[person.email], person, "We received your application")
        check_phrase(body, person, "Thank you for applying to the cohort “%(cohort)s”. Its "
                     "trainers will read your answers and reply to you. You will find their "
                     "answer on the cohort's page:", cohort=TITLE)  # fmt: skip

    # 3. The trainer accepts all four at once; three places: the page says so before it acts.
    tab(page, "Applications and members")
    expect(page.get_by_text("João listens well.")).to_be_visible()
    page.locator("#select-all").check()
    for person in (lucia, amelie, kofi, joao):
        expect(page.get_by_label(person.display_name, exact=True)).to_be_checked()
    page.select_option("#id_decision", "accept")
    page.get_by_role("button", name="Apply the decision").click()
    expect(page.get_by_role("heading", name="Confirm the decision")).to_be_visible()
    expect(page.get_by_text("3 people will get a place.")).to_be_visible()
    expect(page.get_by_text("1 person will go on the waitlist: the cohort is full for them."))\
        .to_be_visible()  # fmt: skip
    expect(page.locator("#id_waitlist_message")).to_have_value(re.compile("waitlist"))
    page.get_by_role("button", name="Confirm and tell each person").click()
    expect(page.get_by_text("Given a place: 3. On the waitlist: 1.")).to_be_visible()
    members = set(cohort.memberships.filter(left_at__isnull=True)
                  .values_list("user__display_name", flat=True))  # fmt: skip
    assert members == {"Lucía", "Amélie", "Kofi"}
    assert Application.objects.get(cohort=cohort, user=joao).status == "waitlisted"
    decided = inbox.take(4)
    for person in (lucia, amelie, kofi):
        body = check_frame(decided[person.email], person, "News about your application")
        check_phrase(body, person, "You have a place in the cohort “%(cohort)s”. Its courses "
                     "are open to you now.", cohort=TITLE)  # fmt: skip
        refuse_phrase(body, person, "The cohort “%(cohort)s” is full for now. You are on its "
                      "waitlist, and you will hear from us as soon as a place opens.",
                      cohort=TITLE)  # fmt: skip
    body = check_frame(decided[joao.email], joao, "News about your application")
    check_phrase(body, joao, "The cohort “%(cohort)s” is full for now. You are on its waitlist, "
                 "and you will hear from us as soon as a place opens.", cohort=TITLE)  # fmt: skip
    # Never welcomed into a cohort that had no place for him (nor given the accepted's words).
    assert "Welcome" not in body and "welcome" not in body
    refuse_phrase(body, joao, "You have a place in the cohort “%(cohort)s”. Its courses are "
                  "open to you now.", cohort=TITLE)  # fmt: skip

    # 4. Kofi leaves; the place goes to João, first on the waitlist, who is told it is his.
    kofi_page = volunteers[kofi.pk][1]
    kofi_page.goto(f"{base}/cohorts/{SLUG}/")
    kofi_page.locator("details summary").filter(has_text="Leave this cohort").click()
    with kofi_page.expect_navigation():
        kofi_page.locator("form[action$='/withdraw/'] button[type=submit]").click()
    assert Membership.objects.get(cohort=cohort, user=kofi).left_reason == "withdrew"
    assert Membership.objects.filter(cohort=cohort, user=joao, left_at__isnull=True).exists()
    promoted = inbox.take(1)
    body = check_frame(promoted[joao.email], joao, "News about your application")
    check_phrase(body, joao, "A place has opened in the cohort “%(cohort)s”, and it is yours: you "
                 "are a member now, and its courses are open to you.", cohort=TITLE)  # fmt: skip
    refuse_phrase(body, joao, "The cohort “%(cohort)s” is full for now. You are on its waitlist, "
                  "and you will hear from us as soon as a place opens.", cohort=TITLE)  # fmt: skip
    page.reload()  # the trainer's list: João among the members, nobody waiting
    expect(page.get_by_role("row", name=re.compile("João"))).to_be_visible()
    expect(page.locator("#waitlist + p.empty")).to_have_text("Nobody is waiting.")

    # 5. A weekly series over the night the clocks change in Madrid: 18:00 there every week.
    tab(page, "Live sessions")
    page.get_by_role("link", name="Schedule a session").click()
    page.fill("#id_title", "Weekly practice")
    page.fill("#id_day", series_start.isoformat())
    page.fill("#id_start", "18:00")
    page.fill("#id_end", "19:30")
    page.fill("#id_weeks", "3")
    page.get_by_role("button", name="Check the time for members").click()
    # São Paulo and Mexico City keep their clocks: the session moves an hour for them.
    expect(page.get_by_text("The time changes for some members during the series")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/dashboard/trainer/cohorts/{SLUG}/sessions/")
    series = list(LiveSession.objects.filter(cohort=cohort, title="Weekly practice")
                  .order_by("starts_at"))  # fmt: skip
    assert [s.starts_at for s in series] == [
        madrid(series_start + timedelta(days=7 * week), time(18)) for week in range(3)
    ]
    # Same local time in Madrid, a different hour in UTC on either side of the change; the
    # trainer's list shows each at 18:00 in the cohort's zone.
    assert series[0].starts_at.astimezone(ZoneInfo("UTC")).hour != series[1].starts_at.astimezone(
        ZoneInfo("UTC")).hour  # fmt: skip
    with translation.override("en"), timezone.override(MADRID):
        shown = [time_range(session.starts_at, session.ends_at) for session in series]
    for session, text in zip(series, shown, strict=True):
        expect(page.locator(f"article[aria-labelledby='session-{session.pk}']")).to_contain_text(
            text)  # fmt: skip
    added = inbox.take(3)
    for person in (lucia, amelie, joao):
        body = check_frame(added[person.email], person, "New live sessions in your cohort")
        for session in series:  # each date and time in the member's own zone and language
            assert moment_for(person, session.starts_at) in body, (person.email, body)
    # São Paulo keeps its clock: the same session falls an hour apart there across the change.
    sao_paulo = ZoneInfo(joao.time_zone)
    assert (series[0].starts_at.astimezone(sao_paulo).hour
            != series[1].starts_at.astimezone(sao_paulo).hour)  # fmt: skip

    # One occurrence (the first after the change) is cancelled, the others stay.
    cancelled = series[1]
    page.locator("article", has_text="Weekly series: session 2 of 3").get_by_role(
        "link", name="Weekly practice").click()  # fmt: skip
    page.locator("summary", has_text="Cancel this session").click()
    cancel_form = page.locator("form[action$='/cancel/']")
    expect(cancel_form.get_by_label("This session only")).to_be_checked()
    cancel_form.get_by_role("button", name="Cancel the session").click()
    expect(page.get_by_text("The session is cancelled.")).to_be_visible()
    assert [s.cancelled_at is not None for s in LiveSession.objects.filter(series=series[0].series)
            .order_by("starts_at")] == [False, True, False]  # fmt: skip
    told = inbox.take(3)
    for person in (lucia, amelie, joao):
        body = check_frame(told[person.email], person, "A live session is cancelled")
        check_phrase(body, person, "The live session “%(title)s” of your cohort “%(cohort)s” on "
                     "%(when)s is cancelled.", title="Weekly practice", cohort=TITLE,
                     when=moment_for(person, cancelled.starts_at))  # fmt: skip
        assert f"({zone_label_inline(person.time_zone, person.preferred_language)})" in body

    # 6. Attendance of the sessions held: "mark all present".
    for session in held:
        page.goto(f"{base}/dashboard/trainer/cohorts/{SLUG}/sessions/{session.pk}/attendance/")
        page.get_by_role("button", name="Mark all present").click()
        expect(page.get_by_text("Attendance saved for 3 members.")).to_be_visible()
    marks = set(Attendance.objects.filter(session__in=held).values_list("user__display_name",
                                                                        "status"))  # fmt: skip
    assert marks == {(name, "present") for name in ("Lucía", "Amélie", "João")}
    inbox.take(0)

    # 7. The trainer signs off the track's skill for Lucía: with half the sessions attended
    # (two held of the four planned), she is certified at once.
    page.goto(f"{base}/dashboard/trainer/cohorts/{SLUG}/members/{lucia.pk}/")
    skill_card = page.locator(".card", has=page.get_by_role("heading", name="Active listening",
                                                            exact=True))  # fmt: skip
    skill_card.get_by_role("button", name="Sign off").click()
    expect(page.locator(".message", has_text="Signed off: Active listening")).to_be_visible()
    certificate = Certificate.objects.get(user=lucia, track=world["automatic"])
    assert certificate.approved_by is None
    assert not Certificate.objects.filter(user__in=[amelie, joao]).exists()
    ready = inbox.take(1)
    body = check_frame(ready[lucia.email], lucia, "Your certificate")
    with translation.override("es"):
        expires = formats.date_format(certificate.expires_on, "DATE_FORMAT")
    check_phrase(body, lucia, "You are certified: “%(track)s”, valid until %(expires)s. Thank you "
                 "for the work it took.", track="Peer responder", expires=expires)  # fmt: skip

    # 8. In the practicum, the trainer signs off João's de-escalation: the crisis line waits for
    # a coordinator, who approves it from the queue.
    page.goto(f"{base}/dashboard/trainer/cohorts/crisis-line-practicum/members/{joao.pk}/")
    skill_card = page.locator(".card", has=page.get_by_role("heading", name="De-escalation",
                                                            exact=True))  # fmt: skip
    skill_card.get_by_role("button", name="Sign off").click()
    expect(page.locator(".message", has_text="Signed off: De-escalation")).to_be_visible()
    assert CertificationRequest.objects.get(user=joao, track=world["approved"]).status == "pending"
    assert not Certificate.objects.filter(user=joao).exists()
    inbox.take(0)

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    coordinator_page = desk.new_page()
    coordinator_page.set_default_timeout(15_000)
    sign_in(coordinator_page, base, world["coordinator"], password,
            code_secret=world["coordinator_secret"])  # fmt: skip
    coordinator_page.goto(f"{base}/dashboard/coordinator/queue/")
    request_card = coordinator_page.locator(".card", has_text="João")
    request_card.get_by_role("button", name="Approve and certify").click()
    expect(coordinator_page.get_by_text("Certified.")).to_be_visible()
    approved = Certificate.objects.get(user=joao, track=world["approved"])
    assert approved.approved_by == world["coordinator"]
    ready = inbox.take(1)
    body = check_frame(ready[joao.email], joao, "Your certificate")
    with translation.override("pt-br"):
        expires = formats.date_format(approved.expires_on, "DATE_FORMAT")
    check_phrase(body, joao, "You are certified: “%(track)s”, valid until %(expires)s. Thank you "
                 "for the work it took.", track="Crisis line", expires=expires)  # fmt: skip

    # 9. Both join the responder pool (their own settings page is another journey's) and the
    # coordinator exports it in the three formats.
    for person, phone in ((lucia, "+52 55 1234 5678"), (joao, "+55 11 91234 5678")):
        member = certification.pool_join(user=person)
        member.languages = [{"code": person.preferred_language, "level": "native"}]
        member.hours_per_week = 4
        member.contact_phone = phone
        member.share_languages = member.share_availability = member.share_phone = True
        member.save()
    assert PoolMember.objects.filter(status=PoolMember.Status.ACTIVE).count() == 2
    coordinator_page.goto(f"{base}/pool/")
    expect(coordinator_page.locator("table tbody tr")).to_have_count(2)

    with coordinator_page.expect_download() as info:
        coordinator_page.get_by_role("button", name="Export CSV").click()
    saved = tmp_path / "pool.csv"
    info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    assert {row["Display name"] for row in rows} == {"Lucía", "João"}
    assert {row["Phone"] for row in rows} == {"+52 55 1234 5678", "+55 11 91234 5678"}

    with coordinator_page.expect_download() as info:
        coordinator_page.get_by_role("button", name="Export JSON").click()
    saved = tmp_path / "pool.json"
    info.value.save_as(saved)
    results = json.loads(saved.read_text(encoding="utf-8"))["results"]
    assert {result["display_name"] for result in results} == {"Lucía", "João"}

    coordinator_page.get_by_role("button", name="Prepare a spreadsheet (XLSX)").click()
    download = coordinator_page.get_by_role("link", name="Download (XLSX)")
    expect(download).to_be_visible(timeout=30_000)
    with coordinator_page.expect_download() as info:
        download.click()
    saved = tmp_path / "pool.xlsx"
    info.value.save_as(saved)

    sheet = load_workbook(saved).active
    header, *lines = [list(row) for row in sheet.iter_rows(values_only=True)]
    lines = [dict(zip(header, line, strict=True)) for line in lines]
    assert {line["Display name"] for line in lines} == {"Lucía", "João"}
    for line in lines:
        assert isinstance(line["Certified until"], datetime)  # a date, not text
        assert line["Hours per week"] == 4  # a number, not text
    # Phone numbers as their owners wrote them (no apostrophe: they are not formulas).
    assert {line["Phone"] for line in lines} == {"+52 55 1234 5678", "+55 11 91234 5678"}
    desk.close()

    # Nothing else was sent to anyone along the way.
    inbox.take(0)
    inbox.all_checked()
    for context, _their_page in volunteers.values():
        context.close()
