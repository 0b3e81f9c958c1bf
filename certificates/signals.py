"""Eligibility is recomputed when something it depends on changes: a course completed, an
attendance marked, a skill signed off (or withdrawn), an agreement signed, a cohort joined or
left. The evaluation runs in Celery after the change commits."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from cohorts.models import Attendance, Membership, SkillSignOff
from courses.signals import course_completed

from .models import AgreementSignature


def _evaluate_later(user_id) -> None:
    def run():
        from .tasks import evaluate_person

        evaluate_person.delay(user_id)

    transaction.on_commit(run)


def _on_change(sender, instance, **kwargs):
    _evaluate_later(instance.user_id)


def _on_course_completed(sender, user, **kwargs):
    # Sent after the commit already (courses/signals.py).
    from .tasks import evaluate_person

    evaluate_person.delay(user.pk)


def connect() -> None:
    for model in (Attendance, SkillSignOff, AgreementSignature, Membership):
        post_save.connect(_on_change, sender=model, dispatch_uid=f"certification-{model.__name__}")
        post_delete.connect(_on_change, sender=model,
                            dispatch_uid=f"certification-del-{model.__name__}")  # fmt: skip
    course_completed.connect(_on_course_completed, dispatch_uid="certification-course")
