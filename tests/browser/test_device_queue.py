"""In real Chromium: the demo volunteer answers a quiz, submits a reflection and marks a module
done without a connection. Each waits in the device queue (static/js/device-queue.js, this
person's localStorage key), the page says "saved on this device", a reload keeps them, and when
the connection is back each is sent, the page says "Sent.", and the server has recorded each
exactly once."""

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from courses import services
from courses.demo import correct_answers
from courses.models import (
    ActivityCompletion,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
    QuizAttempt,
    Reflection,
)
from tests.browser.test_learning_journey import (
    activity,
    choose,
    demo,  # noqa: F401 — the fixture
    open_module_past_the_notes,
    sign_in,
)
from training.device import device_owner
from training.factories import UserFactory
from training.models import IdempotencyKey

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _connection(page, up: bool):
    """Chromium's offline emulation alone can still send a request on an open keep-alive socket,
    so what the page sends to the platform is also refused while "offline"."""
    if up:
        page.unroute("**/learn/**")
        page.context.set_offline(False)
    else:
        page.route("**/learn/**", lambda route: route.abort("internetdisconnected"))
        page.context.set_offline(True)


def _waiting(page, user) -> list[dict]:
    stored = page.evaluate(
        "(key) => localStorage.getItem(key)", f"acompana:queue:{device_owner(user)}"
    )
    return json.loads(stored or "[]")


def test_a_quiz_and_a_reflection_sent_offline_are_recorded_once_when_back(page, live_server, demo):  # noqa: F811
    user, module, t = demo["user"], demo["module"], demo["t"]
    quiz, reflection = activity(module, "quiz"), activity(module, "reflection")
    attempts_before = QuizAttempt.objects.filter(user=user, module=module).count()
    sign_in(page, live_server, user, demo["password"], module.url)
    open_module_past_the_notes(page, module, t)
    quiz_form = page.locator(f"#activity-{quiz.id} form[data-quiz]")
    reflection_form = page.locator(f"#activity-{reflection.id} form[data-reflection]")
    queued = t("Saved on this device; it will be sent when you are back online.")

    _connection(page, up=False)
    choose(quiz_form, correct_answers(quiz.value))
    quiz_form.get_by_role("button", name=t("Submit answers")).click()
    quiz_status = quiz_form.locator(".queue-status")
    expect(quiz_status).to_have_text(
        t("Answer saved. You will see your result when you are back online.")
    )
    expect(quiz_status).to_be_focused()
    text = "Blame came up in my family too. I would answer it with kindness now."
    reflection_form.locator("textarea").fill(text)
    reflection_form.get_by_role("button", name=t("Submit reflection")).click()
    reflection_status = reflection_form.locator(".autosave-status")
    expect(reflection_status).to_have_text(queued)
    waiting = _waiting(page, user)
    assert [item["kind"] for item in waiting if not item["slot"]] == ["quiz", "reflection"]
    assert QuizAttempt.objects.filter(user=user, module=module).count() == attempts_before

    # A reload (the connection still down for what the page sends): the queue is kept, and the
    # page says again what waits.
    page.context.set_offline(False)
    page.reload()
    expect(quiz_status).to_have_text(
        t("Answer saved. You will see your result when you are back online.")
    )
    expect(reflection_status).to_have_text(queued)
    expect(reflection_form.locator("textarea")).to_have_value(text)
    assert [item["key"] for item in _waiting(page, user)] == [item["key"] for item in waiting]
    assert QuizAttempt.objects.filter(user=user, module=module).count() == attempts_before

    # Back online: each is sent once, and the page says so, with the quiz's result.
    _connection(page, up=True)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(quiz_status).to_contain_text(t("Sent."))
    expect(quiz_status).to_contain_text(t("Well done: you passed this quiz."))
    expect(reflection_status).to_have_text(t("Sent."))
    expect(page.locator(".module-completion .done")).to_contain_text(
        t("You have completed this module.")
    )
    page.wait_for_function(
        "(key) => localStorage.getItem(key) === null", arg=f"acompana:queue:{device_owner(user)}"
    )
    assert QuizAttempt.objects.filter(user=user, module=module).count() == attempts_before + 1
    assert (
        ActivityCompletion.objects.filter(user=user, module=module, activity_id=quiz.id).count()
        == 1
    )
    saved = Reflection.objects.get(user=user, module=module, activity_id=reflection.id)
    assert saved.submitted_text == text and saved.submitted_at is not None
    assert ActivityCompletion.objects.filter(user=user, activity_id=reflection.id).count() == 1
    assert IdempotencyKey.objects.filter(user=user).count() == 2

    # The result and its feedback, on asking.
    quiz_status.get_by_role("button", name=t("Show my result")).click()
    expect(page.locator(f"#activity-{quiz.id} .quiz-result")).to_contain_text(t("You passed."))
    assert QuizAttempt.objects.filter(user=user, module=module).count() == attempts_before + 1


