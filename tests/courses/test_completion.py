"""Completion: activity → module → course, on the server, idempotent, explainable."""

import uuid

import pytest

from courses import activities, services
from courses.factories import (
    correct_answers,
    make_course,
    reflection_block,
    standard_quiz,
    text_block,
)
from courses.models import (
    ActivityCompletion,
    CourseProgress,
    ModuleProgress,
    ProgressStatus,
)
from courses.signals import course_completed, module_completed

pytestmark = pytest.mark.django_db


def _finish_module(user, course, module, key):
    services.quiz_submit(
        user=user, module=module, course=course, activity_id=module.activities[0].id,
        answers=correct_answers(f"{key}/quiz"), submission_id=uuid.uuid4(),
    )  # fmt: skip
    services.reflection_save(
        user=user, module=module, course=course, activity_id=module.activities[1].id,
        text="I noticed my urge to fix things.", shared_with_trainers=False, submit=True,
    )  # fmt: skip


def test_a_module_completes_when_all_its_required_activities_are(learner, course, modules):
    module = modules[0]
    services.quiz_submit(
        user=learner, module=module, course=course, activity_id=module.activities[0].id,
        answers=correct_answers("accompaniment/0/quiz"), submission_id=uuid.uuid4(),
    )  # fmt: skip
    progress = ModuleProgress.objects.get(user=learner, module=module)
    assert progress.status == ProgressStatus.IN_PROGRESS
    services.reflection_save(
        user=learner, module=module, course=course, activity_id=module.activities[1].id,
        text="Something", shared_with_trainers=False, submit=True,
    )  # fmt: skip
    progress.refresh_from_db()
    assert progress.status == ProgressStatus.COMPLETED
    assert progress.completed_at is not None


def test_the_course_completes_with_its_required_modules_and_tells_listeners_once(
    learner, course, modules, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, **kwargs):
        heard.append((kwargs["user"].pk, kwargs["course"].pk))

    course_completed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            for i, module in enumerate(modules):
                _finish_module(learner, course, module, f"accompaniment/{i}")
            # Recording the same things again changes nothing and says nothing.
            _finish_module(learner, course, modules[0], "accompaniment/0")
            services.course_refresh(user=learner, course=course)
    finally:
        course_completed.disconnect(listener)
    assert heard == [(learner.pk, course.pk)]
    assert CourseProgress.objects.get(user=learner, course=course).completed_at is not None
    assert ActivityCompletion.objects.filter(user=learner).count() == 6


def test_module_completed_signal_fires_after_commit(
    learner, course, modules, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, **kwargs):
        heard.append(kwargs["module"].pk)

    module_completed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            _finish_module(learner, course, modules[0], "accompaniment/0")
        assert heard == []
        for callback in callbacks:
            callback()
    finally:
        module_completed.disconnect(listener)
    assert heard == [modules[0].pk]


def test_an_optional_module_is_not_needed_to_complete_the_course(volunteer, db):
    course, modules = make_course("optional", modules=2)
    modules[1].required = False
    modules[1].save_revision().publish()
    services.enrolment_create(user=volunteer, course=course)
    _finish_module(volunteer, course, modules[0], "optional/0")
    assert CourseProgress.objects.get(user=volunteer, course=course).completed_at is not None


def test_mark_as_done_only_for_modules_without_required_activities(volunteer, db):
    course, modules = make_course(
        "reading", modules=2, body=lambda i: [text_block(f"reading/{i}")] if i == 0 else None
    )
    services.enrolment_create(user=volunteer, course=course)
    services.module_mark_done(user=volunteer, module=modules[0], course=course)
    assert ModuleProgress.objects.get(user=volunteer, module=modules[0]).status == "completed"
    with pytest.raises(services.LearningError):
        services.module_mark_done(user=volunteer, module=modules[1], course=course)


def test_a_sequenced_module_is_locked_until_the_previous_ones_are_complete(
    learner, course, modules
):
    modules[1].requires_previous = True
    modules[1].save_revision().publish()
    with pytest.raises(services.LearningError, match="Module 1"):
        services.module_assert_open(user=learner, module=modules[1], course=course)
    _finish_module(learner, course, modules[0], "accompaniment/0")
    services.module_assert_open(user=learner, module=modules[1], course=course)


