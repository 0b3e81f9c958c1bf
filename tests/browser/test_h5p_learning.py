"""In real Chromium, on the real demo: the demo volunteer answers the true/false activity and
finishes the question set in the practice module, and the module records completion. The player
runs on its own origin; statements travel through the module page to the server. A learner who
leaves a question set half-way finds it where they were, and a dropped connection loses no
answer.
"""

import re
import time
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from courses.h5p.activity import h5p_status
from courses.h5p.xapi import actor_for
from courses.models import (
    ActivityCompletion,
    CoursePage,
    H5PActivity,
    H5PState,
    H5PStatement,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
)
from tests.browser.test_learning_journey import in_language, sign_in, snapshot
from training.demo import DEMO_PASSWORD
from training.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE_SLUG = "feminist-accompaniment"
MODULE_SLUG = "practice-with-interactive-exercises"


PLAYER_WORDS = {
    "en": {"true": "True", "false": "False", "check": "Check", "start": "Start Quiz"},
    "es": {"true": "Verdadero", "false": "Falso", "check": "Comprobar", "start": "Empezar"},
}


@pytest.fixture
def practice(live_server, settings, h5p_samples):
    """The demo, with the platform at localhost:PORT (the live server) and H5P at 127.0.0.1:PORT."""
    port = urlsplit(live_server.url).port
    settings.ACOMPANA_PLATFORM_ORIGIN = f"http://localhost:{port}"
    settings.H5P_ORIGIN = f"http://127.0.0.1:{port}"
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(email="volunteer@example.org")
    course = CoursePage.objects.get(slug=COURSE_SLUG, locale__language_code="en")
    module = ModulePage.objects.child_of(course).get(slug=MODULE_SLUG)
    # The demo volunteer reads in Spanish: pages show the Spanish copies' titles (progress is
    # still the original's, under the same ids).
    with translation.override(user.preferred_language or "en"):
        course.title, module.title = course.localized.title, module.localized.title
        shown = module.localized.specific
    blocks = [a for a in module.activities if a.kind.block_type == "h5p"]
    assert len(blocks) == 2, "the practice module holds both sample activities"
    # The copy in the reader's language plays the true-or-false exercise in that language where
    # there is one (the demo has a Spanish version): its buttons speak it.
    played = [a.value["activity"] for a in shown.activities if a.kind.block_type == "h5p"]
    languages = set(H5PActivity.objects.filter(uuid__in=played).values_list("language", flat=True))
    language = user.preferred_language or "en"
    assert languages == {language}
    return {
        "user": user, "password": DEMO_PASSWORD, "module": module, "blocks": blocks,
        "t": in_language(user.preferred_language or "en"), "player": PLAYER_WORDS[language],
    }  # fmt: skip


def _open(page, live_server, practice):
    sign_in(page, live_server, practice["user"], practice["password"], practice["module"].url)
    expect(page.get_by_role("heading", level=1)).to_have_text(practice["module"].title)


def _players(page):
    """Both players. A frame starts only when its block comes near the screen: the second is
    brought into view first (the first, at the top, started with the page)."""
    page.locator("section[data-h5p]").nth(1).scroll_into_view_if_needed()
    return page.frame_locator("iframe.h5p-frame").nth(0), page.frame_locator(
        "iframe.h5p-frame"
    ).nth(1)


def completed_status(page, practice, block):
    """The status line once the server recorded the completion of `block`: "Completed" with the
    points the player sent (never "Well done": it may be 0 of 1), in the reader's language."""
    expect(page.locator(f"#activity-{block.id}")).to_have_class(re.compile(r"\bcompleted\b"))
    counted = H5PStatement.objects.get(
        user=practice["user"], module=practice["module"], activity_id=block.id, counted=True
    )
    score = counted.raw.get("result", {}).get("score", {})
    with translation.override(practice["user"].preferred_language or "en"):
        text = h5p_status(completed=True, score_raw=score.get("raw"),
                          score_max=score.get("max"), pass_mark=block.value.get("pass_mark"),
                          passed=True)  # fmt: skip
    return "✓ " + text


