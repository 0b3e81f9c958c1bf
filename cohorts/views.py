"""Cohorts for volunteers (/cohorts/) and for their trainers (/dashboard/trainer/cohorts/).

Trainers see only the cohorts they train: anything else is a 404, never a hint that it exists.
Volunteers see other people only by display name, and only where the cohort turns that on.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from training import ratelimit
from training.permissions import role_required
from training.roles import Role
from training.selectors import dashboard_for

from . import links, selectors, services
from .announcements import announcements_for
from .forms import (
    CodeForm,
    CohortForm,
    DecisionForm,
    MemberLeaveForm,
    QuestionFormSet,
    answers_from,
    application_fields,
)
from .inputs import whole_number, whole_numbers
from .models import Application, Cohort, Membership

VISIBLE = (Cohort.Status.OPEN, Cohort.Status.RUNNING, Cohort.Status.FINISHED)


# --- Volunteers ---------------------------------------------------------------------------------
def cohort_list(request):
    """Cohorts taking people now, each with its language, dates and places; a fixed number of
    queries whatever their number."""
    language = request.GET.get("language", "")
    if language not in settings.ALL_LANGUAGES:
        language = ""
    cohorts = selectors.cohorts_taking_people(user=request.user, language=language)
    return render(request, "cohorts/cohort_list.html", {
        "cohorts": cohorts, "selected_language": language,
        "languages": list(settings.ALL_LANGUAGES.items()),
    })  # fmt: skip


def _visible_cohort(request, slug) -> Cohort:
    cohort = get_object_or_404(selectors.with_places(Cohort.objects.all()), slug=slug)
    if cohort.status in VISIBLE:
        return cohort
    user = request.user
    # A trainer whose role was taken away no longer sees the cohort's drafts (selectors.trains).
    if user.is_authenticated and (
        selectors.trains(cohort, user)
        or cohort.memberships.filter(user=user, left_at__isnull=True).exists()
    ):
        return cohort
    raise Http404


def _viewer(page: dict, user) -> str | None:
    """Who reads the cohort's page, for cohorts.links: a current member, a current trainer
    (listed and holding the role: a listed trainer whose role was removed gets no link to pages
    that would refuse them), or anyone else (None)."""
    if page["membership"] is not None:
        return links.MEMBER
    if page["trains_here"] and selectors.is_current_trainer(page["cohort"], user):
        return links.TRAINER
    return None


def _detail(request, cohort, *, form_data=None, errors=None, status=200):
    user = request.user
    context = selectors.cohort_page(cohort=cohort, user=user)
    context |= {
        # A trainer's messages to this person's audience (members, waitlist, applicants).
        "announcements": announcements_for(cohort, membership=context["membership"],
                                           application=context["application"]),
        "fields": application_fields(cohort, form_data, errors),
        "application_has_errors": bool(errors),  # the form's error summary (WCAG 3.3.1)
        # Later apps' links (the discussion space): for the cohort's members and trainers only.
        "cohort_links": links.links_for(
            links.COHORT_PAGE, cohort=cohort, viewer=_viewer(context, user)
        ),
        # Drafts kept in the browser are filed under an opaque key of this person.
        "device_key": salted_hmac("device-drafts", str(user.pk)).hexdigest()[:16]
        if user.is_authenticated
        else "",
    }  # fmt: skip
    return render(request, "cohorts/cohort_detail.html", context, status=status)


def cohort_detail(request, slug):
    return _detail(request, _visible_cohort(request, slug))


@login_required
@require_POST
def cohort_apply(request, slug):
    cohort = _visible_cohort(request, slug)
    answers = answers_from(request.POST, cohort)
    _answers, errors = services.clean_answers(cohort, answers)
    if errors:
        # The form comes back with everything the person wrote, each problem beside its question.
        messages.error(request, _("Some answers need your attention."))
        return _detail(request, cohort, form_data=request.POST, errors=errors, status=400)
    try:
        services.application_submit(cohort=cohort, user=request.user, answers=answers)
    except services.CohortError as error:
        messages.error(request, str(error))
        return _detail(request, cohort, form_data=request.POST, status=400)
    messages.success(request, _("Your application is sent. The trainers will answer you here."))
    return HttpResponseRedirect(reverse("cohorts:detail", args=[cohort.slug]))


def _joined_message(request, result) -> None:
    if isinstance(result, Membership):
        messages.success(request, _("Welcome! You are a member of this cohort."))
    else:
        messages.info(
            request, _("The cohort is full. You are on the waitlist and will be told when a "
                       "place opens.")
        )  # fmt: skip


def _too_many_codes(request) -> bool:
    """Invitation codes are guessed one try at a time: a few a minute per account, and more per
    client address (several accounts from one place count together)."""
    address = ratelimit.client_address(request)
    by_account = ratelimit.over("invitation-code", f"user:{request.user.pk}",
                                settings.ACOMPANA_INVITATION_CODE_RATE)  # fmt: skip
    by_address = ratelimit.over("invitation-code", f"ip:{address}",
                                settings.ACOMPANA_INVITATION_CODE_RATE_PER_ADDRESS)  # fmt: skip
    return by_account or by_address


@login_required
@require_POST
def cohort_join(request, slug):
    cohort = _visible_cohort(request, slug)
    if cohort.mode == Cohort.Mode.INVITATION and _too_many_codes(request):
        messages.error(request, _("Too many codes tried in a short time. Please wait a minute "
                                  "and try again."))  # fmt: skip
        response = _detail(request, cohort, status=429)
        response["Retry-After"] = "60"
        return response
    try:
        if cohort.mode == Cohort.Mode.INVITATION:
            result = services.join_with_code(
                cohort=cohort, user=request.user, code=request.POST.get("code", "")
            )
        else:
            result = services.join_open(cohort=cohort, user=request.user)
    except services.CohortError as error:
        messages.error(request, str(error))
        return _detail(request, cohort, status=400)
    _joined_message(request, result)
    return HttpResponseRedirect(reverse("cohorts:detail", args=[cohort.slug]))


@login_required
@require_POST
def cohort_withdraw(request, slug):
    cohort = _visible_cohort(request, slug)
    services.withdraw(cohort=cohort, user=request.user)
    messages.info(request, _("Done. You can come back to a cohort whenever you are ready."))
    return HttpResponseRedirect(reverse("cohorts:detail", args=[cohort.slug]))


# --- Trainers -----------------------------------------------------------------------------------
def _trained_cohort(request, slug) -> Cohort:
    return get_object_or_404(selectors.trained_by(request.user), slug=slug)


@role_required(Role.TRAINER)
def trainer_desk(request):
    """The trainer's desk: their cohorts with what waits for them."""
    context = dashboard_for(request.user)
    context["cohorts"] = selectors.trainer_cohorts(request.user)
    return render(request, "cohorts/trainer/desk.html", context)


