"""Requirement kinds: what a certification track may ask of a person, one class per kind.

A kind owns everything that differs between kinds: its label ("Complete the course …"), the
link the volunteer's checklist offers while it is not met, the evidence it reads and its check.
`eligibility.compute_many` walks the table (`KINDS`, in the order of `Requirement.Kind`); the
model's `label` and the checklist template ask the kind, never branch on it.

The one field a kind needs is a column, so it stays with the model: `Requirement.FIELD_FOR_KIND`
names it, and a CheckConstraint per kind holds it set and the others empty.

Evidence is read once for all the tracks computed together, whatever their number: what can ride
along on the requirements query (`annotations`, compiled once with it: training.prepared), then
at most one query per kind (`gather`), before each track's checks (`checks`).

A new kind: a choice in `Requirement.Kind`, its field (with `FIELD_FOR_KIND` and the track
editor's panel) and a migration in models.py; a class here, registered with `@register`; tests.
(A signal in signals.py only when its evidence is something no existing signal follows.)
"""

from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal

from django.db.models import Case, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from wagtail.models import Page

from cohorts.models import Attendance, LiveSession, Membership, SkillSignOff, same_skill
from courses.models import CoursePage, CourseProgress
from courses.selectors import catalog_url
from training.i18n import active_language, record
from training.prepared import Prepared, Together, read_now

from .models import (
    AgreementSignature,
    AgreementText,
    AgreementVersion,
    Requirement,
    RequirementException,
    not_this_tracks_skill,
    track_id_of_skill,
)

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)
CAUGHT_UP = Attendance.Status.CAUGHT_UP


@dataclass
class Check:
    """One requirement's state for one person, explained ("3 of 4 attended")."""

    requirement: Requirement
    met: bool
    detail: str
    done_at: datetime | None = None
    exception: RequirementException | None = None

    @property
    def label(self) -> str:
        return self.requirement.label

    @property
    def link(self) -> "Link | None":
        """Where the person goes to meet it (the volunteer's checklist shows it while open)."""
        return KINDS[self.requirement.kind].link(self.requirement)


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def counts(moment: datetime | None, since: datetime | None) -> bool:
    """Whether something done at `moment` counts on a path whose evidence counts from `since`
    (None: the first certification, where anything done before counts)."""
    return moment is not None and (since is None or moment >= since)


def since_moment(result) -> datetime | None:
    """The moment `result`'s evidence counts from (the renewal window's first day), or None."""
    return datetime.combine(result.since, time.min, tzinfo=UTC) if result.since else None


class RequirementKind:
    """The behaviour of one `Requirement.Kind`. Subclasses set `name` and override what they
    need; the defaults read no evidence and offer no link."""

    name: str  # a Requirement.Kind
    # Related rows the requirements query reads with it (select_related), and their columns it
    # leaves out (nothing a checklist shows).
    related: tuple[str, ...] = ()
    deferred: tuple[str, ...] = ()

    @property
    def field(self) -> str:
        """The one field of Requirement this kind needs (the model's, see the module's doc)."""
        return Requirement.FIELD_FOR_KIND[self.name]

    def label(self, requirement: Requirement) -> str:
        """What the person must do, in the active language."""
        raise NotImplementedError

    def clean(self, requirement: Requirement) -> dict[str, str]:
        """Errors beyond the field being set (Requirement.clean checks that first), by field."""
        return {}

    def link(self, requirement: Requirement) -> Link | None:
        return None

    def annotations(self, *, user, language, locale_id=None, default_locale=None) -> dict:
        """Annotations on the requirements query (one query for every kind and track): the
        evidence that can ride along. Values as `eligibility._requirements` gets them."""
        return {}

    def gather(self, *, user, tracks) -> object:
        """The evidence for every requirement of this kind, read once: `tracks` is a list of
        (Eligibility, its requirements of this kind) for the tracks that have some. Called only
        when there is at least one; what it returns is given to `checks`."""
        return None

    def queue_gather(self, together: Together, *, user, tracks):
        """`gather` with its read, if it has one, sent with the other reads of `together`:
        returns a function that gives the evidence once they have run. By default `gather`
        now (a kind whose evidence rides along with the requirements reads nothing more)."""
        evidence = self.gather(user=user, tracks=tracks)
        return lambda: evidence

    def queue_early(self, together: Together, *, user, results):
        """`queue_gather` before the requirements are read, so that its read goes with theirs
        (one round trip less for the dashboard, issue 18): `results` are the Eligibility (path
        and `since` known) of the tracks whose path has requirements of this kind. What the
        function returned gives must be what `queue_gather` gives for their requirements, or
        more that `checks` leaves aside. None: the kind needs the requirements' rows (it gathers
        after them)."""
        return None

    def checks(self, requirements, *, result, evidence) -> dict[int, Check]:
        """One Check per requirement (by pk) of `result`'s track and path of this kind."""
        raise NotImplementedError


