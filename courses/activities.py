"""The registry of activity kinds.

An activity is a block in a module's body that a learner completes (a quiz, a reflection, H5P
content). Each kind says which block type it is, whether an instance is required, how to load
one learner's state for a whole module in one query, what its block is given to render
(`view`), and what the learner can do to it (`actions`: each one reached at
`modules/<module_id>/activities/<activity_id>/<action>/`, courses.views.activity_action, after
the checks every action shares). Each kind decides its own completion: its action calls
`services.activity_complete` when the learner has done what the kind asks (passed the quiz,
submitted the reflection…).

Services and selectors import this module, so the kinds import them inside their methods.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Activity:
    id: str
    kind: "ActivityKind"
    value: Any = field(compare=False, repr=False)

    @property
    def required(self) -> bool:
        return self.kind.is_required(self.value)


@dataclass(frozen=True)
class Action:
    """Something a learner does to an activity: `handler`, the kind's method that answers it,
    given an ActionRequest.

    `method`: the HTTP method it answers. `module`: the module is checked first, as viewing it
    is (views._module_for_action), and handed over; off for the H5P player's calls, whose signed
    launch names the module (an xAPI statement costs 3 queries, none to spare). `atomic`: in one
    transaction, as the site's other requests are (ATOMIC_REQUESTS); off for an action that
    commits as it goes. `signed_out`: "login" sends a signed-out person to sign in; "json"
    answers 401 with a message the page shows (the player's calls, by fetch)."""

    handler: str
    method: str = "POST"
    module: bool = True
    atomic: bool = True
    signed_out: str = "login"


@dataclass
class ActionRequest:
    """One action's request: the learner's, the module and activity it names, and (for actions
    with `module`) the page acted on (perhaps a copy in the learner's language) with the
    original module and course where the work is recorded (courses.i18n)."""

    request: Any
    module_id: int
    activity_id: str
    shown: Any = None
    module: Any = None
    course: Any = None

    @property
    def user(self):
        return self.request.user

    @property
    def wants_json(self) -> bool:
        """The page's script asks for an answer in JSON; a plain form post gets the page back."""
        return "application/json" in self.request.headers.get("Accept", "")

    @property
    def anchor(self) -> str:
        return f"activity-{self.activity_id}"

    def back(self, anchor: str = "") -> HttpResponseRedirect:
        return HttpResponseRedirect(self.shown.url + (f"#{anchor}" if anchor else ""), status=303)

    def refuse(self, error, anchor: str = ""):
        if self.wants_json:
            return JsonResponse({"ok": False, "error": str(error)}, status=400)
        messages.error(self.request, str(error))
        return self.back(anchor)


class ActivityKind:
    """Subclass and `register()` to add a kind of activity."""

    name: str = ""
    block_type: str = ""
    label = ""
    # What a learner can do to one of these, by the action's name in the URL. A name belongs
    # to one kind (register() checks): the URL alone tells which kind answers, without a query.
    actions: dict[str, Action] = {}

    def is_required(self, value) -> bool:
        return bool(value.get("required", True))

    def view(self, request, *, module, activity, state, completed: bool, page: dict) -> dict:
        """What the block is given to render for this learner (`activity` in its context).
        `state`: this activity's, from load_state; `page`: the module page's context so far."""
        return {"completed": completed, "state": state}

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
                user_id=user.pk, module_id=module.pk, activity_id__in=activity_ids
            )
        }

    def completed_ids(self, state: dict[str, Any]) -> set[str]:
        """Which activities the state shows as completed (the services record both at once)."""
        return set(state)


_KINDS: dict[str, ActivityKind] = {}

# The SQL of `_learner_rows`, by shape: the ORM would compile the same query anew on every module
# page, a good part of its time.
_SQL: dict[tuple, str] = {}
REPLIER = "acompana_replier_name"
ROWS = "acompana_rows"
PASSED = "acompana_any_passed"


def _learner_rows(
    model, user, module, activity_ids, *, order_by=None, replier=False, last_by=None
) -> list:
    """`model.objects.filter(user=user, module=module, activity_id__in=activity_ids)` (ordered
    by `order_by`), as model instances, the columns converted as the ORM does. `replier`: with
    the display name of the user in `replied_by` (unconverted) as the attribute REPLIER.
    `last_by` (a field name): only the last row of each activity by that field, with the number
    of rows of the activity as the attribute ROWS and whether any of them `passed` as PASSED
    (window functions: one query whatever the number of rows)."""
    if not activity_ids:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    key = (model, connection.vendor, len(activity_ids), order_by, replier, last_by)
    prepared = _SQL.get(key)
    if prepared is None:
        prepared = _SQL[key] = _learner_sql(
            connection, model, len(activity_ids), order_by, replier, last_by
        )
    sql, converters = prepared
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, module.pk, *activity_ids])
        rows = cursor.fetchall()
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]
    result = []
    for row in rows:
        values = list(row)
        for index, functions, expression in converters:
            value = values[index]
            for function in functions:
                value = function(value, expression, connection)
            values[index] = value
        instance = model.from_db(DEFAULT_DB_ALIAS, names, values[: len(fields)])
        if replier:
            setattr(instance, REPLIER, values[len(fields)])
        if last_by:
            setattr(instance, ROWS, int(values[len(fields)]))
            setattr(instance, PASSED, bool(values[len(fields) + 1]))
        result.append(instance)
    return result


