"""Cohorts for volunteers (/cohorts/) and for their trainers (/dashboard/trainer/cohorts/).

Trainers see only the cohorts they train: anything else is a 404, never a hint that it exists.
Volunteers see other people only by display name, and only where the cohort turns that on.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.models import CoursePage
from training.permissions import role_required
from training.prepared import Prepared
from training.roles import Role
from training.selectors import dashboard_for

from . import services
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
from .models import Application, Attendance, Cohort, InvitationCode, LiveSession, Membership

VISIBLE = (Cohort.Status.OPEN, Cohort.Status.RUNNING, Cohort.Status.FINISHED)


def _with_places(queryset):
    return queryset.annotate(
        taken=Count("memberships", filter=Q(memberships__left_at__isnull=True), distinct=True)
    ).prefetch_related(
        Prefetch(
            "courses",
            queryset=CoursePage.objects.only(
                "title", "url_path", "path", "depth", "translation_key", "locale_id"
            ),
        )
    )


def _course_titles(courses) -> None:
    """Each course's title in the reader's language (its translation's, one query for all)."""
    from courses.i18n import titles_in_active_language

    titles = titles_in_active_language(courses)
    for course in courses:
        course.local_title = titles.get(course.translation_key, course.title)


# --- Volunteers ---------------------------------------------------------------------------------
def cohort_list(request):
    """Cohorts taking people now, each with its language, dates and places; a fixed number of
    queries whatever their number."""
    upcoming = LiveSession.objects.filter(
        cancelled_at__isnull=True, ends_at__gte=timezone.now()
    ).order_by("starts_at")
    cohorts = list(
        _with_places(
            Cohort.objects.filter(status__in=(Cohort.Status.OPEN, Cohort.Status.RUNNING))
        ).prefetch_related(Prefetch("sessions", queryset=upcoming[:2], to_attr="first_sessions"))
    )
    cohorts = [cohort for cohort in cohorts if cohort.accepts_applications()]
    # A language: cohorts working in it, or interpreting into it.
    language = request.GET.get("language", "")
    if language in settings.ALL_LANGUAGES:
        cohorts = [
            c for c in cohorts
            if c.working_language == language or language in (c.interpretation_languages or [])
        ]  # fmt: skip
    else:
        language = ""
    mine = {}
    if request.user.is_authenticated:
        for application in Application.objects.filter(user=request.user, cohort__in=cohorts):
            mine[application.cohort_id] = application.get_status_display()
        for membership in Membership.objects.filter(
            user=request.user, cohort__in=cohorts, left_at__isnull=True
        ):
            mine[membership.cohort_id] = _("Member")
    _course_titles([course for cohort in cohorts for course in cohort.courses.all()])
    for cohort in cohorts:
        cohort.my_status = mine.get(cohort.pk)
        cohort.places_left = None if cohort.capacity is None else max(
            0, cohort.capacity - cohort.taken)  # fmt: skip
    return render(request, "cohorts/cohort_list.html", {
        "cohorts": cohorts, "selected_language": language,
        "languages": list(settings.ALL_LANGUAGES.items()),
    })  # fmt: skip


def _visible_cohort(request, slug) -> Cohort:
    cohort = get_object_or_404(_with_places(Cohort.objects.all()), slug=slug)
    if cohort.status in VISIBLE:
        return cohort
    user = request.user
    # A trainer whose role was taken away no longer sees the cohort's drafts (services.trains).
    if user.is_authenticated and (
        services.trains(cohort, user)
        or cohort.memberships.filter(user=user, left_at__isnull=True).exists()
    ):
        return cohort
    raise Http404


def _detail(request, cohort, *, form_data=None, errors=None, status=200):
    user = request.user
    application = membership = former = None
    if user.is_authenticated:
        application = Application.objects.filter(cohort=cohort, user=user).first()
        membership = services.membership_of(cohort, user)
        if membership is None:
            # Why a former member left, in words about their place (not an application they
            # may never have made: joined by code or in an open cohort).
            former = (
                Membership.objects.filter(cohort=cohort, user=user, left_at__isnull=False)
                .order_by("-left_at").first()
            )  # fmt: skip
    members = None
    if membership is not None and cohort.show_member_list:
        members = list(
            cohort.memberships.filter(left_at__isnull=True).values_list(
                "user__display_name", flat=True
            )
        )
    now = timezone.now()
    all_sessions = list(cohort.sessions.all())
    upcoming = [s for s in all_sessions if s.ends_at >= now]
    past = [s for s in all_sessions if s.ends_at < now]
    if membership is not None:
        marks = {
            a.session_id: a for a in Attendance.objects.filter(user=user, session__cohort=cohort)
        }
        for session in past:
            session.mine = marks.get(session.pk)
    context = {
        "cohort": cohort,
        "upcoming": upcoming if membership else [s for s in upcoming if not s.cancelled][:3],
        "past": past if membership else [],
        "application": application,
        "membership": membership,
        "former": former,
        "position": services.waitlist_position(application) if application else None,
        # A trainer's messages to this person's audience (members, waitlist, applicants).
        "announcements": announcements_for(cohort, membership=membership, application=application),
        "places_left": None if cohort.capacity is None else max(0, cohort.capacity - cohort.taken),
        "accepting": cohort.accepts_applications(),
        "fields": application_fields(cohort, form_data, errors),
        "members": members,
        # A trainer of the cohort is told why there is no way in for them (services refuse it).
        "trains_here": user.is_authenticated
        and membership is None
        and services.is_listed_trainer(cohort, user.pk),
        # Drafts kept in the browser are filed under an opaque key of this person.
        "device_key": salted_hmac("device-drafts", str(user.pk)).hexdigest()[:16]
        if user.is_authenticated
        else "",
    }
    courses = list(cohort.courses.all())
    _course_titles(courses)
    context["courses"] = courses
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

    from training import ratelimit

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


# Fields of the next live session and of the newest message that the dashboard shows, read
# with the person's memberships (anything else is loaded if someone reads it).
NEXT_SESSION_FIELDS = ("id", "title", "starts_at", "ends_at", "meeting_url")
ANNOUNCEMENT_FIELDS = ("id", "subject", "language", "created_at")


def _loaded(model, values: dict):
    """An instance of `model` with only these fields (attnames) loaded, as `.only()` makes one."""
    names = set(values)
    row = [values[f.attname] for f in model._meta.concrete_fields if f.attname in names]
    return model.from_db(DEFAULT_DB_ALIAS, names, row)


def _dashboard_memberships(*, user, now, fortnight_ago):
    """The person's memberships, each with its cohort's next live session and its trainers'
    newest message to members since `fortnight_ago`."""
    from .models import Announcement

    upcoming = LiveSession.objects.filter(
        cohort=OuterRef("cohort_id"), cancelled_at__isnull=True, ends_at__gte=now
    ).order_by("starts_at")
    # The newest of its cohort, as cohorts.announcements.latest_for_members says it.
    newest = Announcement.objects.filter(
        cohort=OuterRef("cohort_id"), audience=Announcement.Audience.MEMBERS,
        created_at__gte=fortnight_ago,
    ).order_by("-created_at", "-pk")  # fmt: skip
    return (
        Membership.objects.filter(user=user, left_at__isnull=True)
        .select_related("cohort")
        .annotate(
            **{f"next_{name}": Subquery(upcoming.values(name)[:1]) for name in NEXT_SESSION_FIELDS},
            **{f"newest_{name}": Subquery(newest.values(name)[:1]) for name in ANNOUNCEMENT_FIELDS},
        )
    )  # fmt: skip


def _dashboard_applications(*, user):
    return Application.objects.filter(
        user=user, status__in=[Application.Status.SUBMITTED, Application.Status.WAITLISTED]
    ).select_related("cohort")


def _dashboard_released(*, cohorts, now, fortnight_ago):
    from .models import ModuleRelease

    return ModuleRelease.objects.filter(
        cohort__in=cohorts, cohort__module_release=Cohort.Release.SCHEDULED,
        opens_at__lte=now, opens_at__gte=fortnight_ago,
    ).select_related("module").order_by("-opens_at")[:5]  # fmt: skip


# Compiled once per process (training.prepared, issue 18): the dashboard's time.
_MEMBERSHIPS = Prepared(_dashboard_memberships)
_APPLICATIONS = Prepared(_dashboard_applications)
_RELEASED = Prepared(_dashboard_released)


def dashboard_cohorts(user) -> dict:
    """The person's cohorts (each with its next live session and its trainers' newest message to
    members of the last two weeks, in the same query), open applications and the modules their
    cohorts released lately: three queries, whatever the number of cohorts."""
    from datetime import timedelta

    from .models import Announcement

    now = timezone.now()
    fortnight_ago = now - timedelta(days=14)
    memberships = _MEMBERSHIPS.run(user=user.pk, now=now, fortnight_ago=fortnight_ago)
    member_of = {m.cohort_id for m in memberships}
    applications = [a for a in _APPLICATIONS.run(user=user.pk) if a.cohort_id not in member_of]
    cohort_ids = [m.cohort_id for m in memberships]
    next_session = None
    released = []
    if cohort_ids:
        for membership in memberships:
            membership.announcement = None
            if membership.newest_id is not None:
                membership.announcement = _loaded(Announcement, {
                    "cohort_id": membership.cohort_id, "audience": Announcement.Audience.MEMBERS,
                    **{name: getattr(membership, f"newest_{name}") for name in ANNOUNCEMENT_FIELDS},
                })  # fmt: skip
            if membership.next_id is not None and (
                next_session is None or membership.next_starts_at < next_session.starts_at
            ):
                next_session = _loaded(LiveSession, {
                    "cohort_id": membership.cohort_id,
                    **{name: getattr(membership, f"next_{name}") for name in NEXT_SESSION_FIELDS},
                })  # fmt: skip
                next_session.cohort = membership.cohort
        released = _RELEASED.run(cohorts=cohort_ids, now=now, fortnight_ago=fortnight_ago)
    return {"memberships": memberships, "applications": applications,
            "next_session": next_session, "released": released}  # fmt: skip


# --- Trainers -----------------------------------------------------------------------------------
def trained_by(user):
    """The cohorts this person may manage: the ones they train (administrators: all)."""
    if user.is_superuser:
        return Cohort.objects.all()
    return Cohort.objects.filter(trainers=user)


def _trained_cohort(request, slug) -> Cohort:
    return get_object_or_404(trained_by(request.user), slug=slug)


def trainer_cohorts(user) -> list[Cohort]:
    """For the trainer's desk: their cohorts with counts, in a fixed number of queries."""
    waiting = Q(applications__status=Application.Status.SUBMITTED)
    waitlisted = Q(applications__status=Application.Status.WAITLISTED)
    return list(
        trained_by(user)
        .annotate(
            members=Count("memberships", filter=Q(memberships__left_at__isnull=True),
                          distinct=True),
            waiting=Count("applications", filter=waiting, distinct=True),
            waitlisted=Count("applications", filter=waitlisted, distinct=True),
        )
        .order_by("-starts_on")
    )  # fmt: skip


@role_required(Role.TRAINER)
def trainer_desk(request):
    """The trainer's desk: their cohorts with what waits for them."""
    context = dashboard_for(request.user)
    context["cohorts"] = trainer_cohorts(request.user)
    return render(request, "cohorts/trainer/desk.html", context)


@role_required(Role.TRAINER)
def trainer_cohort_new(request):
    form = CohortForm(request.POST or None, user=request.user,
                      origin=request.build_absolute_uri("/"))  # fmt: skip
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            cohort = form.save()
            cohort.trainers.add(request.user)
        messages.success(request, _("The cohort is created. Add screening questions if it takes "
                                    "applications."))  # fmt: skip
        return HttpResponseRedirect(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    return render(request, "cohorts/trainer/cohort_form.html", {"form": form, "cohort": None})


@role_required(Role.TRAINER)
def trainer_cohort_edit(request, slug):
    cohort = _trained_cohort(request, slug)
    form = CohortForm(request.POST or None, instance=cohort, user=request.user,
                      origin=request.build_absolute_uri("/"))  # fmt: skip
    co_trainers = set(cohort.trainers.all())
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            cohort = form.save()
            # Trainers add colleagues here; nobody removes another trainer (administrators do).
            if not request.user.is_superuser:
                cohort.trainers.add(*co_trainers)
            cohort.trainers.add(request.user)
            services.enrol_members_in_courses(cohort)
        # A larger capacity gives the freed places to the waitlist at once.
        promoted = services.promote_waitlist(cohort)
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
        formset.save()
        messages.success(request, _("Screening questions saved."))
        return HttpResponseRedirect(reverse("cohorts:trainer_questions", args=[cohort.slug]))
    return render(request, "cohorts/trainer/questions.html",
                  {"cohort": cohort, "formset": formset})  # fmt: skip


def default_messages(cohort: Cohort) -> dict[str, str]:
    """Starting points for the message sent with a decision: the cohort's own wording where
    its trainers saved one, else a kind default in the cohort's working language (the
    language its people read, whatever the trainer's interface). Trainers edit them each time."""
    from .models import MessageTemplate

    values = {"cohort": cohort.title}
    saved = dict(MessageTemplate.objects.filter(cohort=cohort).values_list("decision", "text"))
    with translation.override(cohort.working_language or settings.LANGUAGE_CODE):
        defaults = {
            "accept": _("Welcome to “%(cohort)s”! You now have a place in the cohort and access "
                        "to its courses. We look forward to learning with you.") % values,
            "waitlist": _("Thank you for applying to “%(cohort)s”. The cohort is full for now: "
                          "you are on the waitlist, and you will be told as soon as a place "
                          "opens.") % values,
            "decline": _("Thank you for applying to “%(cohort)s”. We cannot offer you a place in "
                         "this cohort. This is not a judgement of you, and other cohorts will "
                         "open.") % values,
        }  # fmt: skip
    return defaults | saved


OUTCOME_LABELS = {
    "accepted": _("accepted"),
    "waitlisted": _("waitlisted"),
    "declined": _("declined"),
    "unchanged": _("unchanged"),
}


def _save_templates(cohort: Cohort, form) -> None:
    from .models import MessageTemplate

    data = form.cleaned_data
    wanted = {data["decision"]: data["message"]}
    if data.get("waitlist_message"):
        wanted[services.Decision.WAITLIST] = data["waitlist_message"]
    for decision, text in wanted.items():
        if text:
            MessageTemplate.objects.update_or_create(cohort=cohort, decision=decision,
                                                     defaults={"text": text})  # fmt: skip


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
        positions = _waitlist_positions(cohort)
        for application in groups["waiting"]:
            application.position = positions.get(application.pk)
    defaults = default_messages(cohort)
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
        "places_left": services.places_left(cohort),
    })  # fmt: skip