KINDS: dict[str, RequirementKind] = {}


def register(cls: type[RequirementKind]) -> type[RequirementKind]:
    """Add a kind to the table (one per Requirement.Kind) and give the model its behaviour."""
    if cls.name not in Requirement.Kind.values or cls.name not in Requirement.FIELD_FOR_KIND:
        raise ValueError(f"{cls.name!r} is not a Requirement.Kind with its field")
    if cls.name in KINDS:
        raise ValueError(f"requirement kind {cls.name!r} is registered twice")
    KINDS[cls.name] = cls()
    # In Kind's order whatever the order of registration: what eligibility walks is stable.
    order = list(Requirement.Kind.values)
    ordered = sorted(KINDS.items(), key=lambda item: order.index(item[0]))
    KINDS.clear()
    KINDS.update(ordered)
    # The model cannot import this module (it reads the model): it is handed the table.
    Requirement.KINDS = KINDS
    return cls


# --- Courses ------------------------------------------------------------------------------------
@register
class CourseKind(RequirementKind):
    name = Requirement.Kind.COURSE
    related = ("course",)
    # What a checklist reads of the course page: its title (in the reader's language, through
    # its translation key and locale), its URL (url_path) and which copy it is. The other columns
    # of the page (some forty, a StreamField) are left out: psycopg reads every column of every
    # row, a Wagtail page's were most of the requirements query's time (issue 18). A column
    # left out is still read on its own should anything ask for it.
    kept = ("title", "slug", "url_path", "translation_key", "locale", "alias_of", "live",
            "content_type")  # fmt: skip

    @property
    def deferred(self) -> tuple[str, ...]:
        return tuple(
            f"course__{field.name}" for field in CoursePage._meta.concrete_fields
            if not field.primary_key and field.name not in self.kept
            and not (field.remote_field and field.remote_field.parent_link)
        )  # fmt: skip

    def label(self, requirement):
        return _("Complete the course “%(course)s”") % {"course": requirement.course_title()}

    def link(self, requirement):
        return Link(requirement.course.url, _("Go to the course"))

    def annotations(self, *, user, language, locale_id=None, default_locale=None):
        # A course's completion, on the course itself and on its original (see courses.i18n),
        # and its title in the reader's language.
        completions = CourseProgress.objects.filter(user=user, completed_at__isnull=False)
        original_completed_at = Subquery(
            completions.filter(
                course__translation_key=OuterRef("course__translation_key"),
                course__locale_id=default_locale,
            ).values("completed_at")[:1]
        )
        if default_locale is not None:
            # Only a copy's original is looked for (`gather` reads this for a copy only): for a
            # course in the originals' locale, PostgreSQL does not scan the course's progress of
            # everyone for the person's (issue 18).
            original_completed_at = Case(
                When(course__locale_id=default_locale, then=Value(None)),
                default=original_completed_at,
            )
        annotations = {
            "completed_at": Subquery(
                completions.filter(course=OuterRef("course_id")).values("completed_at")[:1]
            ),
            "original_completed_at": original_completed_at,
        }
        if locale_id is not None:
            # As courses.i18n.titles_in_active_language: a real translation's (not an alias's).
            annotations["local_course_title"] = Subquery(
                Page.objects.filter(
                    translation_key=OuterRef("course__translation_key"), locale_id=locale_id,
                    alias_of__isnull=True,
                ).values("title")[:1]
            )  # fmt: skip
        return annotations

    def gather(self, *, user, tracks):
        completed: dict[int, datetime | None] = {}
        language = active_language()
        for _result, requirements in tracks:
            for r in requirements:
                # Progress is kept on a course's original (courses.i18n), whichever copy was
                # chosen.
                original = record(r.course)
                completed[r.pk] = (
                    r.completed_at if original.pk == r.course_id else r.original_completed_at
                )
                # The course's title in the reader's language, for the checklist.
                local = getattr(r, "local_course_title", None)
                r.__dict__.setdefault("_course_titles", {})[language] = (
                    local if local is not None else r.course.title
                )
        return completed

    def checks(self, requirements, *, result, evidence):
        since = since_moment(result)
        checks = {}
        for r in requirements:
            done = evidence[r.pk]
            if counts(done, since):
                checks[r.pk] = Check(r, True, _("Completed"), done)
            elif done:
                checks[r.pk] = Check(r, False, _("Completed before the renewal opened: "
                                                 "complete it again"))  # fmt: skip
            else:
                checks[r.pk] = Check(r, False, _("Not completed yet"))
        return checks


