"""The cohort spaces' background work: each task safe to run twice."""

from celery import shared_task
from django.db import DatabaseError


@shared_task(name="community.tasks.send_space_digests", acks_late=True,
             autoretry_for=(DatabaseError, OSError), retry_backoff=True, max_retries=5)  # fmt: skip
def send_space_digests() -> int:
    """The digests due this hour (community.digests): each person's once per day or week."""
    from .digests import send_digests  # noqa: PLC0415 — digests registers a panel at import

    return send_digests()
