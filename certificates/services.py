"""What changes a certification: evaluating a person, issuing, approving, revoking, exceptions,
expiry, the certificate's PDF, and the responder pool. Views and tasks call these; each records
its event. Reads live in selectors.py.

Services queue tasks (`training.outbox.queue`) and tasks call services: the two modules import
each other as modules (never names from each other), so either may be loaded first."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Membership
from training import audit, outbox
from training.errors import ServiceError

from . import eligibility, pdf, selectors, tasks
from .models import (
    ACCOUNT_DELETED,
    RENDER_CLAIM,
    AgreementSignature,
    Certificate,
    CertificationEvent,
    CertificationRequest,
    CohortTrack,
    EligibilitySnapshot,
    PoolMember,
    Requirement,
    RequirementException,
    Track,
    add_months,
    valid_certificates,
)

logger = logging.getLogger(__name__)
Event = CertificationEvent.Kind

REFUSALS = {
    "no-legal-name": _("Add your legal name to your profile first."),
    "decided": _("Someone already decided this request."),
    "stale": _("This request is out of date: the person's certification changed since."),
    "not-eligible": _(
        "This person no longer meets every requirement (see the checklist): nothing was issued."
    ),
    "reason": _("Give a reason: it is recorded."),
    "exists": _("This person already has an exception for that requirement."),
    "revoked": _("This certificate is already revoked."),
    "not-certified": _("The pool is for people with a valid certificate."),
    "status": _("That is not a choice here."),
    "self": _("This is your own certification: another coordinator has to decide on it."),
}


class CertificationError(ServiceError):
    """A change that cannot be made; its message is translated and shown to the person, its
    code (a key of REFUSALS) says which refusal it is."""

    code = "certification"

    @classmethod
    def because(cls, code: str) -> "CertificationError":
        return cls(REFUSALS[code], code=code)


def _event(user, track, kind, *, certificate=None, actor=None, note=""):
    return CertificationEvent.objects.create(
        user=user, track=track, kind=kind, certificate=certificate, actor=actor, note=note
    )


def _not_own(user_id: int, by) -> None:
    """Nobody decides on their own certification: a coordinator who is also a volunteer on a
    track could otherwise grant themselves exceptions, approve their own request or undo a
    revocation's record. Another coordinator acts on them."""
    if by is not None and user_id == by.pk:
        raise CertificationError.because("self")


# --- Evaluating ---------------------------------------------------------------------------------
# Not one transaction: the snapshot is saved (and its row lock released) before issuing, as
# issuing updates the snapshot too; held across both, an evaluation and an issue of the same
# person at once would deadlock (tests/certificates/test_issuing.py's race).
def certification_evaluate(*, user, track: Track) -> eligibility.Eligibility:
    """Recompute the person's eligibility, keep the snapshot coordinators' lists read, and certify
    (or queue for approval) when every requirement is met. Idempotent."""
    result = eligibility.compute(user, track)
    missing = [check.requirement.pk for check in result.missing]
    EligibilitySnapshot.objects.update_or_create(
        user=user, track=track,
        defaults={"path": result.path or "", "met": result.met, "total": result.total,
                  "eligible": result.eligible, "missing": missing},
    )  # fmt: skip
    if result.eligible:
        if result.needs_approval:
            request_create(user=user, track=track, period=result.next_period)
        else:
            certificate_issue(user=user, track=track, period=result.next_period)
    return result


def certification_evaluate_person(*, user) -> None:
    """Every track the person follows, evaluated."""
    for track in eligibility.followed_tracks(user):
        certification_evaluate(user=user, track=track)


def cohort_evaluate(*, cohort_id: int) -> int:
    """After what a cohort's members attended out of how many changed (its sessions added, moved,
    cancelled, deleted, or turned into debriefs or back): each current member of a cohort on a
    track, evaluated as when their attendance is marked. Idempotent; returns how many."""
    members = Membership.objects.filter(
        cohort_id=cohort_id, left_at__isnull=True, cohort__track_link__isnull=False
    ).values("user")
    count = 0
    people = get_user_model().objects.filter(pk__in=members, is_active=True).order_by("pk")
    for user in people.iterator(chunk_size=500):
        certification_evaluate_person(user=user)
        count += 1
    return count


