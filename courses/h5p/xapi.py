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
"""

import contextlib
import json
import logging
import math
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from enum import Enum

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from training import ratelimit

from ..models import (
    ActivityCompletion,
    CoursePage,
    H5PActivity,
    H5PState,
    H5PStatement,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
)

logger = logging.getLogger(__name__)

VERBS = "http://adlnet.gov/expapi/verbs/"
ANSWERED = VERBS + "answered"
COMPLETED = VERBS + "completed"
PROGRESSED = VERBS + "progressed"
EXPERIENCED = VERBS + "experienced"
INTERACTED = VERBS + "interacted"

LAUNCH_SALT = "courses.h5p.launch"


class Completion(Enum):
    """How a content type tells that the learner finished it (by its main library)."""

    QUESTION = "question"  # one question: a top-level `answered`
    CONTAINER = "container"  # holds questions: a top-level `completed`, never a child's answer
    NO_SCORE = "no_score"  # content to go through: progressed, experienced or interacted
    NEVER = "never"  # emits nothing that says "finished"
    UNKNOWN = "unknown"  # not classified: a top-level `answered` or `completed`

    @property
    def label(self):
        return COMPLETION_LABELS[self]


COMPLETION_LABELS = {
    Completion.QUESTION: gettext_lazy("completes when answered"),
    Completion.CONTAINER: gettext_lazy("completes when the whole set is finished"),
    Completion.NO_SCORE: gettext_lazy("completes when gone through; no score"),
    Completion.NEVER: gettext_lazy("never reports completion: make it optional"),
    Completion.UNKNOWN: gettext_lazy("completion not known for this type"),
}

CONTENT_TYPES: dict[str, Completion] = {
    **dict.fromkeys(
        [
            "H5P.TrueFalse", "H5P.MultiChoice", "H5P.Blanks", "H5P.AdvancedBlanks",
            "H5P.DragQuestion", "H5P.DragText", "H5P.MarkTheWords", "H5P.Essay",
            "H5P.ImageHotspotQuestion", "H5P.ImageMultipleHotspotQuestion", "H5P.Summary",
            "H5P.ArithmeticQuiz", "H5P.SpeakTheWords", "H5P.SpeakTheWordsSet", "H5P.Dictation",
            "H5P.ImagePair", "H5P.ImageSequencing", "H5P.SortParagraphs", "H5P.FindTheWords",
            "H5P.Crossword", "H5P.MemoryGame", "H5P.MultiMediaChoice", "H5P.SingleChoiceSet",
            "H5P.Flashcards",
        ],
        Completion.QUESTION,
    ),
    **dict.fromkeys(
        [
            "H5P.QuestionSet", "H5P.Column", "H5P.CoursePresentation", "H5P.InteractiveVideo",
            "H5P.InteractiveBook", "H5P.BranchingScenario", "H5P.GameMap",
        ],
        Completion.CONTAINER,
    ),
    **dict.fromkeys(
        [
            "H5P.Accordion", "H5P.DialogCards", "H5P.ImageHotspots", "H5P.Timeline",
            "H5P.Agamotto", "H5P.ImageSlider", "H5P.ImageJuxtaposition", "H5P.Questionnaire",
            "H5P.Documentation", "H5P.ThreeImage",
        ],
        Completion.NO_SCORE,
    ),
    **dict.fromkeys(
        [
            "H5P.Chart", "H5P.Collage", "H5P.IFrameEmbed", "H5P.Table", "H5P.Link",
            "H5P.Image", "H5P.Text", "H5P.AdvancedText", "H5P.Audio", "H5P.Video",
            "H5P.TwitterUserFeed",
        ],
        Completion.NEVER,
    ),
}  # fmt: skip

COMPLETING_VERBS = {
    Completion.QUESTION: {ANSWERED, COMPLETED},
    Completion.CONTAINER: {COMPLETED},
    Completion.NO_SCORE: {COMPLETED, PROGRESSED, EXPERIENCED, INTERACTED},
    Completion.NEVER: set(),
    Completion.UNKNOWN: {ANSWERED, COMPLETED},
}


def completion_for(main_library: str) -> Completion:
    """From the activity's main library as stored ("H5P.TrueFalse 1.6"), never the statement."""
    return CONTENT_TYPES.get(main_library.split(" ", 1)[0], Completion.UNKNOWN)


class Refused(Exception):
    """A statement (or state) the server does not accept: an HTTP status and a translated
    reason for the person, who never did anything wrong in the normal case."""

    def __init__(self, status: int, message: str, code: str = "refused"):
        super().__init__(message)
        self.status = status
        self.code = code


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
def rate_check(user) -> None:
    """At most ACOMPANA_H5P_XAPI_RATE requests a minute per learner (shared across processes
    through the cache)."""
    if ratelimit.over("h5p-xapi", user.pk, settings.ACOMPANA_H5P_XAPI_RATE):
        raise Refused(429, _("Too many requests. Please wait a minute."), "rate")


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
CONTENT_SECONDS = 60 * 10


