"""Reading offline, in Chromium with its service worker: the demo volunteer saves a course (the
page says how much it downloads, then that it is saved), reads two of its modules with the
network cut, gets the offline page for a page not saved; signing out empties the device's
caches, and the next person on the same browser reads nothing of the first's. And the issue's
journey: a course saved, two modules read offline, a quiz and a reflection answered there,
then back online: sent, and the module's completion recorded once."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from courses import services
from courses.demo import correct_answers
from courses.models import (
    ActivityCompletion,
    CoursePage,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
    QuizAttempt,
    Reflection,
)
from tests.browser.test_learning_journey import activity, choose, in_language, sign_in
from training.demo import DEMO_PASSWORD
from training.device import device_owner
from training.factories import UserFactory
from training.models import IdempotencyKey, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WELCOME_TEXT = "People who are harassed online often say that the worst"
LISTENING_TEXT = "The first thing they need is not a solution"
CACHE_NAMES = "caches.keys()"


@pytest.fixture
def context(browser):
    """A browser context of its own: service workers allowed (Playwright's default)."""
    context = browser.new_context(
        locale="en-GB", timezone_id="America/Bogota", viewport={"width": 1100, "height": 900},
        service_workers="allow",
    )  # fmt: skip
    context.set_default_timeout(15_000)
    yield context
    context.close()


def _worker_ready(page):
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")


def _open_offline(page, url):
    """Go to `url` with the network cut: the page the service worker answers, or the
    browser's own error when it answers nothing (Chromium then raises)."""
    try:
        page.goto(url)
    except PlaywrightError as error:
        assert "ERR_INTERNET_DISCONNECTED" in str(error) or "ERR_FAILED" in str(error)
    page.wait_for_load_state("load")


def test_save_a_course_read_it_offline_and_leave_nothing_behind(context, live_server):
    call_command("seed_demo", stdout=StringIO())
    volunteer = User.objects.get(email="volunteer@example.org")
    # The demo volunteer reads in Spanish; here in English, the words of the module checked below.
    User.objects.filter(pk=volunteer.pk).update(preferred_language="en")
    course = CoursePage.objects.get(slug="feminist-accompaniment", locale__language_code="en")
    modules = {m.slug: m for m in ModulePage.objects.child_of(course).live()}
    welcome, listening = modules["welcome"], modules["listening-without-judgement"]
    other = UserFactory(email="second@example.org", display_name="Second person")
    services.enrolment_create(user=other, course=course)

    page = context.new_page()
    sign_in(page, live_server, volunteer, DEMO_PASSWORD, course.url)
    _worker_ready(page)
    panel = page.locator("section.offline-copy")
    expect(panel).to_be_visible()
    expect(panel.locator("[data-offline-size]")).to_have_text(
        # e.g. "about 83.5 KB": the size, in words a person reads, before anything is saved.
        re.compile(r"Saving this course downloads about [\d.]+\s(KB|MB)\.")
    )
    expect(panel.get_by_role("button", name="Remove saved copy")).to_be_hidden()
    save = panel.get_by_role("button", name="Save this course for offline")
    save.focus()
    page.keyboard.press("Enter")  # a real button: the keyboard saves as a click does
    expect(panel.get_by_role("status")).to_have_text(
        "Saved on this device: you can read it offline."
    )
    modules_saved = panel.locator("[data-offline-modules] li")
    expect(modules_saved.filter(has_text=welcome.title)).to_contain_text("Saved")
    expect(modules_saved.filter(has_text=listening.title)).to_contain_text("Saved")
    expect(modules_saved.filter(has_text="Not saved")).to_have_count(0)
    expect(panel.get_by_role("button", name="Remove saved copy")).to_be_focused()
    names = page.evaluate(CACHE_NAMES)
    assert any(":course:" in name for name in names), names
    # Saving was not reading: "continue where you left off" still points where it did.
    visits = list(
        volunteer.module_progress.filter(last_visited_at__isnull=False).values_list(
            "module_id", "last_visited_at"
        )
    )

    context.set_offline(True)
    _open_offline(page, live_server.url + welcome.url)
    expect(page.locator("main")).to_contain_text(WELCOME_TEXT)
    _open_offline(page, live_server.url + listening.url)
    expect(page.locator("main")).to_contain_text(LISTENING_TEXT)
    expect(page.locator("link[rel=stylesheet]")).to_have_count(1)
    assert (
        page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 253, 249)"
    )  # the saved style sheet applies (--paper)
    _open_offline(page, f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This page is not saved on this device"
    )
    expect(page.locator("[data-saved-courses]")).to_contain_text(course.title)
    context.set_offline(False)
    assert (
        list(
            volunteer.module_progress.filter(last_visited_at__isnull=False).values_list(
                "module_id", "last_visited_at"
            )
        )
        == visits
    )

    # Signing out wipes this person's saved copies from the device.
    page.goto(live_server.url + course.url)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/")
    page.wait_for_load_state("load")
    assert page.evaluate(CACHE_NAMES) == []

    # The next person on this browser reads nothing of the first's, even offline.
    sign_in(page, live_server, other, "correct horse battery staple", course.url)
    _worker_ready(page)
    expect(page.locator("section.offline-copy [data-offline-size]")).to_contain_text(
        "Saving this course downloads about"
    )
    expect(page.locator("[data-offline-modules] li").first).to_contain_text("Not saved")
    names = page.evaluate(CACHE_NAMES)
    assert all(":course:" not in name for name in names), names
    context.set_offline(True)
    _open_offline(page, live_server.url + welcome.url)
    expect(page.locator("body")).not_to_contain_text(WELCOME_TEXT)
    context.set_offline(False)