@role_required(Role.TRAINER)
def trainer_cohort_new(request):
    form = CohortForm(request.POST or None, user=request.user,
                      origin=request.build_absolute_uri("/"))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        cohort = services.cohort_create(form=form, by=request.user)
        messages.success(request, _("The cohort is created. Add screening questions if it takes "
                                    "applications."))  # fmt: skip
        return HttpResponseRedirect(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    return render(request, "cohorts/trainer/cohort_form.html", {"form": form, "cohort": None})


@role_required(Role.TRAINER)
def trainer_cohort_edit(request, slug):
    cohort = _trained_cohort(request, slug)
    form = CohortForm(request.POST or None, instance=cohort, user=request.user,
                      origin=request.build_absolute_uri("/"))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        # A larger capacity gives the freed places to the waitlist at once.
        cohort, promoted = services.cohort_update(form=form, by=request.user)
        messages.success(request, _("Saved."))
        if promoted:
            messages.info(
                request,
                _("%(count)s people moved from the waitlist into the cohort.")
                % {"count": len(promoted)},
            )
        return HttpResponseRedirect(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    return render(request, "cohorts/trainer/cohort_form.html", {"form": form, "cohort": cohort})


@role_required(Role.TRAINER)
def trainer_questions(request, slug):
    cohort = _trained_cohort(request, slug)
    formset = QuestionFormSet(request.POST or None, instance=cohort)
    if request.method == "POST" and formset.is_valid():
        services.screening_questions_save(formset=formset)
        messages.success(request, _("Screening questions saved."))
        return HttpResponseRedirect(reverse("cohorts:trainer_questions", args=[cohort.slug]))
    return render(request, "cohorts/trainer/questions.html",
                  {"cohort": cohort, "formset": formset})  # fmt: skip


# Lazy: translated when a message is written, in the reader's language (not the language of
# whichever request first imported this module).
OUTCOME_LABELS = {
    "accepted": gettext_lazy("accepted"),
    "waitlisted": gettext_lazy("waitlisted"),
    "declined": gettext_lazy("declined"),
    "unchanged": gettext_lazy("unchanged"),
}


def _save_templates(cohort: Cohort, form) -> None:
    data = form.cleaned_data
    wanted = {data["decision"]: data["message"]}
    if data.get("waitlist_message"):
        wanted[services.Decision.WAITLIST] = data["waitlist_message"]
    services.message_templates_save(cohort=cohort, texts=wanted)


def _decision_summary(request, results) -> None:
    """What the bulk decision really did, person by person, then in numbers."""
    counts = {"accepted": 0, "waitlisted": 0}
    for application, outcome, error in results:
        name = application.user.display_name
        if error:
            messages.error(request, _("%(name)s: %(error)s") % {"name": name, "error": error})
            continue
        counts[outcome] = counts.get(outcome, 0) + 1
        if outcome == "unchanged" and application.status == Application.Status.WAITLISTED:
            messages.info(request, _("%(name)s: still on the waitlist, in the same place (the "
                                     "cohort is full).") % {"name": name})  # fmt: skip
            continue
        messages.info(request, _("%(name)s: %(outcome)s")
                      % {"name": name, "outcome": OUTCOME_LABELS[outcome]})  # fmt: skip
    if counts["accepted"] or counts["waitlisted"]:
        numbers = {"placed": counts["accepted"], "waiting": counts["waitlisted"]}
        messages.success(
            request, _("Given a place: %(placed)s. On the waitlist: %(waiting)s.") % numbers
        )


def _decide_in_bulk(request, cohort: Cohort):
    """A decision on the chosen applications. Accepting more than one person, or more people
    than there are places, first shows who gets a place and who waits (and asks for the
    message those who wait get); then applies it. Returns a response, or None to show the
    page with the form's errors."""
    overflow = bool(request.POST.get("waitlist_message") is not None)
    form = DecisionForm(request.POST, overflow=overflow)
    if not form.is_valid():
        return None, form
    chosen = whole_numbers(request.POST.getlist("application"))
    applications = list(
        Application.objects.filter(cohort=cohort, pk__in=chosen).select_related("user", "cohort")
    )
    if not applications:
        messages.error(request, _("Choose at least one application."))
        return None, form
    decision = form.cleaned_data["decision"]
    if decision == services.Decision.ACCEPT and not request.POST.get("confirm"):
        plan = services.decision_plan(cohort=cohort, applications=applications,
                                      decision=decision)  # fmt: skip
        waiting = [a for a in applications if plan[a.pk] == "waitlisted"]
        if waiting or len(applications) > 1:
            return _decision_confirm(request, cohort, form, applications, plan), form
    if form.cleaned_data["save_template"]:
        _save_templates(cohort, form)
    results = services.applications_decide(
        applications=applications, decision=decision, by=request.user,
        message=form.cleaned_data["message"],
        waitlist_message=form.cleaned_data.get("waitlist_message", ""), request=request,
    )  # fmt: skip
    _decision_summary(request, results)
    return HttpResponseRedirect(request.get_full_path()), form


def _decision_confirm(request, cohort, form, applications, plan):
    """The confirmation step of a bulk acceptance: how many get a place, how many wait."""
    ordered = services.in_decision_order(applications)
    groups = {outcome: [a for a in ordered if plan[a.pk] == outcome]
              for outcome in ("accepted", "waitlisted", "unchanged", "refused")}  # fmt: skip
    # Those already waiting whom no place reaches keep their place in the queue: shown apart.
    waiting = Application.Status.WAITLISTED
    groups["waiting"] = [a for a in groups["unchanged"] if a.status == waiting]
    groups["unchanged"] = [a for a in groups["unchanged"] if a.status != waiting]
    if groups["waiting"]:
        positions = selectors.waitlist_positions(cohort)
        for application in groups["waiting"]:
            application.position = positions.get(application.pk)
    defaults = selectors.default_messages(cohort)
    confirm = DecisionForm(
        initial={"decision": form.cleaned_data["decision"],
                 "message": form.cleaned_data["message"] or defaults["accept"],
                 "waitlist_message": defaults["waitlist"],
                 "save_template": form.cleaned_data["save_template"]},
        overflow=bool(groups["waitlisted"]),
    )  # fmt: skip
    confirm.fields["decision"].widget = confirm.fields["decision"].hidden_widget()
    for name in ("message", "waitlist_message"):  # read aloud in the language they are in
        if name in confirm.fields:
            confirm.fields[name].widget.attrs["lang"] = cohort.working_language
    return render(request, "cohorts/trainer/decision_confirm.html", {
        "cohort": cohort, "form": confirm, "groups": groups, "applications": ordered,
        "places_left": selectors.places_left(cohort),
    })  # fmt: skip


# It lists invitation codes (each a way in) and applicants' answers: no copy is kept anywhere.
@role_required(Role.TRAINER)
@never_cache
def trainer_cohort(request, slug):
    """Applications (decided one by one or in bulk), members and invitation codes."""
    cohort = _trained_cohort(request, slug)
    form = DecisionForm()
    if request.method == "POST":
        response, form = _decide_in_bulk(request, cohort)
        if response is not None:
            return response
    status = request.GET.get("status", Application.Status.SUBMITTED)
    overview = selectors.applications_overview(
        cohort=cohort, status=status, waitlist_page=request.GET.get("waitlist_page")
    )
    context = {
        "cohort": cohort,
        "form": form,
        "status": status,
        **overview,
        # Without JavaScript, "select all" is a link that comes back with every box ticked.
        "select_all": request.GET.get("select") == "all",
        "waitlist_query": urlencode({"status": status}),
        "places_left": selectors.places_left(cohort),
        "codes": cohort.codes.all(),
        "code_form": CodeForm(),
        # One query whatever their number (bulk enrolment sends hundreds at once).
        "invitations": cohort.invitations.select_related("invited_by"),
        "default_messages": selectors.default_messages(cohort),
    }
    return render(request, "cohorts/trainer/cohort.html", context)


@role_required(Role.TRAINER)
@never_cache
def trainer_member_place(request, slug, user_id):
    """Remove a member, or move them to another cohort of the same course (a confirmation page:
    nothing is done on a GET)."""
    cohort = _trained_cohort(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), cohort=cohort, user_id=user_id,
        left_at__isnull=True,
    )  # fmt: skip
    targets = selectors.move_targets(cohort, selectors.trained_by(request.user))
    form = MemberLeaveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        person = membership.user
        try:
            if form.cleaned_data["action"] == "move":
                to = form.cleaned_data["to"]
                services.member_move(cohort=cohort, user=person, to=to, by=request.user,
                                     message=form.cleaned_data["message"],
                                     request=request)  # fmt: skip
                messages.success(request, _("%(name)s is now a member of “%(cohort)s”; they are "
                                            "told by email.")
                                 % {"name": person.display_name, "cohort": to.title})  # fmt: skip
            else:
                services.member_remove(cohort=cohort, user=person, by=request.user,
                                       message=form.cleaned_data["message"],
                                       request=request)  # fmt: skip
                messages.success(request, _("%(name)s is no longer a member; they are told by "
                                            "email.") % {"name": person.display_name})  # fmt: skip
        except services.CohortError as error:
            messages.error(request, str(error))
        else:
            return HttpResponseRedirect(
                reverse("cohorts:trainer_cohort", args=[cohort.slug]) + "#members"
            )
    return render(request, "cohorts/trainer/member_place.html",
                  {"cohort": cohort, "membership": membership, "form": form,
                   "targets": targets})  # fmt: skip


@role_required(Role.TRAINER)
@require_POST
def trainer_codes(request, slug):
    cohort = _trained_cohort(request, slug)
    if "deactivate" in request.POST:
        services.invitation_code_deactivate(
            cohort=cohort, pk=whole_number(request.POST["deactivate"])
        )
        messages.info(request, _("The code no longer works."))
    else:
        form = CodeForm(request.POST)
        if form.is_valid():
            code = services.invitation_code_create(cohort=cohort, by=request.user,
                                                   **form.cleaned_data)  # fmt: skip
            messages.success(request, _("New code: %(code)s") % {"code": code.code})
        else:
            messages.error(request, _("The code could not be created: check the fields."))
    return HttpResponseRedirect(reverse("cohorts:trainer_cohort", args=[cohort.slug]) + "#codes")
