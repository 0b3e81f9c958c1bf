"""Writes for learning: enrolment, visits, quiz attempts, reflections and completion.

Completion is recorded on the server only, idempotently: recording the same thing twice records
it once. A learner's actions change only their own records: every function takes the learner
as `user`, and the views pass `request.user`, never an id from the request.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, IntegrityError, transaction
from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access
from .activities import kind_for_block
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
from .signals import course_completed, module_completed


class LearningError(Exception):
    """Something the learner asked for cannot be done; the message says why, translated."""


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


# --- Access and locks ---------------------------------------------------------------------------
def free_preview_module_id(course: CoursePage, modules) -> int | None:
    """The module anyone may read before joining: the first published one of a course whose
    editors made it a free preview. `modules`: from `modules_with_progress`, in order."""
    if not course.free_preview or not modules:
        return None
    return modules[0].pk


def can_preview(user) -> bool:
    """Editors and administrators open any module without enrolling (to check their content);
    other roles with admin access (coordinators edit tracks there) do not."""
    from training.roles import Role

    return user.is_authenticated and (user.is_superuser or user.has_role(Role.EDITOR))


def is_enrolled(user, course: CoursePage) -> bool:
    if not user.is_authenticated:
        return False
    if hasattr(course, "viewer_enrolled"):  # annotated by the catalog's routing
        return course.viewer_enrolled
    return Enrolment.objects.filter(user=user, course=course).exists()


@dataclass
class ModuleSummary:
    """A module as the course outline shows it: no body, its URL derived from the course's."""

    pk: int
    title: str
    slug: str
    summary: str
    estimated_minutes: int
    required: bool
    requires_previous: bool
    translation_key: uuid.UUID  # the same in every language copy of the module (courses.i18n)
    url: str
    my_progress: ModuleProgress | None = None


SUMMARY_FIELDS = ["pk", "title", "slug", "summary", "estimated_minutes", "required",
                  "requires_previous", "translation_key"]  # fmt: skip
SUMMARY_PROGRESS_FIELDS = ["id", "status", "last_visited_at", "content_notes_acknowledged_at",
                           "set_aside_at"]  # fmt: skip


def modules_with_progress(course: CoursePage, user, course_url: str | None = None, *,
                          shown_course: CoursePage | None = None):  # fmt: skip
    """The course's published modules in order (as ModuleSummary), each with `.my_progress`:
    this learner's record, or None. One query, whatever the size of the course.

    `course` is the original (where progress is kept, see courses.i18n); with `shown_course`, a
    copy in another language, titles, summaries and addresses come from the copy (one more
    query) while `pk` stays the original module's."""
    if shown_course is not None and shown_course.pk != course.pk:
        return _localized(modules_with_progress(course, user), shown_course)
    urls = {course.pk: course_url if course_url is not None else course.url}
    return outlines([course], user, urls=urls)[course.pk]


def outlines(
    courses, user, *, urls: dict[int, str] | None = None
) -> dict[int, list[ModuleSummary]]:
    """The published modules of several courses in order (as ModuleSummary), each with this
    learner's record (`.my_progress`, or None), by course pk: one query for all of them.
    `urls`: each course's address, when already known (else `course.url`)."""
    if not courses:
        return {}
    condition = Q()
    for course in courses:
        condition |= Q(path__startswith=course.path, depth=course.depth + 1)
    by_path = {course.path: course for course in courses}
    urls = {course.pk: (urls or {}).get(course.pk) or course.url for course in courses}
    modules = ModulePage.objects.live().filter(condition).order_by("path")
    fields, progress_fields = SUMMARY_FIELDS, SUMMARY_PROGRESS_FIELDS
    if user.is_authenticated:
        # The learner's record rides along on a LEFT JOIN: one query for the whole outline.
        modules = modules.annotate(
            mine=FilteredRelation("progress", condition=Q(progress__user=user))
        ).values_list("path", *fields, *[f"mine__{name}" for name in progress_fields])
    else:
        modules = modules.values_list("path", *fields)
    result: dict[int, list[ModuleSummary]] = {course.pk: [] for course in courses}
    for path, *row in modules:
        course = by_path.get(path[: -ModulePage.steplen])
        if course is None:
            continue
        values, record = row[: len(fields)], row[len(fields) :]
        summary = ModuleSummary(*values, url=f"{urls[course.pk]}{values[2]}/")
        mine = dict(zip(progress_fields, record, strict=True)) if record else {}
        if mine.get("id") is not None:
            summary.my_progress = ModuleProgress(
                user=user, module_id=summary.pk, course_id=course.pk, **mine
            )
        result[course.pk].append(summary)
    return result