# --- Live sessions ------------------------------------------------------------------------------
def _sessions(*, user, tracks, since=None):
    """The live sessions of the cohorts of `tracks` that `user` (a pk) belongs to (from `since`),
    each with the person's attendance that may count, if any (one row per session and person):
    presence the person marked for themselves never counts (catching up is theirs). (~Q on the
    nullable marked_by keeps rows nobody marked.)"""
    cohorts = Membership.objects.filter(
        user=user, left_at__isnull=True, cohort__track_link__track__in=tracks
    ).values("cohort_id")
    # Debrief / supervision sessions count toward no attendance requirement (issue 22).
    sessions = LiveSession.objects.filter(cohort__in=cohorts, cancelled_at__isnull=True).exclude(
        kind=LiveSession.Kind.DEBRIEF
    )
    if since is not None:
        sessions = sessions.filter(starts_at__gte=since)
    marks = Attendance.objects.filter(session=OuterRef("pk"), user=user).filter(
        (Q(status__in=(*ATTENDED, CAUGHT_UP)) & ~Q(marked_by=user)) | Q(caught_up_at__isnull=False)
    )
    return sessions.annotate(
        mark=Subquery(marks.values("status")[:1]),
        caught_up=Subquery(marks.values("caught_up_at")[:1]),
    ).values_list(
        "pk",
        "cohort__track_link__track_id",
        "cohort__catch_up_counts",
        "starts_at",
        "mark",
        "caught_up",
    )


_SESSIONS = Prepared(_sessions)


@dataclass
class _Sessions:
    by_track: dict[int, list[tuple]]  # track pk -> (session pk, catch-up allowed, starts at)
    attendance: list[tuple]  # (session pk, status, caught up at) of sessions started
    now: datetime