def _start(page, block, question_set, words):
    """Start the question set once its player said it is ready (the block's loading message gone,
    as a person sees it). On a loaded machine the intro's button can still show before the player
    listens to it: a click that changed nothing (the button still there, no question) is tried
    again; the first question must then show. When it does not, the failure says what the frame
    held."""
    expect(page.locator(f"#activity-{block.id} [data-h5p-stage]")).to_have_class(
        re.compile(r"\bis-ready\b"), timeout=30_000
    )
    start = question_set.get_by_role("button", name=words["start"])
    question = question_set.locator(".question-container:visible")
    for _ in range(3):
        start.click()
        try:
            expect(question).to_have_count(1, timeout=5_000)
            return
        except AssertionError:
            if not start.is_visible():
                break
    try:
        expect(question).to_have_count(1, timeout=10_000)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{_frame_report(page, block, question_set)}") from None


def _frame_report(page, block, question_set):
    """What the block and its player showed: for a failure's message."""
    section = page.locator(f"#activity-{block.id}")
    report = {
        "section class": section.get_attribute("class", timeout=2_000),
        "stage class": section.locator("[data-h5p-stage]").get_attribute("class", timeout=2_000),
        "loading": section.locator("[data-h5p-loading]").text_content(timeout=2_000),
        "frame src": section.locator("iframe").get_attribute("src", timeout=2_000),
        "frame box": section.locator("iframe").bounding_box(timeout=2_000),
    }
    try:
        report["player"] = question_set.locator("body").evaluate(
            """body => ({
                containers: body.querySelectorAll('.question-container').length,
                shown: [...body.querySelectorAll('.question-container')].map(
                    e => getComputedStyle(e).display),
                intro: [...body.querySelectorAll('.intro-page')].map(
                    e => getComputedStyle(e).display),
                questionset: [...body.querySelectorAll('.questionset')].map(
                    e => e.className + ' ' + getComputedStyle(e).display),
                instances: (window.H5P && window.H5P.instances || []).length,
                text: body.innerText.slice(0, 600),
            })""",
            timeout=5_000,
        )
    except Exception as error:  # a report: the frame may be gone
        report["player"] = f"unreadable: {error}"
    return "\n".join(f"{key}: {value}" for key, value in report.items())


def _answer_questions(question_set, count):
    """Answer `count` questions of the question set (any answer), moving on after each. Each
    step waits for the set's slide transition to end (exactly one question on screen) and for
    each button to show."""
    for _ in range(count):
        check = question_set.locator(".question-container:visible .h5p-question-check-answer")
        expect(question_set.locator(".question-container:visible")).to_have_count(1)
        answer = question_set.locator(".question-container:visible .h5p-answer").first
        expect(answer).to_be_visible()
        # On a loaded machine a click can land before the question listens (it is still sliding
        # in): the answer is then not chosen and the check button never shows. A click that chose
        # nothing is tried again; a chosen answer is never clicked twice (that would unchoose it
        # in a several-answers question).
        for _ in range(3):
            if answer.get_attribute("aria-checked") != "true":
                answer.click()
            try:
                expect(answer).to_have_attribute("aria-checked", "true", timeout=5_000)
                break
            except AssertionError:
                continue
        expect(answer).to_have_attribute("aria-checked", "true")
        # The player shows the button after its own animation: slow on a loaded machine.
        expect(check).to_be_visible(timeout=15_000)
        check.click()
        following = question_set.locator(
            ".question-container:visible .h5p-question-next,"
            " .question-container:visible .h5p-question-finish"
        )
        expect(following.first).to_be_visible()
        following.first.click()