def _waitlist_positions(cohort: Cohort) -> dict[int, int]:
    """Each waiting application's place in the queue (1: the next to get a place), one query."""
    waiting = (
        Application.objects.filter(cohort=cohort, status=Application.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("pk", flat=True)
    )
    return {pk: position for position, pk in enumerate(waiting, start=1)}


WAITLIST_PER_PAGE = 50


def _former_members(cohort: Cohort) -> list[Membership]:
    """Who left the cohort, latest first, each with why; someone a trainer moved carries
    `moved_to`, the cohort they went to (its place taken when they left here: services.
    member_move). Two queries whatever their number."""
    former = list(
        cohort.memberships.filter(left_at__isnull=False).select_related("user")
        .order_by("-left_at", "pk")
    )  # fmt: skip
    moved = [m for m in former if m.left_reason == Membership.LeftReason.MOVED]
    went = {}
    if moved:
        went = {
            (m.user_id, m.joined_at): m.cohort
            for m in Membership.objects.filter(
                source=Membership.Source.MOVED, user_id__in=[m.user_id for m in moved],
                joined_at__in=[m.left_at for m in moved],
            ).exclude(cohort=cohort).select_related("cohort")
        }  # fmt: skip
    for membership in former:
        membership.moved_to = went.get((membership.user_id, membership.left_at))
    return former


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
    applications = (
        Application.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by("waitlisted_at", "submitted_at", "pk")
    )
    if status in Application.Status.values:
        applications = applications.filter(status=status)
    questions = list(cohort.questions.all())
    positions = _waitlist_positions(cohort)
    # Someone who withdrew took back what they wrote: the row and its state stay, the answers
    # are not shown (withdrawing also deletes them: services.withdraw).
    withdrawn = Application.Status.WITHDRAWN
    # An accepted person who left since (moved by a trainer, say) is shown as such: their
    # application stays "accepted", the truth about the decision.
    former = _former_members(cohort)
    left = {m.user_id: m for m in former}
    rows = [
        {"application": a, "withdrawn": a.status == withdrawn, "position": positions.get(a.pk),
         "left": left.get(a.user_id) if a.status == Application.Status.ACCEPTED else None,
         "answers": [] if a.status == withdrawn
         else [(q, a.answers.get(str(q.pk), "")) for q in questions]}
        for a in applications
    ]  # fmt: skip
    counts = dict(
        Application.objects.filter(cohort=cohort)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    members = (
        cohort.memberships.filter(left_at__isnull=True).select_related("user").order_by("joined_at")
    )
    # The waitlist a page at a time, in its order: the numbers are the places in the queue.
    waitlist = Paginator(
        Application.objects.filter(cohort=cohort, status=Application.Status.WAITLISTED)
        .select_related("user").order_by("waitlisted_at", "pk"),
        WAITLIST_PER_PAGE,
    ).get_page(request.GET.get("waitlist_page"))  # fmt: skip
    context = {
        "cohort": cohort,
        "form": form,
        "rows": rows,
        "status": status,
        "statuses": [
            (value, label, counts.get(value, 0)) for value, label in Application.Status.choices
        ],
        # Without JavaScript, "select all" is a link that comes back with every box ticked.
        "select_all": request.GET.get("select") == "all",
        "members": members,
        "former": former,
        "waitlist": waitlist,
        "waitlist_query": urlencode({"status": status}),
        "places_left": services.places_left(cohort),
        "codes": cohort.codes.all(),
        "code_form": CodeForm(),
        # One query whatever their number (bulk enrolment sends hundreds at once).
        "invitations": cohort.invitations.select_related("invited_by"),
        "default_messages": default_messages(cohort),
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
    targets = services.move_targets(cohort, trained_by(request.user))
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
        InvitationCode.objects.filter(
            cohort=cohort, pk=whole_number(request.POST["deactivate"])
        ).update(active=False)
        messages.info(request, _("The code no longer works."))
    else:
        form = CodeForm(request.POST)
        if form.is_valid():
            code = form.save(commit=False)
            code.cohort = cohort
            code.created_by = request.user
            code.save()
            messages.success(request, _("New code: %(code)s") % {"code": code.code})
        else:
            messages.error(request, _("The code could not be created: check the fields."))
    return HttpResponseRedirect(reverse("cohorts:trainer_cohort", args=[cohort.slug]) + "#codes")