def track_evaluate(*, track: Track) -> int:
    """After a track's requirements (or an agreement's text) change: everyone on it again.
    Returns how many people were evaluated."""
    count = 0
    for user in eligibility.followers(track).filter(is_active=True).iterator(chunk_size=500):
        certification_evaluate(user=user, track=track)
        count += 1
    return count


def renewals_evaluate(*, today) -> int:
    """Holders whose renewal window is open are evaluated again (their checklist changes with
    the date). Returns how many."""
    evaluated = 0
    for certificate in Certificate.objects.filter(
        revoked_at__isnull=True, expires_on__gte=today - timedelta(days=31)
    ).select_related("user", "track"):
        opens = certificate.expires_on - timedelta(days=certificate.track.renewal_opens_days)
        if opens <= today:
            certification_evaluate(user=certificate.user, track=certificate.track)
            evaluated += 1
    return evaluated


@transaction.atomic
def request_create(*, user, track, period) -> CertificationRequest | None:
    request, created = CertificationRequest.objects.get_or_create(
        user=user, track=track, period=period
    )
    if created:
        _event(user, track, Event.REQUESTED)
    return request if created else None


# --- The cohort-track link ----------------------------------------------------------------------
@transaction.atomic
def cohort_track_set(*, cohort, track: Track | None) -> None:
    """Say which certification track `cohort` prepares for (None: none)."""
    if track is None:
        CohortTrack.objects.filter(cohort=cohort).delete()
    else:
        CohortTrack.objects.update_or_create(cohort=cohort, defaults={"track": track})


# --- Issuing ------------------------------------------------------------------------------------
def certificate_issue(*, user, track: Track, period: int, approved_by=None):
    """Issue the certificate of `period`, once: a second call (a task run twice, two events at
    once) finds the first. Returns (certificate, created)."""
    _not_own(user.pk, approved_by)
    today = timezone.localdate()
    with transaction.atomic():
        previous = (
            Certificate.objects.filter(user=user, track=track, period__lt=period)
            .order_by("-period")
            .first()
        )
        if previous and not previous.revoked_at and previous.expires_on >= today:
            expires = add_months(previous.expires_on, track.validity_months)
        else:
            expires = add_months(today, track.validity_months)
        choice = previous.name_choice if previous else Certificate.Name.DISPLAY
        if choice == Certificate.Name.LEGAL and not user.legal_name:
            choice = Certificate.Name.DISPLAY
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    user=user, track=track, period=period, name_choice=choice,
                    name_on_certificate=name_for(user, choice),
                    language=user.preferred_language or "en", valid_from=today,
                    expires_on=expires, approved_by=approved_by,
                )  # fmt: skip
        except IntegrityError:
            return Certificate.objects.get(user=user, track=track, period=period), False
        # The exceptions of the path this certificate completes are used up (not the other's).
        path = Requirement.Path.RENEWAL if previous and not previous.revoked_at else (
            Requirement.Path.INITIAL)  # fmt: skip
        RequirementException.objects.filter(
            user=user, requirement__track=track, requirement__path=path,
            certificate__isnull=True, withdrawn_at__isnull=True,
        ).update(certificate=certificate)  # fmt: skip
        CertificationRequest.objects.filter(
            user=user, track=track, period=period, status=CertificationRequest.Status.PENDING
        ).update(status=CertificationRequest.Status.APPROVED, decided_at=timezone.now(),
                 decided_by=approved_by)  # fmt: skip
        kind = (
            Event.RENEWED if period > 1 and previous and not previous.revoked_at else Event.ISSUED
        )
        _event(user, track, kind, certificate=certificate, actor=approved_by)
        EligibilitySnapshot.objects.filter(user=user, track=track).update(
            path="", eligible=False, missing=[]
        )
        _pdf_queue_on_commit(certificate.pk)
        outbox.queue(tasks.tell_certified, certificate.pk)
    return certificate, True


def name_for(user, choice: str) -> str:
    if choice == Certificate.Name.LEGAL and user.legal_name:
        return user.legal_name
    return str(user.display_name)


