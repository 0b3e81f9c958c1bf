"""Writes for learning: enrolment, visits, quiz attempts, reflections and completion.

Completion is recorded on the server only, idempotently: recording the same thing twice records
it once. A learner's actions change only their own records: every function takes the learner
as `user`, and the views pass `request.user`, never an id from the request.
"""

from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from training.errors import ServiceError
from training.templatetags.acompana import when

from . import access
from .models import (
    ActivityCompletion,
    CoursePage,
    CourseProgress,
    Enrolment,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
    QuizAttempt,
    Reflection,
)
from .selectors import completed_module_ids, is_enrolled, module_lock_reason, modules_with_progress
from .signals import course_completed, module_completed


class LearningError(ServiceError):
    """Something the learner asked for cannot be done; the message says why, translated."""

    code = "learning"


# The kinds of activity these services complete (courses.activities names them the same).
QUIZ, REFLECTION = "quiz", "reflection"


# --- Enrolment ----------------------------------------------------------------------------------
@transaction.atomic
def enrolment_create(*, user, course: CoursePage, source: str = "manual") -> Enrolment:
    enrolment, _created = Enrolment.objects.get_or_create(
        user=user, course=course, defaults={"source": source}
    )
    return enrolment


SELF_PACED = "self_paced"  # Enrolment.source of someone who started a course on their own


@transaction.atomic
def enrolment_start_self_paced(*, user, course: CoursePage) -> Enrolment:
    """Someone signed in starts a course open for self-paced learning. Asking twice (a double
    click, a second tab) keeps the first enrolment, whatever its source."""
    if not user.is_authenticated:
        raise LearningError(_("Sign in to start this course."))
    if not course.live or not course.self_paced:
        raise LearningError(
            _("This course is followed in cohorts: apply to one of them to join it.")
        )
    return enrolment_create(user=user, course=course, source=SELF_PACED)


# --- Access ------------------------------------------------------------------------------------
def _completed_ids(user, course_id) -> set[int]:
    return set(
        ModuleProgress.objects.filter(
            user=user, course_id=course_id, status=ProgressStatus.COMPLETED
        ).values_list("module_id", flat=True)
    )


def module_assert_open(*, user, module: ModulePage, course: CoursePage, modules=None,
                       enrolled: bool | None = None) -> None:  # fmt: skip
    """Raise LearningError unless this learner may work in this module now. `enrolled`: when
    the caller has just read it."""
    if not module.live or not course.live:
        raise LearningError(_("This module is not published."))
    if not (is_enrolled(user, course) if enrolled is None else enrolled):
        raise LearningError(_("You are not enrolled in this course."))
    opens_at = access.unreleased(user, course).get(module.pk)
    if opens_at is not None:
        raise LearningError(_("This module opens on %(when)s.") % {"when": when(opens_at)})
    if not module.requires_previous:
        return
    if modules is None:
        modules = modules_with_progress(course, user)
    mine = next((m.my_progress for m in modules if m.pk == module.pk), None)
    if mine is not None and mine.status == ProgressStatus.COMPLETED:
        return  # a module the learner completed never locks them out again
    reason = module_lock_reason(
        module=module, siblings=modules, completed_ids=completed_module_ids(modules)
    )
    if reason:
        raise LearningError(reason)


# --- Visits and content notes -------------------------------------------------------------------
def _progress(user, module: ModulePage, course: CoursePage) -> ModuleProgress:
    progress, _created = ModuleProgress.objects.get_or_create(
        user=user, module=module, defaults={"course": course}
    )
    return progress


VISIT_RESOLUTION = timedelta(minutes=1)


def module_visit(
    *, user, module: ModulePage, course: CoursePage, progress: ModuleProgress | None = None
) -> ModuleProgress:
    """Remember where the learner is, for “continue where you left off”.

    Visits are recorded to the minute: reloading a page writes nothing. Each write is a single
    statement, so this needs no transaction of its own.
    """
    now = timezone.now()
    if progress is None or progress.pk is None:
        progress = _progress(user, module, course)
    elif progress.last_visited_at and now - progress.last_visited_at < VISIT_RESOLUTION:
        return progress
    ModuleProgress.objects.filter(pk=progress.pk).update(last_visited_at=now)
    progress.last_visited_at = now
    if progress.status != ProgressStatus.COMPLETED:
        # The module may have changed since (an activity removed): completion follows it.
        progress = module_refresh(user=user, module=module, course=course)
    updated = CourseProgress.objects.filter(user=user, course=course).update(
        last_module=module, last_activity_at=now
    )
    if not updated:
        CourseProgress.objects.get_or_create(
            user=user, course=course, defaults={"last_module": module, "last_activity_at": now}
        )
    return progress


@transaction.atomic
def module_acknowledge_content_notes(*, user, module: ModulePage, course: CoursePage) -> None:
    progress = _progress(user, module, course)
    if progress.content_notes_acknowledged_at is None:
        progress.content_notes_acknowledged_at = timezone.now()
        progress.set_aside_at = None
        progress.save(update_fields=["content_notes_acknowledged_at", "set_aside_at"])


