"""The trainer's view of a cohort's progress: matrix, member detail, sign-offs, CSV export."""

import csv
import secrets
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.formats import get_format, localize
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.models import ProgressStatus
from training import audit
from training.permissions import role_required
from training.roles import Role
from training.spreadsheets import safe_cell
from training.timezones import zone_label_inline

from . import enrolment, invitations, member_panels, progress, selectors, services, shared_skills
from .inputs import whole_number
from .models import Membership
from .sessions import SessionError, local_to_utc
from .views import _trained_cohort


class FilterError(ValueError):
    """A filter value the page cannot apply: said, never silently ignored."""


def _inactive_days(data) -> int | None:
    """The "inactive for at least … days" filter: none, or a whole number from 1 to 365."""
    raw = (data.get("inactive") or "").strip()
    if not raw:
        return None
    days = whole_number(raw)
    if days is None or not 0 < days <= 365:
        raise FilterError(
            _("“Inactive for at least (days)” takes a whole number of days from 1 to 365.")
        )
    return days


def _matrix_body(cohort, data) -> str:
    """The matrix's rows as HTML, written here rather than in the template: a thousand members
    by a dozen modules are thousands of cells, and the template language takes a second for
    them. Everything said once (the words, the cells of each state, the address of the member
    page) is prepared once; each row is then a join of strings, escaped."""
    never = format_html('<span class="muted">{}</span>', _("Never"))
    # The last activity as the `when` filter says it (training/templatetags/acompana.py): the
    # viewer's zone, its place and the format looked up once, not per member.
    zone, fmt = timezone.get_current_timezone(), get_format("DATETIME_FORMAT")
    place = zone_label_inline(timezone.get_current_timezone_name())

    def moment(value) -> str:
        return escape(f"{dateformat.format(timezone.localtime(value, zone), fmt)} ({place})")

    # "{{ met }} of {{ total }}" as the template's blocktranslate said it (the same message),
    # its numbers localized and escaped as the template does (a few distinct numbers: once).
    of = _("%(met)s of %(total)s")
    numbers: dict[int, str] = {}

    def number(value: int) -> str:
        if (text := numbers.get(value)) is None:
            text = numbers[value] = escape(localize(value))
        return text

    held = number(data["sessions_held"])
    skills = len(data["skills"])
    total_skills = number(skills)
    labels = {
        ProgressStatus.COMPLETED: ("✓", _("Completed")),
        ProgressStatus.IN_PROGRESS: ("…", _("In progress")),
    }
    dot = mark_safe('<span class="muted" aria-hidden="true">·</span>')
    not_started = (dot, _("Not started"))
    cells: dict[str, str] = {}

    def cell(state) -> str:
        if (html := cells.get(state)) is None:
            sign, label = labels.get(state, not_started)
            html = cells[state] = format_html(
                '<td class="state-{}">{}<span class="visually-hidden"> {}</span></td>',
                state, sign, label,
            )  # fmt: skip
        return html

    # The member page's address, made once: the person's id is its last number.
    sentinel = 999999999
    head, _sentinel, tail = reverse(
        "cohorts:trainer_member", args=[cohort.slug, sentinel]
    ).rpartition(str(sentinel))
    head, tail = escape(head), escape(tail)
    lines = []
    for row in data["rows"]:
        user = row.membership.user
        last = moment(row.last_activity) if row.last_activity else never
        line = [
            f'<tr><th scope="row"><a href="{head}{row.membership.user_id}{tail}">'
            f"{escape(user.display_name)}</a></th><td>{last}</td>"
            f"<td>{of % {'met': number(row.attended), 'total': held}}</td>"
        ]
        if skills:
            line.append(f"<td>{of % {'met': number(row.signed), 'total': total_skills}}</td>")
        line.extend(cell(state) for state in row.cells)
        line.append("</tr>\n")
        lines.append("".join(line))
    return mark_safe("".join(lines))  # noqa: S308 - every value escaped above


