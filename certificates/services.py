"""What changes a certification: evaluating a person, issuing, approving, revoking, exceptions,
expiry, and the responder pool. Views and tasks call these; each records its event."""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from training import audit

from . import eligibility, pdf
from .models import (
    ACCOUNT_DELETED,
    AgreementSignature,
    Certificate,
    CertificationEvent,
    CertificationRequest,
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


class CertificationError(Exception):
    """A change that cannot be made; its message is translated and shown to the person."""


def _event(user, track, kind, *, certificate=None, actor=None, note=""):
    return CertificationEvent.objects.create(
        user=user, track=track, kind=kind, certificate=certificate, actor=actor, note=note
    )


def _after_commit(task_name: str, *args) -> None:
    def run():
        from . import tasks

        if task_name == "render_certificate":
            # Not twice for the same content while a render of it is queued or running.
            tasks.render_unless_queued(*args)
        else:
            getattr(tasks, task_name).delay(*args)

    transaction.on_commit(run)


def _not_own(user_id: int, by) -> None:
    """Nobody decides on their own certification: a coordinator who is also a volunteer on a
    track could otherwise grant themselves exceptions, approve their own request or undo a
    revocation's record. Another coordinator acts on them."""
    if by is not None and user_id == by.pk:
        raise CertificationError("self")


# --- Evaluating ---------------------------------------------------------------------------------
def evaluate(user, track: Track) -> eligibility.Eligibility:
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
            request_create(user, track, result.next_period)
        else:
            certificate_issue(user, track, period=result.next_period)
    return result


def evaluate_person(user) -> None:
    for track in eligibility.followed_tracks(user):
        evaluate(user, track)


def request_create(user, track, period) -> CertificationRequest | None:
    with transaction.atomic():
        request, created = CertificationRequest.objects.get_or_create(
            user=user, track=track, period=period
        )
        if created:
            _event(user, track, Event.REQUESTED)
    return request if created else None


# --- Issuing ------------------------------------------------------------------------------------
def certificate_issue(user, track: Track, *, period: int, approved_by=None):
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
        _after_commit("render_certificate", certificate.pk)
        _after_commit("tell_certified", certificate.pk)
    return certificate, True


def name_for(user, choice: str) -> str:
    if choice == Certificate.Name.LEGAL and user.legal_name:
        return user.legal_name
    return str(user.display_name)


def certificate_set_name(certificate: Certificate, choice: str) -> Certificate:
    """The holder chooses the name printed on their certificate; the PDF is prepared again."""
    if choice == Certificate.Name.LEGAL and not certificate.user.legal_name:
        raise CertificationError("no-legal-name")
    name = name_for(certificate.user, choice)
    if (choice, name) != (certificate.name_choice, certificate.name_on_certificate):
        certificate.name_choice, certificate.name_on_certificate = choice, name
        certificate.pdf_status = Certificate.Pdf.PENDING
        certificate.save(update_fields=["name_choice", "name_on_certificate", "pdf_status"])
        _after_commit("render_certificate", certificate.pk)
    return certificate


def certificate_set_language(certificate: Certificate, language: str, *, by,
                             request=None) -> bool:  # fmt: skip
    """The holder chooses the language their certificate is written in (one the platform
    offers); the PDF is prepared again in it, and the verification page shows the track's title
    in it. Returns whether anything changed (recorded in the audit log)."""
    if by is None or by.pk != certificate.user_id:
        raise PermissionError("only the holder changes their certificate's language")
    if language not in dict(settings.LANGUAGES):
        raise CertificationError("status")
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
        _after_commit("render_certificate", certificate.pk)
    return True


def certificate_refresh_layout(certificate: Certificate) -> bool:
    """A PDF made with an earlier look (pdf.LAYOUT: before the fonts that print every script,
    say) is prepared again, once, when its holder opens it. Returns whether it was asked."""
    if certificate.pdf_status != Certificate.Pdf.READY or not certificate.pdf_fingerprint:
        return False
    if certificate.pdf_fingerprint == pdf.fingerprint(pdf.context_for(certificate)):
        return False
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.PENDING)
    certificate.pdf_status = Certificate.Pdf.PENDING
    _after_commit("render_certificate", certificate.pk)
    return True


def certificate_render_again(certificate: Certificate) -> bool:
    """The holder asks again for a PDF that failed, or whose render was lost. Returns whether
    anything was asked (a render already on its way is not queued again)."""
    if not (certificate.pdf_status == Certificate.Pdf.FAILED or certificate.pdf_stalled):
        return False
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.PENDING)
    _after_commit("render_certificate", certificate.pk)
    return True