@register
class AttendanceKind(RequirementKind):
    name = Requirement.Kind.ATTENDANCE

    def label(self, requirement):
        return _("Attend at least %(share)s%% of live sessions") % {
            "share": requirement.min_attendance
        }

    def clean(self, requirement):
        if not (1 <= requirement.min_attendance <= 100):
            return {"min_attendance": _("Between 1 and 100.")}
        return {}

    def gather(self, *, user, tracks):
        return read_now(self.queue_gather, user=user, tracks=tracks)

    def queue_gather(self, together, *, user, tracks):
        values = {"user": user.pk, "tracks": [result.track.pk for result, _rs in tracks]}
        earliest = [result.since for result, _rs in tracks]
        if all(earliest):
            values["since"] = datetime.combine(min(earliest), time.min, tzinfo=UTC)
        now = timezone.now()
        pending = together.prepared(_SESSIONS, tuple(values), **values)

        def sessions():
            found = _Sessions(by_track={}, attendance=[], now=now)
            for pk, track_id, allowed, starts_at, status, caught_up in pending.rows:
                found.by_track.setdefault(track_id, []).append((pk, allowed, starts_at))
                if status is not None and starts_at <= now:
                    found.attendance.append((pk, status, caught_up))
            return found

        return sessions

    def queue_early(self, together, *, user, results):
        # What it reads needs only the tracks and when their evidence counts from.
        return self.queue_gather(together, user=user, tracks=[(result, []) for result in results])

    def checks(self, requirements, *, result, evidence):
        # Every session planned counts in the total (nobody is certified on the first of ten);
        # only one that has started can have been attended: a mark on a session still to come
        # (made before that was refused) never counts.
        since = since_moment(result)
        planned = evidence.by_track.get(result.track.pk, [])
        session_list = [row for row in planned if not since or row[2] >= since]
        held = {pk for pk, _allowed, starts_at in session_list if starts_at <= evidence.now}
        catch_up = {pk for pk, allowed, _starts_at in session_list if allowed}
        attended = 0
        for session_id, status, caught_up in evidence.attendance:
            if session_id not in held:
                continue  # another track's, or not held yet
            # Caught up from the recording (the trainer's mark or the member's word) counts
            # where the cohort says it does.
            if status in ATTENDED or (
                (caught_up or status == CAUGHT_UP) and session_id in catch_up
            ):
                attended += 1
        total = len(session_list)
        to_come = total - len(held)
        # The same words for every requirement of the kind: translated once.
        if not total:
            detail = _("No live sessions yet")
        elif to_come:
            detail = _("%(attended)s of %(total)s attended (%(to_come)s still to come)") % {
                "attended": attended, "total": total, "to_come": to_come,
            }  # fmt: skip
        else:
            detail = _("%(attended)s of %(total)s attended") % {
                "attended": attended, "total": total,
            }  # fmt: skip
        share = 100 * attended / total if total else 0
        checks = {}
        for r in requirements:
            checks[r.pk] = Check(r, total > 0 and share >= r.min_attendance, detail)
        return checks


# --- Skills -------------------------------------------------------------------------------------
def _sign_offs(*, user, skills, tracks):
    """Sign-offs given to `user` (a pk), by someone else, of `skills` or in the cohorts of
    `tracks`."""
    return (
        SkillSignOff.objects.filter(user=user)
        .filter(Q(skill_id__in=skills) | Q(cohort__track_link__track__in=tracks))
        .exclude(signed_by=user)
        .values_list("skill_id", "skill__name", "cohort__track_link__track_id", "signed_at")
    )


_SIGN_OFFS = Prepared(_sign_offs)


def _track_sign_offs(*, user, tracks):
    """`_sign_offs` with the skills of the requirements of `tracks` (any path: `checks` leaves
    the others aside) read by the same query, before the requirements are."""
    skills = Requirement.objects.filter(track__in=tracks, kind=Requirement.Kind.SKILL)
    return _sign_offs(user=user, skills=skills.values("skill_id"), tracks=tracks)


_TRACK_SIGN_OFFS = Prepared(_track_sign_offs)


