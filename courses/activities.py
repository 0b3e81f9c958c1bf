"""The registry of activity kinds.

An activity is a block in a module's body that a learner completes (a quiz, a reflection, and
H5P content in a later issue). Each kind says which block type it is, whether an instance is
required, and how to load one learner's state for a whole module in one query. Each kind
decides its own completion: its service calls `services.activity_complete` when the learner has
done what the kind asks (passed the quiz, submitted the reflection…). A new kind registers
itself here and touches nothing else.
"""

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Activity:
    id: str
    kind: "ActivityKind"
    value: Any = field(compare=False, repr=False)

    @property
    def required(self) -> bool:
        return self.kind.is_required(self.value)


class ActivityKind:
    """Subclass and `register()` to add a kind of activity."""

    name: str = ""
    block_type: str = ""
    label = ""

    def is_required(self, value) -> bool:
        return bool(value.get("required", True))

    def load_state(self, *, user, module, activity_ids, content=None) -> dict[str, Any]:
        """One learner's state for these activities of a module, keyed by activity id.
        `module` is the record (the original, where progress is kept); `content` the copy the
        learner is shown, if another (courses.i18n).

        The default reads the completion records; kinds with richer state override it.
        """
        from .models import ActivityCompletion

        return {
            c.activity_id: c
            for c in ActivityCompletion.objects.filter(
                user=user, module=module, activity_id__in=activity_ids
            )
        }

    def completed_ids(self, state: dict[str, Any]) -> set[str]:
        """Which activities the state shows as completed (the services record both at once)."""
        return set(state)


_KINDS: dict[str, ActivityKind] = {}


def register(kind: ActivityKind) -> ActivityKind:
    _KINDS[kind.block_type] = kind
    return kind


def kind_for_block(block_type: str) -> ActivityKind | None:
    return _KINDS.get(block_type)


def activities_in(module) -> list[Activity]:
    result = []
    for child in module.body:
        kind = _KINDS.get(child.block_type)
        if kind is not None:
            result.append(Activity(id=child.id, kind=kind, value=child.value))
    return result


class QuizKind(ActivityKind):
    name = "quiz"
    block_type = "quiz"
    label = _("Quiz")

    def load_state(self, *, user, module, activity_ids, content=None):
        from .models import QuizAttempt

        state = {activity_id: [] for activity_id in activity_ids}
        for attempt in QuizAttempt.objects.filter(
            user=user, module=module, activity_id__in=activity_ids
        ).order_by("number"):
            state[attempt.activity_id].append(attempt)
        return state

    def completed_ids(self, state):
        return {key for key, attempts in state.items() if any(a.passed for a in attempts)}


class ReflectionKind(ActivityKind):
    name = "reflection"
    block_type = "reflection"
    label = _("Reflection")

    def load_state(self, *, user, module, activity_ids, content=None):
        from .models import Reflection

        return {
            reflection.activity_id: reflection
            for reflection in Reflection.objects.filter(
                user=user, module=module, activity_id__in=activity_ids
            ).select_related("replied_by")  # a trainer's answer shows who wrote it
        }

    def completed_ids(self, state):
        return {key for key, reflection in state.items() if reflection.submitted_at}


@dataclass(frozen=True)
class H5PProgress:
    completion: Any  # ActivityCompletion or None
    state: str | None  # the player's saved state (JSON), to resume


class H5PKind(ActivityKind):
    """H5P content: completed by the statements its player sends (courses/h5p/xapi.py)."""

    name = "h5p"
    block_type = "h5p"
    label = _("H5P activity")

    def load_state(self, *, user, module, activity_ids, content=None):
        from .models import ActivityCompletion, H5PState

        # The state is the player's, of the activity the learner plays: the copy in their
        # language may play another one (the exercise in that language).
        shown = content or module
        uuids = {
            a.id: str(a.value["activity"]) for a in shown.activities if a.id in set(activity_ids)
        }
        completions = {
            c.activity_id: c
            for c in ActivityCompletion.objects.filter(
                user=user, module=module, activity_id__in=activity_ids
            )
        }
        states = {
            str(key): data
            for key, data in H5PState.objects.filter(
                user=user, h5p_activity__uuid__in=set(uuids.values())
            ).values_list("h5p_activity__uuid", "data")
        }
        return {
            key: H5PProgress(completions.get(key), states.get(uuids.get(key)))
            for key in activity_ids
        }

    def completed_ids(self, state):
        return {key for key, progress in state.items() if progress.completion is not None}


register(QuizKind())
register(ReflectionKind())
register(H5PKind())
