"""xAPI statements from the H5P player, and the completion the server can defend.

Scores come from the browser, so the server decides what it can: who the learner is (the
session, never the statement), which launch the statement belongs to (a signed, short-lived
token bound to learner, module block and activity), what it is about (the object IRI issued at
launch, or a part of the content that really exists), and which statements can complete which
kind of content (a child question's `answered` never completes a question set). Each statement
is stored once, by its id, and kept for audit for ACOMPANA_H5P_STATEMENT_DAYS: only what the
audit needs of it (`statement_kept`, a few KB at most), and past a learner's daily quota
(ACOMPANA_H5P_STATEMENTS_PER_DAY) only a statement that completes the activity.

The module page (static/js/h5p.js) receives statements from the player frame, checks their
origin, gives each an id and this learner's actor, and posts them here.

This module is the rules only, without the database, the cache or tasks: launches, parsing,
what is kept of a statement, what completes what. Storing a statement, the learner's resume
state and the quotas are courses/h5p/services.py.
"""

import json
import math
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from training.errors import ServiceError

from .content_types import Completion

VERBS = "http://adlnet.gov/expapi/verbs/"
ANSWERED = VERBS + "answered"
COMPLETED = VERBS + "completed"
PROGRESSED = VERBS + "progressed"
EXPERIENCED = VERBS + "experienced"
INTERACTED = VERBS + "interacted"

LAUNCH_SALT = "courses.h5p.launch"


COMPLETING_VERBS = {
    Completion.QUESTION: {ANSWERED, COMPLETED},
    Completion.CONTAINER: {COMPLETED},
    Completion.NO_SCORE: {COMPLETED, PROGRESSED, EXPERIENCED, INTERACTED},
    Completion.NEVER: set(),
    Completion.UNKNOWN: {ANSWERED, COMPLETED},
}


class Refused(ServiceError):
    """A statement (or state) the server does not accept: an HTTP status and a translated
    reason for the person, who never did anything wrong in the normal case."""

    def __init__(self, status: int, message: str, code: str = "refused"):
        super().__init__(message, code=code)
        self.status = status


# --- Launch -------------------------------------------------------------------------------------
def actor_for(user) -> dict:
    """The learner as an xAPI agent: an opaque account on the platform, never an email."""
    name = salted_hmac("courses.h5p.actor", str(user.pk)).hexdigest()[:32]
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.ACOMPANA_PLATFORM_ORIGIN, "name": name},
    }


def object_iri(activity_uuid) -> str:
    """The activity's xAPI object id, given to the player at launch."""
    return f"{settings.H5P_ORIGIN}/h5p/play/{activity_uuid}"


def launch_token(*, user, module_id: int, activity_id: str, activity_uuid) -> str:
    """Signed and timestamped: valid for ACOMPANA_H5P_LAUNCH_SECONDS, for this learner, this
    block of this module and this H5P activity only."""
    return signing.dumps([user.pk, module_id, activity_id, str(activity_uuid)], salt=LAUNCH_SALT)


PLAYER_SALT = "courses.h5p.player"


def player_launch(*, user, module_id: int, activity_uuid, preview: bool = False) -> str:
    """The signed part of the player's URL on the H5P origin (`/h5p/play/<uuid>/<launch>/`):
    for this person, this module and this activity, valid ACOMPANA_H5P_LAUNCH_SECONDS. Made only
    by the module page, for someone who may see the module (`preview`: an editor checking it)."""
    return signing.dumps([user.pk, module_id, str(activity_uuid), int(preview)], salt=PLAYER_SALT)


@dataclass(frozen=True)
class PlayerLaunch:
    user_id: int
    module_id: int
    preview: bool