def certificate_set_name(*, certificate: Certificate, choice: str) -> Certificate:
    """The holder chooses the name printed on their certificate; the PDF is prepared again."""
    if choice == Certificate.Name.LEGAL and not certificate.user.legal_name:
        raise CertificationError.because("no-legal-name")
    name = name_for(certificate.user, choice)
    if (choice, name) != (certificate.name_choice, certificate.name_on_certificate):
        certificate.name_choice, certificate.name_on_certificate = choice, name
        certificate.pdf_status = Certificate.Pdf.PENDING
        certificate.save(update_fields=["name_choice", "name_on_certificate", "pdf_status"])
        _pdf_queue_on_commit(certificate.pk)
    return certificate


def certificate_set_language(*, certificate: Certificate, language: str, by,
                             request=None) -> bool:  # fmt: skip
    """The holder chooses the language their certificate is written in (one the platform
    offers); the PDF is prepared again in it, and the verification page shows the track's title
    in it. Returns whether anything changed (recorded in the audit log)."""
    if by is None or by.pk != certificate.user_id:
        raise PermissionError("only the holder changes their certificate's language")
    if language not in dict(settings.LANGUAGES):
        raise CertificationError.because("status")
    if certificate.withdrawn or language == certificate.language:
        return False
    with transaction.atomic():
        certificate.language = language
        certificate.pdf_status = Certificate.Pdf.PENDING
        certificate.save(update_fields=["language", "pdf_status"])
        audit.record(
            action="certificate.language_changed", actor=by, subject=certificate.user_id,
            request=request,
            detail={**_about(certificate.track_id, certificate=certificate), "language": language},
        )  # fmt: skip
        _pdf_queue_on_commit(certificate.pk)
    return True


def certificate_refresh_layout(*, certificate: Certificate) -> bool:
    """A PDF made with an earlier look (pdf.LAYOUT: before the fonts that print every script,
    say) is prepared again, once, when its holder opens it. Returns whether it was asked."""
    if certificate.pdf_status != Certificate.Pdf.READY or not certificate.pdf_fingerprint:
        return False
    if certificate.pdf_fingerprint == pdf.fingerprint(pdf.context_for(certificate)):
        return False
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.PENDING)
    certificate.pdf_status = Certificate.Pdf.PENDING
    _pdf_queue_on_commit(certificate.pk)
    return True


def certificate_render_again(*, certificate: Certificate) -> bool:
    """The holder asks again for a PDF that failed, or whose render was lost. Returns whether
    anything was asked (a render already on its way is not queued again)."""
    if not (certificate.pdf_status == Certificate.Pdf.FAILED or certificate.pdf_stalled):
        return False
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.PENDING)
    _pdf_queue_on_commit(certificate.pk)
    return True


# --- The certificate's PDF ----------------------------------------------------------------------
def _pdf_queue_on_commit(certificate_id: int) -> None:
    """Once the change that asks for a new PDF is committed (and visible to the worker and to the
    fingerprint), ask for its render (`certificate_pdf_queue`)."""
    transaction.on_commit(lambda: certificate_pdf_queue(certificate_id=certificate_id))


def certificate_pdf_queue(*, certificate_id: int) -> bool:
    """Queue the certificate's PDF unless a render of the same content is already queued or
    running (a double click, two tabs, "try again" while it runs). Returns whether it queued."""
    certificate = (
        Certificate.objects.select_related("track")
        .prefetch_related("track__texts")
        .filter(pk=certificate_id)
        .first()
    )
    if certificate is None or certificate.withdrawn:
        return False  # a withdrawn certificate (account deleted) has no PDF any more
    fingerprint = pdf.fingerprint(pdf.context_for(certificate))
    now = timezone.now()
    # One conditional UPDATE: of two requests at once, one claims the render.
    claimed = (
        Certificate.objects.filter(pk=certificate_id)
        .exclude(pdf_queued_fingerprint=fingerprint, pdf_queued_at__gte=now - RENDER_CLAIM)
        .update(pdf_queued_fingerprint=fingerprint, pdf_queued_at=now)
    )
    if claimed:
        outbox.queue(tasks.render_certificate, certificate_id, fingerprint)
    return bool(claimed)


def certificate_pdf_release(*, certificate_id: int, queued: str) -> None:
    """The render queued for `queued` is over: the same content may be queued again."""
    if queued:
        Certificate.objects.filter(pk=certificate_id, pdf_queued_fingerprint=queued).update(
            pdf_queued_fingerprint="", pdf_queued_at=None
        )


