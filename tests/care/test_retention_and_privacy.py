"""Check-ins are kept no longer than ACOMPANA_CHECKIN_RETENTION_DAYS; check-ins, debrief requests
and the plan are exported with the person's data and deleted with the account."""

from datetime import timedelta

import pytest
from django.utils import timezone

from care import tasks
from care.models import CheckIn, DebriefRequest, SelfCarePlan
from care.services import checkin_create, plan_save
from training import privacy
from training.deletion import account_deletion_request, account_erase
from training.models import AccountDeletion, RetentionRun

pytestmark = pytest.mark.django_db


def test_the_purge_deletes_check_ins_past_the_retention_period(members, cohort, settings):
    settings.ACOMPANA_CHECKIN_RETENTION_DAYS = 30
    old = checkin_create(user=members[0], cohort=cohort, carrying=3, energy=3)
    CheckIn.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    recent = checkin_create(user=members[0], cohort=cohort, carrying=3, energy=3)
    assert tasks.purge_checkins() == 1
    assert list(CheckIn.objects.all()) == [recent]
    assert tasks.purge_checkins() == 0  # safe to run again
    run = RetentionRun.objects.filter(task="care.tasks.purge_checkins").latest("pk")
    assert run.ok


def test_the_purge_is_scheduled_and_declared(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "care.tasks.purge_checkins" in tasks_scheduled
    assert privacy.REGISTRY["care.CheckIn"].retention.task == "care.tasks.purge_checkins"


def test_exported_with_the_persons_data_and_nobody_elses(members, cohort):
    person, other = members[0], members[1]
    checkin_create(user=person, cohort=cohort, carrying=2, energy=4, note="mine")
    checkin_create(user=other, cohort=cohort, carrying=5, energy=5, note="theirs")
    DebriefRequest.objects.create(user=person, cohort=cohort, message="Can we talk?")
    plan_save(user=person, signals="tired", what_helps="walks", who_to_call="Ana")
    exported = {
        label: privacy.REGISTRY[label].export_rows(person)
        for label in ("care.CheckIn", "care.DebriefRequest", "care.SelfCarePlan")
    }
    assert [(r["carrying"], r["energy"], r["note"]) for r in exported["care.CheckIn"]] == [
        (2, 4, "mine")
    ]
    assert exported["care.DebriefRequest"][0]["message"] == "Can we talk?"
    assert exported["care.SelfCarePlan"][0]["who_to_call"] == "Ana"


def test_deleted_with_the_account(members, cohort):
    person, other = members[0], members[1]
    checkin_create(user=person, cohort=cohort, carrying=2, energy=4)
    checkin_create(user=other, cohort=cohort, carrying=2, energy=4)
    DebriefRequest.objects.create(user=person, cohort=cohort, message="Can we talk?")
    plan_save(user=person, signals="tired", what_helps="walks", who_to_call="Ana")
    deletion = account_deletion_request(person=person, by=person)
    AccountDeletion.objects.filter(pk=deletion.pk).update(
        due_at=timezone.now() - timedelta(minutes=1)
    )
    assert account_erase(deletion_id=deletion.pk)
    assert not CheckIn.objects.filter(user=person).exists()
    assert not DebriefRequest.objects.filter(user=person).exists()
    assert not SelfCarePlan.objects.filter(user=person).exists()
    assert CheckIn.objects.filter(user=other).exists()
