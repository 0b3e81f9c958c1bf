"""Reads of cohorts that have a name: lists, the dashboard's section, the trainer's pages.

Views and services call these; these never call services (HackSoft's styleguide: reads in
selectors, writes in services). Each says how many queries it takes.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import CoursePage
from courses.outlines import MODULE_FIELDS
from courses.page_cache import cached
from training.i18n import titles_in_active_language
from training.prepared import Prepared, Together, read_now
from training.roles import GROUP_FOR_ROLE, Role

from .models import (
    Announcement,
    Application,
    Attendance,
    Cohort,
    CohortCourse,
    LiveSession,
    Membership,
    MessageTemplate,
    ModuleRelease,
)


# --- Places and people --------------------------------------------------------------------------
def places_taken(cohort: Cohort) -> int:
    return Membership.objects.filter(cohort=cohort, left_at__isnull=True).count()


def places_left(cohort: Cohort) -> int | None:
    """None when the cohort has no limit."""
    if cohort.capacity is None:
        return None
    return max(0, cohort.capacity - places_taken(cohort))


def waitlist_position(application: Application) -> int | None:
    if application.status != Application.Status.WAITLISTED:
        return None
    ahead = Application.objects.filter(
        Q(waitlisted_at__lt=application.waitlisted_at)
        | Q(waitlisted_at=application.waitlisted_at, pk__lt=application.pk),
        cohort_id=application.cohort_id, status=Application.Status.WAITLISTED,
    ).count()  # fmt: skip
    return ahead + 1


def membership_of(cohort: Cohort, user) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(cohort=cohort, user=user, left_at__isnull=True).first()


def trains(cohort: Cohort, user) -> bool:
    """Whether the person may act as a trainer of this cohort now: listed among its trainers
    and still holding the trainer role (someone whose role was taken away keeps nothing of it);
    administrators always. One query at most (the roles are read once per request)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.has_role(Role.TRAINER) and cohort.trainers.filter(pk=user.pk).exists()


def is_current_trainer(cohort: Cohort, user) -> bool:
    """Listed among the cohort's trainers and holding the trainer role now; no bypass for
    administrators (what only the cohort's own trainers may read: its discussion space). One
    query at most (none when the person's roles are known and lack the trainer's)."""
    if not user.is_authenticated:
        return False
    if "roles" in user.__dict__:  # read already this request (User.roles is cached)
        return user.has_role(Role.TRAINER) and cohort.trainers.filter(pk=user.pk).exists()
    group = GROUP_FOR_ROLE[Role.TRAINER]
    return cohort.trainers.filter(pk=user.pk, groups__name=group).exists()


def is_listed_trainer(cohort: Cohort, user_id) -> bool:
    """Listed among the cohort's trainers (whatever their role now): such a person is never a
    member of it, nor marked or signed off in it (nobody certifies themselves)."""
    return cohort.trainers.filter(pk=user_id).exists()


def shares_a_course(cohort: Cohort, other: Cohort) -> bool:
    return other.courses.filter(pk__in=cohort.courses.values("pk")).exists()


def move_targets(cohort: Cohort, among) -> list[Cohort]:
    """The cohorts a member of `cohort` may be moved to, among `among` (the trainer's): another
    cohort taking one of its courses, not over."""
    courses = cohort.courses.values("pk")
    candidates = (
        among.exclude(pk=cohort.pk).filter(courses__in=courses)
        .exclude(status__in=(Cohort.Status.FINISHED, Cohort.Status.ARCHIVED))
        .distinct().order_by("starts_on", "title")
    )  # fmt: skip
    return [c for c in candidates if not c.is_over()]


# --- Volunteers' pages and dashboard ------------------------------------------------------------
def with_places(queryset):
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


def course_titles(courses) -> None:
    """Each course's title in the reader's language (its translation's, one query for all)."""
    titles = titles_in_active_language(courses)
    for course in courses:
        course.local_title = titles.get(course.translation_key, course.title)


