"""Personal data is kept no longer than it serves the person: each retention task at its
boundaries, each run recorded, and the Retention report administrators read."""

import hashlib
import os
from datetime import timedelta
from functools import partial

import pytest
from celery.exceptions import Retry
from django.contrib.sessions.models import Session
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import certificates.tasks
import cohorts.tasks
import courses.tasks
import training.tasks
from cohorts import services as cohort_services
from cohorts.models import Application, CalendarFeed, Cohort, Membership
from cohorts.retention import (
    applications_purge_closed,
    calendar_feeds_purge,
    notification_logs_purge,
)
from cohorts.sessions import feed_token_new
from courses.factories import make_course
from courses.models import Enrolment
from tests.cohorts.factories import make_cohort
from tests.conftest import login_with_mfa
from training import audit, privacy
from training.celery import app
from training.factories import UserFactory
from training.models import (
    AuditEntry,
    AuditSubject,
    DataDownload,
    NotificationLog,
    RetentionRun,
    User,
)
from training.retention import beat_schedule, recording, report_rows
from training.roles import Role
from training.tasks import purge_unverified_accounts
from training.wagtail_hooks import AdministratorsMenuItem

pytestmark = pytest.mark.django_db


def _aged(user, days, logged_in=False):
    User.objects.filter(pk=user.pk).update(
        date_joined=timezone.now() - timedelta(days=days),
        last_login=timezone.now() if logged_in else None,
    )
    return user


def test_unconfirmed_sign_ups_are_deleted_after_the_retention_period(settings):
    settings.ACOMPANA_UNVERIFIED_ACCOUNT_DAYS = 14
    stale = _aged(UserFactory(verified_email=False), 15)
    recent = _aged(UserFactory(verified_email=False), 3)
    confirmed = _aged(UserFactory(), 400)
    used = _aged(UserFactory(verified_email=False), 400, logged_in=True)

    made_by_admin = _aged(UserFactory(verified_email=False), 400)
    made_by_admin.emailaddress_set.all().delete()
    trainer = _aged(UserFactory(verified_email=False, roles=["trainer"]), 400)

    assert purge_unverified_accounts.delay().get() == 1
    remaining = set(User.objects.values_list("pk", flat=True))
    assert stale.pk not in remaining
    assert {recent.pk, confirmed.pk, used.pk, made_by_admin.pk, trainer.pk} <= remaining
    # Running it again changes nothing.
    assert purge_unverified_accounts.delay().get() == 0
    assert set(User.objects.values_list("pk", flat=True)) == remaining


def test_an_unconfirmed_account_that_holds_anything_else_is_never_purged(settings):
    """An account an administrator made (no email record) whose person later met the "confirm
    your email" step looks like a forgotten sign-up; it holds a certificate or a cohort place,
    so it stays."""
    settings.ACOMPANA_UNVERIFIED_ACCOUNT_DAYS = 14
    learner = _aged(UserFactory(verified_email=False), 400)
    Enrolment.objects.create(user=learner, course=make_course(modules=1)[0])
    forgotten = _aged(UserFactory(verified_email=False), 400)

    assert purge_unverified_accounts.delay().get() == 1
    assert User.objects.filter(pk=learner.pk).exists()
    assert not User.objects.filter(pk=forgotten.pk).exists()


# --- Retention you can see --------------------------------------------------------------------
DAY = timedelta(days=1)
# Every task that removes personal data past its period (each records its runs).
RETENTION_TASKS = {
    "training.tasks.clear_expired_sessions": training.tasks.clear_expired_sessions,
    "training.tasks.purge_unverified_accounts": training.tasks.purge_unverified_accounts,
    "training.tasks.purge_audit_log": training.tasks.purge_audit_log,
    "training.tasks.purge_data_downloads": training.tasks.purge_data_downloads,
    "training.tasks.perform_due_deletions": training.tasks.perform_due_deletions,
    "courses.tasks.h5p_statements_purge": courses.tasks.h5p_statements_purge,
    "cohorts.tasks.expire_invitations": cohorts.tasks.expire_invitations,
    "cohorts.tasks.purge_closed_applications": cohorts.tasks.purge_closed_applications,
    "cohorts.tasks.purge_notification_logs": cohorts.tasks.purge_notification_logs,
    "cohorts.tasks.purge_calendar_feeds": cohorts.tasks.purge_calendar_feeds,
    "certificates.tasks.exports_purge": certificates.tasks.exports_purge,
    "certificates.tasks.pool_forget": certificates.tasks.pool_forget,
}


