"""The trainer's view of a cohort's progress: matrix, member detail, sign-offs, CSV export."""

import csv
import secrets

from django.contrib import messages
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from training.permissions import role_required
from training.roles import Role
from training.spreadsheets import safe_cell

from . import progress
from .models import ExportLog, Membership, Skill, SkillSignOff
from .views import _trained_cohort


def _inactive_days(request) -> int | None:
    raw = request.GET.get("inactive", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 365 else None


@role_required(Role.TRAINER)
def trainer_progress(request, slug):
    cohort = _trained_cohort(request, slug)
    inactive = _inactive_days(request)
    data = progress.matrix(cohort, inactive_days=inactive)
    if request.GET.get("format") == "csv":
        return _csv(request, cohort, data)
    return render(request, "cohorts/trainer/progress.html",
                  {"cohort": cohort, "inactive": inactive, **data})  # fmt: skip


class _Echo:
    def write(self, value):
        return value


def _csv(request, cohort, data):
    ExportLog.objects.create(user=request.user, cohort=cohort, kind="cohort-progress",
                             rows=len(data["rows"]))  # fmt: skip
    writer = csv.writer(_Echo())

    def rows():
        header = [_("Member"), _("Modules completed"), _("Last activity")]
        yield writer.writerow(header + [safe_cell(m.title) for m in data["modules"]])
        for row in data["rows"]:
            last = timezone.localtime(row.last_activity).isoformat() if row.last_activity else ""
            name = safe_cell(row.membership.user.display_name)
            yield writer.writerow([name, row.completed, last, *row.cells])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cohort.slug}-progress.csv"'
    return response


@role_required(Role.TRAINER)
def trainer_member(request, slug, user_id):
    cohort = _trained_cohort(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), cohort=cohort, user_id=user_id
    )
    context = {"cohort": cohort, "membership": membership,
               **progress.member_detail(cohort, membership)}  # fmt: skip
    if cohort.track_id:
        from certificates.eligibility import compute

        context["certification"] = compute(membership.user, cohort.track)
    return render(request, "cohorts/trainer/member.html", context)


@role_required(Role.TRAINER)
@require_POST
def trainer_sign_off(request, slug, user_id, skill_id):
    cohort = _trained_cohort(request, slug)
    membership = get_object_or_404(Membership, cohort=cohort, user_id=user_id,
                                   left_at__isnull=True)  # fmt: skip
    skill = get_object_or_404(progress.skills_of(cohort), pk=skill_id)
    if request.POST.get("action") == "withdraw":
        SkillSignOff.objects.filter(skill=skill, user_id=membership.user_id).delete()
        messages.info(request, _("Sign-off withdrawn."))
    else:
        SkillSignOff.objects.update_or_create(
            skill=skill, user_id=membership.user_id,
            defaults={"signed_by": request.user, "notes": request.POST.get("notes", "")[:5000],
                      "signed_at": timezone.now()},
        )  # fmt: skip
        messages.success(request, _("Signed off: %(skill)s") % {"skill": skill.name})
    return HttpResponseRedirect(
        reverse("cohorts:trainer_member", args=[cohort.slug, user_id]) + "#skills"
    )


@role_required(Role.TRAINER)
def trainer_skills(request, slug):
    """The skills trainers sign off: for this cohort, or for a course it takes (then every
    cohort taking that course shares them)."""
    cohort = _trained_cohort(request, slug)
    courses = list(cohort.courses.all())
    if request.method == "POST":
        if request.POST.get("delete", "").isdigit():
            # A course's skills are shared with other cohorts: only administrators remove them.
            removable = progress.skills_of(cohort)
            if not request.user.is_superuser:
                removable = removable.filter(cohort=cohort)
            if not removable.filter(pk=request.POST["delete"]).delete()[0]:
                messages.error(request, _("Only administrators remove a course's skills."))
        elif request.POST.get("name", "").strip():
            scope = request.POST.get("scope", "cohort")
            course = next((c for c in courses if str(c.pk) == scope), None)
            Skill.objects.create(
                cohort=None if course else cohort, course=course,
                name=request.POST["name"].strip()[:200],
                description=request.POST.get("description", "")[:5000],
                sort_order=progress.skills_of(cohort).count(),
            )  # fmt: skip
            messages.success(request, _("Skill added."))
        return HttpResponseRedirect(request.path)
    return render(request, "cohorts/trainer/skills.html",
                  {"cohort": cohort, "skills": progress.skills_of(cohort),
                   "courses": courses})  # fmt: skip


@role_required(Role.TRAINER)
def trainer_releases(request, slug):
    """A release date per module, entered in the cohort's time zone."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from .models import ModuleRelease
    from .sessions import SessionError, local_to_utc

    cohort = _trained_cohort(request, slug)
    modules = progress.cohort_modules(cohort)
    zone = ZoneInfo(cohort.time_zone)
    current = {r.module_id: r for r in ModuleRelease.objects.filter(cohort=cohort)}
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
            for module_id, opens_at in wanted.items():
                if opens_at is None:
                    ModuleRelease.objects.filter(cohort=cohort, module_id=module_id).delete()
                else:
                    ModuleRelease.objects.update_or_create(
                        cohort=cohort, module_id=module_id, defaults={"opens_at": opens_at}
                    )
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
def trainer_enrol(request, slug):
    """Bulk enrolment from a CSV: upload, preview what each row will do, confirm, report."""
    from . import enrolment

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
            done = enrolment.apply(cohort, rows, by=request.user)
            ExportLog.objects.create(user=request.user, cohort=cohort, kind="csv-enrolment",
                                     rows=len(done))  # fmt: skip
            context["report"] = [(row, enrolment.outcome_label(row.outcome)) for row in done]
    elif request.method == "POST":
        upload = request.FILES.get("file")
        raw = upload.read(enrolment.MAX_BYTES + 1) if upload else request.POST.get(
            "pasted", "").encode()  # fmt: skip
        try:
            rows = enrolment.preview(cohort, enrolment.read(raw))
        except enrolment.CsvError as error:
            context["error"] = str(error)
        else:
            token = secrets.token_urlsafe(16)
            request.session[ENROL_SESSION_KEY.format(pk=cohort.pk, token=token)] = [
                row.as_dict() for row in rows
            ]
            context["preview"] = token
            context["rows"] = [(row, enrolment.outcome_label(row.outcome)) for row in rows]
            context["will_act"] = sum(row.valid for row in rows)
    return render(request, "cohorts/trainer/enrol.html", context)