@transaction.atomic
def module_set_aside(*, user, module: ModulePage, course: CoursePage) -> None:
    """“Not now” at the content notes: nothing is lost, and the choice is remembered."""
    progress = _progress(user, module, course)
    progress.set_aside_at = timezone.now()
    progress.save(update_fields=["set_aside_at"])


# --- Completion ---------------------------------------------------------------------------------
@transaction.atomic
def activity_complete(
    *,
    user,
    module: ModulePage,
    course: CoursePage,
    activity_id: str,
    kind: str,
    score: Decimal | None = None,
) -> ActivityCompletion:
    """Record that the learner completed one activity (once), then re-evaluate the module."""
    completion, _created = ActivityCompletion.objects.get_or_create(
        user=user, module=module, activity_id=activity_id,
        defaults={"kind": kind, "score": score},
    )  # fmt: skip
    # Always re-evaluate (cheap, idempotent): after an editor removed an activity, the next
    # submission must still be able to complete the module.
    module_refresh(user=user, module=module, course=course)
    return completion


@transaction.atomic
def module_mark_done(*, user, module: ModulePage, course: CoursePage) -> ModuleProgress:
    """A module without required activities is completed by saying so."""
    if module.required_activity_ids:
        raise LearningError(_("Complete the activities of this module to finish it."))
    progress = _progress(user, module, course)
    if not progress.marked_done:
        progress.marked_done = True
        progress.save(update_fields=["marked_done"])
    return module_refresh(user=user, module=module, course=course)


@transaction.atomic
def module_refresh(*, user, module: ModulePage, course: CoursePage) -> ModuleProgress:
    """Complete the module when all its required activities are; then look at the course.

    Completion is a fact once recorded: an activity added to a module later does not take it
    back from people who had finished.
    """
    progress = ModuleProgress.objects.select_for_update().filter(user=user, module=module).first()
    if progress is None:
        progress = _progress(user, module, course)
    if progress.status == ProgressStatus.COMPLETED:
        return progress
    required = module.required_activity_ids
    if required:
        done = set(
            ActivityCompletion.objects.filter(
                user=user, module=module, activity_id__in=required
            ).values_list("activity_id", flat=True)
        )
        complete = required <= done
    else:
        complete = progress.marked_done
    if complete:
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = timezone.now()
        progress.save(update_fields=["status", "completed_at"])
        transaction.on_commit(
            lambda: module_completed.send(
                sender=ModulePage, user=user, module=module, completed_at=progress.completed_at
            )
        )
        course_refresh(user=user, course=course)
    return progress


@transaction.atomic
def course_refresh(*, user, course: CoursePage) -> CourseProgress:
    """Complete the course when all its required, published modules are complete (when none
    is required, when all of them are)."""
    course_progress, _created = CourseProgress.objects.select_for_update().get_or_create(
        user=user, course=course
    )
    if course_progress.completed_at:
        return course_progress
    published = dict(ModulePage.objects.live().child_of(course).values_list("pk", "required"))
    # The required modules; in a course whose modules are all optional, all of them.
    required = {pk for pk, is_required in published.items() if is_required} or set(published)
    if required and required <= _completed_ids(user, course.pk):
        course_progress.completed_at = timezone.now()
        course_progress.save(update_fields=["completed_at"])
        transaction.on_commit(
            lambda: course_completed.send(
                sender=CoursePage,
                user=user,
                course=course,
                completed_at=course_progress.completed_at,
            )
        )
    return course_progress


# --- Quizzes ------------------------------------------------------------------------------------
def _activity_value(module: ModulePage, activity_id: str, block_type: str):
    for activity in module.activities:
        if activity.id == activity_id and activity.kind.block_type == block_type:
            return activity.value
    raise LearningError(_("This activity does not exist in this module."))


def quiz_grade(quiz, answers: dict[str, list[str]]) -> tuple[dict, Decimal]:
    """Grade answers ({question id: [option ids]}) against a quiz block value.

    Raises LearningError for anything the quiz does not contain, or a missing answer.
    """
    questions = {child.id: child for child in quiz["questions"]}
    unknown = set(answers) - set(questions)
    if unknown:
        raise LearningError(_("The answers do not match this quiz. Please reload the page."))
    results = {}
    correct_count = 0
    for question_id, question in questions.items():
        chosen = [str(option) for option in answers.get(question_id, [])]
        if not chosen:
            raise LearningError(_("Please answer every question."))
        if question.block_type == "true_false":
            valid = {"true", "false"}
            correct = {"true" if question.value["answer"] else "false"}
        else:
            options = question.value["options"].bound_blocks
            valid = {option.id for option in options}
            correct = {option.id for option in options if option.value["is_correct"]}
        if not set(chosen) <= valid or len(set(chosen)) != len(chosen):
            raise LearningError(_("The answers do not match this quiz. Please reload the page."))
        if question.block_type != "multiple_choice" and len(chosen) != 1:
            raise LearningError(_("Choose one answer for each single-choice question."))
        is_correct = set(chosen) == correct
        correct_count += is_correct
        results[question_id] = {"chosen": chosen, "correct": is_correct}
    score = (Decimal(100) * correct_count / len(questions)).quantize(Decimal("0.01"))
    return results, score