def _recorded_name(task) -> str | None:
    """The name a task records its runs under (`@retention`), through Celery's autoretry."""
    for function in (getattr(task, "_orig_run", None), task.run):
        if getattr(function, "retention_task", None):
            return function.retention_task
    return None


# A running cohort, over a year old: no course, no questions, no places limit.
_cohort = partial(
    make_cohort, course=False, questions=False, starts_in=-400, ends_in=60, time_zone="UTC",
    status=Cohort.Status.RUNNING, capacity=None,
)  # fmt: skip


# --- The schedule and the registry --------------------------------------------------------------
def test_every_retention_task_of_the_registry_is_scheduled_and_records_its_runs():
    named = privacy.tasks()
    assert named, "the registry names no retention task"
    for name in named:
        assert beat_schedule(name) is not None, f"{name} is not in CELERY_BEAT_SCHEDULE"
        assert name in app.tasks, f"{name} is not a Celery task"
        assert _recorded_name(app.tasks[name]) == name, f"{name} does not record its runs"


def test_every_retention_task_is_scheduled_under_its_own_name():
    for name, task in RETENTION_TASKS.items():
        assert task.name == name
        assert _recorded_name(task) == name
        assert beat_schedule(name) is not None, name


def test_each_retention_task_records_a_successful_run():
    for name, task in RETENTION_TASKS.items():
        task.delay().get()
        run = RetentionRun.objects.get(task=name)
        assert run.ok and run.finished_at is not None and run.error == "", name
        assert run.removed == 0, name


def test_a_failure_is_recorded_as_not_ok_and_raised_again(monkeypatch):
    def broken(**_kwargs):
        raise RuntimeError("vol@example.org could not be deleted")

    monkeypatch.setattr(training.tasks, "session_clear_expired", broken)
    with pytest.raises(RuntimeError):
        training.tasks.clear_expired_sessions()
    run = RetentionRun.objects.get(task="training.tasks.clear_expired_sessions")
    assert run.ok is False and run.finished_at is not None
    # The kind of error only: its message may quote personal data.
    assert run.error == "RuntimeError"


def test_a_database_error_is_recorded_and_celery_retries(monkeypatch):
    def broken(**_kwargs):
        raise DatabaseError("gone")

    monkeypatch.setattr(training.tasks, "session_clear_expired", broken)
    with pytest.raises(Retry) as retry:
        training.tasks.clear_expired_sessions.apply(throw=True)
    assert isinstance(retry.value.exc, DatabaseError)  # Celery tries again later
    run = RetentionRun.objects.get(task="training.tasks.clear_expired_sessions")
    assert run.ok is False and run.error == "DatabaseError"


def test_the_removed_count_is_recorded():
    user = UserFactory()
    now = timezone.now()
    for minutes in (1, 2):
        Session.objects.create(session_key=f"old{minutes}{user.pk}", session_data="x",
                               expire_date=now - timedelta(minutes=minutes))  # fmt: skip
    assert training.tasks.clear_expired_sessions() == 2
    assert RetentionRun.objects.get().removed == 2


def test_old_runs_are_forgotten_as_new_ones_come():
    name = "training.tasks.purge_audit_log"
    old = RetentionRun.objects.create(task=name, started_at=timezone.now() - timedelta(days=91),
                                      ok=True)  # fmt: skip
    recent = RetentionRun.objects.create(task=name, started_at=timezone.now() - timedelta(days=89),
                                         ok=True)  # fmt: skip
    training.tasks.purge_audit_log()
    remaining = set(RetentionRun.objects.filter(task=name).values_list("pk", flat=True))
    assert old.pk not in remaining and recent.pk in remaining and len(remaining) == 2


# --- Each period at its boundaries --------------------------------------------------------------
def test_expired_sessions_go_and_current_ones_stay():
    now = timezone.now()
    Session.objects.create(session_key="expired1", session_data="x", expire_date=now - DAY)
    Session.objects.create(session_key="current1", session_data="x", expire_date=now + DAY)
    assert training.tasks.clear_expired_sessions() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current1"]
    assert training.tasks.clear_expired_sessions() == 0


