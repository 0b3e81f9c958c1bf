"""The quiz and reflection activity kinds (courses.activities): what each block shows a
learner, and what the learner does to it. Registered when the app is ready (courses.apps)."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import services
from .activities import (
    PASSED,
    REPLIER,
    ROWS,
    Action,
    ActionRequest,
    ActivityKind,
    queue_learner_rows,
    register,
    state_now,
)
from .models import ModuleProgress, ProgressStatus, QuizAttempt, Reflection
from .page_cache import partial

# Answers chosen in a quiz that was refused (module closed, expired form…), kept in the session
# so that the page shows them again.
QUIZ_DRAFT_KEY = "quiz-draft:{module}:{activity}"


class QuizKind(ActivityKind):
    name = "quiz"
    block_type = "quiz"
    label = _("Quiz")
    actions = {"submit": Action("submit")}

    def view(self, request, *, module, activity, state, completed, page):
        draft = request.session.get(QUIZ_DRAFT_KEY.format(module=module.pk, activity=activity.id))
        return quiz_view(activity, state, completed=completed, draft=draft)

    def submit(self, act: ActionRequest):
        """Grade one attempt (answers as `q-<question id>` fields, from the form or its script)."""
        request = act.request
        answers = {
            key[2:]: request.POST.getlist(key) for key in request.POST if key.startswith("q-")
        }
        draft_key = QUIZ_DRAFT_KEY.format(module=act.module.pk, activity=act.activity_id)
        try:
            submission_id = uuid.UUID(request.POST.get("submission_id", ""))
        except ValueError:
            submission_id = None
        try:
            if submission_id is None:
                raise services.LearningError(
                    gettext("The form has expired. Please reload the page.")
                )
            attempt = services.quiz_submit(
                user=act.user, module=act.module, course=act.course, activity_id=act.activity_id,
                answers=answers, submission_id=submission_id, content=act.shown,
            )  # fmt: skip
        except services.LearningError as error:
            # Keep what the person chose, so that nothing is lost when the page comes back.
            if any(answers.values()):
                request.session[draft_key] = answers
            return act.refuse(error, anchor=act.anchor)
        request.session.pop(draft_key, None)
        if attempt.passed:
            message = gettext("Well done: you passed this quiz.")
        else:
            message = gettext("Not quite yet. Read the feedback and try again.")
        if act.wants_json:
            # The words too: a page that sent the answers later (the device queue) shows them.
            return JsonResponse({"ok": True, "passed": attempt.passed, "score": str(attempt.score),
                                 "message": message,
                                 "module_completed": _module_completed(act)})  # fmt: skip
        (messages.success if attempt.passed else messages.info)(request, message)
        return act.back(act.anchor)

    def load_state(self, **arguments):
        return state_now(self, **arguments)

    def queue_state(self, together, *, user, module, activity_ids, content=None):
        """A QuizState per activity: how many attempts, whether any passed and the last one,
        read in one query whatever the number of attempts (not the attempts themselves)."""
        pending = queue_learner_rows(together, QuizAttempt, user, module, activity_ids,
                                     last_by="number")  # fmt: skip

        def state():
            found = {activity_id: QuizState() for activity_id in activity_ids}
            for last in pending.rows:
                found[last.activity_id] = QuizState(
                    count=getattr(last, ROWS), passed=getattr(last, PASSED), last=last
                )
            return found

        return state

    def completed_ids(self, state):
        return {key for key, quiz in state.items() if quiz.passed}


@dataclass(frozen=True)
class QuizState:
    """One learner's attempts at a quiz, summed up: `count` attempts, `passed` if any passed,
    `last` the last attempt (a QuizAttempt) or None."""

    count: int = 0
    passed: bool = False
    last: Any = None

    @classmethod
    def of(cls, attempts) -> "QuizState":
        """From the attempts, in order of their number."""
        attempts = list(attempts)
        return cls(
            count=len(attempts),
            passed=any(attempt.passed for attempt in attempts),
            last=attempts[-1] if attempts else None,
        )


def quiz_view(activity, attempts, *, completed: bool, draft: dict | None) -> dict:
    """What the quiz block shows. Correctness and feedback appear only after an attempt;
    which options are correct only once the quiz is passed or no attempt is left.
    `attempts`: the learner's QuizState (courses.activities), or their attempts in order."""
    if not isinstance(attempts, QuizState):
        attempts = QuizState.of(attempts or ())
    quiz = activity.value
    last = attempts.last
    passed = attempts.passed
    limit = quiz["max_attempts"] or None
    attempts_left = None if limit is None else max(limit - attempts.count, 0)
    can_attempt = attempts_left is None or attempts_left > 0 or passed
    reveal = passed or attempts_left == 0
    chosen_source = draft or (last.answers if last else {})
    questions = []
    for question in quiz["questions"]:
        chosen = set(chosen_source.get(question.id, []))
        last_chosen = set(last.answers.get(question.id, [])) if last else set()
        result = last.results.get(question.id) if last else None
        if question.block_type == "true_false":
            value = question.value
            raw_options = [
                ("true", _("True"), value["answer"] is True, value["feedback_true"]),
                ("false", _("False"), value["answer"] is False, value["feedback_false"]),
            ]
        else:
            raw_options = [
                (o.id, o.value["text"], o.value["is_correct"], o.value["feedback"])
                for o in question.value["options"].bound_blocks
            ]
        options = [
            {
                "id": option_id,
                "text": text,
                "checked": option_id in chosen,
                "feedback": feedback if option_id in last_chosen else "",
                "is_correct": is_correct if reveal else None,
            }
            for option_id, text, is_correct, feedback in raw_options
        ]
        questions.append(
            {
                "id": question.id,
                "text": question.value["text"],
                "multiple": question.block_type == "multiple_choice",
                "options": options,
                "correct": result["correct"] if result else None,
            }
        )
    return {
        "attempt_count": attempts.count,
        "last": last,
        "passed": passed,
        "completed": completed,
        "attempts_left": attempts_left,
        "can_attempt": can_attempt,
        "reveal": reveal,
        "questions": questions,
        "submission_id": uuid.uuid4(),
        "from_draft": bool(draft),
    }


