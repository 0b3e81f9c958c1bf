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

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Attendance, LiveSession, Membership, SkillSignOff, same_skill
from courses.models import CourseProgress

from .models import (
    AgreementSignature,
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


def compute(user, track: Track, *, today: date | None = None, requirements=None,
            certificates=None) -> Eligibility:  # fmt: skip
    """The person's eligibility for `track`. `requirements` and `certificates` may be given when
    the caller already has them (lists of many tracks)."""
    today = today or timezone.localdate()
    if certificates is None:
        certificates = list(Certificate.objects.filter(user=user, track=track))
    result = _stage(track, certificates, today)
    if result.path is None:
        return result
    if requirements is None:
        requirements = list(
            track.requirements.select_related("course", "skill", "agreement")
            .prefetch_related("agreement__texts")
            .order_by("sort_order", "pk")
        )
    requirements = [r for r in requirements if r.path == result.path]
    since = datetime.combine(result.since, time.min, tzinfo=UTC) if result.since else None

    def counts(moment) -> bool:
        return moment is not None and (since is None or moment >= since)

    by_kind: dict[str, list[Requirement]] = {}
    for requirement in requirements:
        by_kind.setdefault(requirement.kind, []).append(requirement)
    exceptions = {
        e.requirement_id: e
        for e in RequirementException.objects.filter(
            user=user, requirement__in=[r.pk for r in requirements], certificate__isnull=True,
            withdrawn_at__isnull=True,
        )
    }  # fmt: skip
    checks: dict[int, Check] = {}

    if courses := by_kind.get(Requirement.Kind.COURSE):
        # Progress is kept on a course's original (courses.i18n), whichever copy was chosen here.
        from courses.i18n import active_language, record, titles_in_active_language

        originals = {r.pk: record(r.course).pk for r in courses}
        # The courses' titles in the reader's language, for the checklist (one query).
        titles = titles_in_active_language([r.course for r in courses])
        language = active_language()
        for r in courses:
            r.__dict__.setdefault("_course_titles", {})[language] = titles.get(
                r.course.translation_key, r.course.title
            )
        completed = dict(
            CourseProgress.objects.filter(
                user=user, course_id__in=originals.values(), completed_at__isnull=False
            ).values_list("course_id", "completed_at")
        )
        for r in courses:
            done = completed.get(originals[r.pk])
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
        by_name = {same_skill(r.skill.name) for r in skills}
        latest: dict[object, datetime] = {}
        for skill_id, name, cohort_track, at in (
            SkillSignOff.objects.filter(user=user)
            .filter(Q(skill_id__in=[r.skill_id for r in skills]) | Q(cohort__track=track))
            .exclude(signed_by=user)
            .values_list("skill_id", "skill__name", "cohort__track_id", "signed_at")
        ):
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

    if agreements := by_kind.get(Requirement.Kind.AGREEMENT):
        ids = [r.agreement_id for r in agreements]
        current: dict[int, int] = {}
        for agreement_id, number in AgreementVersion.objects.filter(
            agreement_id__in=ids
        ).values_list("agreement_id", "number"):
            current[agreement_id] = max(number, current.get(agreement_id, 0))
        signed: dict[int, tuple[int, datetime]] = {}
        for agreement_id, number, at in AgreementSignature.objects.filter(
            user=user, version__agreement_id__in=ids
        ).values_list("version__agreement_id", "version__number", "signed_at"):
            if number > signed.get(agreement_id, (0, None))[0]:
                signed[agreement_id] = (number, at)
        for r in agreements:
            number, at = signed.get(r.agreement_id, (0, None))
            latest = current.get(r.agreement_id, 0)
            if number and number == latest:
                checks[r.pk] = Check(r, True, _("Signed (version %(n)s)") % {"n": number}, at)
            elif number:
                checks[r.pk] = Check(r, False, _("A new version to read and sign"))
            else:
                checks[r.pk] = Check(r, False, _("Not signed yet"))

    if attendance := by_kind.get(Requirement.Kind.ATTENDANCE):
        cohorts = Membership.objects.filter(
            user=user, left_at__isnull=True, cohort__track=track
        ).values("cohort_id")
        sessions = LiveSession.objects.filter(cohort__in=cohorts, cancelled_at__isnull=True)
        if since:
            sessions = sessions.filter(starts_at__gte=since)
        # Every session planned counts in the total (nobody is certified on the first of ten);
        # only one that has started can have been attended: a mark on a session still to come
        # (made before that was refused) never counts.
        now = timezone.now()
        session_list = list(sessions.values_list("pk", "cohort__catch_up_counts", "starts_at"))
        held = {pk for pk, _allowed, starts_at in session_list if starts_at <= now}
        catch_up = {pk for pk, allowed, _starts_at in session_list if allowed}
        attended = 0
        for session_id, status, caught_up in (
            Attendance.objects.filter(user=user, session__in=sorted(held))
            # Presence the person marked for themselves never counts (catching up is theirs).
            # (~Q on the nullable marked_by keeps rows nobody marked.)
            .filter(
                (Q(status__in=(*ATTENDED, CAUGHT_UP)) & ~Q(marked_by=user))
                | Q(caught_up_at__isnull=False)
            )
            .values_list("session_id", "status", "caught_up_at")
        ):
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
        if not check.met and (exception := exceptions.get(r.pk)):
            check.met, check.exception = True, exception
            check.detail = _("Exception granted by a coordinator")
        result.checks.append(check)
    return result


def followed_tracks(user):
    """Tracks the person is on: through a cohort they belong to, or a certificate they hold."""
    return (
        Track.objects.filter(
            Q(cohorts__memberships__user=user, cohorts__memberships__left_at__isnull=True)
            | Q(certificates__user=user)
        )
        .distinct()
        .prefetch_related("texts")
    )


def followers(track: Track):
    """People on the track: members of its cohorts, and holders of its certificates."""
    from training.models import User

    return User.objects.filter(
        Q(cohort_memberships__cohort__track=track, cohort_memberships__left_at__isnull=True)
        | Q(certificates__track=track)
    ).distinct()
