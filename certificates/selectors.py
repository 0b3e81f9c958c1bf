"""What certification reads for pages and services: a person's overview (the dashboard's hot
path), a person's history on a track, the coordinator's desk, and the responder pool's holders.
Reads only: services may call these, never the reverse."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone, translation

from training.prepared import Prepared, Together, read_now

from . import eligibility
from .history import timeline, track_requirements
from .models import (
    Certificate,
    CertificationRequest,
    EligibilitySnapshot,
    PoolMember,
    Requirement,
    RequirementException,
    Track,
    TrackSkill,
    TrackText,
    track_of,
    valid_certificates,
)

IN_POOL = (PoolMember.Status.ACTIVE, PoolMember.Status.PAUSED)
MOMENT_DAYS = 7


# --- The volunteer ------------------------------------------------------------------------------
def _followed(*, user, language):
    """The tracks `user` (a pk) follows, with whether they wait for a coordinator's decision on
    it and its words in `language` (one text per track and language)."""
    waiting = CertificationRequest.objects.filter(
        user=user, status=CertificationRequest.Status.PENDING, track=OuterRef("pk")
    )
    text = TrackText.objects.filter(track=OuterRef("pk"), language=language)
    return (
        eligibility.followed_tracks(user)
        .prefetch_related(None)
        .annotate(
            pending=Exists(waiting),
            text_id=Subquery(text.values("pk")[:1]),
            text_title=Subquery(text.values("title")[:1]),
            text_description=Subquery(text.values("description")[:1]),
            # Which evidence to read with the requirements (eligibility.queue_early_evidence),
            # and the person's latest certificate of it (`latest_expires_on`: None when they
            # hold none; most hold none, and their certificates are not read at all).
            **eligibility.early_annotations(Certificate.objects.filter(user=user)),
        )
    )


# Compiled once per process (training.prepared, issue 18): the dashboard's time.
_FOLLOWED = Prepared(_followed)
# The person's place in the pool rides along: its id and status (what the overview's pages ask of
# it), not the rows of the person and their pool profile (~50 columns psycopg would read, issue 18).
_CERTIFICATES = Prepared(
    lambda *, user: Certificate.objects.filter(user=user).annotate(
        pool_member_pk=F("user__pool_member__id"), pool_member_status=F("user__pool_member__status")
    )
)
POOL_MEMBER_READ = ("id", "user_id", "status")  # the rest is read on its own if ever asked for


def certification_overview(*, user) -> dict:
    """The person's tracks with their checklists, certificates and place in the pool. One query
    for someone on no track (most people before a cohort), a fixed handful otherwise, whatever
    the number of tracks."""
    return read_now(queue_certification_overview, user=user)


def queue_certification_overview(together: Together, *, user):
    """`certification_overview` in stages (training.prepared.run_stages): the tracks followed,
    sent with the other reads of `together`; then the certificates with the requirements; then
    the evidence."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    tracks = together.prepared(_FOLLOWED, user=user.pk, language=language)
    yield
    tracks = tracks.rows
    for track in tracks:
        track._local_texts = {language: None if track.text_id is None else TrackText(
            pk=track.text_id, track=track, language=language, title=track.text_title,
            description=track.text_description,
        )}  # fmt: skip
    if not tracks:
        return {"results": [], "pending": set(), "certificates": [], "pool_member": None,
                "pool_eligible": False}  # fmt: skip
    # Every track the person holds a certificate of is one they follow: its row (texts
    # prefetched) serves the certificate too. Their place in the pool rides along. The
    # requirements of every track followed come in the same round trip (those of a track with
    # nothing to work on are not looked at). Someone who holds no certificate (as the tracks
    # read said) is on the first certification's path of each: its requirements only, and no
    # certificates to read (issue 18).
    held = any(track.latest_expires_on is not None for track in tracks)
    certificates = together.prepared(_CERTIFICATES, user=user.pk) if held else together.done([])
    requirements = eligibility.queue_requirements(
        together, user, [t.pk for t in tracks], path=None if held else Requirement.Path.INITIAL
    )
    # The evidence read by a query of its own (live sessions, sign-offs…) comes in the same
    # round trip, as the tracks read said where the person stands on each (issue 18).
    early = eligibility.queue_early_evidence(together, user, tracks)
    yield
    certificates = certificates.rows
    by_pk = {track.pk: track for track in tracks}
    by_track: dict[int, list] = {}
    holder = Certificate._meta.get_field("user")
    for certificate in certificates:
        holder.set_cached_value(certificate, user)  # the person's own: `user` holds them
        # A certificate issued between the two queries: its track is read on its own.
        track = by_pk.get(certificate.track_id)
        certificate.track = track if track is not None else certificate.track
        by_track.setdefault(certificate.track_id, []).append(certificate)
    pool_member = None
    if certificates and certificates[0].pool_member_pk is not None:
        first = certificates[0]
        pool_member = PoolMember.from_db(
            first._state.db, POOL_MEMBER_READ,
            (first.pool_member_pk, user.pk, first.pool_member_status),
        )  # fmt: skip
    results = yield from eligibility.stage_compute_many(
        together, user, tracks, certificates=by_track, requirements=requirements, early=early
    )
    today = timezone.localdate()
    return {
        "results": results,
        # Tracks where the person waits for a coordinator's decision.
        "pending": {track.pk for track in tracks if track.pending},
        "certificates": certificates,
        "pool_member": pool_member,
        "pool_eligible": any(
            c.state(today) == "valid" and c.track.grants_pool for c in certificates
        ),
    }