@dataclass
class LearnerRecords:
    """One person's records about one course (the original): whether they are enrolled, their
    progress in each module (by module pk) and in the course."""

    enrolled: bool = False
    modules: dict[int, ModuleProgress] | None = None
    course: CourseProgress | None = None


def learner_records(user, course_id: int) -> LearnerRecords:
    """Enrolment, module progress and course progress of `user` in a course, in one query (none
    for someone signed out): one row, with the person's records on LEFT JOINs. Written in SQL:
    the ORM takes longer to build this one than the database to answer it."""
    if not user.is_authenticated:
        return LearnerRecords(modules={})
    from django.db import connection

    sql, module_fields, course_fields = _learner_records_sql(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [course_id, user.pk] * 3)
        rows = cursor.fetchall()
    records = LearnerRecords(modules={})
    split = 1 + len(module_fields)
    for row in rows:
        records.enrolled = bool(row[0])
        module_values, course_values = row[1:split], row[split:]
        if module_values[0] is not None:
            progress = _from_row(ModuleProgress, module_fields, module_values, connection)
            records.modules[progress.module_id] = progress
        if course_values[0] is not None and records.course is None:
            records.course = _from_row(CourseProgress, course_fields, course_values, connection)
    return records


_RECORDS_SQL: dict[str, tuple] = {}


def _learner_records_sql(connection) -> tuple[str, list, list]:
    found = _RECORDS_SQL.get(connection.vendor)
    if found is None:
        qn = connection.ops.quote_name
        module_fields = list(ModuleProgress._meta.concrete_fields)
        course_fields = list(CourseProgress._meta.concrete_fields)
        columns = [f"mp.{qn(f.column)}" for f in module_fields]
        columns += [f"cp.{qn(f.column)}" for f in course_fields]
        # Names from the models only, values as parameters.
        sql = (
            f"SELECT EXISTS(SELECT 1 FROM {qn(Enrolment._meta.db_table)} e "  # noqa: S608
            f"WHERE e.{qn('course_id')} = %s AND e.{qn('user_id')} = %s), {', '.join(columns)} "
            f"FROM (SELECT 1 AS one) base "
            f"LEFT JOIN {qn(ModuleProgress._meta.db_table)} mp "
            f"ON mp.{qn('course_id')} = %s AND mp.{qn('user_id')} = %s "
            f"LEFT JOIN {qn(CourseProgress._meta.db_table)} cp "
            f"ON cp.{qn('course_id')} = %s AND cp.{qn('user_id')} = %s"
        )
        found = _RECORDS_SQL[connection.vendor] = (sql, module_fields, course_fields)
    return found


_CONVERTERS: dict[tuple, list] = {}


def _from_row(model, fields, values, connection):
    """An instance from raw column values, converted as the ORM converts them (the backend's
    converters, then the field's)."""
    key = (connection.vendor, model)
    converters = _CONVERTERS.get(key)
    if converters is None:
        converters = []
        for model_field in fields:
            expression = model_field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(expression)
            found += expression.get_db_converters(connection)
            converters.append((expression, found))
        _CONVERTERS[key] = converters
    converted = []
    for (expression, found), value in zip(converters, values, strict=True):
        for converter in found:
            value = converter(value, expression, connection)
        converted.append(value)
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], converted)


