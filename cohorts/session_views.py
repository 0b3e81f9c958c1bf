"""Live sessions: trainers schedule them and mark attendance; members see them in their own
time zone, add them to their calendar and confirm catching up; everyone has a private feed."""

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from training.permissions import role_required
from training.roles import Role

from . import selectors, sessions
from .forms import AfterSessionForm, SessionForm
from .models import Attendance, Cohort, LiveSession
from .views import _trained_cohort, _visible_cohort


def _local(session: LiveSession, cohort: Cohort) -> dict:
    """A session's fields as the trainer entered them, in the cohort's zone."""
    zone = ZoneInfo(cohort.time_zone)
    start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    return {
        "title": session.title, "description": session.description, "day": start.date(),
        "start": start.time().replace(tzinfo=None), "end": end.time().replace(tzinfo=None),
        "meeting_url": session.meeting_url,
        "interpretation_languages": session.interpretation_languages, "kind": session.kind,
    }  # fmt: skip


# --- Trainers -----------------------------------------------------------------------------------
@role_required(Role.TRAINER)
def trainer_sessions(request, slug):
    """Every session with its times (the cohort's and the viewer's), what the time is for the
    members, its place in a series, warnings and how far attendance is marked: a fixed number
    of queries, whatever the number of sessions."""
    cohort = _trained_cohort(request, slug)
    zones = sessions.member_zones(cohort)
    items = list(
        cohort.sessions.annotate(marked=Count("attendance", filter=~Q(attendance__status="")))
        .order_by("starts_at", "pk")
    )  # fmt: skip
    positions = sessions.series_positions(items)
    now = timezone.now()
    rows = [
        {"session": s, "spread": sessions.time_spread(s.starts_at, s.ends_at, zones),
         "series": positions.get(s.pk), "warnings": sessions.session_warnings(s, cohort),
         "held": s.starts_at <= now}
        for s in items
    ]  # fmt: skip
    return render(request, "cohorts/trainer/sessions.html", {
        "cohort": cohort, "rows": rows,
    })  # fmt: skip


def _session_form(request, cohort, session=None, *, after_form=None):
    initial = _local(session, cohort) if session else {"weeks": 1, "kind": LiveSession.Kind.SESSION}
    posted = (request.POST or None) if after_form is None else None  # None: the other form
    to_come = sessions.series_to_come(session).count() if session else 0
    form = SessionForm(posted, initial=initial, editing=session is not None,
                       series_to_come=to_come)  # fmt: skip
    groups = warnings = None
    if posted is not None and form.is_valid():
        data = form.cleaned_data
        whole = data.get("scope") == "series"
        when = {"day": data["day"], "start": data["start"], "end": data["end"]}
        try:
            occurrences = sessions.plan(cohort=cohort, session=session, whole_series=whole,
                                        weeks=data.get("weeks") or 1, **when)  # fmt: skip
            groups = sessions.spread_by_occurrence(occurrences, sessions.member_zones(cohort))
            warnings = sessions.warnings_for(cohort, occurrences)
            if request.POST.get("action") != "preview":
                saved = sessions.sessions_save(
                    cohort=cohort, session=session, whole_series=whole, title=data["title"],
                    description=data["description"], meeting_url=data["meeting_url"],
                    interpretation_languages=data["interpretation_languages"],
                    weeks=data.get("weeks") or 1, kind=data.get("kind") or LiveSession.Kind.SESSION,
                    **when,
                )  # fmt: skip
                messages.success(
                    request,
                    ngettext("Saved: %(count)s session. Members' calendars update by themselves.",
                             "Saved: %(count)s sessions. Members' calendars update by "
                             "themselves.", len(saved)) % {"count": len(saved)},
                )  # fmt: skip
                for warning in warnings:
                    messages.warning(request, warning)
                return HttpResponseRedirect(reverse("cohorts:trainer_sessions", args=[cohort.slug]))
        except sessions.SessionError as error:
            form.add_error(None, str(error))
            groups = warnings = None
    after = after_form or (AfterSessionForm(initial={"recording_url": session.recording_url,
                                                     "notes": session.notes})
                           if session else None)  # fmt: skip
    context = {
        "cohort": cohort, "form": form, "session": session, "groups": groups,
        "spread": groups[0]["spread"] if groups else None, "warnings": warnings,
        "after_form": after, "series_to_come": to_come, "position": None,
    }  # fmt: skip
    if session is not None and session.series:
        series = LiveSession.objects.filter(cohort=cohort, series=session.series)
        context["position"] = sessions.series_positions(series).get(session.pk)
    return render(request, "cohorts/trainer/session_form.html", context)


@role_required(Role.TRAINER)
def trainer_session_new(request, slug):
    return _session_form(request, _trained_cohort(request, slug))


def _trained_session(request, slug, pk) -> tuple[Cohort, LiveSession]:
    cohort = _trained_cohort(request, slug)
    return cohort, get_object_or_404(LiveSession, cohort=cohort, pk=pk)


@role_required(Role.TRAINER)
def trainer_session_edit(request, slug, pk):
    cohort, session = _trained_session(request, slug, pk)
    return _session_form(request, cohort, session)


@role_required(Role.TRAINER)
@require_POST
def trainer_session_cancel(request, slug, pk):
    cohort, session = _trained_session(request, slug, pk)
    whole = request.POST.get("scope") == "series"
    cancelled = sessions.session_cancel(session, whole_series=whole)
    if len(cancelled) > 1:
        text = _("%(count)s sessions are cancelled. Members are told, and their calendars show "
                 "them cancelled.")  # fmt: skip
        messages.info(request, text % {"count": len(cancelled)})
    else:
        messages.info(request, _("The session is cancelled. Members' calendars show it cancelled."))
    return HttpResponseRedirect(reverse("cohorts:trainer_sessions", args=[cohort.slug]))


