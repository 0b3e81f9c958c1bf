"""Whether a person meets a track's requirements, and why: one check per requirement, each
explained ("live sessions: 3 of 4 attended").

Which requirements apply depends on where the person stands:
- never certified (or their certificate was revoked): the track's first-certification path;
- certified, before the renewal window opens: nothing to do;
- from the window's opening (and after expiry): the renewal path, where only what was done since
  the window opened counts (a refresher completed, a skill signed off, sessions attended).

Each kind of requirement (a course, live sessions, a skill, an agreement, hours of courses) is a
class in requirement_kinds.py with its evidence and its check; this module walks them. A fixed
number of queries per person and track, whatever the number of requirements.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cohorts.models import Membership
from training.i18n import active_language, default_locale_id, locale_id_for
from training.prepared import Pending, Prepared, Together, read_now

from .models import Certificate, Requirement, RequirementException, Track
from .requirement_kinds import KINDS, Check, RequirementKind


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
    return read_now(stage_compute_many, user, tracks, today=today, certificates=certificates)


def stage_compute_many(together: Together, user, tracks, *, today: date | None = None,
                       certificates: dict | None = None, requirements: Pending | None = None,
                       early: dict | None = None):  # fmt: skip
    """`compute_many` in stages (training.prepared.run_stages): the certificates (unless
    given), the requirements (unless queued already: `queue_requirements`), then every kind's
    evidence (but what `early` read already: `queue_early_evidence`), each stage's reads sent
    with the other reads of `together`."""
    today = today or timezone.localdate()
    tracks = list(tracks)
    if certificates is None:
        mine = together.queryset(
            Certificate.objects.filter(user=user, track__in=[t.pk for t in tracks])
        )
        yield
        certificates = {}
        for certificate in mine.rows:
            certificates.setdefault(certificate.track_id, []).append(certificate)
    results = [_stage(track, certificates.get(track.pk, []), today) for track in tracks]
    working = [result for result in results if result.path is not None]
    if not working:
        return results
    if requirements is None:
        requirements = queue_requirements(together, user, [r.track.pk for r in working])
        yield
    applying = {
        result.track.pk: [
            r for r in requirements.rows
            if r.track_id == result.track.pk and r.path == result.path
        ]
        for result in working
    }  # fmt: skip
    evidence = yield from _stage_evidence(together, user, working, applying, early or {})
    for result in working:
        _checks(user, result, applying[result.track.pk], evidence)
    return results


def queue_requirements(together: Together, user, track_pks: list[int], *,
                       path: str | None = None) -> Pending:  # fmt: skip
    """The requirements of these tracks (every path, or `path`'s only) with the person's evidence
    on each, read with the other reads of `together` (stage_compute_many's)."""
    language = active_language()
    locale_id = locale_id_for(language) if language != settings.LANGUAGE_CODE else None
    default = default_locale_id()
    # The query's shape: whether the courses' titles are read in another locale, and whether
    # there is a locale of originals; the values change (issue 18: compiled once).
    values = {"user": user.pk, "tracks": list(track_pks), "language": language}
    if path is not None:
        values["path"] = str(path)
    if locale_id is not None:
        values["locale_id"] = locale_id
    if default is not None:
        values["default_locale"] = default
    return together.prepared(_REQUIREMENTS, tuple(values), **values)


EXCEPTION_FIELDS = ("id", "reason", "granted_by_id", "granted_at")


def _requirements(*, user, tracks, language, locale_id=None, default_locale=None, path=None):
    """The requirements of `tracks` (of `path`, if given) with the evidence of `user` (a pk) on
    each (_with_evidence), in order."""
    requirements = Requirement.objects.filter(track__in=tracks)
    if path is not None:
        requirements = requirements.filter(path=path)
    return (
        _with_evidence(
            requirements,
            user,
            language=language,
            locale_id=locale_id,
            default_locale=default_locale,
        )
        .select_related(*(name for kind in KINDS.values() for name in kind.related))
        .defer(*(name for kind in KINDS.values() for name in kind.deferred))
        .order_by("sort_order", "pk")
    )


_REQUIREMENTS = Prepared(_requirements)


def _with_evidence(requirements, user, *, language, locale_id=None, default_locale=None):
    """The requirements with what the person did about each, read in the same query: their open
    exception (at most one), and what each kind reads along (RequirementKind.annotations: a
    course's completion, an agreement's newest version and the newest the person signed…).
    `language`: the reader's; `locale_id`: its locale, when not the originals'; `default_locale`:
    the originals' (courses.i18n)."""
    open_exception = Q(exceptions__user=user, exceptions__certificate__isnull=True,
                       exceptions__withdrawn_at__isnull=True)  # fmt: skip
    annotations = {
        "exception": FilteredRelation("exceptions", condition=open_exception),
        **{f"exception_{name}": F(f"exception__{name}") for name in EXCEPTION_FIELDS},
    }
    for kind in KINDS.values():
        annotations.update(
            kind.annotations(user=user, language=language, locale_id=locale_id,
                             default_locale=default_locale)
        )  # fmt: skip
    return requirements.annotate(**annotations)


class _Evidence:
    """The person's evidence for every requirement of the tracks worked on: their open
    exceptions (read along with the requirements), then what each kind gathers for all its
    requirements at once (at most one query a kind), whatever the number of tracks."""

    def __init__(self, user, requirements):
        self.exceptions = {
            r.pk: RequirementException(
                requirement_id=r.pk, user_id=user.pk, certificate_id=None, withdrawn_at=None,
                **{name: getattr(r, f"exception_{name}") for name in EXCEPTION_FIELDS},
            )
            for r in requirements
            if r.exception_id is not None
        }  # fmt: skip
        self.by_kind: dict[str, object] = {}


# --- Evidence read with the requirements ---------------------------------------------------------
# The kinds whose evidence can be read before their requirements (RequirementKind.queue_early).
EARLY_KINDS = [
    name for name, kind in KINDS.items()
    if type(kind).queue_early is not RequirementKind.queue_early
]  # fmt: skip


def early_annotations(certificates) -> dict:
    """Annotations on a tracks query that tell, once it is read, which evidence
    `queue_early_evidence` reads: whether each path has requirements of each of EARLY_KINDS,
    and the state of the person's latest certificate (`certificates`: theirs, a queryset)."""
    latest = certificates.filter(track=OuterRef("pk")).order_by("-period")
    annotations = {
        "latest_expires_on": Subquery(latest.values("expires_on")[:1]),
        "latest_revoked_at": Subquery(latest.values("revoked_at")[:1]),
    }
    for path in Requirement.Path.values:
        for name in EARLY_KINDS:
            annotations[f"early_{path}_{name}"] = Exists(
                Requirement.objects.filter(track=OuterRef("pk"), path=path, kind=name)
            )
    return annotations


def queue_early_evidence(together: Together, user, tracks, *, today: date | None = None):
    """The evidence of EARLY_KINDS for `tracks` (read with `early_annotations`), queued in
    `together` with the requirements: where each track stands as its latest certificate says,
    and the kinds its path has. For `stage_compute_many(early=...)`, which reads anew what the
    certificates and requirements it gets do not bear out (a certificate issued meanwhile)."""
    today = today or timezone.localdate()
    early = {}
    results = []
    for track in tracks:
        latest = []
        if track.latest_expires_on is not None:
            latest = [Certificate(period=0, expires_on=track.latest_expires_on,
                                  revoked_at=track.latest_revoked_at)]  # fmt: skip
        results.append(_stage(track, latest, today))
    for name in EARLY_KINDS:
        of_kind = [
            result for result in results
            if result.path is not None and getattr(result.track, f"early_{result.path}_{name}")
        ]  # fmt: skip
        if of_kind:
            finish = KINDS[name].queue_early(together, user=user, results=of_kind)
            if finish is not None:
                early[name] = (finish, {result.track.pk: result.since for result in of_kind})
    return early


def _covers(read: dict, tracks) -> bool:
    """Whether evidence read early for these tracks (track pk -> since) holds all of what
    `tracks` ((Eligibility, requirements)) need: every track, and from as early."""
    for result, _requirements in tracks:
        if result.track.pk not in read:
            return False
        since = read[result.track.pk]
        if since is not None and (result.since is None or result.since < since):
            return False
    return True


def _stage_evidence(together: Together, user, working, applying, early: dict):
    """The evidence, every kind's read sent in one round trip (RequirementKind.queue_gather),
    but those read already (`early`, when they hold all that is needed)."""
    evidence = _Evidence(user, [r for rs in applying.values() for r in rs])
    finish = {}
    for name, kind in KINDS.items():
        tracks = [
            (result, of_kind)
            for result in working
            if (of_kind := [r for r in applying[result.track.pk] if r.kind == name])
        ]
        if not tracks:
            continue
        if name in early and _covers(early[name][1], tracks):
            finish[name] = early[name][0]
        else:
            finish[name] = kind.queue_gather(together, user=user, tracks=tracks)
    if together.pending:
        yield
    for name, gathered in finish.items():
        evidence.by_kind[name] = gathered()
    return evidence


def _checks(user, result: Eligibility, requirements, evidence: _Evidence) -> None:
    """`result.checks`, one per requirement of its path (in order), each from its kind's check
    on the evidence read for all; an open exception counts a requirement as met."""
    checks: dict[int, Check] = {}
    for name, kind in KINDS.items():
        if of_kind := [r for r in requirements if r.kind == name]:
            checks.update(kind.checks(of_kind, result=result, evidence=evidence.by_kind[name]))
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
                                           cohort__track_link__isnull=False)
          .values("cohort__track_link__track"))
        | Q(pk__in=Certificate.objects.filter(user=user).values("track"))
    ).prefetch_related("texts")  # fmt: skip


def followers(track: Track):
    """People on the track: members of its cohorts, and holders of its certificates."""
    people = get_user_model().objects
    return people.filter(
        Q(
            cohort_memberships__cohort__track_link__track=track,
            cohort_memberships__left_at__isnull=True,
        )
        | Q(certificates__track=track)
    ).distinct()
