"""A volunteer's first day, in real Chromium (issue 16's "done when").

A Spanish speaker on a phone signs up from an open course's page, confirms the address from an
email written in Spanish, starts the self-paced course the same minute with one click and reads
its first module; then applies to the cohort teaching another course, and that course's page says
the application is waiting for the trainers, sent today (in the viewer's time zone, not the
server's). When the trainer puts them on the waitlist, the page gives their position. Another
volunteer signs the last requirement of a track and reads "You are certified", with a link to the
certificate.

Strings added this session are not in the Spanish catalogue yet: the text expected is what
gettext gives for Spanish (the English msgid until the catalogue is translated), never a
hard-coded translation.
"""

import re
from datetime import UTC, date, timedelta

import pytest
from django.core import mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from certificates.models import Certificate, Requirement
from cohorts import services as cohort_services
from cohorts.models import Application, Cohort, ScreeningQuestion
from courses.factories import make_course, text_block
from courses.models import Enrolment
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_cohort_journey import sign_in
from tests.certificates.factories import (
    add_requirement,
    join,
    make_agreement,
    make_cohort,
    make_track,
)
from training.factories import UserFactory
from training.models import User
from training.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# allauth's own English, which a page in Spanish must never show (buttons, headings, labels,
# placeholders).
STOCK_ENGLISH = (
    "Sign Up",
    "Sign In",
    "Signup",
    "Remember Me",
    "Verify Your Email Address",
    "Confirm Email Address",
    "Please contact us",
    "Password (again)",
    "Forgot your password?",
    "Already have an account?",
    "Email address",
)


def say(msgid: str, **values) -> str:
    """A phrase as the Spanish catalogue has it (the English msgid while it has none)."""
    with translation.override("es"):
        text = gettext(msgid)
    return text % values if values else text


def shown_text(page) -> str:
    """What a person reads on the page: its visible text, its title and the placeholders."""
    placeholders = page.eval_on_selector_all(
        "[placeholder], [aria-label]",
        "els => els.map(e => (e.getAttribute('placeholder') || '') + ' '"
        " + (e.getAttribute('aria-label') || ''))",
    )
    return "\n".join([page.title(), page.locator("body").inner_text(), *placeholders])


def assert_no_stock_english(page):
    text = shown_text(page)
    found = [phrase for phrase in STOCK_ENGLISH if phrase in text]
    assert not found, f"English on the Spanish page {page.url}: {found}"
    # Django's own Spanish says "usted"; the site says "tú" (our catalogue overrides it).
    assert "Su contraseña" not in text, page.url
    assert page.locator("html").get_attribute("lang") == "es", page.url


def snap(page, name: str) -> None:
    """A screenshot of a step, for people reviewing the journey (test-artifacts/)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"first-day-{name}.png"), full_page=True)


@pytest.fixture
def zone() -> str:
    """The viewer's zone: one whose date differs from UTC's, so that a date shown in the
    server's zone (UTC) instead of the viewer's fails the test at any hour. Kiritimati (UTC+14)
    differs from 10:00 to 24:00 UTC, Pago Pago (UTC-11) from 00:00 to 11:00 UTC; each is taken
    at least half an hour from its own midnight."""
    now = timezone.now()
    return "Pacific/Kiritimati" if (now.hour, now.minute) >= (10, 30) else "Pacific/Pago_Pago"


@pytest.fixture
def phone(browser, request, zone):
    """Chromium as a phone in Spanish, in a zone far from the server's."""
    context = browser.new_context(
        locale="es-ES", timezone_id=zone, viewport={"width": 390, "height": 844},
        is_mobile=True, has_touch=True,
    )  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-phone.png"), full_page=True)
    context.close()