def cohorts_taking_people(*, user, language: str = "") -> list[Cohort]:
    """Cohorts taking people now (working in `language`, or interpreting into it, when one is
    given), each with its places left, its first two sessions and the person's own status in
    it; a fixed number of queries whatever their number."""
    upcoming = LiveSession.objects.filter(
        cancelled_at__isnull=True, ends_at__gte=timezone.now()
    ).order_by("starts_at")
    cohorts = list(
        with_places(
            Cohort.objects.filter(status__in=(Cohort.Status.OPEN, Cohort.Status.RUNNING))
        ).prefetch_related(Prefetch("sessions", queryset=upcoming[:2], to_attr="first_sessions"))
    )
    cohorts = [cohort for cohort in cohorts if cohort.accepts_applications()]
    if language:
        cohorts = [
            c for c in cohorts
            if c.working_language == language or language in (c.interpretation_languages or [])
        ]  # fmt: skip
    mine = {}
    if user.is_authenticated:
        for application in Application.objects.filter(user=user, cohort__in=cohorts):
            mine[application.cohort_id] = application.get_status_display()
        for membership in Membership.objects.filter(
            user=user, cohort__in=cohorts, left_at__isnull=True
        ):
            mine[membership.cohort_id] = _("Member")
    course_titles([course for cohort in cohorts for course in cohort.courses.all()])
    for cohort in cohorts:
        cohort.my_status = mine.get(cohort.pk)
        cohort.places_left = None if cohort.capacity is None else max(
            0, cohort.capacity - cohort.taken)  # fmt: skip
    return cohorts


def cohort_page(*, cohort: Cohort, user) -> dict:
    """A cohort's page for one person (`cohort` from `with_places`): its sessions (all of them
    for a member, with their own attendance; else the next three not cancelled), its courses
    with their titles in the reader's language, and where the person stands (application,
    place in the queue, membership or why they left, a trainer's reason for no way in). A
    fixed number of queries."""
    application = membership = former = None
    if user.is_authenticated:
        application = Application.objects.filter(cohort=cohort, user=user).first()
        membership = membership_of(cohort, user)
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
    courses = list(cohort.courses.all())
    course_titles(courses)
    return {
        "cohort": cohort,
        "upcoming": upcoming if membership else [s for s in upcoming if not s.cancelled][:3],
        "past": past if membership else [],
        "application": application,
        "membership": membership,
        "former": former,
        "position": waitlist_position(application) if application else None,
        "places_left": None if cohort.capacity is None else max(0, cohort.capacity - cohort.taken),
        "accepting": cohort.accepts_applications(),
        "members": members,
        # A trainer of the cohort is told why there is no way in for them (services refuse it).
        "trains_here": user.is_authenticated
        and membership is None
        and is_listed_trainer(cohort, user.pk),
        "courses": courses,
    }


# Fields of the next live session and of the newest message that the dashboard shows, read
# with the person's memberships.
NEXT_SESSION_FIELDS = ("id", "title", "starts_at", "ends_at", "meeting_url")
ANNOUNCEMENT_FIELDS = ("id", "subject", "language", "created_at")


def _dashboard_memberships(*, user, now, fortnight_ago):
    """The person's memberships, each with its cohort's next live session and its trainers'
    newest message to members since `fortnight_ago`."""
    upcoming = LiveSession.objects.filter(
        cohort=OuterRef("cohort_id"), cancelled_at__isnull=True, ends_at__gte=now
    ).order_by("starts_at")
    # The newest of its cohort, as cohorts.announcements.latest_for_members says it.
    newest = Announcement.objects.filter(
        cohort=OuterRef("cohort_id"), audience=Announcement.Audience.MEMBERS,
        created_at__gte=fortnight_ago,
    ).order_by("-created_at", "-pk")  # fmt: skip
    annotations = {
        **{f"next_{name}": Subquery(upcoming.values(name)[:1]) for name in NEXT_SESSION_FIELDS},
        **{f"newest_{name}": Subquery(newest.values(name)[:1]) for name in ANNOUNCEMENT_FIELDS},
    }
    # Rows, not instances: the dashboard only reads these values (issue 18: its time).
    return (
        Membership.objects.filter(user=user, left_at__isnull=True)
        .annotate(**annotations)
        .values(*_COHORT_VALUES, "cohort__module_release", *annotations)
    )  # fmt: skip


def _dashboard_applications(*, user):
    return Application.objects.filter(
        user=user, status__in=[Application.Status.SUBMITTED, Application.Status.WAITLISTED]
    ).values(*_COHORT_VALUES, "status")


# What the dashboard shows of a cohort, read with a membership or an application.
_COHORT_VALUES = ("cohort_id", "cohort__slug", "cohort__title", "cohort__status")
# A status's words, as get_status_display gives them (translated when shown), found without
# building an instance.
_COHORT_STATUS = dict(Cohort._meta.get_field("status").flatchoices)
_APPLICATION_STATUS = dict(Application._meta.get_field("status").flatchoices)


def _dashboard_released(*, cohorts, now, fortnight_ago):
    # Each module with the fields of the outline's (courses.outlines.MODULE_FIELDS): the dashboard
    # links to it by its title, never reads its body.
    return ModuleRelease.objects.filter(
        cohort__in=cohorts, cohort__module_release=Cohort.Release.SCHEDULED,
        opens_at__lte=now, opens_at__gte=fortnight_ago,
    ).select_related("module").only(
        "cohort_id", "module_id", "opens_at", *[f"module__{name}" for name in MODULE_FIELDS]
    ).order_by("-opens_at")[:5]  # fmt: skip


