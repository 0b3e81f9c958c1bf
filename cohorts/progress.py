"""The progress of a cohort's members: the matrix (members by modules) and one member's detail.

A fixed number of queries whatever the number of members and modules: members, modules,
module progress, course activity (and for the detail: attendance, sign-offs, reflections).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Max, Q
from django.utils import timezone

from courses.models import (
    CourseProgress,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
    Reflection,
)

from .models import Attendance, Cohort, Membership, Skill, SkillSignOff


@dataclass
class MemberRow:
    membership: Membership
    cells: list[str] = field(default_factory=list)  # a status per module, in column order
    completed: int = 0
    last_activity: datetime | None = None


def cohort_modules(cohort: Cohort) -> list[ModulePage]:
    """The published modules of the cohort's courses, course by course, in order."""
    courses = list(cohort.courses.all().order_by("cohort_links__sort_order"))
    if not courses:
        return []
    condition = Q()
    for course in courses:
        condition |= Q(path__startswith=course.path, depth=course.depth + 1)
    modules = list(
        ModulePage.objects.live().filter(condition).only("title", "path", "depth", "slug")
    )
    order = {course.path: index for index, course in enumerate(courses)}
    modules.sort(key=lambda m: (order.get(m.path[: -ModulePage.steplen], 0), m.path))
    return modules


def skills_of(cohort: Cohort):
    """The skills signed off in this cohort: its own, and those of the courses it takes."""
    return (
        Skill.objects.filter(Q(cohort=cohort) | Q(course__in=cohort.courses.all()))
        .select_related("course")
        .order_by("course_id", "sort_order", "pk")
    )


def matrix(cohort: Cohort, *, inactive_days: int | None = None) -> dict:
    members = list(
        cohort.memberships.filter(left_at__isnull=True)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )
    modules = cohort_modules(cohort)
    user_ids = [m.user_id for m in members]
    states = {
        (user_id, module_id): status
        for user_id, module_id, status in ModuleProgress.objects.filter(
            user_id__in=user_ids, module__in=[m.pk for m in modules]
        ).values_list("user_id", "module_id", "status")
    }
    last = dict(
        CourseProgress.objects.filter(user_id__in=user_ids, course__in=cohort.courses.all())
        .values("user_id")
        .annotate(last=Max("last_activity_at"))
        .values_list("user_id", "last")
    )
    rows = []
    for membership in members:
        row = MemberRow(membership=membership, last_activity=last.get(membership.user_id))
        for module in modules:
            status = states.get((membership.user_id, module.pk), ProgressStatus.NOT_STARTED)
            row.cells.append(status)
            row.completed += status == ProgressStatus.COMPLETED
        rows.append(row)
    if inactive_days:
        cutoff = timezone.now() - timedelta(days=inactive_days)
        rows = [r for r in rows if r.last_activity is None or r.last_activity < cutoff]
    return {"modules": modules, "rows": rows}


def member_detail(cohort: Cohort, membership: Membership) -> dict:
    user = membership.user
    modules = cohort_modules(cohort)
    progress = {
        p.module_id: p
        for p in ModuleProgress.objects.filter(user=user, module__in=[m.pk for m in modules])
    }
    sessions = list(cohort.sessions.filter(starts_at__lte=timezone.now()))
    marks = {a.session_id: a for a in Attendance.objects.filter(user=user, session__in=sessions)}
    # Only what the member chose to share, as they submitted it, while a member of this cohort
    # (what they shared before joining was for other trainers).
    reflections = list(
        Reflection.objects.filter(
            user=user, module__in=[m.pk for m in modules], shared_with_trainers=True,
            submitted_at__gte=membership.joined_at,
        ).select_related("module")
    )  # fmt: skip
    skills = list(skills_of(cohort))
    signed = {
        s.skill_id: s
        # Signed off here: another cohort's sign-off of a shared course skill is not shown.
        for s in SkillSignOff.objects.filter(
            user=user, skill__in=skills, cohort=cohort
        ).select_related("signed_by")
    }
    return {
        "modules": [(m, progress.get(m.pk)) for m in modules],
        "sessions": [(s, marks.get(s.pk)) for s in sessions],
        "reflections": reflections,
        "skills": [(skill, signed.get(skill.pk)) for skill in skills],
    }
