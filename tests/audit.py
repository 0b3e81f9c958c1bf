"""Reading the audit log in tests: the pool's access record, who an entry sent."""

from certificates.exports import ACCESS_ACTIONS
from training.models import AuditEntry, AuditSubject


def pool_entries():
    """The entries the coordinators' access record lists (pages, exports, API calls)."""
    return AuditEntry.objects.filter(action__in=ACCESS_ACTIONS).order_by("pk")


def sent(entry) -> int:
    """How many people the entry sent (its subject rows)."""
    return AuditSubject.objects.filter(entry=entry).count()


def sent_ids(entry) -> set[int]:
    return set(AuditSubject.objects.filter(entry=entry).values_list("person_id", flat=True))