def _learner_sql(connection, model, count, order_by, replier, last_by=None):
    quote, table = connection.ops.quote_name, connection.ops.quote_name(model._meta.db_table)
    fields = model._meta.concrete_fields
    columns = [f"{table}.{quote(f.column)}" for f in fields]
    joins = ""
    if replier:
        people = get_user_model()
        name = quote(people._meta.get_field("display_name").column)
        joins = (
            f" LEFT OUTER JOIN {quote(people._meta.db_table)} {quote('replier')} ON "
            f"{quote('replier')}.{quote(people._meta.pk.column)} = "
            f"{table}.{quote(model._meta.get_field('replied_by').column)}"
        )
        columns.append(f"{quote('replier')}.{name}")
    field = model._meta.get_field
    # Names from the models, values as parameters.
    sql = (
        f"SELECT {', '.join(columns)} FROM {table}{joins} "  # noqa: S608
        f"WHERE {table}.{quote(field('user').column)} = %s "
        f"AND {table}.{quote(field('module').column)} = %s "
        f"AND {table}.{quote(field('activity_id').column)} IN ({', '.join(['%s'] * count)})"
    )
    if last_by:
        # The last row of each activity, with the activity's count and whether any passed.
        assert not (order_by or replier), "last_by goes alone"  # noqa: S101
        activity = f"{table}.{quote(field('activity_id').column)}"
        window = f"PARTITION BY {activity}"
        pk = f"{table}.{quote(model._meta.pk.column)}"
        last = f"{table}.{quote(field(last_by).column)} DESC, {pk} DESC"
        passed = f"{table}.{quote(field('passed').column)}"
        head, rest = sql.split(" FROM ", 1)
        sql = (
            f"{head}, COUNT(*) OVER ({window}) AS {quote('acompana_rows')}, "
            f"MAX(CASE WHEN {passed} THEN 1 ELSE 0 END) OVER ({window}) "
            f"AS {quote('acompana_passed')}, "
            f"ROW_NUMBER() OVER ({window} ORDER BY {last}) AS {quote('acompana_rank')} "
            f"FROM {rest}"
        )
        outer = [quote(f.column) for f in fields]
        outer += [quote("acompana_rows"), quote("acompana_passed")]
        sql = (
            f"SELECT {', '.join(outer)} FROM ({sql}) {quote('acompana_last')} "  # noqa: S608
            f"WHERE {quote('acompana_rank')} = 1"
        )
    if order_by:
        sql += f" ORDER BY {table}.{quote(field(order_by).column)}"
    # What the ORM's compiler applies to each column (SQLCompiler.get_converters).
    converters = []
    for index, f in enumerate(fields):
        expression = f.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(expression) + expression.get_db_converters(
            connection
        )
        if functions:
            converters.append((index, functions, expression))
    return sql, converters


_ACTIONS: dict[str, ActivityKind] = {}


def register(kind: ActivityKind) -> ActivityKind:
    for name, action in kind.actions.items():
        other = _ACTIONS.get(name)
        if other is not None and other.block_type != kind.block_type:
            raise ImproperlyConfigured(
                f"The activity action {name!r} of {kind.name!r} is already {other.name!r}'s."
            )
        if not callable(getattr(kind, action.handler, None)):
            raise ImproperlyConfigured(f"{kind.name!r} has no method {action.handler!r}.")
    _KINDS[kind.block_type] = kind
    for name in kind.actions:
        _ACTIONS[name] = kind
    return kind


def kind_for_block(block_type: str) -> ActivityKind | None:
    return _KINDS.get(block_type)


def kind_for_action(action: str) -> tuple[ActivityKind, Action] | None:
    """The kind that answers this action, and the action; None for an action nobody offers."""
    kind = _ACTIONS.get(action)
    return None if kind is None else (kind, kind.actions[action])


