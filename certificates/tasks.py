"""Certification work in the background. Every task is idempotent: running it twice (a retry, a
duplicate delivery) changes nothing more than running it once."""

import logging
from datetime import timedelta

from celery import shared_task
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from training.models import User
from training.privacy_views import privacy_contact
from training.retention import retention

# Tasks call services and services queue tasks: each imports the other as a module (never names
# from it), so either may be loaded first (services.py says the same).
from . import exports, notifications, services
from .models import Certificate, CertificationEvent, PoolMember, Track

logger = logging.getLogger(__name__)
RETRY = {"acks_late": True, "autoretry_for": (DatabaseError,), "retry_backoff": True,
         "max_retries": 3}  # fmt: skip


@shared_task(name="certificates.tasks.evaluate_person", **RETRY)
def evaluate_person(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        services.certification_evaluate_person(user=user)


@shared_task(name="certificates.tasks.evaluate_cohort", **RETRY)
def evaluate_cohort(cohort_id: int) -> int:
    """After a cohort's sessions change: each current member evaluated again, here in the worker
    (queued once per cohort and change, certificates.signals), not one task per member."""
    return services.cohort_evaluate(cohort_id=cohort_id)


@shared_task(name="certificates.tasks.evaluate_person_track", **RETRY)
def evaluate_person_track(user_id: int, track_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    track = Track.objects.filter(pk=track_id).first()
    if user is not None and track is not None:
        services.certification_evaluate(user=user, track=track)


@shared_task(name="certificates.tasks.evaluate_track", **RETRY)
def evaluate_track(track_id: int) -> int:
    """After a track's requirements (or an agreement's text) change: everyone on it again."""
    track = Track.objects.filter(pk=track_id).first()
    return 0 if track is None else services.track_evaluate(track=track)


@shared_task(
    name="certificates.tasks.render_certificate", bind=True, acks_late=True,
    soft_time_limit=60, time_limit=90, max_retries=3,
)  # fmt: skip
def render_certificate(self, certificate_id: int, queued: str = "") -> str:
    """Render the certificate's PDF unless the stored one already shows the same thing.
    `queued`: the content fingerprint services.certificate_pdf_queue claimed, released when this
    ends."""
    try:
        outcome = _render(self, certificate_id)
    except Retry:
        raise  # still on its way: the claim stays
    except BaseException:
        services.certificate_pdf_release(certificate_id=certificate_id, queued=queued)
        raise
    services.certificate_pdf_release(certificate_id=certificate_id, queued=queued)
    return outcome


def _render(task, certificate_id: int) -> str:
    try:
        return services.certificate_pdf_render(certificate_id=certificate_id)
    except services.PdfNotRendered as refused:
        return _not_rendered(task, refused)  # raises when retried or out of time


def _not_rendered(task, refused) -> str:
    """WeasyPrint or a font refused: retry, then tell the person (the claim is released by the
    caller once this returns or raises anything but Retry)."""
    error, certificate = refused.__cause__, refused.certificate
    if isinstance(error, SoftTimeLimitExceeded):
        # Not "being prepared" for ever: the holder sees it failed and may try again.
        logger.error("certificate %s: PDF took too long", certificate.pk, exc_info=error)
        services.certificate_pdf_failed(certificate=certificate)
        raise error
    if task.request.retries < task.max_retries:
        raise task.retry(exc=error, countdown=5 * 2**task.request.retries) from error
    logger.error("certificate %s: PDF failed", certificate.pk, exc_info=error)
    services.certificate_pdf_failed(certificate=certificate)
    return "failed"


def _tell(kind: str, certificate_id: int, key: str, context=None) -> int:
    certificate = Certificate.objects.select_related("user", "track").get(pk=certificate_id)
    user = certificate.user
    extra = context(certificate) if context else {}
    return notifications.send(kind, [(user, f"{key}:{certificate.pk}:{user.pk}")],
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
    left_pool = bool(certificate.revoked_at) and PoolMember.objects.filter(
        user=certificate.user_id, status=PoolMember.Status.REMOVED,
        left_at__gte=certificate.revoked_at,
    ).exists()  # fmt: skip
    return {"contact": privacy_contact(), "left_pool": left_pool}


def renewal_reminders(today=None) -> int:
    """Remind holders 90, 30 and 7 days before expiry (the nearest threshold reached; once
    each), unless they already renewed."""
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
        count = notifications.send(
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
    today = today or timezone.localdate()
    recent = Certificate.objects.filter(
        revoked_at__isnull=True, expiry_recorded=True, expires_on__lt=today,
        expires_on__gte=today - timedelta(days=14), events__kind=CertificationEvent.Kind.EXPIRED,
    ).select_related("user", "track")  # fmt: skip
    sent = 0
    for certificate in recent:
        sent += notifications.send(
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
    expired = services.certificates_expire(today=today)
    notices = expiry_notices(today)
    reminders = renewal_reminders(today)
    evaluated = services.renewals_evaluate(today=today)
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
    return exports.build_xlsx(export_id)


@shared_task(name="certificates.tasks.exports_purge")
@retention("certificates.tasks.exports_purge")
def exports_purge() -> int:
    """Delete spreadsheets whose download link expired (the record of the export stays)."""
    return exports.exports_purge()
