"""The demo volunteer learns: a module, a quiz answered wrongly then rightly, a reflection, and
progress that shows on the course page and the dashboard; a dropped connection loses nothing.

The data is the real demo (`seed_demo`). The volunteer reads the site in their own language
(Spanish in the demo), so the texts the tests look for go through the same translation catalog
the server uses: the tests hold whether or not a string is translated yet.
"""

import re
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from courses import services
from courses.demo import correct_answers
from courses.models import CoursePage, ModulePage, ModuleProgress, ProgressStatus, Reflection
from courses.selectors import course_page_context
from tests.browser.conftest import ARTIFACTS
from training.demo import DEMO_PASSWORD
from training.models import User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

COURSE_SLUG = "feminist-accompaniment"
# Open for the demo volunteer (the modules before it are completed), with content notes not yet
# acknowledged, a quiz and a required reflection: its completion is the next step of the course.
MODULE_SLUG = "defusing-blame"


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(email="volunteer@example.org")
    course = CoursePage.objects.get(slug=COURSE_SLUG, locale__language_code="en")
    module = ModulePage.objects.child_of(course).get(slug=MODULE_SLUG)
    # The demo volunteer reads in Spanish: pages show the Spanish copies' titles (progress is
    # still the original's, under the same ids).
    with translation.override(user.preferred_language or "en"):
        course.title, module.title = course.localized.title, module.localized.title
        shown = module.localized.specific
    return {
        "user": user,
        "password": DEMO_PASSWORD,
        "course": course,
        "module": module,
        # The words the learner reads: the first heading of the module in their language.
        "first_heading": next(str(b.value) for b in shown.body if b.block_type == "heading"),
        "t": in_language(user.preferred_language or "en"),
    }


def in_language(code):
    """`t(msgid, **values)`: the text the server shows someone who reads `code`."""

    def t(msgid, **values):
        with translation.override(code):
            text = translation.gettext(msgid)
        return text % values if values else text

    return t


def with_placeholder(text: str, name: str) -> re.Pattern:
    """A pattern for a translated text whose `%(name)s` is filled in by the page."""
    return re.compile(".+".join(re.escape(part) for part in text.split(f"%({name})s")))