def _progress_page(request, cohort, *, inactive=None, error=None, typed=""):
    """The matrix; with a filter value it cannot apply, every member and what to correct (400,
    the value as typed back in the field)."""
    data = progress.matrix(cohort, inactive_days=inactive)
    body = _matrix_body(cohort, data)
    # The rows are in `body`; the page only asks whether there are any. Kept out of the
    # template's context, they are freed as this function returns: a rendered context is a
    # reference cycle (Django's ContextDict points back to its Context), so whatever it holds
    # waits for the garbage collector, which then spent its time on a thousand members' rows
    # during some later request (issue 18: the pages measured after this one).
    data["rows"] = bool(data["rows"])
    context = {"cohort": cohort, "inactive": inactive, "filter_error": error, "typed": typed[:20],
               "body": body, **data}  # fmt: skip
    return render(request, "cohorts/trainer/progress.html", context, status=400 if error else 200)


@role_required(Role.TRAINER)
def trainer_progress(request, slug):
    cohort = _trained_cohort(request, slug)
    try:
        inactive = _inactive_days(request.GET)
    except FilterError as error:
        return _progress_page(request, cohort, error=str(error), typed=request.GET["inactive"])
    return _progress_page(request, cohort, inactive=inactive)


# An export is a POST (with the CSRF token), like the pool's: a link or an image on another site
# cannot make a trainer's browser export their members' progress, and each export is a
# deliberate act that leaves a record (the audit log, with each person sent).
@role_required(Role.TRAINER)
@require_POST
@never_cache
def trainer_progress_csv(request, slug):
    cohort = _trained_cohort(request, slug)
    try:
        inactive = _inactive_days(request.POST)
    except FilterError as error:  # nothing exported: the page, with what to correct
        return _progress_page(request, cohort, error=str(error), typed=request.POST["inactive"])
    data = progress.matrix(cohort, inactive_days=inactive)
    return _csv(request, cohort, data, inactive)


class _Echo:
    def write(self, value):
        return value


def _csv(request, cohort, data, inactive):
    """One line per member, in words a spreadsheet reader understands: each module's state,
    live sessions attended (of those held) and when each skill was signed off in this cohort."""
    entry = audit.record(
        action="cohort.progress_export", request=request, count=len(data["rows"]),
        detail={"cohort": cohort.pk, "cohort_title": cohort.title, "inactive_days": inactive},
    )  # fmt: skip
    writer = csv.writer(_Echo())
    states = dict(ProgressStatus.choices)
    # The trainer's zone, taken now (the lines are written while the response streams).
    zone, zone_name = timezone.get_current_timezone(), timezone.get_current_timezone_name()

    def day(moment) -> str:
        return timezone.localdate(moment, zone).isoformat() if moment else ""

    def minute(moment) -> str:
        """A date and time a spreadsheet reads and sorts, in the trainer's zone (named in the
        column's header), to the minute."""
        return timezone.localtime(moment, zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    def rows():
        header = [
            _("Member"), _("Modules completed"),
            _("Last activity (%(zone)s)") % {"zone": zone_name},
            _("Live sessions attended (of %(total)s held)") % {"total": data["sessions_held"]},
            *(safe_cell(m.local_title) for m in data["modules"]),
            *(safe_cell(_("Skill signed off: %(skill)s") % {"skill": s.name})
              for s in data["skills"]),
        ]  # fmt: skip
        yield writer.writerow(header), []
        lines, people = [], []  # 100 members a piece: one insert of their ids each
        for row in data["rows"]:
            last = minute(row.last_activity)
            name = safe_cell(row.membership.user.display_name)
            cells = [str(states.get(state, state)) for state in row.cells]
            signed = [day(when) for when in row.skills]
            lines.append(writer.writerow([name, row.completed, last, row.attended, *cells,
                                          *signed]))  # fmt: skip
            people.append(row.membership.user_id)
            if len(lines) == 100:
                yield "".join(lines), people
                lines, people = [], []
        if lines:
            yield "".join(lines), people

    response = StreamingHttpResponse(audit.sent(entry, rows()),
                                     content_type="text/csv; charset=utf-8")  # fmt: skip
    response["Content-Disposition"] = f'attachment; filename="{cohort.slug}-progress.csv"'
    return response


@role_required(Role.TRAINER)
@never_cache
def trainer_member(request, slug, user_id):
    """What belongs to this cohort only: its sessions' attendance, its sign-offs, reflections on
    its courses; and each certification requirement's state, without details from elsewhere."""
    cohort = _trained_cohort(request, slug)
    # Members only: someone who left is no longer the trainers' to follow (404, like a stranger).
    membership = get_object_or_404(
        Membership.objects.select_related("user"), cohort=cohort, user_id=user_id,
        left_at__isnull=True,
    )  # fmt: skip
    own = membership.user_id == request.user.pk or selectors.is_listed_trainer(cohort, user_id)
    context = {"cohort": cohort, "membership": membership, "own": own,
               **progress.member_detail(cohort, membership),
               # What later apps show about the member (certification: certificates).
               "panels": member_panels.panels_for(cohort=cohort, user=membership.user)}  # fmt: skip
    return render(request, "cohorts/trainer/member.html", context)


@role_required(Role.TRAINER)
@require_POST
def trainer_sign_off(request, slug, user_id, skill_id):
    cohort = _trained_cohort(request, slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), cohort=cohort,
                                   user_id=user_id, left_at__isnull=True)  # fmt: skip
    skill = get_object_or_404(progress.skills_of(cohort), pk=skill_id)
    # A cohort's trainers sign off, change and withdraw their own cohort's sign-offs only (a
    # course's skill may also be signed off in another cohort: that one is not theirs).
    try:
        if request.POST.get("action") == "withdraw":
            services.skill_sign_off_withdraw(cohort=cohort, skill=skill, user=membership.user)
            messages.info(request, _("Sign-off withdrawn."))
        else:
            services.skill_sign_off(
                cohort=cohort, skill=skill, user=membership.user, by=request.user,
                notes=request.POST.get("notes", ""),
            )  # fmt: skip
            messages.success(request, _("Signed off: %(skill)s") % {"skill": skill.name})
    except services.CohortError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(
        reverse("cohorts:trainer_member", args=[cohort.slug, user_id]) + "#skills"
    )