@pytest.fixture
def courses():
    """An open self-paced course, and a course taught by a cohort that takes applications."""
    care, care_modules = make_course(
        "cuidar-de-quien-cuida", modules=2, self_paced=True, title="Cuidar de quien cuida",
        body=lambda i: [text_block(f"care/{i}", f"<p>Escuchar sin juzgar, parte {i + 1}.</p>")],
    )  # fmt: skip
    listening, _modules = make_course("escucha", modules=1, title="Escucha activa")
    trainer = UserFactory(display_name="Tomás", roles=[Role.TRAINER], time_zone="Europe/Madrid")
    cohort = Cohort.objects.create(
        slug="escucha-primavera", title="Escucha · primavera", working_language="es",
        time_zone="Europe/Madrid", starts_on=date.today() + timedelta(days=30),
        ends_on=date.today() + timedelta(days=90), mode=Cohort.Mode.APPLICATION,
        status=Cohort.Status.OPEN, capacity=10,
    )  # fmt: skip
    cohort.courses.add(listening)
    cohort.trainers.add(trainer)
    ScreeningQuestion.objects.create(cohort=cohort, text="¿Por qué quieres participar?")
    return {"care": care, "care_modules": care_modules, "listening": listening,
            "cohort": cohort, "trainer": trainer}  # fmt: skip


def test_a_spanish_speaker_on_a_phone_starts_learning_the_day_they_sign_up(
    phone, zone, live_server, courses
):
    page, base = phone, live_server.url
    started = timezone.now()
    care, cohort = courses["care"], courses["cohort"]

    # A visitor opens the open course and creates an account from its next step.
    page.goto(f"{base}{care.url}")
    assert page.locator("html").get_attribute("lang") == "es"
    page.locator(".next-step-sign_up a").click()
    page.wait_for_url("**/accounts/signup/**")
    assert_no_stock_english(page)
    snap(page, "1-sign-up")
    # The phone's zone is suggested; the language is the page's.
    expect(page.locator("#id_time_zone")).to_have_value(zone)
    page.fill("#id_email", "lucia@example.org")
    page.fill("#id_display_name", "Lucía")
    page.fill("#id_password1", "una-frase-larga-y-poco-comun")
    page.fill("#id_password2", "una-frase-larga-y-poco-comun")
    page.locator("form[action^='/accounts/signup/'] button[type=submit]").tap()
    page.wait_for_url("**/accounts/confirm-email/")
    assert_no_stock_english(page)
    snap(page, "2-confirm-your-email")
    person = User.objects.get(email="lucia@example.org")
    assert (person.preferred_language, person.time_zone) == ("es", zone)

    # The email is in Spanish.
    assert len(mail.outbox) == 1, [(m.to, m.subject) for m in mail.outbox]
    email = mail.outbox[0]
    assert email.to == ["lucia@example.org"]
    assert email.subject.endswith(say("Confirm your email address")), email.subject
    assert say("Hello from Acompaña!") != "Hello from Acompaña!"  # the catalogue has it
    for phrase in ("Hello from Acompaña!", "The Acompaña team"):
        assert say(phrase) in email.body, email.body
    assert "Hello from" not in email.body
    link = re.search(r"https?://\S+/accounts/confirm-email/[^\s\u2066-\u2069]+/", email.body)
    page.goto(link.group(0))
    assert_no_stock_english(page)
    snap(page, "3-confirm-the-link")
    page.locator("form[action*='/accounts/confirm-email/'] button[type=submit]").tap()
    # Confirming signs them in and takes them back to the course they came from.
    page.wait_for_url(f"**{care.url}")
    assert_no_stock_english(page)
    snap(page, "3-signed-in")

    # The same minute, one tap starts the open course, and the first module opens.
    expect(page.locator(".next-step-sign_up")).to_have_count(0)
    with page.expect_navigation():
        page.locator(".next-step-start button[type=submit]").tap()
    page.wait_for_url(f"**{courses['care_modules'][0].url}")
    expect(page.get_by_text("Escuchar sin juzgar, parte 1.")).to_be_visible()
    snap(page, "4-first-module")
    enrolment = Enrolment.objects.get(user=person, course=care)
    assert enrolment.source == "self_paced"
    assert enrolment.created_at - person.date_joined < timedelta(minutes=1)

    # Another course is taught by a cohort: its page leads to the cohort, where they apply.
    page.goto(f"{base}{courses['listening'].url}")
    page.locator(".next-step-apply a").tap()
    page.wait_for_url(f"**/cohorts/{cohort.slug}/")
    page.locator("form[data-application] textarea").first.fill("Acompaño a mi comunidad.")
    with page.expect_navigation():
        page.locator("form[data-application] button[type=submit]").tap()
    application = Application.objects.get(user=person, cohort=cohort)
    assert application.status == Application.Status.SUBMITTED
    assert [m.to for m in mail.outbox[1:]] == [[person.email]]  # "we received it", and no more

    # Back on the course page: the application waits, sent today where the viewer is.
    page.goto(f"{base}{courses['listening'].url}")
    with translation.override("es"), timezone.override(zone):
        sent_on = formats.date_format(timezone.localdate(application.submitted_at), "DATE_FORMAT")
        assert timezone.localdate(application.submitted_at) == timezone.localdate()
        utc_day = formats.date_format(application.submitted_at.astimezone(UTC).date(),
                                      "DATE_FORMAT")  # fmt: skip
    if application.submitted_at.astimezone(UTC).date() == started.astimezone(UTC).date():
        assert sent_on != utc_day  # `zone` makes the days differ (unless midnight UTC passed)
    waiting = say("Your application to “%(cohort)s” is waiting for the trainers (sent on "
                  "%(date)s).", cohort=cohort.title, date=sent_on)  # fmt: skip
    expect(page.locator(".next-step-application_waiting")).to_contain_text(waiting)
    expect(page.locator(".next-step-apply")).to_have_count(0)
    snap(page, "5-application-waiting")

    # Someone applied earlier; the trainer puts both on the waitlist: Lucía is second.
    earlier = UserFactory(display_name="Ana")
    first = Application.objects.create(cohort=cohort, user=earlier,
                                       submitted_at=timezone.now() - timedelta(days=2))  # fmt: skip
    trainer = courses["trainer"]
    for each in (first, application):
        outcome = cohort_services.decide(application=each, by=trainer,
                                         decision=cohort_services.Decision.WAITLIST)  # fmt: skip
        assert outcome == "waitlisted"
    told = {m.to[0]: m for m in mail.outbox[2:]}
    assert len(mail.outbox) == 4 and set(told) == {earlier.email, person.email}, told
    full = say("The cohort “%(cohort)s” is full for now. You are on its waitlist, and you will "
               "hear from us as soon as a place opens.", cohort=cohort.title)  # fmt: skip
    assert full in told[person.email].body, told[person.email].body  # in Spanish
    page.reload()
    position = say("You're on the waitlist of “%(cohort)s” (position %(position)s).",
                   cohort=cohort.title, position=2)  # fmt: skip
    expect(page.locator(".next-step-waitlisted")).to_contain_text(position)
    expect(page.locator(".next-step-application_waiting")).to_have_count(0)
    snap(page, "6-waitlisted")


