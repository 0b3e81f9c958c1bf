"""The progress of a cohort's members: the matrix (members by modules) and one member's detail.

A fixed number of queries whatever the number of members, modules, sessions and skills: for the
matrix, members (with their last course activity), courses, modules, module progress, the
sessions held with their attendance, skills, sign-offs; for the detail, reflections too.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import (
    DateTimeField,
    F,
    FilteredRelation,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.utils import timezone

from courses.models import (
    CourseProgress,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
    Reflection,
)
from training.i18n import titles_in_active_language

from . import shared_skills
from .models import Attendance, Cohort, LiveSession, Membership, Skill, SkillSignOff

# Marks that mean the member was there (LATE stays for old rows). Catching up from the recording
# counts where the cohort says so. The same rule as certification (certificates.eligibility).
PRESENT = (Attendance.Status.PRESENT, Attendance.Status.LATE)


def counts_as_attended(cohort: Cohort, *, status: str, caught_up_at, marked_by_id, user_id) -> bool:
    # Presence the person marked for themselves never counts (catching up is theirs to say).
    if status in PRESENT and marked_by_id != user_id:
        return True
    caught_up = status == Attendance.Status.CAUGHT_UP or caught_up_at is not None
    return bool(cohort.catch_up_counts and caught_up)


@dataclass
class MemberRow:
    membership: Membership
    cells: list[str] = field(default_factory=list)  # a status per module, in column order
    completed: int = 0
    last_activity: datetime | None = None
    attended: int = 0  # of the sessions held (past, not cancelled)
    # When each skill was signed off in this cohort (None: not yet), in column order.
    skills: list[datetime | None] = field(default_factory=list)

    @property
    def signed(self) -> int:
        return sum(1 for when in self.skills if when is not None)


def cohort_modules(cohort: Cohort) -> list[ModulePage]:
    """The published modules of the cohort's courses, course by course, in order."""
    return _courses_and_modules(cohort)[1]


def _courses_and_modules(cohort: Cohort) -> tuple[list, list[ModulePage]]:
    courses = list(cohort.courses.all().order_by("cohort_links__sort_order"))
    if not courses:
        return [], []
    condition = Q()
    for course in courses:
        condition |= Q(path__startswith=course.path, depth=course.depth + 1)
    modules = list(
        ModulePage.objects.live()
        .filter(condition)
        .only("title", "path", "depth", "slug", "translation_key")
    )
    order = {course.path: index for index, course in enumerate(courses)}
    modules.sort(key=lambda m: (order.get(m.path[: -ModulePage.steplen], 0), m.path))
    return courses, modules


def name_in_active_language(modules: list[ModulePage]) -> list[ModulePage]:
    """Gives each module a `local_title`: its translation's title in the reader's language, or
    its own where nobody translated it (one query whatever their number; none in the language
    of the originals)."""
    titles = titles_in_active_language(modules)
    for module in modules:
        module.local_title = titles.get(module.translation_key, module.title)
    return modules


def skills_of(cohort: Cohort):
    """The skills signed off in this cohort: those shared with it (a certification track's,
    every cohort on the track shares them: cohorts.shared_skills), of the courses it takes, and
    its own."""
    condition = (
        Q(cohort=cohort)
        | Q(course__in=cohort.courses.all())
        | shared_skills.signed_off_in(Cohort.objects.filter(pk=cohort.pk))
    )
    return shared_skills.with_groups(
        Skill.objects.filter(condition)
        .select_related("course")
        # The shared ones first, then the courses', then the cohort's own: nulls first, said so
        # (PostgreSQL sorts them last by default, SQLite first).
        .order_by(
            F("cohort_id").asc(nulls_first=True),
            F("course_id").asc(nulls_first=True),
            "sort_order",
            "pk",
        )
    )


def offers_skill(cohort: Cohort, skill: Skill) -> bool:
    """Whether this cohort's trainers sign off `skill` (one of skills_of(cohort))."""
    if skill.cohort_id is not None:
        return skill.cohort_id == cohort.pk
    if skill.is_shared:
        return Skill.objects.filter(
            shared_skills.signed_off_in(Cohort.objects.filter(pk=cohort.pk)), pk=skill.pk
        ).exists()
    return cohort.courses.filter(pk=skill.course_id).exists()