def player_launch_check(token: str, *, activity_uuid) -> PlayerLaunch:
    """Raise Refused unless `token` is a player launch for this activity that has not expired."""
    try:
        data = signing.loads(token, salt=PLAYER_SALT, max_age=settings.ACOMPANA_H5P_LAUNCH_SECONDS)
    except signing.SignatureExpired as error:
        raise Refused(403, _("This activity has been open for a long time."), "expired") from error
    except (signing.BadSignature, ValueError) as error:
        raise Refused(
            404, _("This activity was not started from its module page."), "launch"
        ) from error
    if not (
        isinstance(data, list) and len(data) == 4 and data[2] == str(activity_uuid)
        and all(isinstance(value, int) and not isinstance(value, bool) for value in data[:2])
    ):  # fmt: skip
        raise Refused(404, _("This activity was not started from its module page."), "launch")
    return PlayerLaunch(user_id=data[0], module_id=data[1], preview=bool(data[3]))


@dataclass(frozen=True)
class Launch:
    module_id: int
    activity_id: str
    activity_uuid: str


def launch_check(token, *, user, module_id: int, activity_id: str) -> Launch:
    not_launched = Refused(403, _("This activity was not started from its module page."), "launch")
    if not isinstance(token, str) or not token:
        raise not_launched
    try:
        data = signing.loads(token, salt=LAUNCH_SALT, max_age=settings.ACOMPANA_H5P_LAUNCH_SECONDS)
    except signing.SignatureExpired as error:
        raise Refused(401, _("This activity has been open for a long time."), "expired") from error
    except signing.BadSignature as error:
        raise not_launched from error
    if not (isinstance(data, list) and len(data) == 4 and data[:3] == [user.pk, module_id,
                                                                         activity_id]):  # fmt: skip
        raise not_launched
    return Launch(module_id=module_id, activity_id=activity_id, activity_uuid=data[3])


