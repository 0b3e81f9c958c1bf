"""The H5P activity kind (courses.activities): its block on the module page, and the player's
calls (statements, saved state, a fresh launch), each an action of the kind.

What a statement may do is courses/h5p/xapi.py; storing it, courses/h5p/services.py. Registered
when the app is ready (courses.apps).
"""

import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.http import Http404, JsonResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import services
from ..activities import Action, ActionRequest, ActivityKind, register
from ..models import ActivityCompletion, H5PActivity, H5PState, H5PStatement
from . import services as h5p_services
from . import xapi
from .content_types import content_type_name
from .weight import activity_weight, activity_weights


@dataclass(frozen=True)
class H5PProgress:
    completion: Any  # ActivityCompletion or None
    state: str | None  # the player's saved state (JSON), to resume


class H5PKind(ActivityKind):
    """H5P content: completed by the statements its player sends (courses/h5p/xapi.py)."""

    name = "h5p"
    block_type = "h5p"
    label = gettext_lazy("H5P activity")
    # The player's calls (static/js/h5p.js): statements and saved state come with the signed
    # launch that names the module (courses/h5p/xapi.py checks it), each committing as it goes;
    # a fresh launch is asked for as the page is, with the module checked.
    actions = {
        "xapi": Action("xapi", module=False, atomic=False, signed_out="json"),
        "state": Action("state", module=False, atomic=False, signed_out="json"),
        "launch": Action("launch", method="GET", signed_out="json"),
    }

    def page_context(self, request, *, module, activities, progress) -> dict:
        """Read once for all the page's H5P blocks: which may play, the scores last seen and,
        in low-bandwidth mode, what each downloads (one query each, none without blocks)."""
        playable = _playable_h5p(activities)
        results = _h5p_results(request.user, module, activities, progress)
        page = {"playable_h5p": playable, "h5p_results": results}
        if playable and getattr(request.user, "low_bandwidth", False):
            page["h5p_weights"] = activity_weights(playable.values())
        return page

    def view(self, request, *, module, activity, state, completed, page):
        return h5p_view(request, module, activity, state, completed=completed,
                        enrolled=page["progress"] is not None, playable=page["playable_h5p"],
                        weights=page.get("h5p_weights"),
                        result=page.get("h5p_results", {}).get(activity.id))  # fmt: skip

    def xapi(self, act: ActionRequest):
        return h5p_xapi_answer(act)

    def state(self, act: ActionRequest):
        return h5p_state_answer(act)

    def launch(self, act: ActionRequest):
        return h5p_launch_answer(act)

    def load_state(self, *, user, module, activity_ids, content=None):
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


register(H5PKind())


# --- The block on the module page ---------------------------------------------------------------
def _playable_h5p(activities) -> dict[uuid.UUID, H5PActivity]:
    """The H5P activities of a page that may play (with their title and language), by uuid, in
    one query (none without H5P blocks)."""
    uuids = {
        found
        for activity in activities
        if activity.kind.block_type == "h5p"
        and (found := _uuid_or_none(activity.value["activity"]))
    }
    if not uuids:
        return {}
    playable = H5PActivity.objects.playable().filter(uuid__in=uuids)
    return {
        found.uuid: found for found in playable.only("uuid", "title", "language", "main_library")
    }


def _h5p_results(user, module, activities, progress) -> dict[str, dict]:
    """Each H5P block's score as the learner last saw it, by block id, in one query (none
    without H5P blocks or without recorded work): the statement that completed it, else the
    latest one about the whole activity that carried a score. The first row of each block is
    picked by a window function (any database: `make run` uses SQLite)."""
    ids = [a.id for a in activities if a.kind.block_type == "h5p"]
    if progress is None or not ids:
        return {}
    rows = (
        H5PStatement.objects.filter(user=user, module=module, activity_id__in=ids,
                                    sub_content_id="", score_scaled__isnull=False)
        .annotate(rank=Window(RowNumber(), partition_by=[F("activity_id")],
                              order_by=[F("counted").desc(), F("stored_at").desc()]))
        .filter(rank=1)
        .values_list("activity_id", "counted", "score_scaled", "raw")
    )  # fmt: skip
    results = {}
    for activity_id, counted, scaled, raw in rows:
        score = (raw.get("result") or {}).get("score") or {}
        results[activity_id] = {
            "counted": counted, "score_scaled": scaled,
            "score_raw": score.get("raw"), "score_max": score.get("max"),
        }  # fmt: skip
    return results