def held_sessions(cohort: Cohort):
    """The sessions that took place: started, not cancelled (future ones are never marked).
    Debrief / supervision sessions are not among them: their attendance counts toward nothing
    and is never exported (issue 22)."""
    return cohort.sessions.filter(starts_at__lte=timezone.now(), cancelled_at__isnull=True).exclude(
        kind=LiveSession.Kind.DEBRIEF
    )


def matrix(cohort: Cohort, *, inactive_days: int | None = None) -> dict:
    """Every member's row (members, modules, module progress, sessions with their marks,
    skills, sign-offs: a fixed number of queries). Each member's last activity comes with their
    membership; the sessions held with the members' marks in one query."""
    courses, modules = _courses_and_modules(cohort)
    modules = name_in_active_language(modules)
    # Their latest activity in the cohort's courses (an index lookup per member).
    last_activity = (
        Subquery(
            CourseProgress.objects.filter(
                user_id=OuterRef("user_id"), course_id__in=[course.pk for course in courses]
            )
            .order_by()
            .values("user_id")
            .annotate(last=Max("last_activity_at"))
            .values("last")
        )
        if courses
        else Value(None, output_field=DateTimeField())
    )
    members = list(
        cohort.memberships.filter(left_at__isnull=True)
        # What the page and the export show of each person: their name (a user row is wide).
        .select_related("user")
        .only("cohort_id", "user_id", "joined_at", "user__display_name")
        .annotate(last_activity=last_activity)
        .order_by("user__display_name", "pk")
    )
    user_ids = [m.user_id for m in members]
    module_ids = [m.pk for m in modules]
    states: dict[int, dict[int, str]] = {}
    for user_id, module_id, status in ModuleProgress.objects.filter(
        user_id__in=user_ids, module__in=module_ids
    ).values_list("user_id", "module_id", "status"):
        states.setdefault(user_id, {})[module_id] = status
    # The sessions held, each with the members' marks (a session nobody marked: one line
    # without a mark), in one query.
    held = held_sessions(cohort).order_by()
    if user_ids:
        marks = held.annotate(
            mark=FilteredRelation("attendance", condition=Q(attendance__user_id__in=user_ids))
        ).values_list("pk", "mark__user_id", "mark__status", "mark__caught_up_at",
                      "mark__marked_by_id")  # fmt: skip
    else:  # nobody's marks to read
        marks = ((pk, None, None, None, None) for pk in held.values_list("pk", flat=True))
    sessions, attended = set(), {}
    for session_id, user_id, status, caught_up_at, marked_by_id in marks:
        sessions.add(session_id)
        if user_id is not None and counts_as_attended(
            cohort, status=status, caught_up_at=caught_up_at, marked_by_id=marked_by_id,
            user_id=user_id,
        ):  # fmt: skip
            attended[user_id] = attended.get(user_id, 0) + 1
    # The matrix and the export show the skills' names only (no course, track or texts).
    skills = list(skills_of(cohort).select_related(None).prefetch_related(None))
    signed: dict[int, dict[int, datetime]] = {}
    # Signed off here: what another cohort signed off is theirs (the member page says when a
    # track's skill was signed off elsewhere).
    for user_id, skill_id, at in SkillSignOff.objects.filter(
        cohort=cohort, skill__in=skills, user_id__in=user_ids
    ).values_list("user_id", "skill_id", "signed_at"):
        signed.setdefault(user_id, {})[skill_id] = at
    skill_ids = [skill.pk for skill in skills]
    not_started = ProgressStatus.NOT_STARTED
    nothing = [not_started] * len(module_ids)
    no_skill = [None] * len(skill_ids)
    rows = []
    for membership in members:
        user_id = membership.user_id
        row = MemberRow(membership=membership, last_activity=membership.last_activity,
                        attended=attended.get(user_id, 0))  # fmt: skip
        mine = states.get(user_id)
        if mine:
            row.cells = [mine.get(pk, not_started) for pk in module_ids]
            row.completed = row.cells.count(ProgressStatus.COMPLETED)
        else:
            row.cells = nothing.copy()
        theirs = signed.get(user_id)
        row.skills = [theirs.get(pk) for pk in skill_ids] if theirs else no_skill.copy()
        rows.append(row)
    if inactive_days:
        cutoff = timezone.now() - timedelta(days=inactive_days)
        rows = [r for r in rows if r.last_activity is None or r.last_activity < cutoff]
    return {"modules": modules, "rows": rows, "skills": skills, "sessions_held": len(sessions)}