def _localized(modules: list[ModuleSummary], shown_course: CoursePage) -> list[ModuleSummary]:
    if not modules:
        return modules
    copies = {
        row[0]: row[1:]
        for row in ModulePage.objects.live()
        .filter(path__startswith=shown_course.path, depth=shown_course.depth + 1,
                translation_key__in=[m.translation_key for m in modules])
        .values_list("translation_key", "title", "slug", "summary")
    }  # fmt: skip
    course_url = shown_course.url
    for summary in modules:
        copy = copies.get(summary.translation_key)
        if copy is not None:
            summary.title, summary.slug, summary.summary = copy
            summary.url = f"{course_url}{summary.slug}/"
    return modules


def completed_module_ids(modules) -> set[int]:
    return {
        m.pk for m in modules if m.my_progress and m.my_progress.status == ProgressStatus.COMPLETED
    }


def module_lock_reason(*, module: ModulePage, siblings, completed_ids) -> str | None:
    """Why this module is still locked for a learner, or None when it is open."""
    if not module.requires_previous:
        return None
    for sibling in siblings:
        if sibling.pk == module.pk:
            return None
        if sibling.required and sibling.pk not in completed_ids:
            return _("Complete “%(title)s” first.") % {"title": sibling.title}
    return None


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
        from training.templatetags.acompana import when

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
            kind=kind_for_block("quiz").name, score=score,
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
            kind=kind_for_block("reflection").name,
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


# --- H5P ----------------------------------------------------------------------------------------
@transaction.atomic
def h5p_activity_create(
    *, package, title: str, language: str, uploaded_by=None, in_background: bool = True,
    activity_uuid=None,
):  # fmt: skip
    """Keep the upload and prepare it, in the background unless the caller unpacks it itself
    (see courses.h5p.store). Checked before anything is written."""
    from .models import H5PActivity
    from .tasks import h5p_extract

    activity = H5PActivity(title=title, language=language, uploaded_by=uploaded_by)
    if activity_uuid is not None:
        activity.uuid = activity_uuid
    activity.full_clean(exclude=["package", "uuid"])
    activity.package.save(getattr(package, "name", "package.h5p").rsplit("/", 1)[-1], package,
                          save=False)  # fmt: skip
    activity.save()
    if in_background:
        h5p_extract.delay_on_commit(activity.pk)
    return activity


class H5PReviewError(Exception):
    pass


@transaction.atomic
def h5p_library_review(*, library, user, approve: bool):
    """An administrator approves (or rejects) a library candidate: recorded with who and when.

    One candidate of a version may be approved: approving it rejects the other candidates of the
    version still waiting (other files under the same name and version), recorded the same way.
    Raises H5PReviewError when another candidate of the version is already approved."""
    from .models import H5PLibrary

    library = H5PLibrary.objects.select_for_update().get(pk=library.pk)
    now = timezone.now()
    if approve:
        siblings = H5PLibrary.objects.select_for_update().filter(
            machine_name=library.machine_name, major_version=library.major_version,
            minor_version=library.minor_version, patch_version=library.patch_version,
        ).exclude(pk=library.pk)  # fmt: skip
        if siblings.filter(status=H5PLibrary.Status.APPROVED).exists():
            raise H5PReviewError(
                _("Other files of %(library)s are already approved. Reject them first.")
                % {"library": library}
            )
        siblings.filter(status=H5PLibrary.Status.PENDING).update(
            status=H5PLibrary.Status.REJECTED, reviewed_by=user, reviewed_at=now
        )
    library.status = H5PLibrary.Status.APPROVED if approve else H5PLibrary.Status.REJECTED
    library.reviewed_by = user
    library.reviewed_at = now
    library.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return library
