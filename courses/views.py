"""Module serving and the learner's actions. Views read the learner from the session only."""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import i18n, page_cache, services
from .activities import ActionRequest, kind_for_action, kind_for_block
from .h5p import xapi
from .models import ActivityCompletion, CoursePage, H5PActivity, ModulePage
from .selectors import module_page_context, module_rows, next_module, next_steps


def _course_of(module: ModulePage, request=None) -> CoursePage:
    course = getattr(request, "acompana_course", None)
    if course is not None and module.path.startswith(course.path):
        return course
    return CoursePage.objects.get(path=module.path[: -ModulePage.steplen])


def serve_module(module: ModulePage, request, serve, *args, **kwargs):
    """Learners enrolled in the course, and editors previewing, see the content; others don't.

    `module` is the page Wagtail routed to: the original or its copy in the learner's language.
    Progress is the original's (courses.i18n); the learner reads the copy."""
    user = request.user
    shown, shown_course = module, _course_of(module, request)
    # What everyone reading this copy sees (cached; previews read the database), then this
    # person's enrolment and progress in one query.
    outline = page_cache.course_outline(shown_course, fresh=getattr(request, "is_preview", False))
    module, course = _records(shown, shown_course, outline)
    records = services.learner_records(user, course.pk)
    enrolled = records.enrolled
    modules = page_cache.with_progress(outline, records)
    # Someone not enrolled reads the course's free preview (its first module) and nothing else;
    # nothing they do there is recorded. Editors preview every module.
    preview_reader = (
        not enrolled
        and not services.can_preview(user)
        and services.free_preview_module_id(course, modules) == module.pk
    )
    if not enrolled and not preview_reader and not services.can_preview(user):
        return _unavailable(request, shown, shown_course, course, modules, enrolled=False,
                            reason=None)  # fmt: skip
    progress = None
    if enrolled:
        try:
            services.module_assert_open(user=user, module=module, course=course, modules=modules,
                                        enrolled=True)  # fmt: skip
        except services.LearningError as error:
            return _unavailable(request, shown, shown_course, course, modules, enrolled=True,
                                reason=str(error))  # fmt: skip
        mine = next((m.my_progress for m in modules if m.pk == module.pk), None)
        progress = services.module_visit(user=user, module=module, course=course, progress=mine)
    context = module_page_context(shown, shown_course, user, progress, modules, record=module,
                                  record_course=course)  # fmt: skip
    context["preview_reader"] = preview_reader
    if preview_reader:
        # Activities wait until the person joins: each shows what it is and how to join.
        context["playable_h5p"] = {}
        context["activity_views"] = {
            activity.id: {"join": True, "label": activity.kind.label,
                          "title": _activity_title(activity)}
            for activity in shown.activities
        }  # fmt: skip
        context["next_steps"] = next_steps(
            user, shown_course, course, enrolled=False, rows=context["module_rows"]
        )
    else:
        context["playable_h5p"] = _playable_h5p(shown.activities)
        context["h5p_results"] = _h5p_results(user, module, shown.activities, progress)
        if context["playable_h5p"] and getattr(user, "low_bandwidth", False):
            from .h5p.weight import activity_weights

            # What each card says it downloads: one query for all the page's activities.
            context["h5p_weights"] = activity_weights(context["playable_h5p"].values())
        state, completed = context["activity_state"], context["completed_activity_ids"]
        context["activity_views"] = {
            activity.id: activity.kind.view(
                request, module=module, activity=activity, state=state.get(activity.id),
                completed=activity.id in completed, page=context,
            )
            for activity in shown.activities
        }  # fmt: skip
    context["shared_blocks"] = shared_blocks_html(shown, request)
    context["has_h5p"] = not preview_reader and any(
        a.kind.block_type == "h5p" for a in shown.activities
    )
    # Drafts kept in the browser are filed under an opaque key of this person: on a shared
    # device, nobody else's page ever finds them.
    context["device_key"] = salted_hmac("device-drafts", str(user.pk)).hexdigest()[:16]
    context["show_content_notes"] = bool(
        shown.content_notes
        and (progress is None or not progress.content_notes_acknowledged_at)
        and request.GET.get("notes") != "seen"
    )
    request.module_context = context
    return serve(request, *args, **kwargs)


