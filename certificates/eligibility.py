"""Whether a person meets a track's requirements, and why: one check per requirement, each
explained ("live sessions: 3 of 4 attended").

Which requirements apply depends on where the person stands:
- never certified (or their certificate was revoked): the track's first-certification path;
- certified, before the renewal window opens: nothing to do;
- from the window's opening (and after expiry): the renewal path, where only what was done since
  the window opened counts (a refresher completed, a skill signed off, sessions attended).

A fixed number of queries per person and track, whatever the number of requirements.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import F, FilteredRelation, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Attendance, LiveSession, Membership, SkillSignOff, same_skill
from courses.models import CourseProgress
from training.prepared import Prepared

from .models import (
    AgreementSignature,
    AgreementText,
    AgreementVersion,
    Certificate,
    Requirement,
    RequirementException,
    Track,
)

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE)
CAUGHT_UP = Attendance.Status.CAUGHT_UP


@dataclass
class Check:
    requirement: Requirement
    met: bool
    detail: str
    done_at: datetime | None = None
    exception: RequirementException | None = None

    @property
    def label(self) -> str:
        return self.requirement.label


@dataclass
class Eligibility:
    track: Track
    stage: str  # "working", "certified", "renewal", "revoked"
    path: str | None  # Requirement.Path, or None when there is nothing to do
    checks: list[Check] = field(default_factory=list)
    current: Certificate | None = None  # the newest certificate, if any
    next_period: int = 1
    since: date | None = None  # evidence counts from this day (renewal)
    renewal_opens: date | None = None

    @property
    def met(self) -> int:
        return sum(1 for check in self.checks if check.met)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def eligible(self) -> bool:
        return self.path is not None and self.total > 0 and self.met == self.total

    @property
    def needs_approval(self) -> bool:
        # After a revocation, nobody is certified again without a coordinator.
        return self.track.approval == Track.Approval.COORDINATOR or self.stage == "revoked"

    @property
    def missing(self) -> list[Check]:
        return [check for check in self.checks if not check.met]

    @property
    def summary(self) -> str:
        text = _("%(met)s of %(total)s requirements met") % {"met": self.met, "total": self.total}
        missing = self.missing
        if len(missing) == 1:
            text += " — " + f"{missing[0].label}: {missing[0].detail}"
        return text


def _stage(track: Track, certificates: list[Certificate], today: date) -> Eligibility:
    latest = max(certificates, key=lambda c: c.period, default=None)
    if latest is None:
        return Eligibility(track=track, stage="working", path=Requirement.Path.INITIAL)
    following = latest.period + 1
    if latest.revoked_at:
        return Eligibility(track=track, stage="revoked", path=Requirement.Path.INITIAL,
                           current=latest, next_period=following)  # fmt: skip
    opens = latest.expires_on - timedelta(days=track.renewal_opens_days)
    if today < opens:
        return Eligibility(track=track, stage="certified", path=None, current=latest,
                           next_period=following, renewal_opens=opens)  # fmt: skip
    return Eligibility(track=track, stage="renewal", path=Requirement.Path.RENEWAL,
                       current=latest, next_period=following, since=opens,
                       renewal_opens=opens)  # fmt: skip


def compute(user, track: Track, *, today: date | None = None,
            certificates=None) -> Eligibility:  # fmt: skip
    """The person's eligibility for `track`. `certificates` (the person's on the track) may be
    given when the caller already has them."""
    return compute_many(
        user, [track], today=today,
        certificates=None if certificates is None else {track.pk: certificates},
    )[0]  # fmt: skip


def compute_many(user, tracks, *, today: date | None = None,
                 certificates: dict | None = None) -> list[Eligibility]:  # fmt: skip
    """The person's eligibility for each of `tracks` (in their order), as `compute` gives it for
    one: the same fixed number of queries whatever the number of tracks and requirements (each
    kind of evidence read once for all of them). `certificates`: the person's, by track pk, when
    the caller already has them."""
    today = today or timezone.localdate()
    tracks = list(tracks)
    if certificates is None:
        certificates = {}
        for certificate in Certificate.objects.filter(user=user, track__in=[t.pk for t in tracks]):
            certificates.setdefault(certificate.track_id, []).append(certificate)
    results = [_stage(track, certificates.get(track.pk, []), today) for track in tracks]
    working = [result for result in results if result.path is not None]
    if not working:
        return results
    from django.conf import settings

    from courses.i18n import active_language, default_locale_id, locale_id_for

    language = active_language()
    locale_id = locale_id_for(language) if language != settings.LANGUAGE_CODE else None
    default = default_locale_id()
    # The query's shape: whether the courses' titles are read in another locale, and whether
    # there is a locale of originals; the values change (issue 18: compiled once).
    values = {"user": user.pk, "tracks": [result.track.pk for result in working],
              "language": language}  # fmt: skip
    if locale_id is not None:
        values["locale_id"] = locale_id
    if default is not None:
        values["default_locale"] = default
    requirements = _REQUIREMENTS.run(tuple(values), **values)
    applying = {
        result.track.pk: [
            r for r in requirements if r.track_id == result.track.pk and r.path == result.path
        ]
        for result in working
    }
    everything = [r for rs in applying.values() for r in rs]
    evidence = _Evidence(user, working, applying, everything)
    for result in working:
        _checks(user, result, applying[result.track.pk], evidence)
    return results


EXCEPTION_FIELDS = ("id", "reason", "granted_by_id", "granted_at")


def _requirements(*, user, tracks, language, locale_id=None, default_locale=None):
    """The requirements of `tracks` with the evidence of `user` (a pk) on each (_with_evidence),
    in order."""
    requirements = Requirement.objects.filter(track__in=tracks)
    return (
        _with_evidence(
            requirements,
            user,
            language=language,
            locale_id=locale_id,
            default_locale=default_locale,
        )
        .select_related("course", "skill", "agreement")
        .defer("course__learning_outcomes")  # a StreamField no checklist shows
        .order_by("sort_order", "pk")
    )


_REQUIREMENTS = Prepared(_requirements)


def _with_evidence(requirements, user, *, language, locale_id=None, default_locale=None):
    """The requirements with what the person did about each, read in the same query: their open
    exception (at most one), a course's completion (on the course itself and on its original,
    see courses.i18n) and its title in the reader's language, an agreement's newest version and
    the newest the person signed. `language`: the reader's; `locale_id`: its locale, when not
    the originals'; `default_locale`: the originals' (courses.i18n)."""
    from wagtail.models import Page

    completions = CourseProgress.objects.filter(user=user, completed_at__isnull=False)
    signatures = AgreementSignature.objects.filter(
        user=user, version__agreement=OuterRef("agreement_id")
    ).order_by("-version__number")
    open_exception = Q(exceptions__user=user, exceptions__certificate__isnull=True,
                       exceptions__withdrawn_at__isnull=True)  # fmt: skip
    annotations = {
        "exception": FilteredRelation("exceptions", condition=open_exception),
        **{f"exception_{name}": F(f"exception__{name}") for name in EXCEPTION_FIELDS},
        "completed_at": Subquery(
            completions.filter(course=OuterRef("course_id")).values("completed_at")[:1]
        ),
        "original_completed_at": Subquery(
            completions.filter(
                course__translation_key=OuterRef("course__translation_key"),
                course__locale_id=default_locale,
            ).values("completed_at")[:1]
        ),
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
    if locale_id is not None:
        # As courses.i18n.titles_in_active_language: a real translation's (not an alias's).
        annotations["local_course_title"] = Subquery(
            Page.objects.filter(
                translation_key=OuterRef("course__translation_key"), locale_id=locale_id,
                alias_of__isnull=True,
            ).values("title")[:1]
        )  # fmt: skip
    return requirements.annotate(**annotations)


class _Evidence:
    """The person's evidence for every requirement of the tracks worked on: what rides along on
    the requirements (_with_evidence), then one query per kind of requirement that needs one,
    whatever the number of tracks."""

    def __init__(self, user, working, applying, requirements):
        from courses.i18n import active_language, record

        by_kind: dict[str, list[Requirement]] = {}
        for requirement in requirements:
            by_kind.setdefault(requirement.kind, []).append(requirement)
        self.exceptions = {
            r.pk: RequirementException(
                requirement_id=r.pk, user_id=user.pk, certificate_id=None, withdrawn_at=None,
                **{name: getattr(r, f"exception_{name}") for name in EXCEPTION_FIELDS},
            )
            for r in requirements
            if r.exception_id is not None
        }  # fmt: skip
        self.completed: dict[int, datetime | None] = {}
        language = active_language()
        for r in by_kind.get(Requirement.Kind.COURSE, []):
            # Progress is kept on a course's original (courses.i18n), whichever copy was chosen.
            original = record(r.course)
            self.completed[r.pk] = (
                r.completed_at if original.pk == r.course_id else r.original_completed_at
            )
            # The course's title in the reader's language, for the checklist.
            local = getattr(r, "local_course_title", None)
            r.__dict__.setdefault("_course_titles", {})[language] = (
                local if local is not None else r.course.title
            )
        self.current: dict[int, int] = {}
        self.signed: dict[int, tuple[int, datetime]] = {}
        for r in by_kind.get(Requirement.Kind.AGREEMENT, []):
            r.agreement.__dict__.setdefault("_local_titles", {})[language] = r.agreement_local_title
            self.current[r.agreement_id] = r.current_version or 0
            if r.signed_version:
                self.signed[r.agreement_id] = (r.signed_version, r.signed_at)
        self.sign_offs: list[tuple] = []
        if skills := by_kind.get(Requirement.Kind.SKILL):
            skilled = [
                result.track.pk for result in working
                if any(r.kind == Requirement.Kind.SKILL for r in applying[result.track.pk])
            ]  # fmt: skip
            self.sign_offs = _SIGN_OFFS.run(
                user=user.pk, skills=sorted({r.skill_id for r in skills}), tracks=skilled
            )
        self.sessions: dict[int, list[tuple]] = {}
        self.attendance: list[tuple] = []
        if by_kind.get(Requirement.Kind.ATTENDANCE):
            attending = [
                result for result in working
                if any(r.kind == Requirement.Kind.ATTENDANCE for r in applying[result.track.pk])
            ]  # fmt: skip
            values = {"user": user.pk, "tracks": [result.track.pk for result in attending]}
            earliest = [result.since for result in attending]
            if all(earliest):
                values["since"] = datetime.combine(min(earliest), time.min, tzinfo=UTC)
            now = timezone.now()
            for pk, track_id, allowed, starts_at, status, caught_up in _SESSIONS.run(
                tuple(values), **values
            ):
                self.sessions.setdefault(track_id, []).append((pk, allowed, starts_at))
                if status is not None and starts_at <= now:
                    self.attendance.append((pk, status, caught_up))
            self.now = now


def _sign_offs(*, user, skills, tracks):
    """Sign-offs given to `user` (a pk), by someone else, of `skills` or in the cohorts of
    `tracks`."""
    return (
        SkillSignOff.objects.filter(user=user)
        .filter(Q(skill_id__in=skills) | Q(cohort__track__in=tracks))
        .exclude(signed_by=user)
        .values_list("skill_id", "skill__name", "cohort__track_id", "signed_at")
    )


_SIGN_OFFS = Prepared(_sign_offs)


def _sessions(*, user, tracks, since=None):
    """The live sessions of the cohorts of `tracks` that `user` (a pk) belongs to (from `since`),
    each with the person's attendance that may count, if any (one row per session and person):
    presence the person marked for themselves never counts (catching up is theirs). (~Q on the
    nullable marked_by keeps rows nobody marked.)"""
    cohorts = Membership.objects.filter(
        user=user, left_at__isnull=True, cohort__track__in=tracks
    ).values("cohort_id")
    sessions = LiveSession.objects.filter(cohort__in=cohorts, cancelled_at__isnull=True)
    if since is not None:
        sessions = sessions.filter(starts_at__gte=since)
    marks = Attendance.objects.filter(session=OuterRef("pk"), user=user).filter(
        (Q(status__in=(*ATTENDED, CAUGHT_UP)) & ~Q(marked_by=user)) | Q(caught_up_at__isnull=False)
    )
    return sessions.annotate(
        mark=Subquery(marks.values("status")[:1]),
        caught_up=Subquery(marks.values("caught_up_at")[:1]),
    ).values_list(
        "pk", "cohort__track_id", "cohort__catch_up_counts", "starts_at", "mark", "caught_up"
    )


_SESSIONS = Prepared(_sessions)


def _checks(user, result: Eligibility, requirements, evidence: _Evidence) -> None:
    """`result.checks`, one per requirement of its path, from the evidence read for all."""
    track = result.track
    since = datetime.combine(result.since, time.min, tzinfo=UTC) if result.since else None

    def counts(moment) -> bool:
        return moment is not None and (since is None or moment >= since)

    by_kind: dict[str, list[Requirement]] = {}
    for requirement in requirements:
        by_kind.setdefault(requirement.kind, []).append(requirement)
    checks: dict[int, Check] = {}

    for r in by_kind.get(Requirement.Kind.COURSE, []):
        done = evidence.completed[r.pk]
        if counts(done):
            checks[r.pk] = Check(r, True, _("Completed"), done)
        elif done:
            checks[r.pk] = Check(r, False, _("Completed before the renewal opened: complete "
                                             "it again"))  # fmt: skip
        else:
            checks[r.pk] = Check(r, False, _("Not completed yet"))

    if skills := by_kind.get(Requirement.Kind.SKILL):
        # A sign-off of the track's skill, given in any cohort; or of a cohort's own skill of the
        # same name, given in a cohort preparing for this track (a trainer there may sign off the
        # track's skill anyway): a "signed off" on the trainer's page never sits under a "not
        # signed off yet" here. Nobody certifies themselves: a sign-off the person gave
        # themselves never counts (cohorts refuses to record one; this holds for older rows).
        skill_ids = {r.skill_id for r in skills}
        by_name = {same_skill(r.skill.name) for r in skills}
        latest: dict[object, datetime] = {}
        for skill_id, name, cohort_track, at in evidence.sign_offs:
            if skill_id not in skill_ids and cohort_track != track.pk:
                continue  # read for another track
            keys = [skill_id]
            if cohort_track == track.pk and same_skill(name) in by_name:
                keys.append(same_skill(name))
            for key in keys:
                if key not in latest or at > latest[key]:
                    latest[key] = at
        for r in skills:
            done = max(
                (at for at in (latest.get(r.skill_id), latest.get(same_skill(r.skill.name))) if at),
                default=None,
            )
            if counts(done):
                checks[r.pk] = Check(r, True, _("Signed off by a trainer"), done)
            elif done:
                checks[r.pk] = Check(r, False, _("Signed off before the renewal opened: a "
                                                 "trainer signs it off again"))  # fmt: skip
            else:
                checks[r.pk] = Check(r, False, _("Not signed off yet"))

    for r in by_kind.get(Requirement.Kind.AGREEMENT, []):
        number, at = evidence.signed.get(r.agreement_id, (0, None))
        latest_number = evidence.current.get(r.agreement_id, 0)
        if number and number == latest_number:
            checks[r.pk] = Check(r, True, _("Signed (version %(n)s)") % {"n": number}, at)
        elif number:
            checks[r.pk] = Check(r, False, _("A new version to read and sign"))
        else:
            checks[r.pk] = Check(r, False, _("Not signed yet"))

    if attendance := by_kind.get(Requirement.Kind.ATTENDANCE):
        # Every session planned counts in the total (nobody is certified on the first of ten);
        # only one that has started can have been attended: a mark on a session still to come
        # (made before that was refused) never counts.
        session_list = [
            row for row in evidence.sessions.get(track.pk, []) if not since or row[2] >= since
        ]
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
        for r in attendance:
            share = 100 * attended / total if total else 0
            detail = _("%(attended)s of %(total)s attended") % {
                "attended": attended, "total": total,
            }  # fmt: skip
            if to_come:
                detail = _("%(attended)s of %(total)s attended (%(to_come)s still to come)") % {
                    "attended": attended, "total": total, "to_come": to_come,
                }  # fmt: skip
            if not total:
                detail = _("No live sessions yet")
            checks[r.pk] = Check(r, total > 0 and share >= r.min_attendance, detail)

    for r in requirements:
        check = checks[r.pk]
        if not check.met and (exception := evidence.exceptions.get(r.pk)):
            check.met, check.exception = True, exception
            check.detail = _("Exception granted by a coordinator")
        result.checks.append(check)


def followed_tracks(user):
    """Tracks the person is on: through a cohort they belong to, or a certificate they hold."""
    # Two small subqueries on the person's own rows (indexed by user), not an OR across joins:
    # that made PostgreSQL read every certificate of everyone (109 ms with a pool of 100,000).
    return Track.objects.filter(
        Q(pk__in=Membership.objects.filter(user=user, left_at__isnull=True,
                                           cohort__track__isnull=False).values("cohort__track"))
        | Q(pk__in=Certificate.objects.filter(user=user).values("track"))
    ).prefetch_related("texts")  # fmt: skip


def followers(track: Track):
    """People on the track: members of its cohorts, and holders of its certificates."""
    from training.models import User

    return User.objects.filter(
        Q(cohort_memberships__cohort__track=track, cohort_memberships__left_at__isnull=True)
        | Q(certificates__track=track)
    ).distinct()