@role_required(Role.TRAINER)
@require_POST
def trainer_session_after(request, slug, pk):
    cohort, session = _trained_session(request, slug, pk)
    form = AfterSessionForm(request.POST)
    if not form.is_valid():
        # The page comes back with what was typed and each problem beside its field.
        messages.error(request, _("Please check the recording link and the notes."))
        return _session_form(request, cohort, session, after_form=form)
    sessions.session_after(session, **form.cleaned_data)
    messages.success(request, _("Recording and notes saved."))
    return HttpResponseRedirect(reverse("cohorts:trainer_session_edit", args=[cohort.slug, pk]))


@role_required(Role.TRAINER)
def trainer_attendance(request, slug, pk):
    """Attendance for a whole session in one screen: a status per member, "not marked" to take
    a mark back, and "mark all present" for everyone not marked otherwise. Only once the
    session has started. A fixed number of queries, whatever the number of members."""
    cohort, session = _trained_session(request, slug, pk)
    members = list(
        cohort.memberships.filter(left_at__isnull=True).select_related("user")
        .order_by("user__display_name")
    )  # fmt: skip
    if request.method == "POST":
        statuses = {
            m.user_id: request.POST[f"status-{m.user_id}"]
            for m in members
            if f"status-{m.user_id}" in request.POST
        }
        everyone_else = (
            Attendance.Status.PRESENT if request.POST.get("action") == "all-present" else ""
        )
        try:
            saved = sessions.attendance_save(session=session, statuses=statuses, by=request.user,
                                             everyone_else=everyone_else)  # fmt: skip
        except sessions.SessionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                translation.ngettext(
                    "Attendance saved for %(count)s member.",
                    "Attendance saved for %(count)s members.",
                    saved,
                )
                % {"count": saved},
            )
        return HttpResponseRedirect(request.path)
    marks = {a.user_id: a for a in session.attendance.all()}
    # A trainer of the cohort (or the one marking) is never marked here: nobody vouches for
    # their own attendance (sessions.attendance_save refuses it).
    own = set(cohort.trainers.values_list("pk", flat=True)) | {request.user.pk}
    rows = [
        {"membership": m, "attendance": marks.get(m.user_id), "own": m.user_id in own}
        for m in members
    ]
    offered = list(sessions.MARKS)
    if any(a.status == Attendance.Status.LATE for a in marks.values()):
        offered.insert(1, Attendance.Status.LATE)  # older marks keep their word
    counts = Counter(marks[r["membership"].user_id].status if r["membership"].user_id in marks
                     else "" for r in rows if not r["own"])  # fmt: skip
    summary = [(label, counts[value]) for value, label in
               [("", _("Not marked"))] + [(s.value, s.label) for s in offered]]  # fmt: skip
    return render(request, "cohorts/trainer/attendance.html", {
        "cohort": cohort, "session": session, "rows": rows,
        "statuses": [(s.value, s.label) for s in offered], "summary": summary,
        "blocked": sessions.not_markable(session),
    })  # fmt: skip


# --- Members ------------------------------------------------------------------------------------
def _member_session(request, slug, pk) -> tuple[Cohort, LiveSession]:
    cohort = _visible_cohort(request, slug)
    user = request.user
    if not selectors.trains(cohort, user) and selectors.membership_of(cohort, user) is None:
        raise Http404
    return cohort, get_object_or_404(LiveSession, cohort=cohort, pk=pk)


@login_required
def session_ics(request, slug, pk):
    """One session as a calendar file ("add to calendar")."""
    _cohort, session = _member_session(request, slug, pk)
    response = HttpResponse(sessions.ics([session], name=session.cohort.title),
                            content_type="text/calendar; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}.ics"'
    return response


@login_required
@require_POST
def session_caught_up(request, slug, pk):
    cohort, session = _member_session(request, slug, pk)
    if selectors.membership_of(cohort, request.user) is None:
        raise Http404  # trainers see sessions, but only members catch up
    try:
        sessions.caught_up(session=session, user=request.user)
        messages.success(request, _("Thank you. Your trainers can see that you caught up."))
    except sessions.SessionError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(reverse("cohorts:detail", args=[cohort.slug]) + "#sessions")


# The new address is a secret shown once: no browser or proxy may keep a copy of this page.
@login_required
@never_cache
def calendar_settings(request):
    """The person's private calendar address: made (or made anew) here, shown once."""
    token = None
    if request.method == "POST":
        token = sessions.feed_token_new(request.user)
    url = (
        request.build_absolute_uri(reverse("cohorts:calendar_feed_url", args=[token]))
        if token
        else None
    )
    has_feed = hasattr(request.user, "calendar_feed")
    # The same address for calendar apps that subscribe on a tap (webcal: is how phones and
    # desktop apps recognise a calendar to follow).
    webcal_url = "webcal://" + url.split("://", 1)[1] if url else None
    return render(
        request, "cohorts/calendar.html",
        {"feed_url": url, "webcal_url": webcal_url, "has_feed": has_feed,
         "unused_days": settings.ACOMPANA_CALENDAR_FEED_UNUSED_DAYS},
    )  # fmt: skip


@never_cache
def calendar_feed(request, token):
    user = sessions.feed_owner(token)
    if user is None:
        raise Http404
    since = timezone.now() - timedelta(days=90)
    items = sessions.sessions_for(user).filter(ends_at__gte=since)
    # A calendar app fetches this without the person's cookies: their own language is used.
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        body = sessions.ics(items, name=_("Live sessions"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