# Compiled once per process (training.prepared, issue 18): the dashboard's time.
_MEMBERSHIPS = Prepared(_dashboard_memberships)
_APPLICATIONS = Prepared(_dashboard_applications)
_RELEASED = Prepared(_dashboard_released)


def dashboard_cohorts(user) -> dict:
    """The person's cohorts (each with its next live session and its trainers' newest message to
    members of the last two weeks, in the same query), open applications and the modules their
    cohorts released lately: three queries, whatever the number of cohorts."""
    return read_now(queue_dashboard_cohorts, user)


def queue_dashboard_cohorts(together: Together, user):
    """`dashboard_cohorts` in two stages (training.prepared.run_stages): the memberships and
    applications, sent with the other reads of `together`; then the modules released lately."""
    now = timezone.now()
    fortnight_ago = now - timedelta(days=14)
    memberships = together.prepared(_MEMBERSHIPS, user=user.pk, now=now,
                                    fortnight_ago=fortnight_ago)  # fmt: skip
    applications = together.prepared(_APPLICATIONS, user=user.pk)
    yield
    memberships, applications = memberships.rows, applications.rows
    # Only a cohort releasing modules by date releases any (read with the memberships): none of
    # them, nothing to ask.
    cohort_ids = [
        m["cohort_id"] for m in memberships
        if m["cohort__module_release"] == Cohort.Release.SCHEDULED
    ]  # fmt: skip
    released = None
    if cohort_ids:
        released = together.prepared(_RELEASED, cohorts=cohort_ids, now=now,
                                     fortnight_ago=fortnight_ago)  # fmt: skip
        yield
    return _dashboard_cohorts(memberships, applications, released.rows if released else [])


def _dashboard_cohorts(memberships, applications, released) -> dict:
    """What the section shows (plain values, cohorts.dashboard_html): each cohort's title,
    address (slug) and status in words; a membership's newest message, the next live session of
    them all."""
    member_of = {m["cohort_id"] for m in memberships}
    shown = []
    next_session = None
    for m in memberships:
        announcement = None
        if m["newest_id"] is not None:
            announcement = {name: m[f"newest_{name}"] for name in ANNOUNCEMENT_FIELDS}
        shown.append({
            "slug": m["cohort__slug"], "title": m["cohort__title"],
            "status": _COHORT_STATUS.get(m["cohort__status"], m["cohort__status"]),
            "announcement": announcement,
        })  # fmt: skip
        if m["next_id"] is not None and (
            next_session is None or m["next_starts_at"] < next_session["starts_at"]
        ):
            next_session = {name: m[f"next_{name}"] for name in NEXT_SESSION_FIELDS}
            next_session["cohort_slug"] = m["cohort__slug"]
            next_session["cohort_title"] = m["cohort__title"]
    applications = [
        {"slug": a["cohort__slug"], "title": a["cohort__title"],
         "status": _APPLICATION_STATUS.get(a["status"], a["status"])}
        for a in applications if a["cohort_id"] not in member_of
    ]  # fmt: skip
    return {"memberships": shown, "applications": applications,
            "next_session": next_session, "released": released}  # fmt: skip


# --- Trainers -----------------------------------------------------------------------------------
def trained_by(user):
    """The cohorts this person may manage: the ones they train (administrators: all)."""
    if user.is_superuser:
        return Cohort.objects.all()
    return Cohort.objects.filter(trainers=user)


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


def default_messages(cohort: Cohort) -> dict[str, str]:
    """Starting points for the message sent with a decision: the cohort's own wording where
    its trainers saved one, else a kind default in the cohort's working language (the
    language its people read, whatever the trainer's interface). Trainers edit them each time."""
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


def waitlist_positions(cohort: Cohort) -> dict[int, int]:
    """Each waiting application's place in the queue (1: the next to get a place), one query."""
    waiting = (
        Application.objects.filter(cohort=cohort, status=Application.Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .values_list("pk", flat=True)
    )
    return {pk: position for position, pk in enumerate(waiting, start=1)}


def former_members(cohort: Cohort) -> list[Membership]:
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


WAITLIST_PER_PAGE = 50


def applications_overview(*, cohort: Cohort, status: str, waitlist_page=None) -> dict:
    """The trainer's cohort page: its applications with `status` (each with its answers, its
    place in the queue, and whether the person left since), the count of each status, the
    members, former members and a page of the waitlist. A fixed number of queries."""
    applications = (
        Application.objects.filter(cohort=cohort)
        .select_related("user")
        .order_by("waitlisted_at", "submitted_at", "pk")
    )
    if status in Application.Status.values:
        applications = applications.filter(status=status)
    questions = list(cohort.questions.all())
    positions = waitlist_positions(cohort)
    # Someone who withdrew took back what they wrote: the row and its state stay, the answers
    # are not shown (withdrawing also deletes them: services.withdraw).
    withdrawn = Application.Status.WITHDRAWN
    # An accepted person who left since (moved by a trainer, say) is shown as such: their
    # application stays "accepted", the truth about the decision.
    former = former_members(cohort)
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
    ).get_page(waitlist_page)  # fmt: skip
    return {
        "rows": rows,
        "statuses": [
            (value, label, counts.get(value, 0)) for value, label in Application.Status.choices
        ],
        "members": members,
        "former": former,
        "waitlist": waitlist,
    }