@transaction.atomic
def certificate_pdf_failed(*, certificate: Certificate) -> None:
    """The holder sees it failed (and may try again); coordinators see it in the history."""
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.FAILED)
    CertificationEvent.objects.create(user_id=certificate.user_id, track=certificate.track,
                                      certificate=certificate,
                                      kind=CertificationEvent.Kind.PDF_FAILED)  # fmt: skip


class PdfNotRendered(Exception):
    """pdf.render refused (WeasyPrint, a font, the time limit): nothing was changed. The task
    decides whether to try again; the cause is the error itself."""

    def __init__(self, certificate: Certificate):
        super().__init__(certificate.pk)
        self.certificate = certificate


def certificate_pdf_render(*, certificate_id: int) -> str:
    """Render the certificate's PDF unless the stored one already shows the same thing. Returns
    what happened ("rendered", "unchanged", "superseded", "gone"); raises PdfNotRendered."""
    certificate = Certificate.objects.select_related("track").filter(pk=certificate_id).first()
    if certificate is None or certificate.withdrawn:
        return "gone"
    context = pdf.context_for(certificate)
    fingerprint = pdf.fingerprint(context)
    if (
        certificate.pdf_fingerprint == fingerprint
        and certificate.pdf
        and certificate.pdf.storage.exists(certificate.pdf.name)
    ):
        if certificate.pdf_status != Certificate.Pdf.READY:
            Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.READY)
        return "unchanged"
    try:
        content = pdf.render(context)
    except Exception as error:
        raise PdfNotRendered(certificate) from error
    storage = certificate.pdf.storage
    name = storage.save(f"certificates/{certificate.code}-{fingerprint[:12]}.pdf",
                        ContentFile(content))  # fmt: skip
    with transaction.atomic():
        # Only if nothing changed the certificate meanwhile (a new name: another render runs).
        current = Certificate.objects.select_for_update().filter(pk=certificate.pk).first()
        old = current.pdf.name if current and current.pdf else ""
        if (
            current
            and not current.withdrawn
            and pdf.fingerprint(pdf.context_for(current)) == fingerprint
        ):
            current.pdf.name, current.pdf_fingerprint = name, fingerprint
            current.pdf_status = Certificate.Pdf.READY
            current.save(update_fields=["pdf", "pdf_fingerprint", "pdf_status"])
            if old and old != name:
                transaction.on_commit(lambda: storage.delete(old))
            return "rendered"
    storage.delete(name)
    return "superseded"


@transaction.atomic
def certificate_pdf_downloaded(*, certificate: Certificate, by, request=None) -> None:
    """A coordinator downloaded someone's certificate: the person's history says who and when
    (and the audit log, from where)."""
    CertificationEvent.objects.create(
        user_id=certificate.user_id, track_id=certificate.track_id, certificate=certificate,
        kind=Event.PDF_DOWNLOADED, actor=by,
    )  # fmt: skip
    audit.record(
        action="certificate.pdf_downloaded", actor=by, subject=certificate.user_id,
        request=request, detail=_about(certificate.track_id, certificate=certificate),
    )  # fmt: skip


@transaction.atomic
def certificate_names_follow_profile(*, user) -> int:
    """The person changed or removed a name in their profile: every certificate shows the name
    they chose as it is now (a legal name they removed leaves the certificate and its public
    verification page; the display name is used instead). PDFs are prepared again."""
    changed = 0
    if getattr(user, "anonymised_at", None):
        return 0  # a deleted account: its certificates were withdrawn and name nobody
    certificates = Certificate.objects.filter(user=user).exclude(revoked_reason=ACCOUNT_DELETED)
    for certificate in certificates:
        choice = certificate.name_choice
        if choice == Certificate.Name.LEGAL and not user.legal_name:
            choice = Certificate.Name.DISPLAY
        name = name_for(user, choice)
        if (choice, name) != (certificate.name_choice, certificate.name_on_certificate):
            certificate.name_choice, certificate.name_on_certificate = choice, name
            certificate.pdf_status = Certificate.Pdf.PENDING
            certificate.save(update_fields=["name_choice", "name_on_certificate", "pdf_status"])
            _pdf_queue_on_commit(certificate.pk)
            changed += 1
    return changed