def _content_key(activity_uuid) -> str:
    return f"h5p-content:{activity_uuid}"


def content_info(activity_uuid: str) -> tuple[int, str, frozenset[str]]:
    """(pk, main library, subContentIds) of a ready activity, from the shared cache (one round
    trip to Redis in production) or the database. Dropped when the activity changes."""
    info = cache.get(_content_key(activity_uuid))
    if info is None:
        row = (
            H5PActivity.objects.filter(uuid=activity_uuid, status=H5PActivity.Status.READY)
            .values_list("pk", "main_library", "sub_content_ids")
            .first()
        )
        if row is None:
            raise Refused(404, _("This activity is no longer available."), "activity")
        info = (row[0], row[1], list(row[2] or ()))
        cache.set(_content_key(activity_uuid), info, CONTENT_SECONDS)
    return info[0], info[1], frozenset(info[2])


def content_forget(sender, instance, **kwargs) -> None:
    """Connected to H5PActivity saves and deletions (courses.apps)."""
    cache.delete(_content_key(instance.uuid))


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


# Enrolled in the module's course, both published: one query on the common path.
MAY_ACT_SQL = """
    SELECT 1 FROM wagtailcore_page module
    JOIN courses_modulepage ON courses_modulepage.page_ptr_id = module.id
    JOIN wagtailcore_page course
      ON course.path = substr(module.path, 1, length(module.path) - %(steplen)s)
    JOIN courses_enrolment enrolment ON enrolment.course_id = course.id
    WHERE module.id = %(module)s AND module.live AND course.live AND enrolment.user_id = %(user)s
    LIMIT 1
"""


def _may_act(user, module_id: int) -> None:
    """Still enrolled, in a published module of a published course."""
    with connection.cursor() as cursor:
        cursor.execute(
            MAY_ACT_SQL, {"steplen": ModulePage.steplen, "module": module_id, "user": user.pk}
        )
        if cursor.fetchone() is not None:
            return
    # Refused: say why (two more queries, on this rare path only).
    path = ModulePage.objects.filter(pk=module_id, live=True).values_list("path", flat=True).first()
    if (
        path is None
        or not CoursePage.objects.filter(path=path[: -ModulePage.steplen], live=True).exists()
    ):
        raise Refused(404, _("This module is not published."), "module")
    raise Refused(403, _("You are not enrolled in this course."), "enrolment")


def statement_ingest(*, user, module_id: int, activity_id: str, data: dict) -> dict:
    """Accept one statement ({"token": …, "statement": {…}}) from the learner's module page.

    Statements that change nothing (a child question answered, an interaction) take a handful
    of small queries (the session's user, one access check, one INSERT) whatever the size of
    the course; one that completes the activity goes through the
    full checks of the module as it is now (see `_complete`). Past the daily quota, see
    `_ingest_over_quota` (the answer then says "stored": false).
    """
    launch = launch_check(data.get("token"), user=user, module_id=module_id,
                          activity_id=activity_id)  # fmt: skip
    activity_pk, main_library, sub_content_ids = content_info(launch.activity_uuid)
    parsed = statement_parse(data.get("statement"), user=user, launch=launch,
                             sub_content_ids=sub_content_ids)  # fmt: skip
    _may_act(user, module_id)
    completing = completes(parsed, completion_for(main_library))
    record = H5PStatement(
        id=parsed.id, user=user, module_id=module_id, activity_id=activity_id,
        h5p_activity_id=activity_pk, verb=parsed.verb[:255],
        sub_content_id=parsed.sub_content_id[:64], score_scaled=parsed.score_scaled, raw=parsed.raw,
    )  # fmt: skip
    if daily_quota_over(user):
        return _ingest_over_quota(user=user, launch=launch, parsed=parsed, record=record,
                                  completing=completing)  # fmt: skip
    _store(record)
    if not completing:
        return {"ok": True, "completed": False}
    outcome = _complete(user=user, launch=launch, parsed=parsed)
    if not outcome.completed:
        return {"ok": True, "completed": False, **outcome.fields(parsed)}
    H5PStatement.objects.filter(pk=record.pk).update(counted=True)
    return {**_completed(user, module_id), **outcome.fields(parsed)}


def _store(record: H5PStatement) -> None:
    try:
        # One INSERT. The view runs in autocommit, where a replayed id fails on its own; inside
        # a transaction (a caller's), a savepoint keeps the failure from spoiling it.
        if connection.in_atomic_block:
            with transaction.atomic():
                record.save(force_insert=True)
        else:
            record.save(force_insert=True)
    except IntegrityError as error:
        if not H5PStatement.objects.filter(pk=record.pk).exists():
            raise  # not a replay: something else went wrong, and the page will try again
        raise Refused(409, _("This statement was already recorded."), "duplicate") from error


