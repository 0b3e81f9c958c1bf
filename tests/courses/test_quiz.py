"""Quizzes are graded on the server; answers are never revealed early; forgeries record nothing."""

import uuid
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from wagtail.models import PageViewRestriction

from courses import blocks, services
from courses.blocks import render_quiz, render_reflection
from courses.factories import block_id, correct_answers, make_course, standard_quiz, wrong_answers
from courses.models import ActivityCompletion, QuizAttempt
from tests.courses.conftest import quiz_post
from training.factories import UserFactory

pytestmark = pytest.mark.django_db

KEY = "accompaniment/0/quiz"


def _url(module, activity_id=None):
    return reverse("courses:quiz_submit", args=[module.pk, activity_id or block_id(KEY)])


def test_correct_answers_and_feedback_never_reach_the_browser_before_an_attempt(
    client, learner, modules
):
    client.force_login(learner)
    body = client.get(modules[0].url + "?notes=seen").content.decode()
    assert "What comes first?" in body
    assert "Yes: listen first." not in body  # feedback
    assert "a correct answer" not in body  # answer key
    assert "is_correct" not in body


def test_a_wrong_then_right_answer(client, learner, modules):
    client.force_login(learner)
    response = client.post(_url(modules[0]), quiz_post(KEY, wrong_answers(KEY)))
    assert response.status_code == 303
    attempt = QuizAttempt.objects.get(user=learner)
    assert (attempt.passed, float(attempt.score)) == (False, pytest.approx(66.67, 0.01))
    assert not ActivityCompletion.objects.filter(user=learner).exists()

    body = client.get(modules[0].url).content.decode()
    assert "Advice can wait; listen first." in body  # feedback for the chosen option
    assert "a correct answer" not in body  # still not revealed: attempts remain

    client.post(_url(modules[0]), quiz_post(KEY, correct_answers(KEY)))
    assert QuizAttempt.objects.filter(user=learner).count() == 2
    assert ActivityCompletion.objects.get(user=learner).kind == "quiz"
    body = client.get(modules[0].url).content.decode()
    assert "a correct answer" in body  # passed: the key is shown


def test_submitting_the_same_form_twice_records_once(client, learner, modules):
    client.force_login(learner)
    data = quiz_post(KEY, correct_answers(KEY), submission_id=uuid.uuid4())
    client.post(_url(modules[0]), data)
    client.post(_url(modules[0]), data)
    assert QuizAttempt.objects.filter(user=learner).count() == 1
    assert ActivityCompletion.objects.filter(user=learner).count() == 1