def certificate_pdf_downloaded(certificate: Certificate, *, by, request=None) -> None:
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


def names_follow_profile(user) -> int:
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
            _after_commit("render_certificate", certificate.pk)
            changed += 1
    return changed


def _about(track_id: int, **objects) -> dict:
    """An audit entry's detail: which track, which certificate/request/requirement (ids; no free
    text: a reason or a note may say more about the person than the log should keep)."""
    return {"track": track_id, **{name: obj.pk for name, obj in objects.items()}}


def request_decide(request: CertificationRequest, *, by, approve: bool, note: str = "",
                   http_request=None):  # fmt: skip
    """A coordinator's decision on a request. Approving certifies only someone who still meets
    every requirement now (a requirement may have changed since they were queued); a declined
    request can be approved later. (`http_request`: where the decision came from, for the audit
    log; `request` is the certification request.)"""
    _not_own(request.user_id, by)
    with transaction.atomic():
        request = CertificationRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != CertificationRequest.Status.PENDING and not (
            approve and request.status == CertificationRequest.Status.DECLINED
        ):
            raise CertificationError("decided")
        now = timezone.now()
        if approve:
            result = eligibility.compute(request.user, request.track)
            if result.next_period != request.period:
                raise CertificationError("stale")
            if not result.eligible:
                raise CertificationError("not-eligible")
            _event(request.user, request.track, Event.APPROVED, actor=by, note=note)
            certificate, _created = certificate_issue(
                request.user, request.track, period=request.period, approved_by=by
            )
            request.status = CertificationRequest.Status.APPROVED
            request.decided_at, request.decided_by, request.note = now, by, note
            request.save(update_fields=["status", "decided_at", "decided_by", "note"])
            audit.record(action="certificate.approved", actor=by, subject=request.user_id,
                         request=http_request, detail=_about(request.track_id, request=request,
                                                             certificate=certificate))  # fmt: skip
            return certificate
        request.status = CertificationRequest.Status.DECLINED
        request.decided_at, request.decided_by, request.note = now, by, note
        request.save(update_fields=["status", "decided_at", "decided_by", "note"])
        _event(request.user, request.track, Event.DECLINED, actor=by, note=note)
        audit.record(
            action="certificate.declined", actor=by, subject=request.user_id,
            request=http_request, detail=_about(request.track_id, request=request),
        )  # fmt: skip
    return None


def exception_grant(*, user, requirement, reason: str, by, request=None) -> RequirementException:
    _not_own(user.pk, by)
    reason = reason.strip()
    if not reason:
        raise CertificationError("reason")
    with transaction.atomic():
        try:
            with transaction.atomic():
                exception = RequirementException.objects.create(
                    user=user, requirement=requirement, reason=reason, granted_by=by
                )
        except IntegrityError as error:
            raise CertificationError("exists") from error
        _event(user, requirement.track, Event.EXCEPTION, actor=by,
               note=f"{requirement.label}: {reason}")  # fmt: skip
        audit.record(action="certificate.exception_granted", actor=by, subject=user,
                     request=request, detail=_about(requirement.track_id, requirement=requirement,
                                                    exception=exception))  # fmt: skip
        _after_commit("evaluate_person_track", user.pk, requirement.track_id)
    return exception


def exception_withdraw(exception: RequirementException, *, by, request=None) -> None:
    _not_own(exception.user_id, by)
    with transaction.atomic():
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
            _after_commit("evaluate_person_track", exception.user_id, requirement.track_id)


def certificate_revoke(certificate: Certificate, *, by, reason: str, notify=True,
                       request=None) -> Certificate:  # fmt: skip
    _not_own(certificate.user_id, by)
    reason = reason.strip()
    if not reason:
        raise CertificationError("reason")
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.revoked_at:
            raise CertificationError("revoked")
        certificate.revoked_at, certificate.revoked_by = timezone.now(), by
        certificate.revoked_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        _event(certificate.user, certificate.track, Event.REVOKED, certificate=certificate,
               actor=by, note=reason)  # fmt: skip
        audit.record(
            action="certificate.revoked", actor=by, subject=certificate.user_id,
            request=request, detail=_about(certificate.track_id, certificate=certificate),
        )  # fmt: skip
        pool_check(certificate.user, reason_kind="revoked", by=by, request=request)
        if notify:
            _after_commit("tell_revoked", certificate.pk)
    return certificate


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
def agreement_sign(user, version, *, language: str = "") -> AgreementSignature:
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