# --- Limits -------------------------------------------------------------------------------------
def body_json(request, limit: int) -> dict:
    """The request's JSON object, refused before reading when it is larger than `limit`."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit or len(request.body) > limit:
        raise Refused(413, _("This is too large to be recorded."), "size")
    try:
        data = json.loads(request.body)
    # A deeply nested body makes the parser recurse past Python's limit: malformed, not a 500.
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise Refused(400, _("This could not be read."), "malformed") from error
    if not isinstance(data, dict):
        raise Refused(400, _("This could not be read."), "malformed")
    return data


# --- Statements ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parsed:
    id: uuid.UUID
    verb: str
    sub_content_id: str
    score_scaled: Decimal | None
    success: bool | None
    completion: bool | None
    raw: dict


def _score(result: dict) -> Decimal | None:
    score = result.get("score")
    if score is None:
        return None
    if not isinstance(score, dict):
        raise Refused(400, _("This could not be read."), "malformed")
    try:
        if score.get("scaled") is not None:
            scaled = Decimal(str(score["scaled"]))
        elif score.get("raw") is not None and score.get("max"):
            scaled = Decimal(str(score["raw"])) / Decimal(str(score["max"]))
        else:
            return None
    except (InvalidOperation, ArithmeticError, TypeError) as error:
        raise Refused(400, _("This could not be read."), "malformed") from error
    if not scaled.is_finite() or not Decimal(-1) <= scaled <= Decimal(1):
        raise Refused(400, _("This could not be read."), "malformed")
    return scaled.quantize(Decimal("0.00001"))


def statement_parse(statement, *, user, launch: Launch, sub_content_ids) -> Parsed:
    """Check one statement against its launch; return what the server keeps of it."""
    if not isinstance(statement, dict):
        raise Refused(400, _("This could not be read."), "malformed")
    try:
        statement_id = uuid.UUID(str(statement.get("id")))
    except ValueError as error:
        raise Refused(400, _("This could not be read."), "malformed") from error
    actor = actor_for(user)
    if statement.get("actor") not in (None, actor):
        raise Refused(403, _("This statement is about someone else."), "actor")
    verb = statement.get("verb")
    verb_id = verb.get("id") if isinstance(verb, dict) else None
    if not isinstance(verb_id, str) or not verb_id or len(verb_id) > 255:
        raise Refused(400, _("This could not be read."), "malformed")
    target = statement.get("object")
    object_id = target.get("id") if isinstance(target, dict) else None
    base = object_iri(launch.activity_uuid)
    prefix = base + "?subContentId="
    if object_id == base:
        sub_content_id = ""
    elif isinstance(object_id, str) and object_id.startswith(prefix):
        sub_content_id = object_id[len(prefix) :]
        if sub_content_id not in sub_content_ids:
            raise Refused(403, _("This statement is about content that is not in this activity."),
                          "object")  # fmt: skip
    else:
        raise Refused(403, _("This statement is about another activity."), "object")
    result = statement.get("result") or {}
    if not isinstance(result, dict):
        raise Refused(400, _("This could not be read."), "malformed")
    success = result.get("success")
    completion = result.get("completion")
    score_scaled = _score(result)
    raw = statement_kept(statement, statement_id=statement_id, actor=actor, verb_id=verb_id,
                         object_id=object_id)  # fmt: skip
    return Parsed(
        id=statement_id, verb=verb_id, sub_content_id=sub_content_id,
        score_scaled=score_scaled,
        success=success if isinstance(success, bool) else None,
        completion=completion if isinstance(completion, bool) else None,
        raw=raw,
    )  # fmt: skip


# --- What is stored of a statement -------------------------------------------------------------
# The audit needs to know who did what to which part of which activity, when, and how it went:
# not the content's texts (descriptions, choices, correct answers), the player's extensions, or
# the learner's free-text response. Only these parts are kept, each bounded; the whole is then
# held under ACOMPANA_H5P_STATEMENT_STORED_BYTES. The actor is ours, and the other places where
# xAPI names people (authority, context.instructor, context.team) are never kept.
KEPT_TEXT = 255  # characters of one kept string (an IRI, a name, a duration)
KEPT_NAMES = 3  # languages of a kept language map (object.definition.name)
KEPT_CONTEXT_ACTIVITIES = 3  # ids kept of each of parent, grouping, category, other
TRUNCATED = "…"


def _text(value, limit: int = KEPT_TEXT) -> str | None:
    if not isinstance(value, str):
        return None
    return value if len(value) <= limit else value[: limit - 1] + TRUNCATED


def _number(value) -> int | float | None:
    """A plain, modest number (a score), or nothing: no booleans, no 4,000-digit integers."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value if abs(value) <= 10**9 else None


def _language_map(value) -> dict | None:
    if not isinstance(value, dict):
        return None
    kept = {}
    for language, text in value.items():
        if len(kept) == KEPT_NAMES:
            break
        language, text = _text(language, 16), _text(text)
        if language and text is not None:
            kept[language] = text
    return kept or None


def _compact(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value not in (None, {}, [])}


def _context_kept(context) -> dict:
    if not isinstance(context, dict):
        return {}
    activities = context.get("contextActivities")
    kept_activities = {}
    if isinstance(activities, dict):
        for name in ("parent", "grouping", "category", "other"):
            items = activities.get(name)
            items = [items] if isinstance(items, dict) else items  # xAPI allows one object
            if not isinstance(items, list):
                continue
            ids = [_text(item.get("id")) for item in items[:KEPT_CONTEXT_ACTIVITIES]
                   if isinstance(item, dict)]  # fmt: skip
            kept_activities[name] = [{"id": id_} for id_ in ids if id_]
    return _compact({
        "registration": _text(context.get("registration"), 64),
        "contextActivities": _compact(kept_activities),
    })  # fmt: skip


