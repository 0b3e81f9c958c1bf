import logging

from celery import shared_task
from django.db import DatabaseError

from . import outbox
from .audit import purge
from .cache import CONNECTION_ERRORS, clear_default_cache
from .data_download import TIME_LIMIT, build, data_downloads_purge
from .deletion import account_erase, due_deletions
from .idempotency import idempotency_keys_purge
from .retention import retention
from .services import session_clear_expired, user_purge_unverified

logger = logging.getLogger(__name__)


@shared_task(
    name="training.tasks.clear_expired_sessions", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
@retention("training.tasks.clear_expired_sessions")
def clear_expired_sessions() -> int:
    """Delete expired sessions: personal data is kept no longer than it serves. Safe to rerun."""
    return session_clear_expired()


@shared_task(
    name="training.tasks.purge_unverified_accounts", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
@retention("training.tasks.purge_unverified_accounts")
def purge_unverified_accounts() -> int:
    """Remove sign-ups that were never confirmed (see user_purge_unverified). Safe to rerun."""
    return user_purge_unverified()


@shared_task(
    name="training.tasks.build_data_download", acks_late=True,
    soft_time_limit=TIME_LIMIT - 60, time_limit=TIME_LIMIT,
)  # fmt: skip
def build_data_download(download_id: int) -> str:
    """Build a person's "download my data" archive. Safe to run twice: a finished one is left
    alone. Not retried: a failure is recorded and shown, and the person may ask again."""
    return build(download_id)


@shared_task(
    name="training.tasks.purge_data_downloads", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
@retention("training.tasks.purge_data_downloads")
def purge_data_downloads() -> int:
    """Delete data-download archives whose link expired. Safe to rerun."""
    return data_downloads_purge()


@shared_task(
    name="training.tasks.purge_audit_log", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
@retention("training.tasks.purge_audit_log")
def purge_audit_log() -> int:
    """Remove audit-log entries older than ACOMPANA_AUDIT_LOG_DAYS (training.audit.purge)."""
    return purge()


@shared_task(
    name="training.tasks.purge_idempotency_keys", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
@retention("training.tasks.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    """Forget what devices sent, after ACOMPANA_IDEMPOTENCY_DAYS (training.idempotency)."""
    return idempotency_keys_purge()


@shared_task(
    name="training.tasks.erase_account", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
def erase_account(deletion_id: int) -> bool:
    """Perform one account deletion that is due (an administrator's). Safe to rerun."""
    return account_erase(deletion_id=deletion_id)


@shared_task(
    name="training.tasks.perform_due_deletions", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
@retention("training.tasks.perform_due_deletions")
def perform_due_deletions() -> int:
    """Delete every account whose grace period is over and that nobody cancelled by signing in.
    Each in its own transaction: one that fails is logged and tried again at the next run."""
    performed = 0
    for deletion_id in due_deletions():
        try:
            performed += account_erase(deletion_id=deletion_id)
        except Exception:
            logger.exception("account deletion %s failed", deletion_id)
    return performed


@shared_task(name="training.tasks.relay_outbox", acks_late=True)
def relay_outbox() -> int:
    """Send the tasks the broker could not take when they were queued (training/outbox.py), and
    forget those sent long ago. Safe to rerun, and two at once skip each other's rows."""
    sent = 0
    while True:
        batch = outbox.relay()
        sent += batch
        if batch < outbox.RELAY_BATCH:
            break
    outbox.purge()
    return sent


@shared_task(
    name="training.tasks.clear_cache", acks_late=True,
    autoretry_for=CONNECTION_ERRORS, retry_backoff=True, retry_backoff_max=600, max_retries=12,
)  # fmt: skip
def clear_cache() -> bool:
    """Empty the cache: a process dropped a write while Redis did not answer it (training/cache.py),
    so what others cached may be stale. Queued through the outbox, so it survives the outage; a
    cache that still does not answer is retried, for about an hour. Safe to rerun."""
    return clear_default_cache()
