"""The learner's actions on courses and modules. Views read the learner from the session only;
the module page itself is served by its page (courses.models.ModulePage.serve)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from training import i18n
from training.device import owner_refused
from training.idempotency import idempotent

from . import services
from .activities import ActionRequest, kind_for_action
from .models import CoursePage, ModulePage, ProgressStatus
from .selectors import module_course, module_rows, modules_with_progress, next_module


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
        modules_with_progress(course, request.user, shown_course=shown),
    )  # fmt: skip
    following = next_module(rows)
    messages.success(request, _("You have started “%(title)s”. Welcome!") % {"title": shown.title})
    return HttpResponseRedirect(following.url if following else shown.url, status=303)


def _module_for_action(request, module_id: int):
    """The module a learner acts on: published, in a published course, and open to this
    request under the page's privacy settings (the same checks as viewing it). Returns the page
    acted on (perhaps a copy in the learner's language), and the original module and course
    where the work is recorded (courses.i18n)."""
    shown = get_object_or_404(ModulePage.objects.live(), pk=module_id)
    course = module_course(shown)
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
        # Sent again with the same Idempotency-Key (the device queue, static/js/device-queue.js):
        # the first answer, nothing recorded twice. The player's calls, which commit as they go,
        # carry their own ids (an xAPI statement's) or overwrite (the saved state).
        answer = transaction.atomic(idempotent(answer))
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
        # Sent from another person's device queue (a page left open): refused, nothing recorded.
        refused = owner_refused(request)
        if refused is not None:
            return refused
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
        return HttpResponseRedirect(module_course(shown).url, status=303)
    services.module_acknowledge_content_notes(user=request.user, module=module, course=course)
    return _back(shown)


@login_required
@require_POST
@idempotent
def mark_done(request, module_id):
    shown, module, course = _module_for_action(request, module_id)
    try:
        services.module_assert_open(user=request.user, module=module, course=course)
        progress = services.module_mark_done(user=request.user, module=module, course=course)
    except services.LearningError as error:
        return _refuse(request, shown, error)
    if _wants_json(request):
        completed = progress.status == ProgressStatus.COMPLETED
        return JsonResponse({"ok": True, "module_completed": completed})
    messages.success(request, _("Module completed."))
    return _back(shown)


def _signed_out() -> JsonResponse:
    message = _("You are signed out. Sign in again; your results are kept on this device.")
    return JsonResponse({"ok": False, "error": message, "code": "login"}, status=401)
