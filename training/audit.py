"""The one audit log: every action on other people's data leaves an entry (who, when, what,
about whom, from where). Append-only: entries are never changed, and leave only when their own
retention period ends (`purge`, run by the retention task).

Apps record through `record()` (one person) or `record_many()` (an export: one entry, and one
subject row per person it included, written as the rows leave). Actions are named
"<area>.<verb>" and listed in ACTIONS with words an administrator reads; a new key in an
entry's `detail` gets its label in training/audit_display.py (the report shows it readably).

`AuditEntry.count` is how many people an action on many concerned *as planned when it was
recorded* (a page's rows, an export's matching people); the AuditSubject rows say who exactly was
sent. A streamed export adds its subjects batch by batch as they leave (`sent`), so the entry is
never updated and an interrupted download has fewer subjects than its count. Entries copied from
the earlier records (PoolAccess, ExportLog) carry `detail["imported_from"]` and no subjects.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, AuditSubject
from .ratelimit import client_address

ACTIONS = {
    # Exports and reads of many people's data
    "pool.viewed": _("Opened a page of the responder pool"),
    "pool.export_csv": _("Exported the responder pool (CSV)"),
    "pool.export_json": _("Exported the responder pool (JSON)"),
    "pool.export_xlsx": _("Exported the responder pool (XLSX)"),
    "pool.api": _("Read the responder pool through the API"),
    "pool.log_entry_viewed": _("Opened the list of who an entry of the pool's record included"),
    "cohort.progress_export": _("Exported a cohort's progress"),
    "cohort.invitations_sent": _("Invited people to a cohort from a file"),
    "cohort.announcement_sent": _("Sent a message to a cohort's members, waitlist or applicants"),
    "certificate.pdf_downloaded": _("Downloaded a person's certificate PDF"),
    "certificate.language_changed": _("Changed the language of their own certificate"),
    # Decisions about a person
    "certificate.approved": _("Approved a certification"),
    "certificate.declined": _("Declined a certification"),
    "certificate.revoked": _("Revoked a certificate"),
    "certificate.exception_granted": _("Granted an exception to a requirement"),
    "certificate.exception_withdrawn": _("Withdrew an exception"),
    "application.decided": _("Decided on an application"),
    "cohort.member_removed": _("Removed a member from a cohort"),
    "cohort.member_moved": _("Moved a member to another cohort"),
    "reflection.replied": _("Answered a member's shared reflection"),
    "reflection.reply_removed": _("Took back an answer to a member's reflection"),
    "pool.removed": _("Removed a person from the responder pool"),
    "pool.email_confirmed": _("Confirmed their own email for the responder pool"),
    # Content
    "page.stray_translation_deleted": _(
        "Deleted a leftover copy of a deleted page that held the address of a translation"
    ),
    # Accounts
    "account.roles_changed": _("Changed a person's roles"),
    "account.groups_changed": _("Changed a person's groups"),
    "account.email_changed": _("Changed a person's email address"),
    "account.active_changed": _("Activated or deactivated a person's account"),
    "account.password_set": _("Set a person's password"),
    "account.data_downloaded": _("Downloaded their data"),
    "account.deletion_requested": _("Asked for an account to be deleted"),
    "account.deletion_cancelled": _("Cancelled an account deletion"),
    "account.deleted": _("Deleted an account"),
    "account.login_as": _("Signed in as another person"),
}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def _address(request) -> str | None:
    if request is None:
        return None
    address = client_address(request)
    return None if address in ("", "unknown") else address


def record(*, action: str, actor=None, subject=None, request=None, detail: dict | None = None,
           count: int = 0) -> AuditEntry:  # fmt: skip
    """Append one entry. `actor` defaults to the request's signed-in person."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown audit action {action!r}: add it to training.audit.ACTIONS.")
    user = getattr(request, "user", None)
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    # A person or their id: services often hold only the id (application.user_id…).
    return AuditEntry.objects.create(
        action=action, actor_id=getattr(actor, "pk", actor),
        subject_id=getattr(subject, "pk", subject), detail=detail or {}, count=count,
        address=_address(request),
    )  # fmt: skip


def record_many(*, action: str, people: Iterable[int], actor=None, request=None,
                detail: dict | None = None) -> AuditEntry:  # fmt: skip
    """An action on many people at once (an export): one entry and a subject row per person."""
    ids = list(dict.fromkeys(people))
    with transaction.atomic():
        entry = record(action=action, actor=actor, request=request, detail=detail, count=len(ids))
        add_subjects(entry, ids)
    return entry


def add_subjects(entry: AuditEntry, people: Iterable[int]) -> int:
    """Add people to an entry on many (a streamed export adds each batch as it leaves)."""
    rows = [AuditSubject(entry=entry, person_id=pk) for pk in people]
    AuditSubject.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def sent(entry: AuditEntry, pieces: Iterable[tuple[str, list[int]]]):
    """Pass a streamed export's pieces through, adding each piece's people to `entry` before it
    leaves: an interrupted download records exactly who was sent. `pieces` yields
    (text, [person ids in that text])."""
    for piece, people in pieces:
        if people:
            add_subjects(entry, people)
        yield piece


def purge(*, days: int | None = None, now=None) -> int:
    """Remove entries older than their retention period (ACOMPANA_AUDIT_LOG_DAYS). The only way
    entries ever leave; on PostgreSQL a trigger refuses any other UPDATE or DELETE."""
    days = settings.ACOMPANA_AUDIT_LOG_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL acompana.audit_purge = 'on'")
        old = AuditEntry.objects.filter(at__lt=cutoff).values_list("pk", flat=True)
        AuditSubject.objects.filter(entry_id__in=old)._raw_delete(AuditSubject.objects.db)
        removed = AuditEntry.objects.filter(at__lt=cutoff)
        count = removed.count()
        removed._raw_delete(AuditEntry.objects.db)
        if connection.vendor == "postgresql":
            # SET LOCAL lasts to the end of the *outermost* transaction: when purge runs inside
            # another (a retention wrapper, a test), nothing after it may delete entries.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL acompana.audit_purge = 'off'")
    return count
