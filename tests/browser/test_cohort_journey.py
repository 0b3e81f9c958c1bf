"""In real Chromium: a volunteer applies to a cohort, the trainer accepts, the volunteer sees the
next session in their own time zone; the trainer marks attendance for a whole session."""

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cohorts import invitations, services
from cohorts.models import Attendance, Cohort, CohortInvitation, Membership, ScreeningQuestion
from cohorts.sessions import sessions_save
from courses.factories import make_course
from tests.browser.test_accounts_journeys import _current_code
from tests.conftest import enrol_totp
from training.factories import UserFactory
from training.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cohort():
    course, _modules = make_course("journey-course", modules=1)
    trainer = UserFactory(display_name="Tomás", roles=[Role.TRAINER], time_zone="Europe/Madrid")
    cohort = Cohort.objects.create(
        slug="journey", title="Journey cohort", working_language="en",
        time_zone="Europe/Madrid", starts_on=date.today(),
        ends_on=date.today() + timedelta(days=60), mode=Cohort.Mode.APPLICATION,
        status=Cohort.Status.OPEN, capacity=10,
    )  # fmt: skip
    cohort.courses.add(course)
    cohort.trainers.add(trainer)
    ScreeningQuestion.objects.create(cohort=cohort, text="Why do you want to join?")
    sessions_save(cohort=cohort, day=date(2099, 1, 12), start=time(18, 0), end=time(19, 30),
                  title="First live session", meeting_url="https://meet.example.org/j")  # fmt: skip
    return cohort


def sign_in(page, base, user, password, code_secret=None):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", user.email)
    page.fill("#id_password", password)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    if code_secret:
        page.wait_for_url("**/2fa/authenticate/**")
        page.fill("#id_code", _current_code(code_secret))
        page.locator("#id_code").press("Enter")
    page.wait_for_url("**/dashboard/**")


def test_apply_accept_and_see_the_next_session_in_my_time_zone(
    page, browser, live_server, cohort, password
):
    volunteer = UserFactory(display_name="Priya", time_zone="Asia/Kolkata", password=password)
    trainer = cohort.trainers.get()
    trainer.set_password(password)
    trainer.save()
    secret = enrol_totp(trainer)

    sign_in(page, live_server.url, volunteer, password)
    page.goto(f"{live_server.url}/cohorts/")
    page.get_by_role("link", name="Journey cohort").click()
    # The first session, in the volunteer's own zone: 18:00 in Madrid is 22:30 in Kolkata.
    span = "22:30 \N{EN DASH} 13 January 2099, 00:00 (Kolkata, India)"  # one style, the place
    expect(page.get_by_text(span).first).to_be_visible()
    page.wait_for_load_state("load")  # the page's script keeps drafts once it has run
    page.fill("textarea[name^='answer-']", "I moderate a support forum.")
    # A half-written application survives a reload (kept on the device until it is sent).
    page.reload()
    expect(page.locator("textarea[name^='answer-']")).to_have_value("I moderate a support forum.")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_text("Waiting for a decision").first).to_be_visible()

    trainer_context = browser.new_context(viewport={"width": 1100, "height": 900})
    desk = trainer_context.new_page()
    sign_in(desk, live_server.url, trainer, password, code_secret=secret)
    desk.goto(f"{live_server.url}/dashboard/trainer/")
    desk.get_by_role("link", name="Journey cohort").click()
    expect(desk.get_by_text("I moderate a support forum.")).to_be_visible()
    desk.get_by_label("Priya").check()
    desk.get_by_role("button", name="Apply the decision").click()
    expect(desk.get_by_text("Priya: accepted")).to_be_visible()
    trainer_context.close()

    assert Membership.objects.filter(cohort=cohort, user=volunteer, left_at__isnull=True).exists()
    page.goto(f"{live_server.url}/dashboard/")
    next_session = page.locator(".card", has_text="Next live session")
    expect(next_session).to_contain_text("First live session")
    expect(next_session).to_contain_text(span)
    expect(next_session.get_by_role("link", name="Add to calendar")).to_be_visible()


def test_the_trainer_marks_attendance_for_a_whole_session(page, live_server, cohort, password):
    trainer = cohort.trainers.get()
    trainer.set_password(password)
    trainer.save()
    secret = enrol_totp(trainer)
    members = [UserFactory(display_name=name) for name in ("Ana", "Kofi", "Dewi")]
    for member in members:
        services._admit(cohort, member, Membership.Source.CSV)
    now = timezone.now()
    past = cohort.sessions.create(title="Past session", starts_at=now - timedelta(days=2),
                                  ends_at=now - timedelta(days=2) + timedelta(hours=1))  # fmt: skip

    sign_in(page, live_server.url, trainer, password, code_secret=secret)
    page.goto(f"{live_server.url}/dashboard/trainer/cohorts/journey/sessions/{past.pk}/attendance/")
    page.get_by_label("Ana: Present").check()
    page.get_by_label("Kofi: Absent").check()
    page.get_by_label("Dewi: Excused").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance saved for 3 members.")).to_be_visible()
    marks = dict(Attendance.objects.filter(session=past).values_list("user__display_name",
                                                                     "status"))  # fmt: skip
    assert marks == {"Ana": "present", "Kofi": "absent", "Dewi": "excused"}


def test_an_invited_volunteer_accepts_in_the_browser(page, live_server, cohort, password):
    """The invitation page's forms post from a real browser: its referrer policy must still let
    the browser send the page's origin (with "no-referrer" it sends "Origin: null" and CSRF
    refuses the answer)."""
    volunteer = UserFactory(display_name="Ana", password=password)
    created = invitations.invitations_create(
        cohort=cohort, people=[(volunteer.email, "Ana")], by=cohort.trainers.get()
    )
    invitation = CohortInvitation.objects.get(pk=created[volunteer.email])
    path = reverse("cohorts:invitation", args=[invitations.invitation_token(invitation)])

    sign_in(page, live_server.url, volunteer, password)
    page.goto(f"{live_server.url}{path}")
    page.get_by_role("button", name="Accept and join").click()
    page.wait_for_load_state("load")
    assert "CSRF" not in page.content()
    assert Membership.objects.filter(cohort=cohort, user=volunteer, left_at__isnull=True).exists()