def activities_in(module) -> list[Activity]:
    """The module's activities, in body order. The block types are read from the stored JSON:
    only the activities' blocks are turned into Python values, never the text, headings and
    images around them (their HTML is cached; converting them cost about 0.5 ms a page)."""
    body = module.body
    result = []
    for index, raw in enumerate(body.raw_data):
        kind = _KINDS.get(raw["type"])
        if kind is not None:
            child = body[index]
            result.append(Activity(id=child.id, kind=kind, value=child.value))
    return result


# Answers chosen in a quiz that was refused (module closed, expired form…), kept in the session
# so that the page shows them again.
QUIZ_DRAFT_KEY = "quiz-draft:{module}:{activity}"


class QuizKind(ActivityKind):
    name = "quiz"
    block_type = "quiz"
    label = _("Quiz")
    actions = {"submit": Action("submit")}

    def view(self, request, *, module, activity, state, completed, page):
        from .selectors import quiz_view

        draft = request.session.get(QUIZ_DRAFT_KEY.format(module=module.pk, activity=activity.id))
        return quiz_view(activity, state, completed=completed, draft=draft)

    def submit(self, act: ActionRequest):
        """Grade one attempt (answers as `q-<question id>` fields, from the form or its script)."""
        import uuid

        from . import services

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
        if act.wants_json:
            return JsonResponse({"ok": True, "passed": attempt.passed, "score": str(attempt.score)})
        if attempt.passed:
            messages.success(request, gettext("Well done: you passed this quiz."))
        else:
            messages.info(request, gettext("Not quite yet. Read the feedback and try again."))
        return act.back(act.anchor)

    def load_state(self, *, user, module, activity_ids, content=None):
        """A QuizState per activity: how many attempts, whether any passed and the last one,
        read in one query whatever the number of attempts (not the attempts themselves)."""
        from .models import QuizAttempt

        state = {activity_id: QuizState() for activity_id in activity_ids}
        for last in _learner_rows(QuizAttempt, user, module, activity_ids, last_by="number"):
            state[last.activity_id] = QuizState(
                count=getattr(last, ROWS), passed=getattr(last, PASSED), last=last
            )
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


class ReflectionKind(ActivityKind):
    name = "reflection"
    block_type = "reflection"
    label = _("Reflection")
    actions = {"save": Action("save")}

    def view(self, request, *, module, activity, state, completed, page):
        from .selectors import reflection_view

        return reflection_view(activity, state, completed=completed)

    def save(self, act: ActionRequest):
        """Save a draft (the page's autosave, or "Save draft"), or submit (`action=submit`)."""
        from . import services

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
                 "submitted": reflection.submitted_at is not None}
            )  # fmt: skip
        messages.success(
            request,
            gettext("Your reflection is submitted.") if submit else gettext("Your draft is saved."),
        )
        return act.back(act.anchor)

    def load_state(self, *, user, module, activity_ids, content=None):
        from .models import Reflection
        from .page_cache import partial

        # A trainer's answer shows who wrote it: their name rides along (REPLIER).
        reflections = _learner_rows(Reflection, user, module, activity_ids, replier=True)
        if reflections:
            name = get_user_model()._meta.get_field("display_name")
            connection = connections[DEFAULT_DB_ALIAS]
            for reflection in reflections:
                if reflection.replied_by_id is not None:
                    replier = name.from_db_value(getattr(reflection, REPLIER), None, connection)
                    reflection.replied_by = partial(
                        get_user_model(), {"id": reflection.replied_by_id, "display_name": replier}
                    )
        return {reflection.activity_id: reflection for reflection in reflections}

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
    # The player's calls (static/js/h5p.js): statements and saved state come with the signed
    # launch that names the module (courses/h5p/xapi.py checks it), each committing as it goes;
    # a fresh launch is asked for as the page is, with the module checked.
    actions = {
        "xapi": Action("xapi", module=False, atomic=False, signed_out="json"),
        "state": Action("state", module=False, atomic=False, signed_out="json"),
        "launch": Action("launch", method="GET", signed_out="json"),
    }

    # The H5P parts of the page and the player's calls live with the module page's views
    # (courses.views), which import this module.
    def view(self, request, *, module, activity, state, completed, page):
        from .views import h5p_view

        return h5p_view(request, module, activity, state, completed=completed,
                        enrolled=page["progress"] is not None, playable=page["playable_h5p"],
                        weights=page.get("h5p_weights"),
                        result=page.get("h5p_results", {}).get(activity.id))  # fmt: skip

    def xapi(self, act: ActionRequest):
        from .views import h5p_xapi_answer

        return h5p_xapi_answer(act)

    def state(self, act: ActionRequest):
        from .views import h5p_state_answer

        return h5p_state_answer(act)

    def launch(self, act: ActionRequest):
        from .views import h5p_launch_answer

        return h5p_launch_answer(act)

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
                user_id=user.pk, module_id=module.pk, activity_id__in=activity_ids
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