def dashboard_certification(user) -> dict | None:
    """The dashboard's certification section (training.dashboard), or None when there is
    nothing to show."""
    return read_now(queue_dashboard_certification, user)


def queue_dashboard_certification(together: Together, user):
    """`dashboard_certification` in stages, sent with the other reads of `together`."""
    overview = yield from queue_certification_overview(together, user=user)
    return _dashboard_certification(overview)


def _dashboard_certification(data: dict) -> dict | None:
    if not data["results"] and not data["certificates"]:
        return None
    # The certified moment, whatever completed the track (a course finished, a session caught
    # up, a coordinator's approval): a certificate of the last days is celebrated here.
    today = timezone.localdate()
    data["moment"] = [
        c for c in data["certificates"]
        if c.state(today) == "valid" and (today - c.valid_from).days < MOMENT_DAYS
    ]  # fmt: skip
    return data


def member_certification(*, cohort, user) -> dict:
    """For the cohort's trainers, on a member's page: each requirement of the cohort's track."""
    track = track_of(cohort)
    return {"certification": eligibility.compute(user, track)} if track else {}


# --- The cohort-track link: a track's skills, shared with its cohorts (cohorts.shared_skills) ---
def track_skills_of(cohorts):
    """The pks of the skills of the tracks `cohorts` (a queryset) prepare for."""
    return TrackSkill.objects.filter(track__cohort_links__cohort__in=cohorts).values("pk")


def track_of_skill(skill) -> Track | None:
    """The track a skill belongs to (read with it by skills_with_tracks: no query)."""
    if isinstance(skill, TrackSkill):
        return skill.track
    try:
        return skill.track_skill.track
    except TrackSkill.DoesNotExist:
        return None


def skills_with_tracks(skills):
    """`skills` (a cohorts.Skill queryset), each read with its track and the track's texts."""
    return skills.select_related("track_skill__track").prefetch_related("track_skill__track__texts")


def certificates_just_issued(*, user, ids) -> list[Certificate]:
    """The person's certificates among `ids` that are still valid (the certified moment)."""
    return list(
        Certificate.objects.filter(user=user, pk__in=ids, revoked_at__isnull=True)
        .select_related("track")
        .prefetch_related("track__texts")
    )


# --- The pool -----------------------------------------------------------------------------------
def pool_certificates(*, user, today=None):
    """The certificates that keep `user` in the responder pool: valid, of a track that grants it."""
    return valid_certificates(today).filter(user=user, track__grants_pool=True)


def pool_eligible(*, user, today=None) -> bool:
    return pool_certificates(user=user, today=today).exists()


def pool_after_revoking(*, user, certificates, today=None) -> dict[int, bool]:
    """What revoking each of `certificates` (the user's) would do to their place in the responder
    pool, as `services.pool_check` decides it after a revocation: {certificate id: True if it
    takes them out of the pool, False if they stay in it (another valid certificate that grants
    the pool keeps them there)}; empty when they are not in the pool (active or paused). Two
    queries, whatever the number of certificates."""
    if not PoolMember.objects.filter(user=user, status__in=IN_POOL).exists():
        return {}
    keeping = set(pool_certificates(user=user, today=today).values_list("pk", flat=True))
    return {c.pk: not keeping - {c.pk} for c in certificates}


