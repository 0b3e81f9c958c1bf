"""The registry of activity kinds.

An activity is a block in a module's body that a learner completes (a quiz, a reflection, H5P
content). Each kind says which block type it is, whether an instance is required, how to load
one learner's state for a whole module in one query, what its block is given to render
(`view`), and what the learner can do to it (`actions`: each one reached at
`modules/<module_id>/activities/<activity_id>/<action>/`, courses.views.activity_action, after
the checks every action shares). Each kind decides its own completion: its action calls
`services.activity_complete` when the learner has done what the kind asks (passed the quiz,
submitted the reflection…).

This module is the registry only, below the models (they import it, and a kind may define its
block with it, as courses.acknowledge does: the module body's StreamField holds the blocks). The
kinds are modules of their own: courses.kinds (quiz, reflection), courses.acknowledge,
courses.h5p.activity; a kind whose module the models do not import is imported when the app is
ready (courses.apps).
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponseRedirect, JsonResponse

from training.prepared import Pending, Together, read_now


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

    def page_context(self, request, *, module, activities, progress) -> dict:
        """What this kind reads once for all its blocks on a module page (`module`, the record;
        `activities`, the page's), before any block's `view`; it joins the page's context."""
        return {}

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
        # Kinds' blocks are part of the models' StreamField (courses.blocks imports kinds that
        # define their block with them, as courses.acknowledge does): models load after this.
        from .models import ActivityCompletion  # noqa: PLC0415 — models import this module

        return {
            c.activity_id: c
            for c in ActivityCompletion.objects.filter(
                user_id=user.pk, module_id=module.pk, activity_id__in=activity_ids
            )
        }

    def queue_state(self, together: Together, *, user, module, activity_ids, content=None):
        """`load_state` in two steps, so that a module page reads every kind's state in one
        round trip (training.prepared.Together): queue the reads in `together` and return a
        function that gives the state once they have run. The default reads then, on its own
        (load_state); a kind that can queue its reads overrides both (`state_now`)."""

        def later():
            return self.load_state(user=user, module=module, activity_ids=activity_ids,
                                   content=content)  # fmt: skip

        return later

    def completed_ids(self, state: dict[str, Any]) -> set[str]:
        """Which activities the state shows as completed (the services record both at once)."""
        return set(state)


_KINDS: dict[str, ActivityKind] = {}

# The SQL of `queue_learner_rows`, by shape: the ORM would compile the same query anew on every
# module page, a good part of its time.
_SQL: dict[tuple, str] = {}
REPLIER = "acompana_replier_name"
ROWS = "acompana_rows"
PASSED = "acompana_any_passed"


def queue_learner_rows(
    together: Together,
    model,
    user,
    module,
    activity_ids,
    *,
    order_by=None,
    replier=False,
    last_by=None,
) -> Pending:
    """`model.objects.filter(user=user, module=module, activity_id__in=activity_ids)` (ordered
    by `order_by`) as model instances, the columns converted as the ORM does, read with the other
    reads of `together` (the Pending's `rows` once they have run). `replier`: with the display
    name of the user in `replied_by` (unconverted) as the attribute REPLIER. `last_by` (a field
    name): only the last row of each activity by that field, with the number of rows of the
    activity as the attribute ROWS and whether any of them `passed` as PASSED (window functions:
    one query whatever the number of rows)."""
    if not activity_ids:
        return together.done([])
    connection = connections[together.using]
    key = (model, connection.vendor, len(activity_ids), order_by, replier, last_by)
    prepared = _SQL.get(key)
    if prepared is None:
        prepared = _SQL[key] = _learner_sql(
            connection, model, len(activity_ids), order_by, replier, last_by
        )
    sql, converters = prepared
    fields = model._meta.concrete_fields
    names = [f.attname for f in fields]

    def instances(rows):
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

    return together.sql(sql, [user.pk, module.pk, *activity_ids], finish=instances)


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


def state_now(kind: ActivityKind, **arguments) -> dict[str, Any]:
    """A kind's `load_state` when it overrides `queue_state`: its reads queued, then run."""
    return read_now(kind.queue_state, **arguments)


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


def kinds() -> list[ActivityKind]:
    """Every registered kind."""
    return list(_KINDS.values())


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