def _records(shown, shown_course, outline):
    """The originals of the module and course served, where progress is kept (courses.i18n),
    from the cached outline; the database only for a module outside it (a draft previewed, an
    original not published)."""
    course = outline.course()
    shown_course._acompana_record = course._acompana_record = course
    if shown.locale_id == i18n.default_locale_id():
        return i18n.record(shown), course
    module = outline.module(shown.translation_key) if shown.translation_key else None
    if module is None:
        return i18n.record(shown), course
    shown._acompana_record = module._acompana_record = module
    return module, course


def _activity_title(activity) -> str:
    value = activity.value
    title = value.get("title") if hasattr(value, "get") else None
    return str(title or activity.kind.label)


def _unavailable(request, shown, shown_course, course, modules, *, enrolled, reason):
    """A module closed to this person (403), with what they can do next about the course."""
    rows = module_rows(course, request.user, modules)
    return render(
        request, "courses/module_unavailable.html",
        {"page": shown, "course": shown_course, "reason": reason,
         "next_steps": next_steps(request.user, shown_course, course, enrolled=enrolled,
                                  rows=rows)},
        status=403,
    )  # fmt: skip


@login_required
@require_POST
def course_start(request, course_id):
    """One click to start a course open for self-paced learning; then the first thing to do.
    Asking again (a double click) changes nothing and lands in the same place."""
    shown = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    for restriction in shown.get_view_restrictions():
        if not restriction.accept_request(request):
            raise PermissionDenied
    course = i18n.record(shown)
    try:
        services.enrolment_start_self_paced(user=request.user, course=course)
    except services.LearningError as error:
        messages.error(request, str(error))
        return HttpResponseRedirect(shown.url, status=303)
    rows = module_rows(
        course, request.user,
        services.modules_with_progress(course, request.user, shown_course=shown),
    )  # fmt: skip
    following = next_module(rows)
    messages.success(request, _("You have started “%(title)s”. Welcome!") % {"title": shown.title})
    return HttpResponseRedirect(following.url if following else shown.url, status=303)


SHARED_BLOCKS_SECONDS = 60 * 60 * 24
SHARED_BLOCKS_GENERATION = page_cache.GENERATION_KEY


def shared_blocks_invalidate(**kwargs) -> None:
    """Connected to page, image and document changes (courses.apps): courses.page_cache."""
    page_cache.invalidate(**kwargs)


def shared_blocks_html(module: ModulePage, request) -> dict[str, str]:
    """HTML of the blocks that are the same for every learner (text, headings, callouts,
    media), by block id, cached per published revision, language and low-bandwidth choice.
    Activities are rendered per learner and are not in here. Previews are never cached."""

    def render():
        context = {"request": request, "user": request.user, "page": module}
        return {
            child.id: child.render(context)
            for child in module.body
            if kind_for_block(child.block_type) is None
        }

    if getattr(request, "is_preview", False) or not module.live_revision_id:
        return render()
    low_bandwidth = bool(getattr(request.user, "low_bandwidth", False))
    # The generation moves whenever any page, image or document is published or changed: a
    # link to a renamed page or a replaced image is never served stale.
    generation = page_cache.generation()
    key = (
        f"module-blocks:{generation}:{module.pk}:{module.live_revision_id}:"
        f"{translation.get_language()}:{int(low_bandwidth)}"
    )
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, SHARED_BLOCKS_SECONDS)
    return html


def _module_for_action(request, module_id: int):
    """The module a learner acts on: published, in a published course, and open to this
    request under the page's privacy settings (the same checks as viewing it). Returns the page
    acted on (perhaps a copy in the learner's language), and the original module and course
    where the work is recorded (courses.i18n)."""
    shown = get_object_or_404(ModulePage.objects.live(), pk=module_id)
    course = _course_of(shown)
    if not course.live:
        raise Http404
    for restriction in shown.get_view_restrictions():
        if not restriction.accept_request(request):
            raise PermissionDenied
    module, course = i18n.record(shown), i18n.record(course)
    if not module.live or not course.live:
        raise Http404
    return shown, module, course


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(module, anchor=""):
    return HttpResponseRedirect(module.url + (f"#{anchor}" if anchor else ""), status=303)