def test_completion_is_not_taken_back_when_an_editor_adds_an_activity(learner, course, modules):
    _finish_module(learner, course, modules[0], "accompaniment/0")
    modules[0].body.append(("reflection", {"prompt": "New", "guidance": "", "required": True}))
    modules[0].save_revision().publish()
    services.module_refresh(user=learner, module=modules[0], course=course)
    assert ModuleProgress.objects.get(user=learner, module=modules[0]).status == "completed"


def test_a_new_kind_of_activity_plugs_in_through_the_registry(volunteer, db):
    """Register a kind for an existing block type: completion now waits for it too."""

    class ReadingKind(activities.ActivityKind):
        name = "reading"
        block_type = "rich_text"

        def is_required(self, value):
            return True

    course, modules = make_course(
        "plug", modules=1, body=lambda i: [text_block("plug/text"), reflection_block("plug/r")]
    )
    services.enrolment_create(user=volunteer, course=course)
    activities.register(ReadingKind())
    try:
        module = type(modules[0]).objects.get(pk=modules[0].pk)
        assert {a.kind.name for a in module.activities} == {"reading", "reflection"}
        services.reflection_save(
            user=volunteer, module=module, course=course, activity_id=module.activities[1].id,
            text="x", shared_with_trainers=False, submit=True,
        )  # fmt: skip
        assert ModuleProgress.objects.get(user=volunteer, module=module).status != "completed"
        services.activity_complete(
            user=volunteer, module=module, course=course,
            activity_id=module.activities[0].id, kind="reading",
        )  # fmt: skip
        assert ModuleProgress.objects.get(user=volunteer, module=module).status == "completed"
    finally:
        activities._KINDS.pop("rich_text")


def test_quiz_only_modules_complete_on_a_pass(volunteer, db):
    course, modules = make_course("q", modules=1, body=lambda i: [standard_quiz("q/quiz")])
    services.enrolment_create(user=volunteer, course=course)
    module = modules[0]
    services.quiz_submit(
        user=volunteer, module=module, course=course, activity_id=module.activities[0].id,
        answers=correct_answers("q/quiz"), submission_id=uuid.uuid4(),
    )  # fmt: skip
    assert CourseProgress.objects.get(user=volunteer, course=course).completed_at is not None


def test_completion_follows_an_editor_removing_a_required_activity(learner, course, modules):
    """A learner who did the reflection is not stuck when the quiz is removed."""
    module = modules[0]
    services.reflection_save(
        user=learner, module=module, course=course, activity_id=module.activities[1].id,
        text="done", shared_with_trainers=False, submit=True,
    )  # fmt: skip
    assert ModuleProgress.objects.get(user=learner, module=module).status != "completed"
    del module.body[next(i for i, c in enumerate(module.body) if c.block_type == "quiz")]
    module.save_revision().publish()
    module = type(module).objects.get(pk=module.pk)
    services.reflection_save(
        user=learner, module=module, course=course, activity_id=module.activities[0].id,
        text="done again", shared_with_trainers=False, submit=True,
    )  # fmt: skip
    assert ModuleProgress.objects.get(user=learner, module=module).status == "completed"


def test_a_completed_module_never_locks_its_learner_out(learner, course, modules):
    _finish_module(learner, course, modules[1], "accompaniment/1")
    modules[1].requires_previous = True
    modules[1].save_revision().publish()
    services.module_assert_open(user=learner, module=modules[1], course=course)


def test_a_course_of_optional_modules_completes_when_all_are_done(volunteer, db):
    course, modules = make_course("electives", modules=2)
    for module in modules:
        module.required = False
        module.save_revision().publish()
    services.enrolment_create(user=volunteer, course=course)
    _finish_module(volunteer, course, modules[0], "electives/0")
    assert not CourseProgress.objects.get(user=volunteer, course=course).completed_at
    _finish_module(volunteer, course, modules[1], "electives/1")
    assert CourseProgress.objects.get(user=volunteer, course=course).completed_at
