"""Certification work in the background. Every task is idempotent: running it twice (a retry, a
duplicate delivery) changes nothing more than running it once."""

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from training.models import User
from training.retention import retention

from . import pdf, services
from .models import RENDER_CLAIM, Certificate, CertificationEvent, PoolExport, Track

logger = logging.getLogger(__name__)
RETRY = {"acks_late": True, "autoretry_for": (DatabaseError,), "retry_backoff": True,
         "max_retries": 3}  # fmt: skip


@shared_task(name="certificates.tasks.evaluate_person", **RETRY)
def evaluate_person(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        services.evaluate_person(user)


@shared_task(name="certificates.tasks.evaluate_person_track", **RETRY)
def evaluate_person_track(user_id: int, track_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    track = Track.objects.filter(pk=track_id).first()
    if user is not None and track is not None:
        services.evaluate(user, track)


@shared_task(name="certificates.tasks.evaluate_track", **RETRY)
def evaluate_track(track_id: int) -> int:
    """After a track's requirements (or an agreement's text) change: everyone on it again."""
    from .eligibility import followers

    track = Track.objects.filter(pk=track_id).first()
    if track is None:
        return 0
    count = 0
    for user in followers(track).filter(is_active=True).iterator(chunk_size=500):
        services.evaluate(user, track)
        count += 1
    return count


def render_unless_queued(certificate_id: int) -> bool:
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
        render_certificate.delay(certificate_id, fingerprint)
    return bool(claimed)


def _release(certificate_id: int, queued: str) -> None:
    """The render queued for `queued` is over: the same content may be queued again."""
    if queued:
        Certificate.objects.filter(pk=certificate_id, pdf_queued_fingerprint=queued).update(
            pdf_queued_fingerprint="", pdf_queued_at=None
        )


def _failed(certificate) -> None:
    """The holder sees it failed (and may try again); coordinators see it in the history."""
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.FAILED)
    CertificationEvent.objects.create(user_id=certificate.user_id, track=certificate.track,
                                      certificate=certificate,
                                      kind=CertificationEvent.Kind.PDF_FAILED)  # fmt: skip


@shared_task(
    name="certificates.tasks.render_certificate", bind=True, acks_late=True,
    soft_time_limit=60, time_limit=90, max_retries=3,
)  # fmt: skip
def render_certificate(self, certificate_id: int, queued: str = "") -> str:
    """Render the certificate's PDF unless the stored one already shows the same thing.
    `queued`: the content fingerprint render_unless_queued claimed, released when this ends."""
    try:
        outcome = _render(self, certificate_id)
    except Retry:
        raise  # still on its way: the claim stays
    except BaseException:
        _release(certificate_id, queued)
        raise
    _release(certificate_id, queued)
    return outcome


def _render(task, certificate_id: int) -> str:
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
    except SoftTimeLimitExceeded:
        # Not "being prepared" for ever: the holder sees it failed and may try again.
        logger.exception("certificate %s: PDF took too long", certificate_id)
        _failed(certificate)
        raise
    except Exception as error:  # WeasyPrint or a font: retry, then tell the person
        if task.request.retries < task.max_retries:
            raise task.retry(exc=error, countdown=5 * 2**task.request.retries) from error
        logger.exception("certificate %s: PDF failed", certificate_id)
        _failed(certificate)
        return "failed"
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


def _tell(kind: str, certificate_id: int, key: str, context=None) -> int:
    from cohorts import notify

    certificate = Certificate.objects.select_related("user", "track").get(pk=certificate_id)
    user = certificate.user
    extra = context(certificate) if context else {}
    return notify.send(kind, [(user, f"{key}:{certificate.pk}:{user.pk}")],
                       lambda _user: {"certificate": certificate, **extra})  # fmt: skip


@shared_task(name="certificates.tasks.tell_certified", **RETRY)
def tell_certified(certificate_id: int) -> int:
    return _tell("certificate_ready", certificate_id, "certified")


@shared_task(name="certificates.tasks.tell_revoked", **RETRY)
def tell_revoked(certificate_id: int) -> int:
    return _tell("certificate_revoked", certificate_id, "revoked", _revoked_context)


def _revoked_context(certificate: Certificate) -> dict:
    """What the revocation email may truthfully say: whether this revocation took the person out
    of the pool (another valid certificate may keep them in), and where to write (the message
    comes from an address nobody reads)."""
    from training.privacy_views import privacy_contact

    from .models import PoolMember

    left_pool = bool(certificate.revoked_at) and PoolMember.objects.filter(
        user=certificate.user_id, status=PoolMember.Status.REMOVED,
        left_at__gte=certificate.revoked_at,
    ).exists()  # fmt: skip
    return {"contact": privacy_contact(), "left_pool": left_pool}


def renewal_reminders(today=None) -> int:
    """Remind holders 90, 30 and 7 days before expiry (the nearest threshold reached; once
    each), unless they already renewed."""
    from cohorts import notify

    today = today or timezone.localdate()
    thresholds = sorted(settings.ACOMPANA_RENEWAL_REMINDER_DAYS)
    later = Certificate.objects.filter(
        user=OuterRef("user"), track=OuterRef("track"), period__gt=OuterRef("period")
    )
    due = (
        Certificate.objects.filter(
            revoked_at__isnull=True, expires_on__gte=today,
            expires_on__lte=today + timedelta(days=thresholds[-1]),
        )
        .exclude(Exists(later))
        .select_related("user", "track")
    )  # fmt: skip
    sent = 0
    people = []
    for certificate in due:
        left = (certificate.expires_on - today).days
        threshold = next(t for t in thresholds if left <= t)
        people.append((certificate, threshold))
    for certificate, threshold in people:
        count = notify.send(
            "renewal_reminder",
            [(certificate.user, f"renewal:{certificate.pk}:{threshold}:{certificate.user_id}")],
            lambda _user, c=certificate, t=threshold: {"certificate": c, "days": t},
        )
        if count:
            CertificationEvent.objects.create(
                user_id=certificate.user_id, track=certificate.track, certificate=certificate,
                kind=CertificationEvent.Kind.REMINDED, note=str(threshold),
            )  # fmt: skip
        sent += count
    return sent


def expiry_notices(today=None) -> int:
    from cohorts import notify

    today = today or timezone.localdate()
    recent = Certificate.objects.filter(
        revoked_at__isnull=True, expiry_recorded=True, expires_on__lt=today,
        expires_on__gte=today - timedelta(days=14), events__kind=CertificationEvent.Kind.EXPIRED,
    ).select_related("user", "track")  # fmt: skip
    sent = 0
    for certificate in recent:
        sent += notify.send(
            "certificate_expired",
            [(certificate.user, f"expired:{certificate.pk}:{certificate.user_id}")],
            lambda _user, c=certificate: {"certificate": c},
        )
    return sent


@shared_task(name="certificates.tasks.daily", **RETRY)
def daily() -> dict:
    """Expiry, renewal reminders, and re-evaluating holders whose renewal window is open
    (their checklist changes with the date). Pool details are forgotten by `pool_forget`."""
    today = timezone.localdate()
    expired = services.expire(today)
    notices = expiry_notices(today)
    reminders = renewal_reminders(today)
    evaluated = 0
    for certificate in Certificate.objects.filter(
        revoked_at__isnull=True, expires_on__gte=today - timedelta(days=31)
    ).select_related("user", "track"):
        opens = certificate.expires_on - timedelta(days=certificate.track.renewal_opens_days)
        if opens <= today:
            services.evaluate(certificate.user, certificate.track)
            evaluated += 1
    return {"expired": expired, "notices": notices, "reminders": reminders,
            "evaluated": evaluated}  # fmt: skip


@shared_task(name="certificates.tasks.pool_forget", **RETRY)
@retention("certificates.tasks.pool_forget")
def pool_forget() -> int:
    """Delete the pool details of people who left longer ago than ACOMPANA_POOL_LEFT_DAYS."""
    return services.pool_forget()


@shared_task(name="certificates.tasks.export_xlsx", bind=True, acks_late=True,
             soft_time_limit=600, time_limit=660)  # fmt: skip
def export_xlsx(self, export_id: int) -> str:
    from . import exports

    return exports.build_xlsx(export_id)


@shared_task(name="certificates.tasks.exports_purge")
@retention("certificates.tasks.exports_purge")
def exports_purge() -> int:
    """Delete spreadsheets whose download link expired (the record of the export stays)."""
    count = 0
    for export in PoolExport.objects.filter(expires_at__lt=timezone.now()).exclude(file=""):
        export.file.delete(save=False)
        export.file = ""
        export.save(update_fields=["file"])
        count += 1
    return count
