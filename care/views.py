"""Care pages. A person's check-ins, debrief requests and self-care plan are theirs: every view
reads the signed-in person's own rows only (another's id is a 404). Trainers get one page per
cohort: its weekly check-in choice, aggregates of at least CARE_MIN_GROUP answers, and the debrief
requests with only what each person chose to say."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.models import ModulePage
from training.i18n import record
from training.permissions import role_required
from training.roles import Role

from . import selectors, services
from .forms import CareSettingsForm, CheckInForm, DebriefForm, PlanForm
from .models import CareSettings, CheckIn, DebriefRequest, SelfCarePlan, SupportResourcesPage


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- The person's own ---------------------------------------------------------------------------
@login_required
@never_cache
def care_home(request):
    """The person's check-ins (newest first), their debrief requests, links to the plan and
    the support resources."""
    user = request.user
    return render(request, "care/home.html", {
        "checkins": list(selectors.my_checkins(user).select_related("module")),
        "requests": list(DebriefRequest.objects.filter(user=user).select_related("cohort")),
        "due": selectors.weekly_due(user),
        "has_plan": SelfCarePlan.objects.filter(user=user).exists(),
        "can_ask": bool(selectors.my_cohorts(user)),
        "retention_days": settings.ACOMPANA_CHECKIN_RETENTION_DAYS,
    })  # fmt: skip


def _occasion(request) -> dict:
    """What the check-in is about, from the address: a heavy module (?module=), or a cohort's
    weekly check-in (?cohort=, while one is due); otherwise the person's own."""
    user = request.user
    module_id = _int(request.GET.get("module"))
    if module_id is not None:
        module = ModulePage.objects.filter(pk=module_id).first()
        if module is not None:
            original = record(module)
            if original.heavy:
                return {"kind": CheckIn.Kind.AFTER_MODULE, "module": original,
                        "title": module.title,
                        "cohort": selectors.cohort_of_module(user, original)}  # fmt: skip
    cohort_id = _int(request.GET.get("cohort"))
    if cohort_id is not None:
        due = {d["cohort_id"]: d for d in selectors.weekly_due(user)}
        if cohort_id in due:
            from cohorts.models import Cohort  # noqa: PLC0415 — only here

            return {"kind": CheckIn.Kind.WEEKLY, "module": None, "title": due[cohort_id]["title"],
                    "cohort": Cohort.objects.get(pk=cohort_id)}  # fmt: skip
    return {"kind": CheckIn.Kind.OWN, "module": None, "title": "", "cohort": None}


@login_required
@never_cache
def check_in(request):
    occasion = _occasion(request)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wants = data["wants_debrief"] == "yes"
        services.checkin_create(
            user=request.user, carrying=data["carrying"], energy=data["energy"],
            wants_debrief=wants, note=data["note"], kind=occasion["kind"],
            cohort=occasion["cohort"], module=occasion["module"],
        )  # fmt: skip
        messages.success(request, _("Your check-in is saved. Only you can see it."))
        if wants:
            query = f"?{urlencode({'cohort': occasion['cohort'].pk})}" if occasion["cohort"] else ""
            return HttpResponseRedirect(reverse("care:debrief") + query)
        return HttpResponseRedirect(reverse("care:home"))
    return render(request, "care/check_in.html", {
        "form": form, "occasion": occasion, "query": request.GET.urlencode(),
        "retention_days": settings.ACOMPANA_CHECKIN_RETENTION_DAYS,
    })  # fmt: skip


@login_required
@require_POST
def check_in_delete(request, pk):
    if not services.checkin_delete(user=request.user, checkin_id=pk):
        raise Http404
    messages.success(request, _("The check-in is deleted."))
    return HttpResponseRedirect(reverse("care:home"))


@login_required
@require_POST
def check_ins_delete_all(request):
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm, then delete."))
        return HttpResponseRedirect(reverse("care:home") + "#delete-all")
    services.checkins_delete_all(user=request.user)
    messages.success(request, _("All your check-ins are deleted."))
    return HttpResponseRedirect(reverse("care:home"))