def evaluate_after_own_step(user) -> list[Outcome]:
    """Evaluate the person's tracks now, in the request, rather than leave it to the task that
    follows every change (which finds the work done): the page they land on tells the truth of
    what their step did. Tracks with nothing to do (certified, renewal not open) are left out."""
    outcomes = []
    for track in eligibility.followed_tracks(user):
        result = evaluate(user, track)
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
IN_POOL = (PoolMember.Status.ACTIVE, PoolMember.Status.PAUSED)


def pool_certificates(user, today=None):
    """The certificates that keep `user` in the responder pool: valid, of a track that grants it."""
    return valid_certificates(today).filter(user=user, track__grants_pool=True)


def pool_eligible(user, today=None) -> bool:
    return pool_certificates(user, today).exists()


def pool_after_revoking(user, certificates, today=None) -> dict[int, bool]:
    """What revoking each of `certificates` (the user's) would do to their place in the responder
    pool, as `pool_check` decides it after a revocation: {certificate id: True if it takes them
    out of the pool, False if they stay in it (another valid certificate that grants the pool
    keeps them there)}; empty when they are not in the pool (active or paused). Two queries,
    whatever the number of certificates."""
    if not PoolMember.objects.filter(user=user, status__in=IN_POOL).exists():
        return {}
    keeping = set(pool_certificates(user, today).values_list("pk", flat=True))
    return {c.pk: not keeping - {c.pk} for c in certificates}


def pool_check(user, *, reason_kind: str, today=None, by=None, request=None) -> bool:
    """Take the person out of the pool if they no longer hold a valid certificate that grants
    it. Returns True if they were removed (recorded in the audit log: `by` the coordinator whose
    revocation took them out, or nobody when their certificate expired)."""
    if pool_eligible(user, today):
        return False
    removed = PoolMember.objects.filter(user=user, status__in=IN_POOL).update(
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


def pool_join(user) -> PoolMember:
    if not pool_eligible(user):
        raise CertificationError("not-certified")
    member, created = PoolMember.objects.get_or_create(
        user=user, defaults={"time_zone": user.time_zone or ""}
    )
    if not created and not member.in_pool:
        member.status, member.left_at, member.joined_at = (
            PoolMember.Status.ACTIVE, None, timezone.now(),
        )  # fmt: skip
        member.save(update_fields=["status", "left_at", "joined_at"])
    return member


def pool_set_status(member: PoolMember, status: str) -> PoolMember:
    if status not in (PoolMember.Status.ACTIVE, PoolMember.Status.PAUSED, PoolMember.Status.LEFT):
        raise CertificationError("status")
    if status == PoolMember.Status.LEFT:
        member.status, member.left_at = status, timezone.now()
    elif member.status == PoolMember.Status.REMOVED or (
        member.status == PoolMember.Status.LEFT and not pool_eligible(member.user)
    ):
        raise CertificationError("not-certified")
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
    pool_set_status(member, PoolMember.Status.LEFT)
    return True


def expire(today=None) -> int:
    """Record each certificate that expired without renewal and take people without a valid
    certificate out of the pool. Idempotent: returns how many certificates it recorded."""
    today = today or timezone.localdate()
    expired = list(
        Certificate.objects.filter(
            expires_on__lt=today, revoked_at__isnull=True, expiry_recorded=False
        ).select_related("user", "track")
    )
    for certificate in expired:
        with transaction.atomic():
            if Certificate.objects.filter(pk=certificate.pk, expiry_recorded=False).update(
                expiry_recorded=True
            ):
                renewed = Certificate.objects.filter(
                    user=certificate.user, track=certificate.track, period__gt=certificate.period
                ).exists()
                if not renewed:
                    _event(certificate.user, certificate.track, Event.EXPIRED,
                           certificate=certificate)  # fmt: skip
    holds = valid_certificates(today).filter(user=OuterRef("user"), track__grants_pool=True)
    stale = PoolMember.objects.filter(
        status__in=[PoolMember.Status.ACTIVE, PoolMember.Status.PAUSED]
    ).exclude(Exists(holds))
    for member in stale.select_related("user"):
        pool_check(member.user, reason_kind="expired", today=today)
    return len(expired)


def pool_forget(now=None) -> int:
    """Delete the pool details of people who left (or were taken out) longer ago than
    ACOMPANA_POOL_LEFT_DAYS: personal data is kept no longer than it serves."""
    from datetime import timedelta

    from django.conf import settings

    cutoff = (now or timezone.now()) - timedelta(days=settings.ACOMPANA_POOL_LEFT_DAYS)
    deleted, _per_model = PoolMember.objects.filter(
        status__in=[PoolMember.Status.LEFT, PoolMember.Status.REMOVED], left_at__lt=cutoff
    ).delete()
    return deleted