def _refuse(request, module, error, anchor=""):
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": str(error)}, status=400)
    messages.error(request, str(error))
    return _back(module, anchor)


@transaction.non_atomic_requests
def activity_action(request, module_id, activity_id, action):
    """What a learner does to an activity (courses.activities: the kind that offers `action`
    answers it), after the checks every action shares: the method, a signed-in learner, the
    module open to them as viewing it is (for actions that name it), in one transaction unless
    the action commits as it goes. CSRF is checked before, by the middleware, as everywhere."""
    found = kind_for_action(action)
    if found is None:
        raise Http404
    view = _ACTION_VIEWS.get(found)
    if view is None:
        # The checks composed once per kind and action, not on every statement (a hot path).
        view = _ACTION_VIEWS[found] = _action_view(*found)
    return view(request, module_id, activity_id)


# (kind, action spec) -> the view with its checks: keyed by the pair, so a kind registered
# again (tests) gets its own.
_ACTION_VIEWS: dict = {}


def _action_view(kind, spec):
    def answer(request, module_id, activity_id):
        act = ActionRequest(request, module_id, activity_id)
        if spec.module:
            act.shown, act.module, act.course = _module_for_action(request, module_id)
        return getattr(kind, spec.handler)(act)

    if spec.atomic:
        answer = transaction.atomic(answer)
    allowed = require_http_methods([spec.method])
    if spec.signed_out == "json":
        # The method first, then the JSON answer a script can show (the player's calls).
        return allowed(_signed_in_or_json(answer))
    # A form: to the sign-in page first, as login_required does, and back here after.
    return login_required(allowed(answer))


def _signed_in_or_json(view):
    def checked(request, *args):
        if not request.user.is_authenticated:
            return _signed_out()
        return view(request, *args)

    return checked


@login_required
@require_POST
def content_notes(request, module_id):
    shown, module, course = _module_for_action(request, module_id)
    try:
        services.module_assert_open(user=request.user, module=module, course=course)
    except services.LearningError as error:
        return _refuse(request, shown, error)
    if request.POST.get("action") == "not_now":
        services.module_set_aside(user=request.user, module=module, course=course)
        messages.info(
            request,
            _("“%(title)s” is set aside. Nothing is lost; come back whenever you are ready.")
            % {"title": shown.title},
        )
        return HttpResponseRedirect(_course_of(shown).url, status=303)
    services.module_acknowledge_content_notes(user=request.user, module=module, course=course)
    return _back(shown)


@login_required
@require_POST
def mark_done(request, module_id):
    shown, module, course = _module_for_action(request, module_id)
    try:
        services.module_assert_open(user=request.user, module=module, course=course)
        services.module_mark_done(user=request.user, module=module, course=course)
    except services.LearningError as error:
        return _refuse(request, shown, error)
    messages.success(request, _("Module completed."))
    return _back(shown)


# --- H5P ----------------------------------------------------------------------------------------
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
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    from .models import H5PStatement

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
    from django.utils.formats import number_format

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
    from django.utils.translation import ngettext

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
            from .h5p.content_types import content_type_name
            from .h5p.weight import activity_weight

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


def _refused(error: xapi.Refused) -> JsonResponse:
    return JsonResponse({"ok": False, "error": str(error), "code": error.code}, status=error.status)


def _signed_out() -> JsonResponse:
    message = _("You are signed out. Sign in again; your results are kept on this device.")
    return JsonResponse({"ok": False, "error": message, "code": "login"}, status=401)


def h5p_xapi_answer(act: ActionRequest) -> JsonResponse:
    """One xAPI statement from the learner's module page (see courses/h5p/xapi.py)."""
    request, module_id, activity_id = act.request, act.module_id, act.activity_id
    try:
        xapi.rate_check(request.user)
        data = xapi.body_json(request, settings.ACOMPANA_H5P_XAPI_MAX_BYTES)
        result = xapi.statement_ingest(
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
        xapi.rate_check(request.user)
        data = xapi.body_json(request, settings.ACOMPANA_H5P_STATE_MAX_BYTES)
        xapi.state_save(user=request.user, module_id=module_id, activity_id=activity_id, data=data)
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
