from celery import shared_task
from django.db import DatabaseError

from .h5p.store import activity_extract, store_sweep


@shared_task(
    name="courses.tasks.h5p_extract", acks_late=True,
    autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=3,
)  # fmt: skip
def h5p_extract(activity_id: int) -> str:
    """Validate and unpack an uploaded H5P package. Safe to run twice."""
    return activity_extract(activity_id=activity_id).status


@shared_task(name="courses.tasks.h5p_sweep", acks_late=True)
def h5p_sweep() -> int:
    """Remove leftovers of interrupted or refused H5P imports. Safe to run any time."""
    return len(store_sweep())


@shared_task(name="courses.tasks.h5p_statements_purge", acks_late=True)
def h5p_statements_purge() -> int:
    """Delete raw xAPI statements past their retention period. Safe to run any time."""
    from .h5p.xapi import statements_purge

    return statements_purge()