@role_required(Role.TRAINER)
def trainer_skills(request, slug):
    """The skills trainers sign off: for this cohort, or for a course it takes (then every
    cohort taking that course shares them); and, read-only, those of the certification track
    the cohort prepares for (coordinators edit them with the track)."""
    cohort = _trained_cohort(request, slug)
    courses = list(cohort.courses.all())
    if request.method == "POST":
        if (delete := whole_number(request.POST.get("delete", ""))) is not None:
            try:
                services.skill_delete(cohort=cohort, skill_id=delete, by=request.user)
            except services.CohortError as error:
                messages.error(request, str(error))
        elif "name" in request.POST:
            typed = {key: request.POST.get(key, "") for key in ("name", "description", "scope")}
            course = next((c for c in courses if str(c.pk) == typed["scope"]), None)
            try:
                if course is None and typed["scope"] not in ("", "cohort"):
                    raise services.CohortError(_("Choose a course this cohort takes."))
                services.skill_create(
                    cohort=cohort, course=course, name=typed["name"],
                    description=typed["description"], by=request.user,
                )  # fmt: skip
            except services.CohortError as error:
                # Shown beside the name, with what was typed kept.
                return render(request, "cohorts/trainer/skills.html",
                              {"cohort": cohort, "skills": progress.skills_of(cohort),
                               "courses": courses, "track": shared_skills.group_of(cohort),
                               "add_error": str(error), "typed": typed})  # fmt: skip
            messages.success(request, _("Skill added."))
        return HttpResponseRedirect(request.path)
    return render(request, "cohorts/trainer/skills.html",
                  {"cohort": cohort, "skills": progress.skills_of(cohort),
                   "courses": courses, "track": shared_skills.group_of(cohort)})  # fmt: skip


