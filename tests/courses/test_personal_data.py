"""What courses declare in the privacy registry: exports hold the learner's own records (quiz
answers, reflections as drafted and as submitted), erasure deletes what they wrote and keeps the
anonymous completion facts."""

import uuid

import pytest
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization

from courses import services
from courses.factories import (
    block_id,
    choice_question,
    correct_answers,
    quiz_block,
    true_false_question,
)
from courses.models import ActivityCompletion, Enrolment, ModuleProgress, QuizAttempt, Reflection
from courses.personal_data import NO_LONGER_IN_THE_MODULE
from tests.helpers import export_rows, translate
from training import privacy
from training.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(learner, course, modules):
    quiz = block_id("accompaniment/0/quiz")
    services.quiz_submit(
        user=learner, module=modules[0], course=course, activity_id=quiz,
        answers=correct_answers("accompaniment/0/quiz"), submission_id=uuid.uuid4(),
    )  # fmt: skip
    reflection = block_id("accompaniment/0/reflection")
    services.reflection_save(
        user=learner, module=modules[0], course=course, activity_id=reflection,
        text="What I submitted", shared_with_trainers=True, submit=True,
    )  # fmt: skip
    services.reflection_save(
        user=learner, module=modules[0], course=course, activity_id=reflection,
        text="A later draft", shared_with_trainers=False, submit=False,
    )  # fmt: skip
    return learner


def test_the_export_holds_quiz_answers_and_both_versions_of_a_reflection(records, course, modules):
    [attempt] = export_rows("courses.QuizAttempt", records)
    answered = {q["question_id"]: q["answer_ids"] for q in attempt["questions"]}
    assert answered == correct_answers("accompaniment/0/quiz")
    assert all(q["right"] for q in attempt["questions"])
    assert attempt["module"] == modules[0].title and attempt["passed"] is True
    [reflection] = export_rows("courses.Reflection", records)
    assert reflection["text"] == "A later draft"
    assert reflection["submitted_text"] == "What I submitted"
    assert reflection["shared_with_trainers"] is True
    [enrolment] = export_rows("courses.Enrolment", records)
    assert enrolment["course"] == course.title
    assert export_rows("courses.ModuleProgress", records)[0]["module"] == modules[0].title
    assert len(export_rows("courses.ActivityCompletion", records)) == 2


def test_erasing_deletes_what_they_wrote_and_keeps_the_completion_facts(records):
    for declaration in privacy.declarations():
        if declaration.model.startswith("courses."):
            declaration.erase_rows(records)
    assert not QuizAttempt.objects.filter(user=records).exists()
    assert not Reflection.objects.filter(user=records).exists()
    assert Enrolment.objects.filter(user=records).exists()
    assert ModuleProgress.objects.filter(user=records).exists()
    assert ActivityCompletion.objects.filter(user=records).count() == 2


def test_nobody_else_is_exported(records, course):
    other = UserFactory()
    services.enrolment_create(user=other, course=course)
    for declaration in privacy.declarations():
        if declaration.model.startswith("courses."):
            assert declaration.export_rows(other) == [] or declaration.model == "courses.Enrolment"
    assert len(export_rows("courses.Enrolment", other)) == 1


def test_quiz_answers_are_exported_as_questions_and_answers_in_words(records, modules):
    key = "accompaniment/0/quiz"
    attempt = QuizAttempt.objects.get(user=records)
    attempt.answers[block_id(key, "removed")] = ["gone"]  # a question since removed
    attempt.save(update_fields=["answers"])
    with translation.override("en"):
        [row] = export_rows("courses.QuizAttempt", records)
        false = gettext("False")
    assert "answers" not in row and "results" not in row  # no raw ids as the answers
    assert row["quiz"] == "Check your understanding" and row["module"] == modules[0].title
    first, second, third, removed = row["questions"]
    assert first == {
        "question_id": block_id(f"{key}/q1"),
        "question": "What comes first?",
        "answer_ids": [block_id(f"{key}/q1", "option", 0)],
        "answers": ["Listening"],
        "right": True,
    }
    assert second["answers"] == ["Screenshots with date and URL", "An incident log"]
    assert (third["question"], third["answers"], third["right"]) == (
        "Supporters give legal advice.",
        [false],
        True,
    )
    assert removed["question_id"] == block_id(key, "removed") and removed["right"] is None
    assert removed["answers"] == [str(NO_LONGER_IN_THE_MODULE)]


def test_quiz_answers_read_in_the_archives_language_from_the_modules_copy(
    records, modules, settings
):
    """The module's copy in the person's language (same block ids) gives the words."""

    settings.LANGUAGES = list(settings.ALL_LANGUAGES.items())
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES
    spanish, _created = Locale.objects.get_or_create(language_code="es")
    # Synchronised, as in courses.i18n: every page gets a copy in Spanish (an alias first).
    english = Locale.objects.get(language_code="en")
    LocaleSynchronization.objects.create(locale=spanish, sync_from=english)
    key = "accompaniment/0/quiz"
    quiz = quiz_block(key, [
        choice_question(f"{key}/q1", "¿Qué va primero?",
                        [("Escuchar", True, ""), ("Aconsejar", False, "")]),
        choice_question(f"{key}/q2", "¿Qué ayuda a documentar?",
                        [("Capturas", True, ""), ("Un registro", True, ""), ("Borrar", False, "")],
                        multiple=True),
        true_false_question(f"{key}/q3", "Damos consejo legal.", False, "", ""),
    ])  # fmt: skip
    quiz["value"]["title"] = "Comprueba lo que sabes"
    translate(modules[0], spanish, title="Módulo 1", body=[quiz])
    with translation.override("es"):
        [row] = export_rows("courses.QuizAttempt", records)
    assert (row["module"], row["quiz"]) == ("Módulo 1", "Comprueba lo que sabes")
    assert [q["question"] for q in row["questions"]][:1] == ["¿Qué va primero?"]
    assert row["questions"][0]["answers"] == ["Escuchar"]
    assert row["questions"][1]["answers"] == ["Capturas", "Un registro"]
    # In English (no copy in that language... the original): the original's words.
    with translation.override("en"):
        [row] = export_rows("courses.QuizAttempt", records)
    assert row["questions"][0]["answers"] == ["Listening"]