@register
class SkillKind(RequirementKind):
    name = Requirement.Kind.SKILL
    related = ("skill",)

    def label(self, requirement):
        return _("Skill signed off: %(skill)s") % {"skill": requirement.skill.name}

    def clean(self, requirement):
        # A skill of this track, which every cohort preparing for it signs off (a cohort's or a
        # course's own skill could only be met by the members of that cohort or course).
        skill = requirement.skill
        # (In the track editor a new requirement has no track yet: TrackForm checks it.)
        track_id = track_id_of_skill(skill)
        if track_id is None or (
            requirement.track_id is not None and track_id != requirement.track_id
        ):
            return {"skill": not_this_tracks_skill(skill)}
        return {}

    def gather(self, *, user, tracks):
        return read_now(self.queue_gather, user=user, tracks=tracks)

    def queue_gather(self, together, *, user, tracks):
        skills = {r.skill_id for _result, requirements in tracks for r in requirements}
        pending = together.prepared(
            _SIGN_OFFS, user=user.pk, skills=sorted(skills),
            tracks=[result.track.pk for result, _rs in tracks],
        )  # fmt: skip
        return lambda: pending.rows

    def queue_early(self, together, *, user, results):
        pending = together.prepared(
            _TRACK_SIGN_OFFS, user=user.pk, tracks=[result.track.pk for result in results]
        )
        return lambda: pending.rows

    def checks(self, requirements, *, result, evidence):
        # A sign-off of the track's skill, given in any cohort; or of a cohort's own skill of the
        # same name, given in a cohort preparing for this track (a trainer there may sign off the
        # track's skill anyway): a "signed off" on the trainer's page never sits under a "not
        # signed off yet" here. Nobody certifies themselves: a sign-off the person gave
        # themselves never counts (cohorts refuses to record one; this holds for older rows).
        track, since = result.track, since_moment(result)
        skill_ids = {r.skill_id for r in requirements}
        by_name = {same_skill(r.skill.name) for r in requirements}
        latest: dict[object, datetime] = {}
        for skill_id, name, cohort_track, at in evidence:
            if skill_id not in skill_ids and cohort_track != track.pk:
                continue  # read for another track
            keys = [skill_id]
            if cohort_track == track.pk and same_skill(name) in by_name:
                keys.append(same_skill(name))
            for key in keys:
                if key not in latest or at > latest[key]:
                    latest[key] = at
        checks = {}
        for r in requirements:
            done = max(
                (at for at in (latest.get(r.skill_id), latest.get(same_skill(r.skill.name))) if at),
                default=None,
            )
            if counts(done, since):
                checks[r.pk] = Check(r, True, _("Signed off by a trainer"), done)
            elif done:
                checks[r.pk] = Check(r, False, _("Signed off before the renewal opened: a "
                                                 "trainer signs it off again"))  # fmt: skip
            else:
                checks[r.pk] = Check(r, False, _("Not signed off yet"))
        return checks


# --- Agreements ---------------------------------------------------------------------------------
@dataclass
class _Signatures:
    current: dict[int, int]  # agreement pk -> its newest version's number
    signed: dict[int, tuple[int, datetime]]  # agreement pk -> (newest version signed, when)


@register
class AgreementKind(RequirementKind):
    name = Requirement.Kind.AGREEMENT
    related = ("agreement",)

    def label(self, requirement):
        return _("Sign the “%(agreement)s”") % {"agreement": requirement.agreement.local_title}

    def link(self, requirement):
        return Link(reverse("certificates:agreement", args=[requirement.agreement.slug]),
                    _("Read and sign"))  # fmt: skip

    def annotations(self, *, user, language, locale_id=None, default_locale=None):
        # The agreement's newest version, the newest the person signed, and its title in the
        # reader's language.
        signatures = AgreementSignature.objects.filter(
            user=user, version__agreement=OuterRef("agreement_id")
        ).order_by("-version__number")
        return {
            "current_version": Subquery(
                AgreementVersion.objects.filter(agreement=OuterRef("agreement_id"))
                .order_by("-number")
                .values("number")[:1]
            ),
            "signed_version": Subquery(signatures.values("version__number")[:1]),
            "signed_at": Subquery(signatures.values("signed_at")[:1]),
            # As Agreement.local_title: the newest translation in the reader's language.
            "agreement_local_title": Subquery(
                AgreementText.objects.filter(agreement=OuterRef("agreement_id"), language=language)
                .order_by("-version")
                .values("title")[:1]
            ),
        }

    def gather(self, *, user, tracks):
        language = active_language()
        signatures = _Signatures(current={}, signed={})
        for _result, requirements in tracks:
            for r in requirements:
                r.agreement.__dict__.setdefault("_local_titles", {})[language] = (
                    r.agreement_local_title
                )
                signatures.current[r.agreement_id] = r.current_version or 0
                if r.signed_version:
                    signatures.signed[r.agreement_id] = (r.signed_version, r.signed_at)
        return signatures

    def checks(self, requirements, *, result, evidence):
        checks = {}
        for r in requirements:
            number, at = evidence.signed.get(r.agreement_id, (0, None))
            latest_number = evidence.current.get(r.agreement_id, 0)
            if number and number == latest_number:
                checks[r.pk] = Check(r, True, _("Signed (version %(n)s)") % {"n": number}, at)
            elif number:
                checks[r.pk] = Check(r, False, _("A new version to read and sign"))
            else:
                checks[r.pk] = Check(r, False, _("Not signed yet"))
        return checks