def _about(track_id: int, **objects) -> dict:
    """An audit entry's detail: which track, which certificate/request/requirement (ids; no free
    text: a reason or a note may say more about the person than the log should keep)."""
    return {"track": track_id, **{name: obj.pk for name, obj in objects.items()}}


# --- Coordinators' decisions --------------------------------------------------------------------
def request_decide(*, certification_request: CertificationRequest, by, approve: bool,
                   note: str = "", request=None):  # fmt: skip
    """A coordinator's decision on a request. Approving certifies only someone who still meets
    every requirement now (a requirement may have changed since they were queued); a declined
    request can be approved later. (`request`: where the decision came from, for the audit log.)
    Returns the certificate when approved."""
    _not_own(certification_request.user_id, by)
    with transaction.atomic():
        decided = CertificationRequest.objects.select_for_update().get(pk=certification_request.pk)
        if decided.status != CertificationRequest.Status.PENDING and not (
            approve and decided.status == CertificationRequest.Status.DECLINED
        ):
            raise CertificationError.because("decided")
        if approve:
            return _request_approve(decided, by=by, note=note, request=request)
        decided.status = CertificationRequest.Status.DECLINED
        decided.decided_at, decided.decided_by, decided.note = timezone.now(), by, note
        decided.save(update_fields=["status", "decided_at", "decided_by", "note"])
        _event(decided.user, decided.track, Event.DECLINED, actor=by, note=note)
        audit.record(
            action="certificate.declined", actor=by, subject=decided.user_id,
            request=request, detail=_about(decided.track_id, request=decided),
        )  # fmt: skip
    return None


def _request_approve(decided: CertificationRequest, *, by, note: str, request) -> Certificate:
    """Within request_decide's transaction, the request locked."""
    result = eligibility.compute(decided.user, decided.track)
    if result.next_period != decided.period:
        raise CertificationError.because("stale")
    if not result.eligible:
        raise CertificationError.because("not-eligible")
    now = timezone.now()
    _event(decided.user, decided.track, Event.APPROVED, actor=by, note=note)
    certificate, _created = certificate_issue(
        user=decided.user, track=decided.track, period=decided.period, approved_by=by
    )
    decided.status = CertificationRequest.Status.APPROVED
    decided.decided_at, decided.decided_by, decided.note = now, by, note
    decided.save(update_fields=["status", "decided_at", "decided_by", "note"])
    audit.record(action="certificate.approved", actor=by, subject=decided.user_id,
                 request=request, detail=_about(decided.track_id, request=decided,
                                                certificate=certificate))  # fmt: skip
    return certificate


@transaction.atomic
def exception_grant(*, user, requirement, reason: str, by, request=None) -> RequirementException:
    _not_own(user.pk, by)
    reason = reason.strip()
    if not reason:
        raise CertificationError.because("reason")
    try:
        with transaction.atomic():
            exception = RequirementException.objects.create(
                user=user, requirement=requirement, reason=reason, granted_by=by
            )
    except IntegrityError as error:
        raise CertificationError.because("exists") from error
    _event(user, requirement.track, Event.EXCEPTION, actor=by,
           note=f"{requirement.label}: {reason}")  # fmt: skip
    audit.record(action="certificate.exception_granted", actor=by, subject=user,
                 request=request, detail=_about(requirement.track_id, requirement=requirement,
                                                exception=exception))  # fmt: skip
    outbox.queue(tasks.evaluate_person_track, user.pk, requirement.track_id)
    return exception


@transaction.atomic
def exception_withdraw(*, exception: RequirementException, by, request=None) -> None:
    _not_own(exception.user_id, by)
    updated = RequirementException.objects.filter(
        pk=exception.pk, certificate__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=timezone.now())
    if updated:
        requirement = exception.requirement
        _event(exception.user, requirement.track, Event.EXCEPTION_WITHDRAWN, actor=by,
               note=requirement.label)  # fmt: skip
        audit.record(action="certificate.exception_withdrawn", actor=by,
                     subject=exception.user_id, request=request,
                     detail=_about(requirement.track_id, requirement=requirement,
                                   exception=exception))  # fmt: skip
        outbox.queue(tasks.evaluate_person_track, exception.user_id, requirement.track_id)