@role_required(Role.TRAINER)
def trainer_releases(request, slug):
    """A release date per module, entered in the cohort's time zone."""
    cohort = _trained_cohort(request, slug)
    modules = progress.name_in_active_language(progress.cohort_modules(cohort))
    zone = ZoneInfo(cohort.time_zone)
    current = selectors.module_releases(cohort)
    errors = {}
    if request.method == "POST":
        wanted = {}
        for module in modules:
            raw = request.POST.get(f"opens-{module.pk}", "").strip()
            if not raw:
                wanted[module.pk] = None
                continue
            try:
                local = datetime.strptime(raw, "%Y-%m-%dT%H:%M")
                wanted[module.pk] = local_to_utc(local.date(), local.time(), cohort.time_zone)
            except ValueError:
                errors[module.pk] = _("Enter a date and time.")
            except SessionError as error:
                errors[module.pk] = str(error)
        if not errors:
            services.module_releases_set(cohort=cohort, opens=wanted)
            messages.success(request, _("Release dates saved."))
            return HttpResponseRedirect(request.path)
    rows = []
    for module in modules:
        release = current.get(module.pk)
        if request.method == "POST":
            value = request.POST.get(f"opens-{module.pk}")
        elif release is not None:
            value = release.opens_at.astimezone(zone).strftime("%Y-%m-%dT%H:%M")
        else:
            value = ""
        rows.append({"module": module, "value": value, "error": errors.get(module.pk)})
    return render(request, "cohorts/trainer/releases.html", {"cohort": cohort, "rows": rows})


ENROL_SESSION_KEY = "cohort-enrol:{pk}:{token}"


@role_required(Role.TRAINER)
@never_cache
def trainer_enrol(request, slug):
    """Bulk invitation from a CSV: upload, preview what each row will do, confirm, report."""
    cohort = _trained_cohort(request, slug)
    context = {"cohort": cohort, "rows": None, "report": None, "error": None}
    if request.method == "POST" and request.POST.get("action") == "confirm":
        # The preview this page showed, and no other (two tabs, two files: each its own).
        token = request.POST.get("preview", "")
        stored = request.session.pop(ENROL_SESSION_KEY.format(pk=cohort.pk, token=token), None)
        if not stored:
            context["error"] = _("The preview has expired. Please upload the file again.")
        else:
            rows = [enrolment.Row(**row) for row in stored]
            try:
                done = enrolment.apply(cohort, rows, by=request.user)
            except invitations.InvitationError as error:  # the daily allowance, meanwhile used
                context["error"] = str(error)
            else:
                invited = sum(row.outcome in enrolment.INVITED for row in done)
                # No addresses in the log: how many, to which cohort, by whom.
                audit.record(action="cohort.invitations_sent", request=request, count=invited,
                             detail={"cohort": cohort.pk, "cohort_title": cohort.title,
                                     "rows": len(done)})  # fmt: skip
                context["report"] = [(row, row.label()) for row in done]
                context["places"] = enrolment.places_summary(cohort, invited)
    elif request.method == "POST":
        upload = request.FILES.get("file")
        raw = upload.read(enrolment.MAX_BYTES + 1) if upload else request.POST.get(
            "pasted", "").encode()  # fmt: skip
        try:
            rows = enrolment.preview(cohort, enrolment.read(raw))
        except enrolment.CsvError as error:
            context["error"] = str(error)
        else:
            will_act = sum(row.valid for row in rows)
            left = invitations.invitations_left_today(request.user)
            context["left_today"] = left
            if will_act > left:
                # Refused whole, before anything is kept: nothing to confirm.
                context["error"] = invitations.allowance_message(will_act, left)
                context["rows"] = [(row, row.label()) for row in rows]
                context["will_act"] = 0
                context["daily_limit"] = settings.ACOMPANA_COHORT_INVITATIONS_PER_DAY
                return render(request, "cohorts/trainer/enrol.html", context, status=400)
            token = secrets.token_urlsafe(16)
            request.session[ENROL_SESSION_KEY.format(pk=cohort.pk, token=token)] = [
                row.as_dict() for row in rows
            ]
            context["preview"] = token
            context["rows"] = [(row, row.label()) for row in rows]
            context["will_act"] = will_act
            context["places"] = enrolment.places_summary(cohort, will_act)
    if "left_today" not in context:
        context["left_today"] = invitations.invitations_left_today(request.user)
    context["daily_limit"] = settings.ACOMPANA_COHORT_INVITATIONS_PER_DAY
    return render(request, "cohorts/trainer/enrol.html", context)
