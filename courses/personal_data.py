"""What courses keep about a person: enrolments, progress, quiz attempts, reflections and H5P
results, declared in the privacy registry (training/privacy.py).

Exports return JSON-ready dicts (ISO times in the active time zone); modules and courses are
named by their page titles. Completion facts are kept without a name after an account is
deleted (counts stay right); what the person wrote or answered is deleted.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from training.i18n import active_language, locale_id_for
from training.privacy import (
    Declaration,
    Erase,
    Retention,
    declare,
    iso,
    not_personal,
    shown_name,
)

from .activities import kinds
from .models import (
    ActivityCompletion,
    CourseProgress,
    Enrolment,
    H5PActivity,
    H5PLibrary,
    H5PState,
    H5PStatement,
    ModulePage,
    ModuleProgress,
    QuizAttempt,
    Reflection,
)


def _number(value) -> float | None:
    return None if value is None else float(value)


def _title(page) -> str | None:
    return page.title if page is not None else None


def _export_enrolments(person) -> list[dict]:
    rows = Enrolment.objects.filter(user=person).select_related("course").order_by("created_at")
    return [
        {"course": r.course.title, "source": r.source, "created_at": iso(r.created_at)}
        for r in rows
    ]


def _export_module_progress(person) -> list[dict]:
    rows = (
        ModuleProgress.objects.filter(user=person)
        .select_related("module", "course")
        .order_by("started_at")
    )
    return [
        {
            "course": r.course.title,
            "module": r.module.title,
            "status": r.get_status_display(),
            "started_at": iso(r.started_at),
            "last_visited_at": iso(r.last_visited_at),
            "completed_at": iso(r.completed_at),
            "marked_done": r.marked_done,
            "content_notes_acknowledged_at": iso(r.content_notes_acknowledged_at),
            "set_aside_at": iso(r.set_aside_at),
        }
        for r in rows
    ]


def _export_completions(person) -> list[dict]:
    rows = (
        ActivityCompletion.objects.filter(user=person)
        .select_related("module")
        .order_by("completed_at")
    )
    return [
        {
            "module": r.module.title,
            "activity_id": r.activity_id,
            "kind": r.kind,
            "score": _number(r.score),
            "completed_at": iso(r.completed_at),
        }
        for r in rows
    ]


def _export_course_progress(person) -> list[dict]:
    rows = CourseProgress.objects.filter(user=person).select_related("course", "last_module")
    return [
        {
            "course": r.course.title,
            "last_module": _title(r.last_module),
            "last_activity_at": iso(r.last_activity_at),
            "completed_at": iso(r.completed_at),
        }
        for r in rows.order_by("pk")
    ]


NO_LONGER_IN_THE_MODULE = _("(no longer in the module)")


def _copies_in_active_language(modules) -> dict:
    """{translation_key: the module's copy in the active language} (one query; none when the
    active language has no locale). Block ids are kept across a module's language copies, so a
    copy reads the questions and answers of an attempt made on any of them."""
    locale_id = locale_id_for(active_language())
    if locale_id is None or not modules:
        return {}
    copies = ModulePage.objects.filter(
        translation_key__in={m.translation_key for m in modules}, locale_id=locale_id
    )
    return {copy.translation_key: copy for copy in copies}


def _quiz_in(page, activity_id):
    for block in page.body:
        if block.id == activity_id and block.block_type == "quiz":
            return block.value
    return None


def _question_rows(quiz, attempt) -> list[dict]:
    """Each question answered: its text and the chosen answers' texts, read from the quiz block
    (ids kept for programs); a question or answer since removed from the module says so."""
    questions = {block.id: block for block in quiz["questions"]} if quiz is not None else {}
    answered = attempt.answers if isinstance(attempt.answers, dict) else {}
    order = [key for key in questions if key in answered]
    order += [key for key in answered if key not in questions]
    rows = []
    for key in order:
        chosen = [str(choice) for choice in answered[key] or []]
        question = questions.get(key)
        if question is None:
            text, options = None, {}
        elif question.block_type == "true_false":
            text, options = question.value["text"], {"true": _("True"), "false": _("False")}
        else:
            text = question.value["text"]
            options = {o.id: o.value["text"] for o in question.value["options"].bound_blocks}
        result = attempt.results.get(key) if isinstance(attempt.results, dict) else None
        right = result.get("correct") if isinstance(result, dict) else result
        rows.append({
            "question_id": key,
            "question": str(text) if text is not None else str(NO_LONGER_IN_THE_MODULE),
            "answer_ids": chosen,
            "answers": [str(options.get(choice, NO_LONGER_IN_THE_MODULE)) for choice in chosen],
            "right": right if isinstance(right, bool) else None,
        })  # fmt: skip
    return rows


def _export_quiz_attempts(person) -> list[dict]:
    """Each attempt with, per question, the question and the chosen answers in words (in the
    archive's language: the module's copy in it, else the module as the attempt recorded it)."""
    rows = list(
        QuizAttempt.objects.filter(user=person)
        .select_related("module")
        .order_by("created_at", "number")
    )
    modules = {r.module_id: r.module for r in rows}  # each body read once, however many rows
    copies = _copies_in_active_language(modules.values())
    quizzes: dict = {}

    def quiz_of(page, activity_id):
        if (page.pk, activity_id) not in quizzes:
            quizzes[page.pk, activity_id] = _quiz_in(page, activity_id)
        return quizzes[page.pk, activity_id]

    exported = []
    for r in rows:
        page = modules[r.module_id]
        quiz = None
        copy = copies.get(page.translation_key)
        if copy is not None:
            quiz = quiz_of(copy, r.activity_id)
            page = copy if quiz is not None else page
        if quiz is None:
            quiz = quiz_of(modules[r.module_id], r.activity_id)
        exported.append({
            "module": page.title,
            "quiz": quiz["title"] if quiz is not None else None,
            "activity_id": r.activity_id,
            "number": r.number,
            "score": _number(r.score),
            "passed": r.passed,
            "created_at": iso(r.created_at),
            "questions": _question_rows(quiz, r),
        })  # fmt: skip
    return exported


def _export_reflections(person) -> list[dict]:
    rows = (
        Reflection.objects.filter(user=person)
        .select_related("module", "replied_by")
        .order_by("updated_at")
    )
    return [
        {
            "module": r.module.title,
            "activity_id": r.activity_id,
            "text": r.text,  # the draft as it stands now
            "submitted_text": r.submitted_text,
            "submitted_at": iso(r.submitted_at),
            "shared_with_trainers": r.shared_with_trainers,
            "updated_at": iso(r.updated_at),
            "reply": r.reply,
            "replied_by": shown_name(r.replied_by),
            "replied_at": iso(r.replied_at),
        }
        for r in rows
    ]


def _export_statements(person):
    rows = (
        H5PStatement.objects.filter(user=person)
        .select_related("module", "h5p_activity")
        .order_by("stored_at")
    )
    for r in rows.iterator(chunk_size=500):
        yield {
            "module": r.module.title,
            "activity_id": r.activity_id,
            "h5p_activity": r.h5p_activity.title,
            "verb": r.verb,
            "sub_content_id": r.sub_content_id,
            "score_scaled": _number(r.score_scaled),
            "counted": r.counted,
            "raw": r.raw,
            "stored_at": iso(r.stored_at),
        }


def _export_h5p_states(person) -> list[dict]:
    rows = H5PState.objects.filter(user=person).select_related("h5p_activity").order_by("pk")
    return [
        {"h5p_activity": r.h5p_activity.title, "data": r.data, "updated_at": iso(r.updated_at)}
        for r in rows
    ]


def _export_libraries(person) -> list[dict]:
    rows = H5PLibrary.objects.filter(Q(uploaded_by=person) | Q(reviewed_by=person))
    return [
        {
            "title": f"{r.machine_name} {r.version}",
            "uploaded_by_you": r.uploaded_by_id == person.pk,
            "reviewed_by_you": r.reviewed_by_id == person.pk,
            "status": r.get_status_display(),
            "created_at": iso(r.created_at),
            "reviewed_at": iso(r.reviewed_at) if r.reviewed_by_id == person.pk else None,
        }
        for r in rows.order_by("created_at")
    ]


def _export_activities(person) -> list[dict]:
    rows = H5PActivity.objects.filter(uploaded_by=person).order_by("created_at")
    return [{"title": r.title, "created_at": iso(r.created_at)} for r in rows]


def _kind_label(name):
    labels = {kind.name: kind.label for kind in kinds()}
    return labels.get(name, name)


LEARNING_SEEN_BY = _(
    "You, the trainers of your cohorts, coordinators (when they check certification) and "
    "administrators."
)
FACTS_KEPT = _(
    "These records stay, without your name, under “Former member”, so that the numbers of "
    "people who enrolled in and completed each course stay right."
)

declare(
    Declaration(
        model="courses.Enrolment",
        category="learning",
        title=_("Your courses"),
        shows={
            "source": {
                "manual": _("You enrolled"),
                "cohort": _("Through a cohort"),
                "demo": _("Demonstration"),
            }
        },
        labels={"source": _("How")},
        holds=_("The courses you are enrolled in, and since when."),
        purpose=_("To open a course's modules to you and follow your progress through it."),
        seen_by=LEARNING_SEEN_BY,
        export=_export_enrolments,
        erase=Erase.KEEP,
        kept_because=FACTS_KEPT,
    ),
    Declaration(
        model="courses.ModuleProgress",
        category="learning",
        title=_("Your progress in each module"),
        labels={
            "last_visited_at": _("Last visited"),
            "marked_done": _("Marked as done"),
            "content_notes_acknowledged_at": _("Content notes read"),
            "set_aside_at": _("Set aside"),
        },
        holds=_(
            "For each module you opened: when you started, last visited and completed it, and "
            "whether you read or set aside its content notes."
        ),
        purpose=_("To show where you are in a course, let you continue, and count completions."),
        seen_by=LEARNING_SEEN_BY,
        export=_export_module_progress,
        erase=Erase.KEEP,
        kept_because=FACTS_KEPT,
    ),
    Declaration(
        model="courses.ActivityCompletion",
        category="learning",
        title=_("Activities you completed"),
        shows={"kind": _kind_label},
        holds=_("The activities you completed in each module, with their score, and when."),
        purpose=_("To know when a module is complete and whether a certification's needs are met."),
        seen_by=LEARNING_SEEN_BY,
        export=_export_completions,
        erase=Erase.KEEP,
        kept_because=FACTS_KEPT,
    ),
    Declaration(
        model="courses.CourseProgress",
        category="learning",
        title=_("Your progress in each course"),
        labels={"last_module": _("Last module"), "last_activity_at": _("Last active")},
        holds=_("For each course: the module you were last in, and when you completed it."),
        purpose=_("To bring you back where you left off and count course completions."),
        seen_by=LEARNING_SEEN_BY,
        export=_export_course_progress,
        erase=Erase.KEEP,
        kept_because=FACTS_KEPT,
    ),
    Declaration(
        model="courses.QuizAttempt",
        category="learning",
        title=_("Quizzes you submitted"),
        labels={
            "quiz": _("Quiz"),
            "number": _("Attempt"),
            "passed": _("Passed"),
            "questions": _("Your answers"),
            "question": _("Question"),
            "answers": _("You answered"),
            "right": _("Right"),
        },
        holds=_("Each quiz you submitted: your answers, which were right, your score."),
        purpose=_("To grade your quizzes, show you your results and count attempts."),
        seen_by=LEARNING_SEEN_BY,
        names_person=("answers",),
        export=_export_quiz_attempts,
    ),
    Declaration(
        model="courses.Reflection",
        category="learning",
        title=_("Your reflections"),
        labels={
            "text": _("Draft"),
            "submitted_text": _("Submitted text"),
            "shared_with_trainers": _("Shared with your trainers"),
            "reply": _("Your trainer's answer"),
            "replied_by": _("Answered by"),
            "replied_at": _("Answered"),
        },
        holds=_(
            "Your reflections: the draft you are writing and the text you submitted, "
            "whether you shared it with your trainers, and a trainer's answer to one you shared."
        ),
        purpose=_("A private journal for your learning: trainers read it only if you share it."),
        seen_by=_(
            "You, and your cohort's trainers for a reflection you chose to share (a trainer's "
            "answer: only you and your cohort's trainers)."
        ),
        actors=("replied_by",),
        names_person=("text", "submitted_text", "reply"),
        export=_export_reflections,
    ),
    Declaration(
        model="courses.H5PStatement",
        category="learning",
        title=_("Results of interactive activities"),
        labels={
            "h5p_activity": _("Interactive activity"),
            "verb": _("What happened"),
            "score_scaled": _("Score (0 to 1)"),
            "counted": _("Counted for completion"),
            "raw": _("As the activity sent it"),
            "stored_at": _("Received"),
        },
        holds=_(
            "What the interactive (H5P) activities reported as you used them: answers, scores, "
            "times."
        ),
        purpose=_("To record that you completed an activity, and to check that record if asked."),
        seen_by=_("Administrators."),
        retention=Retention(
            days_setting="ACOMPANA_H5P_STATEMENT_DAYS",
            after=_("after they arrive (the completion they led to stays with your progress)"),
            task="courses.tasks.h5p_statements_purge",
        ),
        export=_export_statements,
    ),
    Declaration(
        model="courses.H5PState",
        category="learning",
        title=_("Where you left interactive activities"),
        labels={"h5p_activity": _("Interactive activity")},
        holds=_("Where you were in each interactive (H5P) activity."),
        purpose=_("To let you continue an activity where you left it."),
        seen_by=_("Nobody: only the activity reads it back for you."),
        names_person=("data",),
        export=_export_h5p_states,
    ),
    Declaration(
        model="courses.H5PLibrary",
        category="staff",
        title=_("H5P libraries you uploaded or reviewed"),
        labels={
            "uploaded_by_you": _("Uploaded by you"),
            "reviewed_by_you": _("Reviewed by you"),
            "reviewed_at": _("Reviewed"),
        },
        holds=_("Which H5P libraries you uploaded or reviewed."),
        purpose=_(
            "So that administrators know who brought and approved code that runs in activities."
        ),
        seen_by=_("Editors and administrators."),
        person=("uploaded_by",),
        actors=("reviewed_by",),
        export=_export_libraries,
        erase=Erase.KEEP,
        kept_because=_(
            "It is part of the organisation's record of its own content: it stays, and shows "
            "“Former member” instead of your name."
        ),
    ),
    Declaration(
        model="courses.H5PActivity",
        category="staff",
        title=_("Interactive activities you uploaded"),
        holds=_("Which interactive (H5P) activities you uploaded."),
        purpose=_("So that editors know who brought an activity into the course content."),
        seen_by=_("Editors and administrators."),
        person=("uploaded_by",),
        export=_export_activities,
        erase=Erase.KEEP,
        kept_because=_(
            "It is part of the organisation's record of its own content: it stays, and shows "
            "“Former member” instead of your name."
        ),
    ),
)

# Course content, written by editors for everyone: nothing about a person.
for _label in ("courses.CoursePage.content_notes", "courses.ModulePage.content_notes"):
    not_personal(_label, "Content warnings written by editors about the course material.")
not_personal("courses.Topic.name", "The name of a subject courses are filed under.")
not_personal("courses.TopicName.name", "A subject's name in another language.")