def certificate_revoke(*, certificate: Certificate, by, reason: str, notify=True,
                       request=None) -> Certificate:  # fmt: skip
    _not_own(certificate.user_id, by)
    reason = reason.strip()
    if not reason:
        raise CertificationError.because("reason")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at:
            raise CertificationError.because("revoked")
        certificate.revoked_at, certificate.revoked_by = timezone.now(), by
        certificate.revoked_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        _event(certificate.user, certificate.track, Event.REVOKED, certificate=certificate,
               actor=by, note=reason)  # fmt: skip
        audit.record(
            action="certificate.revoked", actor=by, subject=certificate.user_id,
            request=request, detail=_about(certificate.track_id, certificate=certificate),
        )  # fmt: skip
        pool_check(user=certificate.user, reason_kind="revoked", by=by, request=request)
        if notify:
            outbox.queue(tasks.tell_revoked, certificate.pk)
    return certificate


# --- An account deleted -------------------------------------------------------------------------
@transaction.atomic
def certificates_withdraw(*, user) -> int:
    """The holder deleted their account: each certificate stays as a withdrawn (revoked) record
    so that a printed copy no longer verifies as valid, naming nobody; its PDF is deleted. No
    message is sent. Returns how many certificates it withdrew. Safe to run twice."""
    now = timezone.now()
    count = 0
    for certificate in Certificate.objects.select_for_update().filter(user=user):
        was_valid = certificate.revoked_at is None
        old_file = certificate.pdf.name if certificate.pdf else ""
        storage = certificate.pdf.storage
        if was_valid:
            certificate.revoked_at, certificate.revoked_by = now, None
        # Replaces a coordinator's earlier reason too: it was about the person.
        certificate.revoked_reason = ACCOUNT_DELETED
        certificate.name_choice = Certificate.Name.DISPLAY
        certificate.name_on_certificate = ""
        certificate.pdf = ""
        certificate.pdf_status = Certificate.Pdf.FAILED
        certificate.pdf_fingerprint = certificate.pdf_queued_fingerprint = ""
        certificate.pdf_queued_at = None
        certificate.save()
        if was_valid:
            _event(user, certificate.track, Event.REVOKED, certificate=certificate)
        if old_file:
            transaction.on_commit(lambda name=old_file, files=storage: files.delete(name))
        count += 1
    return count


def events_forget_notes(*, user) -> int:
    """The account was deleted: its certification history stays for coordinators (anonymous),
    without the notes written about the person (reasons of exceptions, revocations, decisions).
    Returns how many events were changed."""
    return CertificationEvent.objects.filter(user=user).exclude(note="").update(note="")


def exceptions_forget_reasons(*, user) -> int:
    """The account was deleted: the exceptions granted stay (they served certificates), without
    the reasons written about the person. Returns how many were changed."""
    return RequirementException.objects.filter(user=user).exclude(reason="").update(reason="")


# --- Agreements ---------------------------------------------------------------------------------
def agreement_sign(*, user, version, language: str = "") -> AgreementSignature:
    """`language`: the language of the text the person read (see the agreement view)."""
    signature, _created = AgreementSignature.objects.get_or_create(
        user=user, version=version, defaults={"language": language}
    )
    return signature


@dataclass
class Outcome:
    """What a step of the person's own (an agreement signed) did to one of their tracks."""

    track: Track
    certificate: Certificate | None = None  # valid from now on
    waiting: bool = False  # every requirement met: a coordinator decides (Track.Approval)
    missing: list = field(default_factory=list)  # eligibility.Check still open


def certification_evaluate_after_own_step(*, user) -> list[Outcome]:
    """Evaluate the person's tracks now, in the request, rather than leave it to the task that
    follows every change (which finds the work done): the page they land on tells the truth of
    what their step did. Tracks with nothing to do (certified, renewal not open) are left out."""
    outcomes = []
    for track in eligibility.followed_tracks(user):
        result = certification_evaluate(user=user, track=track)
        if result.path is None:
            continue
        outcome = Outcome(track=track, missing=result.missing)
        if result.eligible and result.needs_approval:
            outcome.waiting = True
        elif result.eligible:
            outcome.certificate = Certificate.objects.filter(
                user=user, track=track, period=result.next_period
            ).first()
        outcomes.append(outcome)
    return outcomes