def _completed(user, module_id: int) -> dict:
    module_completed = ModuleProgress.objects.filter(
        user=user, module_id=module_id, status=ProgressStatus.COMPLETED
    ).exists()
    return {"ok": True, "completed": True, "module_completed": module_completed}


# --- Daily quota --------------------------------------------------------------------------------
def daily_quota_over(user) -> bool:
    """Count one statement of this learner today (UTC) and say whether it passes
    ACOMPANA_H5P_STATEMENTS_PER_DAY. A cleared cache starts the day's count again, which only
    ever lets more be stored."""
    count = ratelimit.count("h5p-statements-day", user.pk, window=60 * 60 * 24)
    limit = settings.ACOMPANA_H5P_STATEMENTS_PER_DAY
    if count == limit + 1:
        logger.warning("H5P: learner %s passed the daily statement quota (%s)", user.pk, limit)
    return count > limit


def _ingest_over_quota(*, user, launch: Launch, parsed: Parsed, record: H5PStatement,
                       completing: bool) -> dict:  # fmt: skip
    """Past the day's quota, statements are accepted (answered 200, so the page sends the next
    ones, a completion among them) but only one that completes the activity now is stored."""
    not_stored = {"ok": True, "completed": False, "stored": False}
    if not completing:
        return not_stored
    if ActivityCompletion.objects.filter(user=user, module_id=launch.module_id,
                                         activity_id=launch.activity_id).exists():  # fmt: skip
        return {**_completed(user, launch.module_id), "stored": False}  # already recorded
    outcome = _complete(user=user, launch=launch, parsed=parsed)
    if not outcome.completed:
        return {**not_stored, **outcome.fields(parsed)}
    record.counted = True
    with contextlib.suppress(Refused):  # a replay: the completion above is recorded once anyway
        _store(record)
    return {**_completed(user, launch.module_id), **outcome.fields(parsed)}


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


def _complete(*, user, launch: Launch, parsed: Parsed) -> Outcome:
    """Complete the activity if the module, as published now, still holds this activity in this
    block and the learner may work in it, and the score reaches its pass mark."""
    from .. import services

    module = ModulePage.objects.live().filter(pk=launch.module_id).first()
    if module is None:
        return Outcome(False)
    course = module.get_parent().specific
    try:
        services.module_assert_open(user=user, module=module, course=course)
    except services.LearningError:
        return Outcome(False)  # recorded, but the module is closed to this learner now
    # The block, as published now, in the original or one of its language copies (a copy may
    # hold a different H5P activity); the completion is the original's (courses.i18n).
    copies = [module, *ModulePage.objects.live().filter(
        translation_key=module.translation_key).exclude(pk=module.pk)]  # fmt: skip
    block = next(
        (a.value for copy in copies for a in copy.activities
         if a.id == launch.activity_id and a.kind.block_type == "h5p"
         and str(a.value["activity"]) == launch.activity_uuid),
        None,
    )  # fmt: skip
    if block is None:
        return Outcome(False)
    mark = pass_mark(block.get("pass_mark"))
    if not passes(parsed, mark):
        return Outcome(False, mark, False)
    score = None if parsed.score_scaled is None else (parsed.score_scaled * 100).quantize(
        Decimal("0.01"))  # fmt: skip
    services.activity_complete(
        user=user, module=module, course=course, activity_id=launch.activity_id,
        kind="h5p", score=score,
    )  # fmt: skip
    return Outcome(True, mark, True if mark else None)


# --- Resume state -------------------------------------------------------------------------------
def state_save(*, user, module_id: int, activity_id: str, data: dict) -> None:
    """Keep where the learner is in the activity (the player's JSON state, as a string)."""
    launch = launch_check(data.get("token"), user=user, module_id=module_id,
                          activity_id=activity_id)  # fmt: skip
    activity_pk, _main, _ids = content_info(launch.activity_uuid)
    state = data.get("state")
    if not isinstance(state, str):
        raise Refused(400, _("This could not be read."), "malformed")
    _may_act(user, module_id)
    if not state:
        H5PState.objects.filter(user=user, h5p_activity_id=activity_pk).delete()
        return
    try:
        json.loads(state)
    except ValueError as error:
        raise Refused(400, _("This could not be read."), "malformed") from error
    H5PState.objects.update_or_create(
        user=user, h5p_activity_id=activity_pk, defaults={"data": state}
    )


# --- Retention ----------------------------------------------------------------------------------
def statements_purge(*, days: int | None = None) -> int:
    """Remove raw statements older than the retention period. Completion records stay."""
    days = settings.ACOMPANA_H5P_STATEMENT_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _by_model = H5PStatement.objects.filter(stored_at__lt=cutoff).delete()
    return deleted
