"""How long the player's statements are kept (ACOMPANA_H5P_STATEMENT_DAYS): run daily by
courses.tasks.h5p_statements_purge (training.retention)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import H5PStatement


def statements_purge(*, days: int | None = None) -> int:
    """Remove raw statements older than the retention period. Completion records stay."""
    days = settings.ACOMPANA_H5P_STATEMENT_DAYS if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _by_model = H5PStatement.objects.filter(stored_at__lt=cutoff).delete()
    return deleted