def test_mark_as_done_offline_waits_then_completes_the_module_once(page, live_server, demo):  # noqa: F811
    user, t = demo["user"], demo["t"]
    # The demo's welcome module has no activities: done by saying so (the demo did; not yet here).
    module = ModulePage.objects.child_of(demo["course"]).get(slug="welcome")
    ModuleProgress.objects.filter(user=user, module=module).delete()
    sign_in(page, live_server, user, demo["password"], module.url)
    form = page.locator(".module-completion form[data-done]")

    _connection(page, up=False)
    form.get_by_role("button", name=t("Mark as done")).click()
    expect(form.locator(".queue-status")).to_have_text(
        t("Saved on this device; it will be sent when you are back online.")
    )
    assert [item["kind"] for item in _waiting(page, user)] == ["done"]
    assert not ModuleProgress.objects.filter(
        user=user, module=module, status=ProgressStatus.COMPLETED
    ).exists()

    _connection(page, up=True)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    completion = page.locator(".module-completion")
    expect(completion.locator(".done")).to_contain_text(t("You have completed this module."))
    expect(completion.locator(".queue-status")).to_have_text(t("Sent."))
    progress = ModuleProgress.objects.get(user=user, module=module)
    assert progress.status == ProgressStatus.COMPLETED
    assert IdempotencyKey.objects.filter(user=user, path__endswith="/done/").count() == 1


def test_mark_as_done_online_moves_the_focus_to_the_announced_notice(page, live_server, demo):  # noqa: F811
    user, t = demo["user"], demo["t"]
    module = ModulePage.objects.child_of(demo["course"]).get(slug="welcome")
    ModuleProgress.objects.filter(user=user, module=module).delete()
    sign_in(page, live_server, user, demo["password"], module.url)
    page.locator(".module-completion form[data-done]").get_by_role(
        "button", name=t("Mark as done")
    ).click()
    notice = page.locator(".module-completion .done")
    expect(notice).to_contain_text(t("You have completed this module."))
    expect(notice).to_be_focused()  # not the page's body: the form it replaces is gone
    assert notice.get_attribute("role") == "status"


def test_an_item_that_cannot_go_does_not_hold_back_the_others(page, live_server, demo):  # noqa: F811
    """One item waited longer than the server keeps keys: given up (the page is told), and the
    one after it is sent."""
    user, t = demo["user"], demo["t"]
    modules = list(ModulePage.objects.child_of(demo["course"]).live())
    welcome = next(m for m in modules if m.slug == "welcome")
    stale = next(m for m in modules if m.slug != "welcome")
    ModuleProgress.objects.filter(user=user, module__in=[welcome, stale]).delete()
    sign_in(page, live_server, user, demo["password"], "/dashboard/")
    old = "Date.now() - 40 * 24 * 3600 * 1000"
    page.evaluate(
        f"""([key, first, second]) => localStorage.setItem(key, JSON.stringify([
          {{key: crypto.randomUUID(), kind: "done", url: first, body: [], added: {old}}},
          {{key: crypto.randomUUID(), kind: "done", url: second, body: [], added: Date.now()}}
        ]))""",
        [f"acompana:queue:{device_owner(user)}", reverse("courses:mark_done", args=[stale.pk]),
         reverse("courses:mark_done", args=[welcome.pk])],
    )  # fmt: skip
    page.reload()
    page.wait_for_function(
        "(key) => localStorage.getItem(key) === null", arg=f"acompana:queue:{device_owner(user)}"
    )
    assert ModuleProgress.objects.get(user=user, module=welcome).status == (
        ProgressStatus.COMPLETED
    )
    assert not ModuleProgress.objects.filter(
        user=user, module=stale, status=ProgressStatus.COMPLETED
    ).exists()
    assert t  # the demo's words (unused here)


def test_a_page_left_open_never_sends_its_queue_with_another_persons_session(
    page,
    live_server,
    demo,  # noqa: F811
):
    user, t = demo["user"], demo["t"]
    module = ModulePage.objects.child_of(demo["course"]).get(slug="welcome")
    ModuleProgress.objects.filter(user=user, module=module).delete()
    other = UserFactory(email="next@example.org")
    services.enrolment_create(user=other, course=demo["course"])
    sign_in(page, live_server, user, demo["password"], module.url)
    key = f"acompana:queue:{device_owner(user)}"
    # The first person's session ends (no sign-out); the next signs in, in another tab.
    page.context.clear_cookies()
    second = page.context.new_page()
    sign_in(second, live_server, other, "correct horse battery staple", "/dashboard/")
    # The first person's page, still open, has something waiting and tries to send it.
    page.evaluate(
        """([key, url]) => localStorage.setItem(key, JSON.stringify([
          {key: crypto.randomUUID(), kind: "done", url: url, body: [], added: Date.now()}]))""",
        [key, reverse("courses:mark_done", args=[module.pk])],
    )
    page.evaluate("window.AcompanaQueue.flush()")
    page.wait_for_timeout(1500)
    assert not ModuleProgress.objects.filter(user=other, module=module).exists()
    assert not IdempotencyKey.objects.filter(user=other).exists()
    assert len(_waiting(page, user)) == 1  # kept, never sent for the other person
    assert t