def test_the_demo_volunteer_completes_both_activities_and_the_module(page, live_server, practice):
    user, module = practice["user"], practice["module"]
    true_false, question_set = practice["blocks"]
    # What the server answered each statement sent (said when the test fails).
    answers = []
    page.on(
        "requestfinished",
        lambda request: (
            "/xapi/" in request.url
            and answers.append((request.response().status, (request.post_data or "")[-160:]))
        ),
    )
    page.on("requestfailed", lambda request: answers.append(("failed", request.url)))
    _open(page, live_server, practice)
    first, second = _players(page)

    words = practice["player"]
    first.get_by_role("radio", name=words["false"]).click()
    first.get_by_role("button", name=words["check"]).click()
    status = page.locator(f"#activity-{true_false.id} .h5p-status")
    expect(status).to_have_text(completed_status(page, practice, true_false))
    # The question set is not complete yet: the module is not either.
    assert not ActivityCompletion.objects.filter(user=user, activity_id=question_set.id).exists()
    assert ModuleProgress.objects.get(user=user, module=module).status != ProgressStatus.COMPLETED

    _start(page, question_set, second, practice["player"])
    _answer_questions(second, 4)
    # Each answered question went to the server, and none of them completed the set.
    expect(page.locator(f"#activity-{question_set.id}")).not_to_have_class(
        re.compile(r"\bcompleted\b")
    )
    assert not ActivityCompletion.objects.filter(user=user, activity_id=question_set.id).exists()
    _answer_questions(second, 1)  # the last one: "Finish" shows the results screen
    expect(page.locator(f"#activity-{question_set.id} .h5p-status")).to_have_text(
        completed_status(page, practice, question_set)
    )
    # The module's own notice follows without a reload.
    expect(page.locator(".module-completion .done")).to_be_visible()
    snapshot(page, "h5p-practice-completed")

    completions = ActivityCompletion.objects.filter(user=user, module=module, kind="h5p")
    assert {c.activity_id for c in completions} == {true_false.id, question_set.id}
    assert ModuleProgress.objects.get(user=user, module=module).status == ProgressStatus.COMPLETED
    statements = H5PStatement.objects.filter(user=user, module=module)
    answered_children = statements.filter(verb__endswith="/answered").exclude(sub_content_id="")
    # The player sends the last question's "answered" and the set's "completed" side by side:
    # the page may show the completion before the other statement is stored. Wait for it (the
    # assertion still fails if it never arrives): up to 40 s, as a statement the server could
    # not take (a connection reset on a loaded machine) is sent again by the page after 15 s.
    for _ in range(200):
        if answered_children.count() >= 5:
            break
        page.wait_for_timeout(200)
    assert answered_children.count() >= 5, answers
    assert statements.filter(counted=True).count() == 2
    # The learner is an opaque account: no email anywhere in what is stored.
    assert all(s.raw["actor"] == actor_for(user) for s in statements)
    assert not any(user.email in str(s.raw) for s in statements)

    page.reload()
    expect(page.locator(".module-completion .done")).to_be_visible()


def test_a_question_set_left_half_way_opens_where_the_learner_was(page, live_server, practice):
    user = practice["user"]
    _open(page, live_server, practice)
    _first, second = _players(page)
    question_set = practice["blocks"][1]
    _start(page, question_set, second, practice["player"])
    _answer_questions(second, 2)
    # The player's state reaches the server shortly after each change, a second after the last
    # (the page waits for the player to settle). "progress":2 can be saved before the second
    # answer is: wait until the saved state has stopped changing (2.5 s), then reload.
    saved, since = None, None
    for _ in range(100):
        state = H5PState.objects.filter(user=user).first()
        if state and '"progress":2' in state.data:
            if state.data != saved:
                saved, since = state.data, time.monotonic()
            elif time.monotonic() - since >= 2.5:
                break
        page.wait_for_timeout(200)
    else:
        pytest.fail("the question set's state was not saved")

    page.reload()
    _first, second = _players(page)
    # No intro page again: the third question is the one on screen, the first two answered.
    try:
        expect(second.locator(".question-container:visible")).to_have_count(1, timeout=30_000)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{_frame_report(page, question_set, second)}") from None
    expect(second.get_by_role("button", name=practice["player"]["start"])).to_be_hidden()
    answered = second.locator(".progress-dot.answered")
    expect(answered).to_have_count(2)


def test_answers_given_offline_are_sent_when_the_connection_is_back(page, live_server, practice):
    user, t = practice["user"], practice["t"]
    true_false = practice["blocks"][0]
    _open(page, live_server, practice)
    first, _second = _players(page)
    words = practice["player"]
    first.get_by_role("radio", name=words["true"]).wait_for()

    page.context.set_offline(True)
    first.get_by_role("radio", name=words["false"]).click()
    first.get_by_role("button", name=words["check"]).click()
    status = page.locator(f"#activity-{true_false.id} .h5p-status")
    offline = t(
        "Not sent yet (no connection?). Your results are kept on this device and sent when "
        "the connection is back."
    )
    expect(status).to_contain_text(offline)
    assert not ActivityCompletion.objects.filter(user=user, activity_id=true_false.id).exists()

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text(completed_status(page, practice, true_false))
    assert ActivityCompletion.objects.filter(user=user, activity_id=true_false.id).exists()