# --- Continuing education hours -----------------------------------------------------------------
def _completions(*, user):
    """The courses `user` (a pk) completed, each with its estimated hours and when."""
    return CourseProgress.objects.filter(user=user, completed_at__isnull=False).values_list(
        "course__translation_key", "course__estimated_hours", "completed_at"
    )


_COMPLETIONS = Prepared(_completions)


def hours(value: Decimal) -> str:
    """A number of hours as the reader writes it: 10, 2.5 (2,5 in Spanish)."""
    return number_format(value, decimal_pos=0 if value == value.to_integral_value() else 1)


@register
class ContinuingEducationKind(RequirementKind):
    """Hours of courses completed within the path's window: anything done before for the first
    certification (as a course requirement), since the window opened for a renewal. Each course
    counts its estimated hours once (progress is kept on its original: courses.i18n)."""

    name = Requirement.Kind.CONTINUING_EDUCATION

    def label(self, requirement):
        return _("Complete at least %(hours)s hours of courses") % {
            "hours": hours(requirement.min_hours)
        }

    def clean(self, requirement):
        if requirement.min_hours <= 0:
            return {"min_hours": _("More than 0.")}
        return {}

    def link(self, requirement):
        url = catalog_url()
        return Link(url, _("Find a course")) if url else None

    def gather(self, *, user, tracks):
        return read_now(self.queue_gather, user=user, tracks=tracks)

    def queue_gather(self, together, *, user, tracks):
        pending = together.prepared(_COMPLETIONS, user=user.pk)

        def newest_first():
            # One course once: should a copy of a course hold progress too (older rows), its
            # newest completion counts.
            newest: dict[object, tuple[datetime, Decimal]] = {}
            for key, estimated, completed_at in pending.rows:
                if key not in newest or completed_at > newest[key][0]:
                    newest[key] = (completed_at, estimated)
            return sorted(newest.values(), key=lambda row: row[0])

        return newest_first

    def queue_early(self, together, *, user, results):
        # The person's completions, whatever the tracks.
        return self.queue_gather(together, user=user, tracks=[(result, []) for result in results])

    def checks(self, requirements, *, result, evidence):
        since = since_moment(result)
        counted = [(at, estimated) for at, estimated in evidence if counts(at, since)]
        total = sum((estimated for _at, estimated in counted), Decimal(0))
        checks = {}
        for r in requirements:
            detail = _("%(done)s of %(needed)s hours completed") % {
                "done": hours(total), "needed": hours(r.min_hours),
            }  # fmt: skip
            if total < r.min_hours:
                checks[r.pk] = Check(r, False, detail)
                continue
            # Done when the course that brought the total to the hours needed was completed.
            running, reached = Decimal(0), None
            for at, estimated in counted:
                running += estimated
                if running >= r.min_hours:
                    reached = at
                    break
            checks[r.pk] = Check(r, True, detail, reached)
        return checks