def test_signing_the_last_requirement_says_you_are_certified(page, live_server, password):
    volunteer = UserFactory(display_name="Mateo", preferred_language="es",
                            time_zone="America/Lima", password=password)  # fmt: skip
    track = make_track(title="Acompañante")
    agreement = make_agreement("codigo", title="Código de conducta")
    add_requirement(track, Requirement.Kind.AGREEMENT, agreement=agreement)
    join(make_cohort(track), volunteer)

    sign_in(page, live_server.url, volunteer, password)
    page.goto(f"{live_server.url}/certification/agreements/{agreement.slug}/")
    page.locator("#agree").check()
    with page.expect_navigation():
        page.locator("form button[type=submit]", has_text=say("Sign")).click()
    page.wait_for_url("**/certification/")

    certificate = Certificate.objects.get(user=volunteer, track=track)
    expect(page.locator("#certified-heading")).to_have_text(say("You are certified"))
    expect(page.get_by_text(say("Signed. Thank you."))).to_have_count(0)
    snap(page, "7-you-are-certified")
    link = page.locator(
        f".notice-certified a[href='/certification/certificates/{certificate.code}/']"
    )
    expect(link).to_have_text(say("See and download your certificate"))
    link.click()
    page.wait_for_url(f"**/certification/certificates/{certificate.code}/")
    expect(page.get_by_text(volunteer.display_name).first).to_be_visible()