@login_required
@never_cache
def debrief(request):
    """Ask the cohort's trainers for a debrief: the person writes what they want to say, if
    anything, and confirms. Nothing from their check-ins goes with it."""
    cohorts = selectors.my_cohorts(request.user)
    initial = {}
    chosen = _int(request.GET.get("cohort"))
    if chosen in {c.pk for c in cohorts}:
        initial["cohort"] = chosen
    form = DebriefForm(request.POST or None, cohorts=cohorts, initial=initial)
    status = 200
    if request.method == "POST" and cohorts and form.is_valid():
        cohort = next(c for c in cohorts if c.pk == form.cleaned_data["cohort"])
        try:
            services.debrief_request(user=request.user, cohort=cohort,
                                     message=form.cleaned_data["message"])  # fmt: skip
        except services.CareError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            messages.success(request, _("Your request is sent. A trainer of your cohort will "
                                        "contact you."))  # fmt: skip
            return HttpResponseRedirect(reverse("care:home"))
    elif request.method == "POST":
        status = 400
    return render(request, "care/debrief.html", {"form": form, "cohorts": cohorts},
                  status=status)  # fmt: skip


@login_required
@never_cache
def plan(request):
    """The person's self-care plan: private, printable, and kept on their device for reading
    offline (static/js/offline.js saves pages marked data-offline-keep)."""
    mine = SelfCarePlan.objects.filter(user=request.user).first()
    form = PlanForm(request.POST or None, instance=mine)
    if request.method == "POST" and form.is_valid():
        services.plan_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your plan is saved. Only you can see it."))
        return HttpResponseRedirect(reverse("care:plan"))
    return render(request, "care/plan.html", {"form": form, "plan": mine},
                  status=400 if request.method == "POST" else 200)  # fmt: skip


@login_required
@require_POST
def plan_delete(request):
    services.plan_delete(user=request.user)
    messages.success(request, _("Your plan is deleted."))
    return HttpResponseRedirect(reverse("care:plan"))


def resources(request):
    """The support resources page (a Wagtail page editors keep), in the reader's language when
    it is translated."""
    page = SupportResourcesPage.objects.live().order_by("path").first()
    if page is None:
        raise Http404
    page = page.localized
    return HttpResponseRedirect(page.url)


# --- Trainers -----------------------------------------------------------------------------------
@role_required(Role.TRAINER)
@never_cache
def trainer_care(request, slug):
    """The cohort's care: the weekly check-in choice, aggregates only, and debrief requests. Its
    current trainers only (selectors.cohorts_cared_for): anyone else, an administrator too, 404."""
    cohort = get_object_or_404(selectors.cohorts_cared_for(request.user), slug=slug)
    current = CareSettings.objects.filter(cohort=cohort).first()
    form = CareSettingsForm(
        request.POST or None, initial={"weekly_checkins": bool(current and current.weekly_checkins)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.care_settings_save(
                cohort=cohort, weekly_checkins=form.cleaned_data["weekly_checkins"], by=request.user
            )
        except services.CareError:
            raise Http404 from None  # no longer its trainer (a moment ago): as the check above
        messages.success(request, _("Saved."))
        return HttpResponseRedirect(reverse("care:trainer_care", args=[cohort.slug]))
    return render(request, "care/trainer_care.html", {
        "cohort": cohort, "form": form, **selectors.cohort_aggregates(cohort),
        **selectors.debrief_requests(cohort),
    })  # fmt: skip


@role_required(Role.TRAINER)
@require_POST
def trainer_debrief_handled(request, slug, pk):
    cohort = get_object_or_404(selectors.cohorts_cared_for(request.user), slug=slug)
    try:
        handled = services.debrief_request_handle(cohort=cohort, request_id=pk, by=request.user)
    except services.CareError:
        raise Http404 from None  # no longer its trainer (a moment ago): as the check above
    if handled is None:
        raise Http404
    messages.success(request, _("Marked as handled."))
    return HttpResponseRedirect(reverse("care:trainer_care", args=[cohort.slug]))
