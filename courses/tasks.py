import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.utils import translation

from training.retention import retention

from .h5p.retention import statements_purge
from .h5p.store import (
    activity_extract,
    activity_fail,
    store_sweep,
    stuck_activities_fail,
    unpack_failed_reason,
)
from .models import H5PActivity

logger = logging.getLogger(__name__)


def _uploader_language(activity_id: int) -> str:
    """The admin language of the person who uploaded the package (their Wagtail preference,
    else their own), else the site's."""
    activity = H5PActivity.objects.filter(pk=activity_id).select_related("uploaded_by").first()
    person = activity.uploaded_by if activity else None
    if person is None:
        return settings.LANGUAGE_CODE
    profile = getattr(person, "wagtail_userprofile", None)
    chosen = (profile.preferred_language if profile else "") or person.preferred_language
    return chosen or settings.LANGUAGE_CODE


@shared_task(bind=True, name="courses.tasks.h5p_extract", acks_late=True, max_retries=3)
def h5p_extract(self, activity_id: int) -> str:
    """Validate and unpack an uploaded H5P package. Safe to run twice.

    A database error is retried (with a growing delay); when the retries are used up, or on any
    other error, the package is refused with a reason, so nothing stays "being prepared" (and
    the hourly sweep refuses what even that could not record)."""
    try:
        # The reasons of a refusal are kept as text: in the language of who uploaded it.
        with translation.override(_uploader_language(activity_id)):
            return activity_extract(activity_id=activity_id).status
    except DatabaseError as error:
        if not self.request.is_eager and self.request.retries < self.max_retries:
            raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
        logger.exception("H5P extraction of activity %s failed for good", activity_id)
    except Exception:
        logger.exception("H5P extraction of activity %s failed", activity_id)
    try:
        activity = activity_fail(activity_id=activity_id, reason=unpack_failed_reason())
    except DatabaseError:
        logger.exception("Could not record that H5P activity %s was refused", activity_id)
        return "pending"
    return activity.status if activity else "missing"


@shared_task(name="courses.tasks.h5p_sweep", acks_late=True)
def h5p_sweep() -> int:
    """Remove leftovers of interrupted or refused H5P imports, and refuse uploads stuck "being
    prepared". Safe to run any time."""
    stuck = stuck_activities_fail()
    return len(store_sweep()) + len(stuck)


@shared_task(name="courses.tasks.h5p_statements_purge", acks_late=True)
@retention("courses.tasks.h5p_statements_purge")
def h5p_statements_purge() -> int:
    """Delete raw xAPI statements past their retention period. Safe to run any time."""
    return statements_purge()