# --- Coordinators -------------------------------------------------------------------------------
def coordinator_tracks() -> list[Track]:
    today = timezone.localdate()
    valid = Q(certificates__revoked_at__isnull=True, certificates__expires_on__gte=today)
    return list(
        Track.objects.annotate(
            certified=Count("certificates__user", filter=valid, distinct=True),
            eligible=Count("snapshots", filter=Q(snapshots__eligible=True), distinct=True),
            following=Count("snapshots", distinct=True),
            waiting=Count("requests", filter=Q(requests__status="pending"), distinct=True),
        ).order_by("title")
    )


def desk_context() -> dict:
    """The coordinator's desk: tracks, how many requests wait, and the pool's size."""
    today = timezone.localdate()
    return {
        "tracks": coordinator_tracks(),
        "waiting": CertificationRequest.objects.filter(
            status=CertificationRequest.Status.PENDING
        ).count(),
        "pool_size": PoolMember.objects.filter(
            status=PoolMember.Status.ACTIVE,
            user__in=valid_certificates(today).filter(track__grants_pool=True).values("user"),
        ).count(),
    }


def track_people(*, track, shown: str, page_number):
    """A page (50) of the people on `track` (all, "eligible" or "working"), each row with their
    latest certificate, whether they wait for a decision, and the one requirement they miss."""
    snapshots = EligibilitySnapshot.objects.filter(track=track).select_related("user")
    if shown == "eligible":
        snapshots = snapshots.filter(eligible=True)
    elif shown == "working":
        snapshots = snapshots.filter(eligible=False).exclude(path="")
    page = _paginate(snapshots.order_by("user__display_name", "pk"), page_number)
    users = [s.user_id for s in page]
    latest = {}
    for certificate in Certificate.objects.filter(track=track, user_id__in=users).order_by(
        "period"
    ):
        latest[certificate.user_id] = certificate
    waiting = set(
        CertificationRequest.objects.filter(
            track=track, user_id__in=users, status=CertificationRequest.Status.PENDING
        ).values_list("user_id", flat=True)
    )
    requirements = list(
        track.requirements.select_related("course", "skill", "agreement").prefetch_related(
            "agreement__texts"
        )
    )
    labels = {r.pk: r.label for r in requirements}
    rows = [
        (s, latest.get(s.user_id), s.user_id in waiting,
         labels.get(s.missing[0], "") if len(s.missing) == 1 else "")
        for s in page
    ]  # fmt: skip
    return page, rows, requirements


def requests_waiting(*, page_number):
    """A page (50) of the requests waiting for a coordinator, oldest first, each with the
    person's eligibility snapshot."""
    waiting = (
        CertificationRequest.objects.filter(status=CertificationRequest.Status.PENDING)
        .select_related("user", "track")
        .order_by("created_at", "pk")
    )
    page = _paginate(waiting, page_number)
    snapshots = {
        (s.user_id, s.track_id): s
        for s in EligibilitySnapshot.objects.filter(
            user_id__in=[r.user_id for r in page], track_id__in={r.track_id for r in page}
        )
    }
    return page, [(r, snapshots.get((r.user_id, r.track_id))) for r in page]


def _paginate(rows, page_number):
    return Paginator(rows, 50).get_page(page_number)


def person_history(*, user, track) -> dict:
    """A person's certification on a track, and their history on it in one timeline. A fixed
    number of queries, whatever the length of the history."""
    requirements = track_requirements(track)
    exceptions = list(
        RequirementException.objects.filter(user=user, requirement__track=track)
        .select_related("granted_by")
        .order_by("granted_at", "pk")
    )
    for exception in exceptions:  # the track's requirements, their labels ready
        exception.requirement = requirements[exception.requirement_id]
    return {
        "result": eligibility.compute(user, track),
        "certificates": list(
            Certificate.objects.filter(user=user, track=track)
            .select_related("revoked_by")
            .order_by("-period")
        ),
        "timeline": timeline(user, track, requirements=requirements),
        "exceptions": exceptions,
        "requests": list(CertificationRequest.objects.filter(user=user, track=track)),
    }


def on_track(*, user, track) -> bool:
    """Whether `user` is someone a coordinator of `track` may look at: followed, evaluated or
    certified on it."""
    return (
        EligibilitySnapshot.objects.filter(user=user, track=track).exists()
        or Certificate.objects.filter(user=user, track=track).exists()
        or eligibility.followers(track).filter(pk=user.pk).exists()
    )