def _save_the_course(panel):
    """On the course page: the size first, then "Save this course for offline", then saved."""
    expect(panel).to_be_visible()
    expect(panel.locator("[data-offline-size]")).to_have_text(
        re.compile(r"Saving this course downloads about [\d.]+\s(KB|MB)\.")
    )
    panel.get_by_role("button", name="Save this course for offline").click()
    expect(panel.get_by_role("status")).to_have_text(
        "Saved on this device: you can read it offline."
    )
    expect(panel.locator("[data-offline-modules] li").filter(has_text="Not saved")).to_have_count(0)


def test_answers_given_offline_in_a_saved_course_are_recorded_once_when_back(context, live_server):
    """The issue's journey: save a course, go offline, read two modules, answer a quiz and a
    reflection, come back online, and see completion recorded once."""
    call_command("seed_demo", stdout=StringIO())
    volunteer = User.objects.get(email="volunteer@example.org")
    User.objects.filter(pk=volunteer.pk).update(preferred_language="en")
    t = in_language("en")
    course = CoursePage.objects.get(slug="feminist-accompaniment", locale__language_code="en")
    modules = {m.slug: m for m in ModulePage.objects.child_of(course).live()}
    # Welcome: read only. Defusing blame: open to the volunteer, not completed, with content
    # notes, a quiz and a required reflection (its completion needs both).
    welcome, module = modules["welcome"], modules["defusing-blame"]
    quiz, reflection = activity(module, "quiz"), activity(module, "reflection")
    heading = next(str(b.value) for b in module.body if b.block_type == "heading")
    assert not ModuleProgress.objects.filter(
        user=volunteer, module=module, status=ProgressStatus.COMPLETED
    ).exists()
    attempts_before = QuizAttempt.objects.filter(user=volunteer, module=module).count()
    completions_before = ActivityCompletion.objects.filter(user=volunteer, module=module).count()
    keys_before = IdempotencyKey.objects.filter(user=volunteer).count()

    page = context.new_page()
    sign_in(page, live_server, volunteer, DEMO_PASSWORD, course.url)
    _worker_ready(page)
    _save_the_course(page.locator("section.offline-copy"))

    # Offline: both modules come from the copy saved on this device.
    context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False
    _open_offline(page, live_server.url + welcome.url)
    expect(page.locator("main")).to_contain_text(WELCOME_TEXT)
    _open_offline(page, live_server.url + module.url)
    # The content notes first; "Continue to the module" opens the saved module past them.
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
    page.get_by_role("button", name=t("Continue to the module")).click()
    page.wait_for_url("**?notes=seen")
    expect(page.locator(".module-body")).to_contain_text(heading)

    quiz_form = page.locator(f"#activity-{quiz.id} form[data-quiz]")
    choose(quiz_form, correct_answers(quiz.value))
    quiz_form.get_by_role("button", name=t("Submit answers")).click()
    quiz_status = quiz_form.locator(".queue-status")
    expect(quiz_status).to_have_text(
        t("Answer saved. You will see your result when you are back online.")
    )
    reflection_form = page.locator(f"#activity-{reflection.id} form[data-reflection]")
    text = "Blame came up in my family too. I would answer it with kindness now."
    reflection_form.locator("textarea").fill(text)
    reflection_form.get_by_role("button", name=t("Submit reflection")).click()
    reflection_status = reflection_form.locator(".autosave-status")
    expect(reflection_status).to_have_text(
        t("Saved on this device; it will be sent when you are back online.")
    )
    # Nothing reached the server (the notes "continued" offline are not recorded either): it
    # waits on this device.
    assert not ModuleProgress.objects.filter(
        user=volunteer, module=module, content_notes_acknowledged_at__isnull=False
    ).exists()
    assert QuizAttempt.objects.filter(user=volunteer, module=module).count() == attempts_before
    assert not Reflection.objects.filter(
        user=volunteer, activity_id=reflection.id, submitted_at__isnull=False
    ).exists()
    queue_key = f"acompana:queue:{device_owner(volunteer)}"
    waiting = page.evaluate("(key) => JSON.parse(localStorage.getItem(key) || '[]')", queue_key)
    assert [item["kind"] for item in waiting if not item["slot"]] == ["quiz", "reflection"]

    # Back online: sent once each, and the page says so, with the module completed.
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(quiz_status).to_contain_text(t("Sent."))
    expect(quiz_status).to_contain_text(t("Well done: you passed this quiz."))
    expect(reflection_status).to_have_text(t("Sent."))
    expect(page.locator(".module-completion .done")).to_contain_text(
        t("You have completed this module.")
    )
    page.wait_for_function("(key) => localStorage.getItem(key) === null", arg=queue_key)

    def recorded_once():
        assert QuizAttempt.objects.filter(user=volunteer, module=module).count() == (
            attempts_before + 1
        )
        submitted = Reflection.objects.filter(
            user=volunteer, module=module, activity_id=reflection.id, submitted_at__isnull=False
        )
        assert [r.submitted_text for r in submitted] == [text]
        for activity_id in (quiz.id, reflection.id):
            assert (
                ActivityCompletion.objects.filter(
                    user=volunteer, module=module, activity_id=activity_id
                ).count()
                == 1
            )
        assert (
            ActivityCompletion.objects.filter(user=volunteer, module=module).count()
            == completions_before + 2
        )
        progress = ModuleProgress.objects.get(user=volunteer, module=module)  # one row
        assert progress.status == ProgressStatus.COMPLETED and progress.completed_at
        assert IdempotencyKey.objects.filter(user=volunteer).count() == keys_before + 2
        return progress.completed_at

    completed_at = recorded_once()
    # Again after a reload, online: nothing sent twice, the completion as it was.
    page.reload()
    page.wait_for_load_state("load")
    expect(page.locator(".module-completion")).to_contain_text(t("You have completed this module."))
    page.evaluate("window.AcompanaQueue.flush()")
    assert page.evaluate("window.AcompanaQueue.pending()") == 0
    assert recorded_once() == completed_at