def _module_completed(act: ActionRequest) -> bool:
    """Whether the learner has now completed the module (for a page that sent this later)."""
    return ModuleProgress.objects.filter(
        user=act.user, module=act.module, status=ProgressStatus.COMPLETED
    ).exists()


def reflection_view(activity, reflection, *, completed: bool) -> dict:
    return {
        "reflection": reflection,
        "text": reflection.text if reflection else "",
        "shared_with_trainers": bool(reflection and reflection.shared_with_trainers),
        "draft_differs": bool(
            reflection and reflection.submitted_at and reflection.text != reflection.submitted_text
        ),
        "submitted": bool(reflection and reflection.submitted_at),
        "completed": completed,
    }


class ReflectionKind(ActivityKind):
    name = "reflection"
    block_type = "reflection"
    label = _("Reflection")
    actions = {"save": Action("save")}

    def view(self, request, *, module, activity, state, completed, page):
        return reflection_view(activity, state, completed=completed)

    def save(self, act: ActionRequest):
        """Save a draft (the page's autosave, or "Save draft"), or submit (`action=submit`)."""
        request = act.request
        submit = request.POST.get("action") == "submit"
        try:
            reflection = services.reflection_save(
                user=act.user, module=act.module, course=act.course, activity_id=act.activity_id,
                text=request.POST.get("text", ""),
                shared_with_trainers=request.POST.get("shared_with_trainers") == "on",
                submit=submit, content=act.shown,
            )  # fmt: skip
        except services.LearningError as error:
            return act.refuse(error, anchor=act.anchor)
        if act.wants_json:
            return JsonResponse(
                {"ok": True, "saved_at": timezone.localtime(reflection.updated_at).isoformat(),
                 "submitted": reflection.submitted_at is not None,
                 "module_completed": submit and _module_completed(act)}
            )  # fmt: skip
        messages.success(
            request,
            gettext("Your reflection is submitted.") if submit else gettext("Your draft is saved."),
        )
        return act.back(act.anchor)

    def load_state(self, **arguments):
        return state_now(self, **arguments)

    def queue_state(self, together, *, user, module, activity_ids, content=None):
        # A trainer's answer shows who wrote it: their name rides along (REPLIER).
        pending = queue_learner_rows(together, Reflection, user, module, activity_ids,
                                     replier=True)  # fmt: skip

        def state():
            reflections = pending.rows
            if reflections:
                name = get_user_model()._meta.get_field("display_name")
                connection = connections[DEFAULT_DB_ALIAS]
                for reflection in reflections:
                    if reflection.replied_by_id is not None:
                        replier = name.from_db_value(getattr(reflection, REPLIER), None, connection)
                        reflection.replied_by = partial(
                            get_user_model(),
                            {"id": reflection.replied_by_id, "display_name": replier},
                        )
            return {reflection.activity_id: reflection for reflection in reflections}

        return state

    def completed_ids(self, state):
        return {key for key, reflection in state.items() if reflection.submitted_at}


register(QuizKind())
register(ReflectionKind())