def _number(value) -> str:
    """A score as people write it: 3, not 3.0; 2.5 in the reader's own way."""
    value = float(value)
    return str(int(value)) if value.is_integer() else number_format(round(value, 2))


def h5p_status(*, completed: bool, score_raw=None, score_max=None, percent=None,
               pass_mark=None, passed=None, earlier: bool = False) -> str:  # fmt: skip
    """What the status line under an H5P exercise says, truthfully: "Completed" only when the
    completion is recorded; the score in points where the player gave them; whether it reached
    the block's pass mark (`passed` as the server judged it, else the points against the mark).
    `earlier`: the score is a later try's, below the mark, after a completion. A completion
    whose score is below the block's pass mark as it is now (an editor raised it since) says
    only its score: the page shows the pass mark above. Empty when there is nothing to say."""
    mark = xapi.pass_mark(pass_mark)
    points = None
    if isinstance(score_raw, int | float) and isinstance(score_max, int | float) and score_max > 0:
        values = {"raw": _number(score_raw), "max": _number(score_max), "mark": mark}
        points = int(score_max) if float(score_max).is_integer() else 2
        if passed is None and mark is not None:
            passed = score_raw * 100 >= mark * score_max
    if points is not None and mark is not None:
        if passed:
            return (
                ngettext(
                    "%(raw)s of %(max)s — passed (pass mark %(mark)s%%)",
                    "%(raw)s of %(max)s — passed (pass mark %(mark)s%%)",
                    points,
                )
                % values
            )
        if completed and earlier:
            return (
                ngettext(
                    "Completed earlier. This time: %(raw)s of %(max)s — not yet passed "
                    "(pass mark %(mark)s%%)",
                    "Completed earlier. This time: %(raw)s of %(max)s — not yet passed "
                    "(pass mark %(mark)s%%)",
                    points,
                )
                % values
            )
        if not completed:
            return (
                ngettext(
                    "%(raw)s of %(max)s — not yet passed (pass mark %(mark)s%%)",
                    "%(raw)s of %(max)s — not yet passed (pass mark %(mark)s%%)",
                    points,
                )
                % values
            )
    if not completed:
        return ""
    if points is not None:
        return ngettext("Completed · %(raw)s of %(max)s", "Completed · %(raw)s of %(max)s",
                        points) % values  # fmt: skip
    if percent is not None:
        score = _number(percent)
        if mark is not None and float(percent) >= mark:
            return _("Completed · score %(score)s%% (pass mark %(mark)s%%)") % {
                "score": score, "mark": mark}  # fmt: skip
        return _("Completed · score %(score)s%%") % {"score": score}
    return _("Completed")


def h5p_view(request, module, activity, state, *, completed: bool, enrolled: bool,
             playable: dict[uuid.UUID, H5PActivity], weights: dict | None = None,
             result: dict | None = None) -> dict:  # fmt: skip
    """What the module page needs to launch one H5P block for this learner: a launch token
    (only for a learner whose work is recorded), where they were, and how they did. In
    low-bandwidth mode, what the card shows before the player is started (type and weight)."""
    view = {"completed": completed, "enrolled": enrolled, "state": None, "score": None}
    # The player's URL carries a signed launch for this person and module (courses/h5p/origin.py):
    # only made here, for someone this page is served to, and only for an activity that may play.
    activity_uuid = _uuid_or_none(activity.value["activity"])
    if activity_uuid in playable:
        # Named by its title here (the page's heading and the frame's), in its own language.
        view["title"] = playable[activity_uuid].title
        view["language"] = playable[activity_uuid].language
        view["player_url"] = _player_url(request.user, module, activity_uuid, preview=not enrolled)
        if getattr(request.user, "low_bandwidth", False):
            weight = (weights or {}).get(activity_uuid) or activity_weight(playable[activity_uuid])
            view["low_bandwidth"] = True
            # The usual types named in the reader's language; others by the library's title.
            view["type_title"] = content_type_name(
                playable[activity_uuid].main_library, weight.type_title
            )
            view["kilobytes"] = weight.kilobytes
    if state is not None:
        view["state"] = state.state
        view["score"] = state.completion.score if state.completion else None
    result = result or {}
    if completed and not result.get("counted"):
        result = {}  # a later attempt is not the one that completed it: the percentage then
    # Passed or not is the score against the block's pass mark as it is now: a statement that
    # did not count may not have counted for another reason (the module was closed then).
    mark = xapi.pass_mark(activity.value.get("pass_mark"))
    view["status"] = h5p_status(
        completed=completed, score_raw=result.get("score_raw"), score_max=result.get("score_max"),
        percent=view["score"], pass_mark=mark,
        passed=xapi.score_passes(result["score_scaled"], mark) if result else None,
    )  # fmt: skip
    if enrolled:
        view["token"] = xapi.launch_token(
            user=request.user, module_id=module.pk, activity_id=activity.id,
            activity_uuid=activity.value["activity"],
        )  # fmt: skip
    return view


