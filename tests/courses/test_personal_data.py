"""What courses declare in the privacy registry: exports hold the learner's own records (quiz
answers, reflections as drafted and as submitted), erasure deletes what they wrote and keeps the
anonymous completion facts."""

import json
import uuid

import pytest

from courses import services
from courses.factories import block_id, correct_answers
from courses.models import ActivityCompletion, Enrolment, ModuleProgress, QuizAttempt, Reflection
from training import privacy

pytestmark = pytest.mark.django_db


def _export(label, person):
    rows = privacy.REGISTRY[label].export_rows(person)
    json.dumps(rows)  # JSON-ready
    return rows


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
    [attempt] = _export("courses.QuizAttempt", records)
    assert attempt["answers"] == correct_answers("accompaniment/0/quiz")
    assert attempt["module"] == modules[0].title and attempt["passed"] is True
    [reflection] = _export("courses.Reflection", records)
    assert reflection["text"] == "A later draft"
    assert reflection["submitted_text"] == "What I submitted"
    assert reflection["shared_with_trainers"] is True
    [enrolment] = _export("courses.Enrolment", records)
    assert enrolment["course"] == course.title
    assert _export("courses.ModuleProgress", records)[0]["module"] == modules[0].title
    assert len(_export("courses.ActivityCompletion", records)) == 2


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
    from training.factories import UserFactory

    other = UserFactory()
    services.enrolment_create(user=other, course=course)
    for declaration in privacy.declarations():
        if declaration.model.startswith("courses."):
            assert declaration.export_rows(other) == [] or declaration.model == "courses.Enrolment"
    assert len(_export("courses.Enrolment", other)) == 1