def sign_in(page, live_server, user, password, next_path):
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("#id_login", user.email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(f"**{next_path}")


def activity(module, block_type):
    return next(a for a in module.activities if a.kind.block_type == block_type)


def wrong_answers(quiz) -> dict[str, list[str]]:
    """A wrong answer to every question of a quiz block value."""
    answers = {}
    for question in quiz["questions"]:
        if question.block_type == "true_false":
            answers[question.id] = ["false" if question.value["answer"] else "true"]
        else:
            answers[question.id] = [
                next(
                    option.id
                    for option in question.value["options"].bound_blocks
                    if not option.value["is_correct"]
                )
            ]
    return answers


def choose(form, answers: dict[str, list[str]]) -> None:
    """Tick exactly these options, as a person would, by clicking their labels."""
    for question_id, chosen in answers.items():
        inputs = form.locator(f"input[name='q-{question_id}']")
        options = [inputs.nth(index) for index in range(inputs.count())]
        # The wanted ones first (a radio button is unticked by ticking another), then untick.
        for wanted in (True, False):
            for option in options:
                if (option.get_attribute("value") in chosen) == wanted != option.is_checked():
                    form.locator(f"label[for='{option.get_attribute('id')}']").click()
        for option in options:
            expected = option.get_attribute("value") in chosen
            expect(option).to_be_checked(checked=expected)


def open_module_past_the_notes(page, module, t):
    """On the module page: the content notes come first; the volunteer chooses to continue."""
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
    page.get_by_role("button", name=t("Continue to the module")).click()
    expect(page.locator(".module-body")).to_be_visible()


def snapshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_demo_volunteer_completes_a_module_and_sees_the_progress(page, live_server, demo):
    user, course, module, t = demo["user"], demo["course"], demo["module"], demo["t"]
    before = course_page_context(course, user)
    done, total = before["required_done"], before["required_total"]
    assert done + 1 < total, "the demo course should have required modules left after this one"
    progress_text = "%(done)s of %(total)s required modules completed."

    sign_in(page, live_server, user, demo["password"], "/courses/")

    # The catalog leads to the course, which shows where the volunteer stands.
    page.get_by_role("link", name=course.title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    summary = page.locator(".progress-summary")
    expect(summary).to_contain_text(t(progress_text, done=done, total=total))
    row = page.locator("li.module-row", has=page.get_by_role("link", name=module.title))
    expect(row).not_to_contain_text(t("Completed"))

    # The module: content notes first, then the content.
    row.get_by_role("link", name=module.title).click()
    open_module_past_the_notes(page, module, t)
    expect(page.locator(".module-body")).to_contain_text(demo["first_heading"])

    # A wrong attempt: feedback, no answer key, and the module is not completed.
    quiz = activity(module, "quiz")
    form = page.locator(f"#activity-{quiz.id} form[data-quiz]")
    choose(form, wrong_answers(quiz.value))
    form.get_by_role("button", name=t("Submit answers")).click()
    section = page.locator(f"#activity-{quiz.id}")
    expect(section.locator(".quiz-result")).to_contain_text(
        t("Not passed yet: read the feedback and try again.")
    )
    expect(section.locator(".result").first).to_contain_text(t("Not correct yet"))
    expect(section.locator(".feedback").first).to_be_visible()
    assert section.locator(".answer-key").count() == 0
    assert t("a correct answer") not in section.inner_text()
    expect(section.locator(".badge.done")).to_have_count(0)
    expect(page.locator(".module-completion .done")).to_have_count(0)
    assert ModuleProgress.objects.get(user=user, module=module).status != ProgressStatus.COMPLETED

    # The right answers: passed.
    choose(form, correct_answers(quiz.value))
    form.get_by_role("button", name=t("Submit new answers")).click()
    expect(section.locator(".badge.done")).to_contain_text(t("Passed"))
    expect(section.locator(".quiz-result")).to_contain_text(t("You passed."))
    expect(section.locator(".result", has_text=t("Not correct yet"))).to_have_count(0)
    # The reflection is still to do.
    expect(page.locator(".module-completion .done")).to_have_count(0)

    # The reflection, submitted.
    reflection = activity(module, "reflection")
    reflection_form = page.locator(f"#activity-{reflection.id} form[data-reflection]")
    reflection_form.locator("textarea").fill(
        "“You put yourself out there.” I used to think it too. It puts the weight on the "
        "person who was hurt; the choice to harass was someone else's."
    )
    reflection_form.get_by_role("button", name=t("Submit reflection")).click()
    expect(reflection_form.locator(".done")).to_have_text(
        with_placeholder("✓ " + t("Submitted %(when)s."), "when")
    )
    expect(page.locator(".module-completion .done")).to_contain_text(
        t("You have completed this module.")
    )
    expect(page.locator("p.meta")).to_contain_text(t("Completed"))
    snapshot(page, "test_learning_journey-module-completed")

    # The course page counts one more module, and shows this one as completed.
    page.get_by_role("link", name=t("All modules")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(course.title)
    expect(summary).to_contain_text(t(progress_text, done=done + 1, total=total))
    expect(summary.locator("progress")).to_have_attribute("value", str(done + 1))
    expect(row).to_have_class(re.compile(r"\bstatus-completed\b"))
    expect(row.locator(".status")).to_contain_text(t("Completed"))

    # So does the dashboard, with the way back in.
    page.get_by_role("link", name=t("Dashboard")).click()
    page.wait_for_url("**/dashboard/")
    card = page.locator("li.card", has=page.get_by_role("link", name=course.title, exact=True))
    expect(card).to_contain_text(t(progress_text, done=done + 1, total=total))
    # ...which leads to the next module to do, not to the one just completed.
    following = module.get_next_siblings().live().specific().first()
    assert (
        ModuleProgress.objects.filter(
            user=user, module=following, status=ProgressStatus.COMPLETED
        ).count()
        == 0
    )
    resume = card.get_by_role("link", name=t("Continue where you left off"))
    expect(resume).to_have_attribute("href", following.url)
    expect(resume).not_to_have_attribute("href", module.url)


def test_a_dropped_connection_loses_no_quiz_answers(page, live_server, demo):
    """Answers chosen but not yet submitted stay in the browser and come back after a reload."""
    user, module, t = demo["user"], demo["module"], demo["t"]
    sign_in(page, live_server, user, demo["password"], module.url)
    open_module_past_the_notes(page, module, t)

    quiz = activity(module, "quiz")
    form = page.locator(f"#activity-{quiz.id} form[data-quiz]")
    first, second = quiz.value["questions"][0], quiz.value["questions"][1]
    first_options = [option.id for option in first.value["options"].bound_blocks]
    chosen = {
        first.id: first_options[:2],
        second.id: [second.value["options"].bound_blocks[-1].id],
    }
    choose(form, chosen)
    expect(form.locator(".draft-note")).to_be_visible()

    page.reload()
    for question_id, option_ids in chosen.items():
        for option_id in option_ids:
            expect(form.locator(f"#q-{question_id}-{option_id}")).to_be_checked()
    for option_id in first_options[2:]:
        expect(form.locator(f"#q-{first.id}-{option_id}")).not_to_be_checked()
    expect(form.locator(".draft-note")).to_be_visible()


def test_a_dropped_connection_loses_no_reflection(page, live_server, demo):
    """A reflection autosaves to the server; offline, it is kept in the browser until it can."""
    user, module, t = demo["user"], demo["module"], demo["t"]
    offline = t("Not saved to the server yet (no connection?). Your text is kept on this device.")
    sign_in(page, live_server, user, demo["password"], module.url)
    open_module_past_the_notes(page, module, t)

    reflection = activity(module, "reflection")
    form = page.locator(f"#activity-{reflection.id} form[data-reflection]")
    textarea = form.locator("textarea")
    status = form.locator(".autosave-status")

    def connection(up: bool):
        """Drop or restore the connection. Chromium's offline emulation alone can still send
        a request on an open keep-alive socket (only the answer is lost), so requests to the
        platform are also refused outright while "offline", as on a real dropped line."""
        if up:
            page.unroute("**/learn/**")
            page.context.set_offline(False)
        else:
            page.route("**/learn/**", lambda route: route.abort("internetdisconnected"))
            page.context.set_offline(True)

    def server_text():
        return Reflection.objects.get(user=user, module=module, activity_id=reflection.id).text

    # Typing saves a draft on the server after a pause.
    text = "Blame came up in my family too."
    textarea.press_sequentially(text, delay=5)
    expect(status).to_have_text(t("Draft saved."), timeout=10_000)
    assert server_text() == text
    assert Reflection.objects.get(user=user, module=module).submitted_at is None

    # The connection drops while the volunteer writes on: the text is kept on this device…
    connection(up=False)
    textarea.press_sequentially(" I would answer it with kindness now.", delay=5)
    text += " I would answer it with kindness now."
    expect(status).to_have_text(offline, timeout=10_000)
    assert server_text() != text
    # …and reaches the server when the connection comes back.
    connection(up=True)
    expect(status).to_have_text(t("Draft saved."), timeout=10_000)
    assert server_text() == text

    # Text written on this device that never reached the server (the page was closed while
    # offline) comes back on the next visit, and is then saved. The unsent copy is put in the
    # browser's storage directly: how Chromium tears down a page while offline is a race.
    key = form.get_attribute("data-draft-key")
    unsent = text + " And ask what she needs."
    page.evaluate(
        "([key, text]) => localStorage.setItem(key, JSON.stringify("
        "{text: text, at: Math.floor(Date.now() / 1000) + 5}))",
        [key, unsent],
    )
    page.goto(live_server.url + module.url)
    expect(textarea).to_have_value(unsent)
    expect(status).to_have_text(
        t("Restored text you wrote on this device that had not reached the server.")
    )
    assert server_text() == text
    textarea.press_sequentially(" ", delay=5)
    text = unsent + " "
    expect(status).to_have_text(t("Draft saved."), timeout=10_000)
    assert server_text() == text

    # From the server alone (nothing left in the browser), after a reload.
    assert page.evaluate("(key) => localStorage.getItem(key)", key) is None
    page.reload()
    expect(textarea).to_have_value(text)
    expect(status).to_have_text(with_placeholder(t("Saved %(when)s."), "when"))


def test_on_a_shared_device_nobody_sees_the_previous_persons_reflection(page, live_server, demo):
    """Ana writes (offline, so the text is only on the device) and signs out; the next person
    to sign in on the same browser finds nothing of hers."""
    user = demo["user"]
    # Open to everyone enrolled (no sequencing, no content notes), with a reflection.
    module = ModulePage.objects.get(slug="listening-without-judgement", locale__language_code="en")
    other = User.objects.create_user(
        email="next@example.org",
        password=demo["password"],
        display_name="Next",
        preferred_language=user.preferred_language,
    )

    EmailAddress.objects.create(user=other, email=other.email, primary=True, verified=True)
    course = module.get_parent().specific
    services.enrolment_create(user=other, course=course)
    secret = "PRIVATE: my ex still threatens me at night"

    sign_in(page, live_server, user, demo["password"], module.url)
    reflection = activity(module, "reflection")
    textarea = page.locator(f"#activity-{reflection.id} form[data-reflection] textarea")
    page.route("**/learn/**", lambda route: route.abort("internetdisconnected"))
    textarea.fill("")
    textarea.press_sequentially(secret, delay=2)
    page.wait_for_timeout(2_500)  # the autosave fails: the text is kept on the device only
    assert any(secret in (page.evaluate("(k) => localStorage.getItem(k)", k) or "")
               for k in page.evaluate("Object.keys(localStorage)"))  # fmt: skip
    page.unroute("**/learn/**")
    with page.expect_navigation():  # wait for the form's answer, not the current page
        page.locator("header form[action$='/accounts/logout/'] button").click()
    assert not [k for k in page.evaluate("Object.keys(localStorage)") if k.startswith("acompana:")]

    sign_in(page, live_server, other, demo["password"], module.url)
    form = page.locator(f"#activity-{reflection.id} form[data-reflection]")
    expect(form.locator("textarea")).to_have_value("")
    assert secret not in page.content()