def _result_kept(result) -> dict:
    if not isinstance(result, dict):
        return {}
    score = result.get("score")
    score = _compact({key: _number(score.get(key)) for key in ("scaled", "raw", "min", "max")}
                     ) if isinstance(score, dict) else {}  # fmt: skip
    return _compact({
        "score": score,
        "success": result["success"] if isinstance(result.get("success"), bool) else None,
        "completion": result["completion"] if isinstance(result.get("completion"), bool) else None,
        "duration": _text(result.get("duration"), 64),
    })  # fmt: skip


def _stored_bytes(raw: dict) -> int:
    return len(json.dumps(raw, ensure_ascii=False, separators=(",", ":")).encode())


def statement_kept(statement: dict, *, statement_id, actor: dict, verb_id: str, object_id: str,
                   limit: int | None = None) -> dict:  # fmt: skip
    """What the audit keeps of a checked statement: a statement-shaped object of at most
    `limit` bytes of JSON (ACOMPANA_H5P_STATEMENT_STORED_BYTES; never less than its core)."""
    limit = settings.ACOMPANA_H5P_STATEMENT_STORED_BYTES if limit is None else limit
    target = statement.get("object")
    definition = target.get("definition") if isinstance(target, dict) else None
    definition = _compact({
        "name": _language_map(definition.get("name")),
        "type": _text(definition.get("type")),
        "interactionType": _text(definition.get("interactionType"), 32),
    }) if isinstance(definition, dict) else {}  # fmt: skip
    kept = _compact({
        "id": str(statement_id),
        "actor": actor,
        "verb": {"id": verb_id},
        "object": _compact({"objectType": "Activity", "id": object_id, "definition": definition}),
        "result": _result_kept(statement.get("result")),
        "context": _context_kept(statement.get("context")),
        "timestamp": _text(statement.get("timestamp"), 64),
    })  # fmt: skip
    # Over the limit (a small setting, long names or IRIs): give up the least needed parts
    # first, and say so. What always remains (ids, verb, score: well under 1 KB) is bounded.
    for *path, key in (("object", "definition"), ("context",), ("result", "duration"),
                       ("timestamp",)):  # fmt: skip
        if _stored_bytes(kept) <= limit:
            break
        kept["truncated"] = True
        parent = kept[path[0]] if path else kept
        parent.pop(key, None)
    return kept


def completes(parsed: Parsed, kind: Completion) -> bool:
    """Whether this statement, for content of this kind, says the learner finished it."""
    if parsed.sub_content_id:
        return False  # a part of the content never completes the whole
    return parsed.verb in COMPLETING_VERBS[kind]


def pass_mark(value) -> int | None:
    """A block's pass mark as a percentage, or None when it has none (empty, 0 or unreadable):
    the one reading of it (the xAPI answer, the module page's status line)."""
    try:
        mark = int(value)
    except (TypeError, ValueError):
        return None
    return mark if mark > 0 else None


def score_passes(score_scaled, mark) -> bool:
    """Whether a scaled score (0..1) reaches a block's pass mark (any score does without one)."""
    mark = pass_mark(mark)
    if mark is None:
        return True
    if score_scaled is None:
        return False
    return Decimal(str(score_scaled)) * 100 >= mark


def passes(parsed: Parsed, mark) -> bool:
    return score_passes(parsed.score_scaled, mark)


@dataclass(frozen=True)
class Outcome:
    """What a statement that could complete the activity led to, for the page's status: the
    block's pass mark and whether the score reached it, when the server could tell."""

    completed: bool
    pass_mark: int | None = None
    passed: bool | None = None

    def fields(self, parsed: Parsed) -> dict:
        """The answer's score fields: the statement's raw score and maximum (as the player sent
        them, checked), whether it passed and the pass mark, each only where known. Nothing
        when the statement could not count at all (a closed module, a block gone)."""
        if not self.completed and self.passed is None:
            return {}
        score = parsed.raw.get("result", {}).get("score", {})
        return _compact({
            "score_raw": score.get("raw"), "score_max": score.get("max"),
            "passed": self.passed, "pass_mark": self.pass_mark,
        })  # fmt: skip