def _player_url(user, module, activity_uuid, *, preview: bool) -> str:
    """The player's address, with a launch signed for this person and module, valid
    ACOMPANA_H5P_LAUNCH_SECONDS."""
    launch = xapi.player_launch(user=user, module_id=module.pk, activity_uuid=activity_uuid,
                                preview=preview)  # fmt: skip
    return f"{settings.H5P_ORIGIN}/h5p/play/{activity_uuid}/{launch}/"


def _uuid_or_none(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- The player's calls ------------------------------------------------------------------------
def _refused(error: xapi.Refused) -> JsonResponse:
    return JsonResponse({"ok": False, "error": str(error), "code": error.code}, status=error.status)


def h5p_xapi_answer(act: ActionRequest) -> JsonResponse:
    """One xAPI statement from the learner's module page (see courses/h5p/xapi.py)."""
    request, module_id, activity_id = act.request, act.module_id, act.activity_id
    try:
        h5p_services.rate_check(request.user)
        data = xapi.body_json(request, settings.ACOMPANA_H5P_XAPI_MAX_BYTES)
        result = h5p_services.statement_ingest(
            user=request.user, module_id=module_id, activity_id=activity_id, data=data
        )
    except xapi.Refused as error:
        return _refused(error)
    if "passed" in result or "score_raw" in result or result.get("completed"):
        # The status line the page shows, in the learner's words (see h5p_status).
        earlier = result.get("passed") is False and (
            ActivityCompletion.objects.filter(user=request.user, module_id=module_id,
                                              activity_id=activity_id).exists()
        )  # fmt: skip
        status = h5p_status(
            completed=bool(result.get("completed") or earlier), score_raw=result.get("score_raw"),
            score_max=result.get("score_max"), pass_mark=result.get("pass_mark"),
            passed=result.get("passed"), earlier=earlier,
        )  # fmt: skip
        if status:
            result["status"] = status
    return JsonResponse(result)


def h5p_state_answer(act: ActionRequest) -> JsonResponse:
    """Where the learner is in the activity, to resume there next time."""
    request, module_id, activity_id = act.request, act.module_id, act.activity_id
    try:
        h5p_services.rate_check(request.user)
        data = xapi.body_json(request, settings.ACOMPANA_H5P_STATE_MAX_BYTES)
        h5p_services.state_save(user=request.user, module_id=module_id, activity_id=activity_id,
                                data=data)  # fmt: skip
    except xapi.Refused as error:
        return _refused(error)
    return JsonResponse({"ok": True})


def h5p_launch_answer(act: ActionRequest) -> JsonResponse:
    """A fresh launch token, when the page has been open longer than a token lives. The same
    checks as serving the module page."""
    request, module, course, activity_id = act.request, act.module, act.course, act.activity_id
    try:
        services.module_assert_open(user=request.user, module=module, course=course)
    except services.LearningError as error:
        return JsonResponse({"ok": False, "error": str(error), "code": "module"}, status=403)
    # The activity of the learner's language copy (a copy may hold a different H5P activity).
    content = module.localized.specific
    block = next(
        (a for a in content.activities if a.id == activity_id and a.kind.block_type == "h5p"),
        None,
    )
    if block is None:
        raise Http404
    token = xapi.launch_token(user=request.user, module_id=module.pk, activity_id=activity_id,
                              activity_uuid=block.value["activity"])  # fmt: skip
    answer = {"ok": True, "token": token}
    # And a fresh player address: a frame started (or tried again) long after the page was
    # served would otherwise open an expired launch.
    activity_uuid = _uuid_or_none(block.value["activity"])
    if activity_uuid and H5PActivity.objects.playable().filter(uuid=activity_uuid).exists():
        answer["player_url"] = _player_url(request.user, module, activity_uuid, preview=False)
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return response