def test_audit_entries_leave_after_their_period(settings):
    days = settings.ACOMPANA_AUDIT_LOG_DAYS
    now = timezone.now()
    subject = UserFactory()
    inside = AuditEntry.objects.create(action="pool.viewed", at=now - (days - 1) * DAY)
    beyond = AuditEntry.objects.create(action="pool.viewed", at=now - (days + 1) * DAY)
    audit.add_subjects(inside, [subject.pk])
    audit.add_subjects(beyond, [subject.pk])

    assert training.tasks.purge_audit_log() == 1

    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [inside.pk]
    assert list(AuditSubject.objects.values_list("entry_id", flat=True)) == [inside.pk]
    assert training.tasks.purge_audit_log() == 0


def test_data_download_files_leave_when_their_link_expires():
    person = UserFactory()
    now = timezone.now()
    expired = DataDownload.objects.create(person=person, status=DataDownload.Status.READY,
                                          expires_at=now - DAY)  # fmt: skip
    valid = DataDownload.objects.create(person=person, status=DataDownload.Status.READY,
                                        expires_at=now + DAY)  # fmt: skip
    for download in (expired, valid):
        download.file.save(f"archive-{download.pk}.zip", ContentFile(b"PK"), save=True)
    expired_name, storage = expired.file.name, expired.file.storage

    assert training.tasks.purge_data_downloads() == 1

    expired.refresh_from_db()
    valid.refresh_from_db()
    assert expired.file.name == "" and not storage.exists(expired_name)
    assert valid.file and storage.exists(valid.file.name)
    assert training.tasks.purge_data_downloads() == 0


def test_closed_applications_of_people_never_accepted_leave_after_their_period(settings):
    days = settings.ACOMPANA_CLOSED_APPLICATION_DAYS
    now = timezone.now()
    cohort = _cohort()
    Status = Application.Status

    def application(status, *, decided_days=None, submitted_days=days + 30, member=False):
        user = UserFactory()
        if member:
            Membership.objects.create(cohort=cohort, user=user, source=Membership.Source.DEMO,
                                      left_at=now)  # fmt: skip
        return Application.objects.create(
            cohort=cohort, user=user, status=status, answers={"1": "Because I care"},
            submitted_at=now - submitted_days * DAY,
            decided_at=now - decided_days * DAY if decided_days is not None else None,
        )  # fmt: skip

    declined_beyond = application(Status.DECLINED, decided_days=days + 1)
    withdrawn_beyond = application(Status.WITHDRAWN, decided_days=days + 1)
    withdrawn_long_ago = application(Status.WITHDRAWN)  # before withdrawals were dated
    declined_inside = application(Status.DECLINED, decided_days=days - 1)
    withdrawn_inside = application(Status.WITHDRAWN, decided_days=days - 1)
    was_a_member = application(Status.DECLINED, decided_days=days + 1, member=True)
    accepted = application(Status.ACCEPTED, decided_days=days + 100, member=True)
    waiting = application(Status.SUBMITTED)
    waitlisted = application(Status.WAITLISTED, decided_days=days + 1)

    assert cohorts.tasks.purge_closed_applications() == 3

    remaining = set(Application.objects.values_list("pk", flat=True))
    assert remaining == {declined_inside.pk, withdrawn_inside.pk, was_a_member.pk, accepted.pk,
                         waiting.pk, waitlisted.pk}  # fmt: skip
    assert not {declined_beyond.pk, withdrawn_beyond.pk, withdrawn_long_ago.pk} & remaining
    assert applications_purge_closed() == 0


def test_a_withdrawal_is_dated_so_its_period_counts_from_it():
    cohort = _cohort()
    user = UserFactory()
    Application.objects.create(cohort=cohort, user=user, submitted_at=timezone.now() - 400 * DAY)
    cohort_services.withdraw(cohort=cohort, user=user)
    application = Application.objects.get(user=user)
    assert application.status == Application.Status.WITHDRAWN
    assert application.decided_at > timezone.now() - DAY
    assert applications_purge_closed() == 0