def module_releases(cohort: Cohort) -> dict[int, ModuleRelease]:
    """The cohort's release dates, by module id (one query)."""
    return {release.module_id: release for release in ModuleRelease.objects.filter(cohort=cohort)}


# --- Module release -----------------------------------------------------------------------------
RELEASES_GENERATION = "cohorts-releases-generation"


def release_gate(user, course) -> dict:
    """For courses.access: modules of `course` not yet released to this person by their
    cohorts. A module is closed only when every cohort through which the person follows the
    course dates it in the future (a cohort releasing everything at once, or a module it
    gives no date, opens it). Two queries; one for people in no cohort; none when no cohort
    dates any module of the course (known to everyone: cached, `_dated`)."""
    if not _dated([course]):
        return {}
    return release_gate_many(user, [course])[course.pk]


def _dated(courses) -> list:
    """Those of `courses` some cohort dates a module of: only these can have one closed. Known
    to everyone (the paths of the pages above each module dated), cached (courses.page_cache)
    until a release date or a page moves: RELEASES_GENERATION. No query once cached."""
    paths = cached("dated-paths", [], _dated_paths, generation_key=RELEASES_GENERATION)
    return [course for course in courses if course.path in paths]


def _dated_paths() -> frozenset[str]:
    steplen = CoursePage.steplen
    paths = set()
    for path in ModuleRelease.objects.values_list("module__path", flat=True).distinct():
        paths.update(path[:end] for end in range(steplen, len(path), steplen))
    return frozenset(paths)


def _followed_courses(*, user, courses):
    return CohortCourse.objects.filter(
        course__in=courses, cohort__memberships__user=user,
        cohort__memberships__left_at__isnull=True,
    ).values_list("course_id", "cohort_id", "cohort__module_release")  # fmt: skip


# Compiled once per process (training.prepared, issue 18: the dashboard's time).
_FOLLOWED_COURSES = Prepared(_followed_courses)


def release_gate_many(user, courses) -> dict[int, dict]:
    """`release_gate` for several courses (by course pk), in the same two queries."""
    return read_now(release_gate_stages, user, courses)


def release_gate_stages(together: Together, user, courses):
    """`release_gate_many` in stages (training.prepared.run_stages): the cohorts through which
    the person follows the courses, then their release dates, each sent with the other reads
    of `together`; nothing asked about a course no cohort dates a module of (`_dated`)."""
    result: dict[int, dict] = {course.pk: {} for course in courses}
    courses = _dated(courses)
    cohorts = defaultdict(list)  # by course: (cohort pk, release mode), as the person follows it
    if courses:
        followed = together.prepared(
            _FOLLOWED_COURSES, user=user.pk, courses=[course.pk for course in courses]
        )
        yield
        for course_id, pk, mode in followed.rows:
            cohorts[course_id].append((pk, mode))
    dated = {
        course.pk: course for course in courses
        if cohorts[course.pk]
        and all(mode != Cohort.Release.ALL for _pk, mode in cohorts[course.pk])
    }  # fmt: skip
    if not dated:
        return result
    under = Q()
    for course in dated.values():
        under |= Q(module__path__startswith=course.path)
    pending = together.queryset(
        ModuleRelease.objects.filter(
            under, cohort__in={pk for course_pk in dated for pk, _mode in cohorts[course_pk]}
        ).values_list("cohort_id", "module_id", "module__path", "opens_at")
    )
    yield
    releases = pending.rows
    now = timezone.now()
    for course_pk, course in dated.items():
        mine = {pk for pk, _mode in cohorts[course_pk]}
        dates = defaultdict(list)
        for cohort_id, module_id, path, opens_at in releases:
            if cohort_id in mine and path.startswith(course.path):
                dates[module_id].append(opens_at)
        result[course_pk] = {
            module_id: min(opens)
            for module_id, opens in dates.items()
            if len(opens) == len(cohorts[course_pk]) and min(opens) > now
        }
    return result


release_gate.many = release_gate_many
release_gate.stages = release_gate_stages
