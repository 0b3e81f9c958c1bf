"""What follows a change of care's rows, however it is made (a service, an account deleted, the
retention purge, the admin): a deleted check-in drops the batch it counted in (CheckInBatch), so
that the trainers' totals change by whole batches, never by one person."""

from django.db.models.signals import post_delete

from . import services
from .models import CheckIn


def _checkin_deleted(sender, instance, **kwargs):
    # Sent for each row of a queryset's delete() too: Django fetches the rows to delete once a
    # receiver listens (care.services.checkin_delete, checkins_delete_all, checkins_purge, and
    # the account's erasure, training.privacy).
    services.checkin_batches_drop([instance.batch_id])


def connect() -> None:
    post_delete.connect(_checkin_deleted, sender=CheckIn, dispatch_uid="care-checkin-drops-batch")