def test_notification_logs_leave_after_their_period(settings):
    days = settings.ACOMPANA_NOTIFICATION_LOG_DAYS
    now = timezone.now()
    user = UserFactory()
    inside = NotificationLog.objects.create(user=user, key="nudge:1:inside", kind="nudge")
    beyond = NotificationLog.objects.create(user=user, key="nudge:1:beyond", kind="nudge")
    NotificationLog.objects.filter(pk=inside.pk).update(sent_at=now - (days - 1) * DAY)
    NotificationLog.objects.filter(pk=beyond.pk).update(sent_at=now - (days + 1) * DAY)

    assert cohorts.tasks.purge_notification_logs() == 1
    assert list(NotificationLog.objects.values_list("pk", flat=True)) == [inside.pk]
    assert notification_logs_purge() == 0


def test_a_short_notification_log_period_never_reaches_messages_that_could_be_sent_again(
    settings,
):
    """A renewal reminder's key is asked for again until the certificate expires: its record
    stays at least that long, whatever the setting says."""
    settings.ACOMPANA_NOTIFICATION_LOG_DAYS = 7
    settings.ACOMPANA_RENEWAL_REMINDER_DAYS = (90, 30, 7)
    now = timezone.now()
    user = UserFactory()
    reminder = NotificationLog.objects.create(user=user, key="renewal:1:90:1",
                                              kind="renewal_reminder")  # fmt: skip
    NotificationLog.objects.filter(pk=reminder.pk).update(sent_at=now - 91 * DAY)
    assert notification_logs_purge(now=now) == 0
    assert notification_logs_purge(now=now + 200 * DAY) == 1


def test_calendar_addresses_unused_for_the_period_leave(settings):
    days = settings.ACOMPANA_CALENDAR_FEED_UNUSED_DAYS
    now = timezone.now()

    def feed(*, made_days, used_days=None):
        token_hash = hashlib.sha256(os.urandom(8)).hexdigest()
        row = CalendarFeed.objects.create(user=UserFactory(), token_hash=token_hash)
        CalendarFeed.objects.filter(pk=row.pk).update(
            created_at=now - made_days * DAY,
            last_used_at=now - used_days * DAY if used_days is not None else None,
        )
        return row

    never_used_beyond = feed(made_days=days + 1)
    never_used_inside = feed(made_days=days - 1)
    used_inside = feed(made_days=days + 300, used_days=days - 1)
    used_beyond = feed(made_days=days + 300, used_days=days + 1)

    assert cohorts.tasks.purge_calendar_feeds() == 2

    remaining = set(CalendarFeed.objects.values_list("pk", flat=True))
    assert remaining == {never_used_inside.pk, used_inside.pk}
    assert not {never_used_beyond.pk, used_beyond.pk} & remaining
    assert calendar_feeds_purge() == 0


def test_fetching_the_calendar_notes_its_use_at_most_daily_and_a_new_address_starts_unused(
    client,
):
    user = UserFactory()
    token = feed_token_new(user)
    url = reverse("cohorts:calendar_feed_url", args=[token])
    assert CalendarFeed.objects.get(user=user).last_used_at is None

    assert Client().get(url).status_code == 200
    first = CalendarFeed.objects.get(user=user).last_used_at
    assert first is not None
    assert Client().get(url).status_code == 200
    assert CalendarFeed.objects.get(user=user).last_used_at == first  # not written again today

    CalendarFeed.objects.filter(user=user).update(last_used_at=first - 2 * DAY)
    Client().get(url)
    assert CalendarFeed.objects.get(user=user).last_used_at > first - DAY

    feed_token_new(user)
    assert CalendarFeed.objects.get(user=user).last_used_at is None


def test_the_calendar_page_says_an_unused_address_is_deleted(client, settings):
    settings.ACOMPANA_CALENDAR_FEED_UNUSED_DAYS = 123
    client.force_login(UserFactory())
    body = client.get(reverse("cohorts:calendar")).content.decode()
    paragraph = body[body.index('id="calendar-unused"') :].split("</p>")[0]
    assert "123" in paragraph


# --- The report ---------------------------------------------------------------------------------
def _runs(count_per_task: int) -> None:
    now = timezone.now()
    RetentionRun.objects.bulk_create(
        RetentionRun(task=name, started_at=now - timedelta(hours=i + 1),
                     finished_at=now - timedelta(hours=i + 1), ok=i % 3 != 1, removed=i)
        for name in privacy.tasks() for i in range(count_per_task)
    )  # fmt: skip


