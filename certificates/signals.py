"""Eligibility is recomputed when something it depends on changes: a course completed, an
attendance marked, a live session added, moved, cancelled, deleted or turned into a debrief (or
back), a skill signed off (or withdrawn), an agreement signed, a cohort joined or left. The
evaluation runs in Celery after the change commits: a person's change queues the person, a
cohort's sessions changing queue the cohort once per transaction (its members are evaluated in
the worker)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from cohorts.models import Attendance, LiveSession, Membership, SkillSignOff
from cohorts.signals import sessions_changed
from courses.signals import course_completed
from training import outbox

from . import services, tasks
from .models import AgreementSignature, Certificate, PoolExport


def _on_change(sender, instance, **kwargs):
    outbox.queue(tasks.evaluate_person, instance.user_id)


def _on_sessions_changed(sender, cohort, **kwargs):
    # Attended out of how many sessions: the total changed for every member (the worker
    # evaluates them, one task for the cohort).
    outbox.queue_once(tasks.evaluate_cohort, cohort.pk)


def _on_session_deleted(sender, instance, **kwargs):
    if instance.kind != LiveSession.Kind.DEBRIEF:
        outbox.queue_once(tasks.evaluate_cohort, instance.cohort_id)


def _on_course_completed(sender, user, **kwargs):
    # Sent after the commit already (courses/services.py): the row is written and sent at once,
    # and waits in the outbox when the broker does not answer.
    outbox.queue(tasks.evaluate_person, user.pk)


def _names_changed(sender, instance, created, update_fields=None, **kwargs):
    if created or (
        update_fields is not None and not {"display_name", "legal_name"} & set(update_fields)
    ):
        return
    services.certificate_names_follow_profile(user=instance)


def _delete_file(sender, instance, **kwargs):
    """A certificate's PDF or an export's spreadsheet goes with its row (an account deleted,
    an export purged): private files never outlive what they belong to."""
    field = instance.pdf if isinstance(instance, Certificate) else instance.file
    if field and field.name:
        storage, name = field.storage, field.name
        transaction.on_commit(lambda: storage.delete(name))


def connect() -> None:
    post_save.connect(_names_changed, sender=get_user_model(), dispatch_uid="certificate-names")
    for model in (Certificate, PoolExport):
        post_delete.connect(_delete_file, sender=model, dispatch_uid=f"files-{model.__name__}")
    for model in (Attendance, SkillSignOff, AgreementSignature, Membership):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"certification-{model.__name__}")
        post_delete.connect(_on_change, sender=model,
                            dispatch_uid=f"certification-del-{model.__name__}")  # fmt: skip
    course_completed.connect(_on_course_completed, dispatch_uid="certification-course")
    sessions_changed.connect(_on_sessions_changed, dispatch_uid="certification-sessions")
    post_delete.connect(_on_session_deleted, sender=LiveSession,
                        dispatch_uid="certification-del-LiveSession")  # fmt: skip