@pytest.mark.parametrize(
    "forge",
    [
        "unknown_option",
        "unknown_question",
        "two_answers_to_single_choice",
        "missing_answer",
        "no_submission_id",
    ],
)
def test_forged_answers_are_refused_and_record_nothing(client, learner, modules, forge):
    client.force_login(learner)
    answers = correct_answers(KEY)
    data = quiz_post(KEY, answers)
    q1 = block_id(f"{KEY}/q1")
    if forge == "unknown_option":
        data[f"q-{q1}"] = [str(uuid.uuid4())]
    elif forge == "unknown_question":
        data[f"q-{uuid.uuid4()}"] = ["true"]
    elif forge == "two_answers_to_single_choice":
        data[f"q-{q1}"] = [block_id(f"{KEY}/q1", "option", 0), block_id(f"{KEY}/q1", "option", 1)]
    elif forge == "missing_answer":
        del data[f"q-{q1}"]
    elif forge == "no_submission_id":
        del data["submission_id"]
    response = client.post(_url(modules[0]), data, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["error"]
    assert not QuizAttempt.objects.exists()
    assert not ActivityCompletion.objects.exists()


def test_a_quiz_of_another_module_cannot_be_answered_through_this_one(client, learner, modules):
    client.force_login(learner)
    other_quiz = block_id("accompaniment/1/quiz")
    response = client.post(
        _url(modules[0], other_quiz), quiz_post(KEY, correct_answers("accompaniment/1/quiz")),
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert not QuizAttempt.objects.exists()


def test_answers_for_a_locked_module_are_refused(client, learner, modules):
    modules[1].requires_previous = True
    modules[1].save_revision().publish()
    client.force_login(learner)
    key = "accompaniment/1/quiz"
    response = client.post(
        _url(modules[1], block_id(key)), quiz_post(key, correct_answers(key)),
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert "Module 1" in response.json()["error"]
    assert not QuizAttempt.objects.exists()


def test_someone_not_enrolled_cannot_answer(client, volunteer, modules):
    client.force_login(volunteer)
    response = client.post(
        _url(modules[0]), quiz_post(KEY, correct_answers(KEY)), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert not QuizAttempt.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, modules):
    response = client.post(_url(modules[0]), quiz_post(KEY, correct_answers(KEY)))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not QuizAttempt.objects.exists()


def test_nobody_completes_someone_elses_quiz(client, learner, course, modules):
    other = UserFactory()
    services.enrolment_create(user=other, course=course)
    client.force_login(other)
    client.post(_url(modules[0]), quiz_post(KEY, correct_answers(KEY)))
    assert not QuizAttempt.objects.filter(user=learner).exists()
    assert QuizAttempt.objects.filter(user=other).count() == 1


def test_attempts_are_limited_when_the_quiz_says_so(client, volunteer, db):
    course, modules = make_course(
        "limited", modules=1, body=lambda i: [standard_quiz("limited/quiz", max_attempts=1)]
    )
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    url = _url(modules[0], block_id("limited/quiz"))
    client.post(url, quiz_post("limited/quiz", wrong_answers("limited/quiz")))
    response = client.post(
        url, quiz_post("limited/quiz", correct_answers("limited/quiz")),
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert QuizAttempt.objects.count() == 1
    body = client.get(modules[0].url).content.decode()
    assert "You have used all the attempts for this quiz." in body
    assert "a correct answer" in body  # no attempt left: the key is shown


def test_an_invalid_submission_keeps_the_persons_answers(client, learner, modules):
    client.force_login(learner)
    answers = correct_answers(KEY)
    del answers[block_id(f"{KEY}/q3")]  # one question left unanswered
    response = client.post(_url(modules[0]), quiz_post(KEY, answers))
    assert response.status_code == 303
    body = client.get(modules[0].url).content.decode()
    assert "Please answer every question." in body
    chosen = block_id(f"{KEY}/q1", "option", 0)
    assert f'value="{chosen}" checked' in body


def test_a_submission_id_cannot_be_reused_for_another_quiz(client, learner, modules):
    client.force_login(learner)
    submission = uuid.uuid4()
    client.post(_url(modules[0]), quiz_post(KEY, correct_answers(KEY), submission_id=submission))
    other = "accompaniment/1/quiz"
    response = client.post(
        _url(modules[1], block_id(other)),
        quiz_post(other, correct_answers(other), submission_id=submission),
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert QuizAttempt.objects.filter(module=modules[1]).count() == 0


def test_actions_respect_the_pages_privacy_settings(client, learner, course, modules):
    restriction = PageViewRestriction.objects.create(page=course, restriction_type="groups")
    restriction.groups.add(Group.objects.create(name="Only some"))
    client.force_login(learner)
    response = client.post(_url(modules[0]), quiz_post(KEY, correct_answers(KEY)))
    assert response.status_code == 403
    assert not QuizAttempt.objects.exists()


def test_an_unpublished_course_is_closed(client, learner, course, modules):
    course.unpublish()
    client.force_login(learner)
    assert client.get(modules[0].url).status_code == 404
    response = client.post(_url(modules[0]), quiz_post(KEY, correct_answers(KEY)))
    assert response.status_code == 404
    assert not QuizAttempt.objects.exists()
    assert "Accompaniment" not in client.get("/dashboard/").content.decode()


def test_translations_put_into_the_quiz_and_reflection_html_are_escaped(monkeypatch):
    # Translations already kept escaped (courses.blocks._ESCAPED) are not the ones given here.
    monkeypatch.setattr(blocks, "_ESCAPED", {})
    monkeypatch.setattr(translation, "gettext", lambda message: f'"<&{message}')
    monkeypatch.setattr(translation, "ngettext", lambda one, many, n: f'"<&{one}')
    context = {"block_id": "b", "page": SimpleNamespace(pk=1), "device_key": "d"}
    option = {"id": "o", "text": "O", "checked": False, "is_correct": True, "feedback": ""}
    question = {"id": "q", "text": "Q", "multiple": True, "correct": False, "options": [option]}
    quiz = render_quiz(
        {"title": "T", "pass_mark": 80},
        {**context, "activity": {"questions": [question], "can_attempt": True,
                                 "attempts_left": 2, "passed": True}},
    )  # fmt: skip
    reflection = render_reflection({"prompt": "P"}, {**context, "activity": {}})
    for html in (quiz, reflection):
        assert '"<&' not in html
        assert "&quot;&lt;&amp;" in html
    assert 'data-msg-saving="&quot;&lt;&amp;Saving…"' in reflection