def test_the_report_lists_every_retention_task_and_what_it_enforces(administrator_client):
    url = reverse("training_retention_report")
    response = administrator_client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    for name, declarations in privacy.tasks().items():
        assert f'data-task="{name}"' in body, name
        for declaration in declarations:
            assert f'data-model="{declaration.model}"' in body, declaration.model
    # Nothing ran yet: no next run promised.
    assert 'data-state="never"' in body
    assert 'data-scheduled="no"' not in body


def test_the_report_shows_the_last_run_what_it_removed_and_the_next_run(administrator_client):
    name = "training.tasks.purge_audit_log"
    now = timezone.now()
    RetentionRun.objects.create(task=name, started_at=now - 40 * DAY, finished_at=now - 40 * DAY,
                                ok=True, removed=100)  # fmt: skip
    RetentionRun.objects.create(task=name, started_at=now - 2 * DAY, finished_at=now - 2 * DAY,
                                ok=True, removed=5)  # fmt: skip
    with recording(name) as run:
        run.removed = 7
    latest = RetentionRun.objects.filter(task=name).order_by("-started_at").first()

    rows = {row.task: row for row in report_rows()}
    row = rows[name]
    assert row.state == "ok" and row.last.pk == latest.pk
    assert row.last.removed == 7 and row.removed_recently == 12  # the 40-day-old run is out
    assert row.next_at == latest.started_at + timedelta(seconds=beat_schedule(name))

    body = administrator_client.get(reverse("training_retention_report")).content.decode()
    assert 'data-removed-last="7"' in body and 'data-removed-recently="12"' in body
    assert f'data-next="{timezone.localtime(row.next_at).isoformat()}"' in body


def test_the_report_shows_a_failed_last_run(administrator_client, monkeypatch):
    def broken(**_kwargs):
        raise RuntimeError("nope")

    monkeypatch.setattr(training.tasks, "session_clear_expired", broken)
    with pytest.raises(RuntimeError):
        training.tasks.clear_expired_sessions()
    body = administrator_client.get(reverse("training_retention_report")).content.decode()
    assert 'data-task="training.tasks.clear_expired_sessions" data-state="failed"' in body
    assert "RuntimeError" in body


def test_the_report_makes_the_same_queries_whatever_the_number_of_runs(administrator_client):
    url = reverse("training_retention_report")
    _runs(3)
    administrator_client.get(url)  # warm up (sessions, locale…)
    with CaptureQueriesContext(connection) as few:
        assert administrator_client.get(url).status_code == 200
    _runs(200)
    with CaptureQueriesContext(connection) as many:
        assert administrator_client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_report_is_for_administrators_only(client, coordinator, volunteer):
    url = reverse("training_retention_report")
    login_with_mfa(client, coordinator)
    refused = client.get(url)
    assert refused.status_code == 403
    assert b"retention-report" not in refused.content

    other = Client()
    other.force_login(volunteer)
    response = other.get(url)
    assert response.status_code in (302, 403)
    assert b"retention-report" not in response.content


def test_only_administrators_see_the_report_in_the_menu(client, coordinator):
    item = AdministratorsMenuItem("Retention", "/admin/reports/retention/")

    class Request:
        user = coordinator

    assert not item.is_shown(Request())
    Request.user = UserFactory(roles=[Role.ADMINISTRATOR])
    assert item.is_shown(Request())


def test_the_report_shows_times_in_the_viewers_zone(client, administrator):
    administrator.time_zone = "America/Bogota"
    administrator.save(update_fields=["time_zone"])
    login_with_mfa(client, administrator)
    with recording("training.tasks.purge_audit_log"):
        pass
    body = client.get(reverse("training_retention_report")).content.decode()
    row = body[body.index('data-task="training.tasks.purge_audit_log"') :].split("</tr>")[0]
    assert "(Bogotá, Colombia)" in row


def test_the_report_shows_account_deletions_and_says_whose_words_it_quotes(administrator_client):
    body = administrator_client.get(reverse("training_retention_report")).content.decode()
    assert 'id="retention-wording"' in body
    assert 'data-task="training.tasks.perform_due_deletions"' in body
    # The task's name stays, after what it does (its schedule), in small type.
    row = body[body.index('data-task="training.tasks.perform_due_deletions"') :]
    assert row.index("<small") < row.index("<code>training.tasks.perform_due_deletions</code>")