@dataclass
class SessionLine:
    session: object  # LiveSession
    mark: Attendance | None
    attended: bool

    @property
    def label(self) -> str:
        """The mark in words; empty when nobody marked it."""
        if self.mark is None:
            return ""
        if self.mark.status:
            return self.mark.get_status_display()
        if self.mark.caught_up_at:
            return str(Attendance.Status.CAUGHT_UP.label)
        return ""


@dataclass
class SkillLine:
    skill: Skill
    signed: SkillSignOff | None  # in this cohort
    elsewhere: bool = False  # a track's skill signed off in another cohort on the track


def member_detail(cohort: Cohort, membership: Membership) -> dict:
    user = membership.user
    modules = name_in_active_language(cohort_modules(cohort))
    progress = {
        p.module_id: p
        for p in ModuleProgress.objects.filter(user=user, module__in=[m.pk for m in modules])
    }
    # The sessions held (the future has no attendance), each with its mark, if any.
    sessions = list(held_sessions(cohort))
    marks = {a.session_id: a for a in Attendance.objects.filter(user=user, session__in=sessions)}
    lines = []
    for session in sessions:
        mark = marks.get(session.pk)
        lines.append(SessionLine(session, mark, mark is not None and counts_as_attended(
            cohort, status=mark.status, caught_up_at=mark.caught_up_at,
            marked_by_id=mark.marked_by_id, user_id=user.pk)))  # fmt: skip
    # Only what the member chose to share, as they submitted it, while a member of this cohort
    # (what they shared before joining was for other trainers).
    reflections = list(
        Reflection.objects.filter(
            user=user, module__in=[m.pk for m in modules], shared_with_trainers=True,
            submitted_at__gte=membership.joined_at,
        ).select_related("module", "replied_by")
    )  # fmt: skip
    local_titles = {m.pk: m.local_title for m in modules}
    for reflection in reflections:
        reflection.module.local_title = local_titles.get(reflection.module_id,
                                                         reflection.module.title)  # fmt: skip
    skills = list(skills_of(cohort))
    signed, elsewhere = {}, set()
    # Signed off here; and for a track's skill, whether another cohort preparing for the track
    # signed it off (it counts for the certification: said without who, when or notes). Another
    # cohort's sign-off of a shared course skill is not shown.
    for sign_off in (
        SkillSignOff.objects.filter(user=user, skill__in=skills)
        .filter(
            Q(cohort=cohort)
            | (Q(skill__cohort__isnull=True, skill__course__isnull=True) & ~Q(signed_by=user))
        )
        .select_related("signed_by")
    ):
        if sign_off.cohort_id == cohort.pk:
            signed[sign_off.skill_id] = sign_off
        else:
            elsewhere.add(sign_off.skill_id)
    return {
        "modules": [(m, progress.get(m.pk)) for m in modules],
        "sessions": lines,
        "attended": sum(1 for line in lines if line.attended),
        # Not held yet (a certification's attendance counts them too: see the member page).
        "sessions_to_come": cohort.sessions.filter(
            starts_at__gt=timezone.now(), cancelled_at__isnull=True
        )
        .exclude(kind=LiveSession.Kind.DEBRIEF)
        .count(),
        "reflections": reflections,
        "skills": [
            SkillLine(skill, signed.get(skill.pk), skill.pk in elsewhere) for skill in skills
        ],
    }