@transaction.atomic
def quiz_submit(
    *,
    user,
    module: ModulePage,
    course: CoursePage,
    activity_id: str,
    answers: dict[str, list[str]],
    submission_id,
    content: ModulePage | None = None,
) -> QuizAttempt:
    """Grade and record one attempt. Submitting the same `submission_id` again records nothing.
    `content`: the language copy the learner answered (its questions); `module`: the original,
    where the attempt is recorded (courses.i18n)."""
    existing = QuizAttempt.objects.filter(user=user, submission_id=submission_id).first()
    if existing is not None:
        if (existing.module_id, existing.activity_id) != (module.pk, activity_id):
            raise LearningError(_("The form has expired. Please reload the page."))
        return existing
    module_assert_open(user=user, module=module, course=course)
    quiz = _activity_value(content or module, activity_id, "quiz")
    results, score = quiz_grade(quiz, answers)
    # Serialise a learner's attempts on this module so that attempt numbers never collide.
    _progress(user, module, course)
    ModuleProgress.objects.select_for_update().get(user=user, module=module)
    previous = QuizAttempt.objects.filter(user=user, module=module, activity_id=activity_id)
    count = previous.count()
    if (
        quiz["max_attempts"]
        and count >= quiz["max_attempts"]
        and not previous.filter(passed=True).exists()
    ):
        raise LearningError(_("You have used all the attempts for this quiz."))
    passed = score >= quiz["pass_mark"]
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                user=user, module=module, activity_id=activity_id, number=count + 1,
                submission_id=submission_id, answers=answers, results=results,
                score=score, passed=passed,
            )  # fmt: skip
    except IntegrityError:
        return QuizAttempt.objects.get(user=user, submission_id=submission_id)
    if passed:
        activity_complete(
            user=user, module=module, course=course, activity_id=activity_id,
            kind=QUIZ, score=score,
        )  # fmt: skip
    return attempt


# --- Reflections --------------------------------------------------------------------------------
MAX_REFLECTION_LENGTH = 20_000


@transaction.atomic
def reflection_save(
    *,
    user,
    module: ModulePage,
    course: CoursePage,
    activity_id: str,
    text: str,
    shared_with_trainers: bool,
    submit: bool,
    content: ModulePage | None = None,
) -> Reflection:
    """Save a draft (autosave) or submit. Submitting completes the block; it is never graded."""
    module_assert_open(user=user, module=module, course=course)
    _activity_value(content or module, activity_id, "reflection")
    if len(text) > MAX_REFLECTION_LENGTH:
        raise LearningError(
            _("A reflection can be at most %(count)s characters.")
            % {"count": MAX_REFLECTION_LENGTH}
        )
    if submit and not text.strip():
        raise LearningError(_("Write something before submitting. A few words are enough."))
    reflection, _created = Reflection.objects.select_for_update().get_or_create(
        user=user, module=module, activity_id=activity_id
    )
    reflection.text = text
    if submit:
        # Sharing is decided when submitting, and covers the submitted text only: an autosaved
        # draft (or a tick on the box while writing) never shares anything by itself.
        reflection.submitted_text = text
        reflection.shared_with_trainers = shared_with_trainers
        if reflection.submitted_at is None:
            reflection.submitted_at = timezone.now()
    reflection.save()
    if submit:
        activity_complete(
            user=user, module=module, course=course, activity_id=activity_id,
            kind=REFLECTION,
        )  # fmt: skip
    return reflection


MAX_REPLY_LENGTH = 2_000


@transaction.atomic
def reflection_reply(*, reflection: Reflection, by, text: str) -> Reflection:
    """A trainer's short private answer to a reflection its author shared (the caller checks
    that `by` trains the author); an empty text takes the answer back. The author's own
    "last changed" time is left as it was."""
    reflection = Reflection.objects.select_for_update().get(pk=reflection.pk)
    if not reflection.shared_with_trainers or reflection.submitted_at is None:
        raise LearningError(_("Only a reflection its author shared can be answered."))
    if by.pk == reflection.user_id:
        raise LearningError(_("You cannot answer your own reflection."))
    text = text.strip()
    if len(text) > MAX_REPLY_LENGTH:
        raise LearningError(
            _("An answer can be at most %(count)s characters.") % {"count": MAX_REPLY_LENGTH}
        )
    reflection.reply = text
    reflection.replied_by = by if text else None
    reflection.replied_at = timezone.now() if text else None
    reflection.save(update_fields=["reply", "replied_by", "replied_at"])
    return reflection