# --- The pool -----------------------------------------------------------------------------------
@transaction.atomic
def pool_check(*, user, reason_kind: str, today=None, by=None, request=None) -> bool:
    """Take the person out of the pool if they no longer hold a valid certificate that grants
    it. Returns True if they were removed (recorded in the audit log: `by` the coordinator whose
    revocation took them out, or nobody when their certificate expired)."""
    if selectors.pool_eligible(user=user, today=today):
        return False
    removed = PoolMember.objects.filter(user=user, status__in=selectors.IN_POOL).update(
        status=PoolMember.Status.REMOVED, left_at=timezone.now()
    )
    if removed:
        latest = (
            Certificate.objects.filter(user=user, track__grants_pool=True)
            .select_related("track")
            .order_by("-expires_on")
            .first()
        )
        if latest:
            _event(user, latest.track, Event.POOL_REMOVED, certificate=latest, note=reason_kind)
        audit.record(action="pool.removed", actor=by, subject=user, request=request,
                     detail={"reason": reason_kind})  # fmt: skip
    return bool(removed)


@transaction.atomic
def pool_join(*, user) -> PoolMember:
    if not selectors.pool_eligible(user=user):
        raise CertificationError.because("not-certified")
    member, created = PoolMember.objects.get_or_create(
        user=user, defaults={"time_zone": user.time_zone or ""}
    )
    if not created and not member.in_pool:
        member.status, member.left_at, member.joined_at = (
            PoolMember.Status.ACTIVE, None, timezone.now(),
        )  # fmt: skip
        member.save(update_fields=["status", "left_at", "joined_at"])
    return member


def pool_set_status(*, member: PoolMember, status: str) -> PoolMember:
    if status not in (PoolMember.Status.ACTIVE, PoolMember.Status.PAUSED, PoolMember.Status.LEFT):
        raise CertificationError.because("status")
    if status == PoolMember.Status.LEFT:
        member.status, member.left_at = status, timezone.now()
    elif member.status == PoolMember.Status.REMOVED or (
        member.status == PoolMember.Status.LEFT and not selectors.pool_eligible(user=member.user)
    ):
        raise CertificationError.because("not-certified")
    else:
        member.status, member.left_at = status, None
    member.save(update_fields=["status", "left_at"])
    return member


def pool_leave(*, user) -> bool:
    """Leave the pool at once (the person asked for their account to be deleted): coordinators
    no longer find them. Returns whether they were in it."""
    member = PoolMember.objects.filter(user=user).first()
    if member is None or not member.in_pool:
        return False
    pool_set_status(member=member, status=PoolMember.Status.LEFT)
    return True


def certificates_expire(*, today=None) -> int:
    """Record each certificate that expired without renewal and take people without a valid
    certificate out of the pool. Idempotent: returns how many certificates it recorded."""
    today = today or timezone.localdate()
    expired = list(
        Certificate.objects.filter(
            expires_on__lt=today, revoked_at__isnull=True, expiry_recorded=False
        ).select_related("user", "track")
    )
    for certificate in expired:
        _expiry_record(certificate)
    holds = valid_certificates(today).filter(user=OuterRef("user"), track__grants_pool=True)
    stale = PoolMember.objects.filter(
        status__in=[PoolMember.Status.ACTIVE, PoolMember.Status.PAUSED]
    ).exclude(Exists(holds))
    for member in stale.select_related("user"):
        pool_check(user=member.user, reason_kind="expired", today=today)
    return len(expired)


@transaction.atomic
def _expiry_record(certificate: Certificate) -> None:
    """Once per certificate (two runs at once: one records it), and only when not renewed."""
    if Certificate.objects.filter(pk=certificate.pk, expiry_recorded=False).update(
        expiry_recorded=True
    ):
        renewed = Certificate.objects.filter(
            user=certificate.user, track=certificate.track, period__gt=certificate.period
        ).exists()
        if not renewed:
            _event(certificate.user, certificate.track, Event.EXPIRED, certificate=certificate)


def pool_forget(*, now=None) -> int:
    """Delete the pool details of people who left (or were taken out) longer ago than
    ACOMPANA_POOL_LEFT_DAYS: personal data is kept no longer than it serves."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.ACOMPANA_POOL_LEFT_DAYS)
    deleted, _per_model = PoolMember.objects.filter(
        status__in=[PoolMember.Status.LEFT, PoolMember.Status.REMOVED], left_at__lt=cutoff
    ).delete()
    return deleted
