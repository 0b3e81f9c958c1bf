"""Writes for H5P: activities uploaded, libraries reviewed, the player's statements and
resume state.

The rules a statement is checked against are courses/h5p/xapi.py (no database there); here it
is stored, once, and may complete the activity through the learner's services
(courses.services). Statements that change nothing (a child question answered, an interaction)
take a handful of small queries (the session's user, one access check, one INSERT) whatever
the size of the course.
"""

import contextlib
import json
import logging
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from training import outbox, ratelimit
from training.errors import ServiceError

from .. import services, tasks
from ..models import (
    ActivityCompletion,
    CoursePage,
    H5PActivity,
    H5PLibrary,
    H5PState,
    H5PStatement,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
)
from .content_types import completion_for
from .xapi import (
    Launch,
    Outcome,
    Parsed,
    Refused,
    completes,
    launch_check,
    pass_mark,
    passes,
    statement_parse,
)

logger = logging.getLogger(__name__)


# --- Activities and libraries -------------------------------------------------------------------
@transaction.atomic
def h5p_activity_create(
    *, package, title: str, language: str, uploaded_by=None, in_background: bool = True,
    activity_uuid=None,
):  # fmt: skip
    """Keep the upload and prepare it, in the background unless the caller unpacks it itself
    (see courses.h5p.store). Checked before anything is written."""
    activity = H5PActivity(title=title, language=language, uploaded_by=uploaded_by)
    if activity_uuid is not None:
        activity.uuid = activity_uuid
    activity.full_clean(exclude=["package", "uuid"])
    activity.package.save(getattr(package, "name", "package.h5p").rsplit("/", 1)[-1], package,
                          save=False)  # fmt: skip
    activity.save()
    if in_background:
        outbox.queue(tasks.h5p_extract, activity.pk)
    return activity


class H5PReviewError(ServiceError):
    code = "h5p_review"


@transaction.atomic
def h5p_library_review(*, library, user, approve: bool):
    """An administrator approves (or rejects) a library candidate: recorded with who and when.

    One candidate of a version may be approved: approving it rejects the other candidates of the
    version still waiting (other files under the same name and version), recorded the same way.
    Raises H5PReviewError when another candidate of the version is already approved."""
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


# --- Statements ---------------------------------------------------------------------------------
def rate_check(user) -> None:
    """At most ACOMPANA_H5P_XAPI_RATE requests a minute per learner (shared across processes
    through the cache)."""
    if ratelimit.over("h5p-xapi", user.pk, settings.ACOMPANA_H5P_XAPI_RATE):
        raise Refused(429, _("Too many requests. Please wait a minute."), "rate")


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


def _complete(*, user, launch: Launch, parsed: Parsed) -> Outcome:
    """Complete the activity if the module, as published now, still holds this activity in this
    block and the learner may work in it, and the score reaches its pass mark."""
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
