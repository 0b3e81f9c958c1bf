"""Debrief / supervision sessions count toward no attendance requirement and are not exported;
turning a session into one (or back), scheduling or cancelling one re-evaluates certification as
marking attendance does: one task for the cohort, which evaluates its members in the worker."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certificates import eligibility, tasks
from certificates.models import CertificationRequest, EligibilitySnapshot, Requirement, Track
from cohorts import progress
from cohorts.models import Attendance, LiveSession
from cohorts.sessions import attendance_save, ics
from cohorts.signals import sessions_changed
from tests.certificates.factories import add_requirement, join, make_cohort, make_track, mark
from training import outbox
from training.factories import UserFactory
from training.models import OutboxTask

pytestmark = pytest.mark.django_db


def _session(cohort, kind=LiveSession.Kind.SESSION, days_ago=1):
    start = timezone.now() - timedelta(days=days_ago)
    return LiveSession.objects.create(
        cohort=cohort,
        title=f"{kind} {days_ago}",
        kind=kind,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
    )


def test_debriefs_do_not_count_toward_attendance(volunteer):
    track = make_track()
    add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=100)
    cohort = make_cohort(track)
    join(cohort, volunteer)
    mark(_session(cohort), volunteer, Attendance.Status.PRESENT)
    # Missed, but a debrief: neither attended nor in the total.
    mark(
        _session(cohort, LiveSession.Kind.DEBRIEF, days_ago=2), volunteer, Attendance.Status.ABSENT
    )
    (check,) = eligibility.compute(volunteer, track).checks
    assert check.met


def test_debriefs_are_not_in_the_matrix_nor_the_export(volunteer, trainer, trainer_client):
    cohort = make_cohort(trainer=trainer)
    join(cohort, volunteer)
    mark(_session(cohort), volunteer, Attendance.Status.PRESENT)
    mark(
        _session(cohort, LiveSession.Kind.DEBRIEF, days_ago=2), volunteer, Attendance.Status.PRESENT
    )
    data = progress.matrix(cohort)
    assert data["sessions_held"] == 1
    assert data["rows"][0].attended == 1
    response = trainer_client.post(
        reverse("cohorts:trainer_progress_csv", args=[cohort.slug]), {"inactive": ""}
    )
    content = b"".join(response.streaming_content).decode()
    assert "of 1 held" in content.splitlines()[0]


def test_calendars_name_a_debrief(volunteer):
    cohort = make_cohort()
    session = _session(cohort, LiveSession.Kind.DEBRIEF, days_ago=-3)
    text = ics([LiveSession.objects.select_related("cohort").get(pk=session.pk)], name="x").decode()
    assert "Debrief / supervision:" in text.replace("\r\n ", "")


def test_the_trainers_session_form_offers_the_kind(trainer, trainer_client):
    cohort = make_cohort(trainer=trainer)
    url = reverse("cohorts:trainer_session_new", args=[cohort.slug])
    assert 'value="debrief"' in trainer_client.get(url).content.decode()
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    trainer_client.post(
        url,
        {
            "title": "Supervision",
            "kind": "debrief",
            "day": day,
            "start": "17:00",
            "end": "18:00",
            "weeks": "1",
        },
    )
    assert LiveSession.objects.get(cohort=cohort).kind == LiveSession.Kind.DEBRIEF


# --- Certification follows the kind of a session ------------------------------------------------
def _edit(trainer_client, session, capture, **changes):
    """The trainer saves the session's form, its fields as they are but `changes`."""
    start = session.starts_at.astimezone(timezone.get_fixed_timezone(0))  # the cohort's: UTC
    values = {"title": session.title, "kind": session.kind, "day": start.date().isoformat(),
              "start": start.strftime("%H:%M"), "end": session.ends_at.strftime("%H:%M"),
              "description": "", "meeting_url": "", **changes}  # fmt: skip
    url = reverse("cohorts:trainer_session_edit", args=[session.cohort.slug, session.pk])
    with capture(execute=True):  # the evaluation runs once the change is committed
        response = trainer_client.post(url, values)
    assert response.status_code == 302, response.content.decode()[:2000]


def _snapshot(user, track) -> tuple:
    found = EligibilitySnapshot.objects.get(user=user, track=track)
    return (found.met, found.total, found.eligible)


def _checklist(client) -> str:
    page = client.get(reverse("dashboard")).content.decode()
    return page[page.index('<ul class="checklist">') :]


def test_turning_a_session_into_a_debrief_and_back_re_evaluates_certification(
    volunteer, trainer, trainer_client, django_capture_on_commit_callbacks
):
    track = make_track(approval=Track.Approval.COORDINATOR)
    add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=100)
    cohort = make_cohort(track, trainer=trainer)
    join(cohort, volunteer)
    start = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    session = LiveSession.objects.create(cohort=cohort, title="Role play", starts_at=start,
                                         ends_at=start + timedelta(hours=1))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        attendance_save(session=session, statuses={volunteer.pk: "present"}, by=trainer)
    # Met: the member is eligible, and waits for a coordinator's approval.
    assert _snapshot(volunteer, track) == (1, 1, True)
    assert CertificationRequest.objects.filter(user=volunteer, track=track).count() == 1
    client = Client()  # the member's own
    client.force_login(volunteer)
    assert "1 of 1 attended" in _checklist(client)

    # The trainer turns it into a debrief: it no longer counts, the requirement is lost.
    _edit(trainer_client, session, django_capture_on_commit_callbacks, kind="debrief")
    session.refresh_from_db()
    assert session.kind == LiveSession.Kind.DEBRIEF
    assert _snapshot(volunteer, track) == (0, 1, False)
    assert "No live sessions yet" in _checklist(client)

    # And back: met again, as before (the request is the same one).
    _edit(trainer_client, session, django_capture_on_commit_callbacks, kind="session")
    assert _snapshot(volunteer, track) == (1, 1, True)
    assert "1 of 1 attended" in _checklist(client)
    assert CertificationRequest.objects.filter(user=volunteer, track=track).count() == 1


def test_scheduling_and_cancelling_a_session_re_evaluates_certification(
    volunteer, trainer, trainer_client, django_capture_on_commit_callbacks
):
    track = make_track(approval=Track.Approval.COORDINATOR)
    add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=100)
    cohort = make_cohort(track, trainer=trainer)
    join(cohort, volunteer)
    start = timezone.now() - timedelta(days=2)
    held = LiveSession.objects.create(cohort=cohort, title="Held", starts_at=start,
                                      ends_at=start + timedelta(hours=1))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        attendance_save(session=held, statuses={volunteer.pk: "present"}, by=trainer)
    assert _snapshot(volunteer, track) == (1, 1, True)

    # A session planned counts in the total at once: 1 of 2 attended is not 100 %.
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    form = {"title": "Next", "kind": "session", "day": day, "start": "17:00", "end": "18:00",
            "weeks": "1"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(reverse("cohorts:trainer_session_new", args=[cohort.slug]), form)
    planned = LiveSession.objects.get(cohort=cohort, title="Next")
    assert _snapshot(volunteer, track) == (0, 1, False)

    # Cancelled, it counts no more.
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(
            reverse("cohorts:trainer_session_cancel", args=[cohort.slug, planned.pk])
        )
    assert _snapshot(volunteer, track) == (1, 1, True)

    # A debrief planned changes nothing anybody attended out of how many: nothing to evaluate.
    EligibilitySnapshot.objects.filter(user=volunteer).delete()
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(reverse("cohorts:trainer_session_new", args=[cohort.slug]),
                            {**form, "title": "Supervision", "kind": "debrief"})  # fmt: skip
    assert LiveSession.objects.filter(cohort=cohort, kind="debrief").exists()
    assert not EligibilitySnapshot.objects.filter(user=volunteer).exists()

    # A session deleted (the admin, a shell) re-evaluates too.
    with django_capture_on_commit_callbacks(execute=True):
        LiveSession.objects.filter(pk=held.pk).delete()
    assert _snapshot(volunteer, track) == (0, 1, False)


# --- One evaluation task per cohort, however many members and sessions --------------------------
EVALUATIONS = ("certificates.tasks.evaluate_cohort", "certificates.tasks.evaluate_person")


def _queued() -> list[tuple]:
    rows = OutboxTask.objects.filter(task__in=EVALUATIONS).order_by("pk")
    return [(row.task, row.args) for row in rows]


@pytest.fixture
def through_the_outbox(monkeypatch):
    """Tasks written to the outbox as in production (not run in the process); nothing sent."""
    monkeypatch.setattr(outbox, "_eager", lambda task: False)
    monkeypatch.setattr(outbox, "_publish", lambda row: None)


@pytest.fixture
def five_members(trainer):
    track = make_track(approval=Track.Approval.COORDINATOR)
    add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=100)
    cohort = make_cohort(track, trainer=trainer)
    for i in range(5):
        join(cohort, UserFactory(display_name=f"Member {i}"))
    return cohort


def test_planning_sessions_queues_one_task_for_the_cohort(five_members, trainer_client,
                                                         through_the_outbox):  # fmt: skip
    cohort = five_members
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    trainer_client.post(reverse("cohorts:trainer_session_new", args=[cohort.slug]),
                        {"title": "Weekly", "kind": "session", "day": day, "start": "17:00",
                         "end": "18:00", "weeks": "3"})  # fmt: skip
    assert LiveSession.objects.filter(cohort=cohort).count() == 3
    # Not one per member: the worker evaluates them.
    assert _queued() == [("certificates.tasks.evaluate_cohort", [cohort.pk])]


def test_deleting_a_cohort_queues_one_task_for_its_sessions(five_members, through_the_outbox):
    cohort, pk = five_members, five_members.pk
    for days_ago in (1, 2, 3, 4):
        _session(cohort, days_ago=days_ago)
    cohort.delete()
    queued = _queued()
    # Each member's leaving queues them (as it always did), the sessions their cohort once.
    assert queued.count(("certificates.tasks.evaluate_cohort", [pk])) == 1
    assert len([task for task, _args in queued if task.endswith("evaluate_person")]) == 5


def test_once_per_transaction_a_rolled_back_one_left_nothing(five_members, through_the_outbox):
    cohort = five_members
    with pytest.raises(RuntimeError), transaction.atomic():
        sessions_changed.send(sender=LiveSession, cohort=cohort, sessions=[])
        raise RuntimeError
    assert _queued() == []
    sessions_changed.send(sender=LiveSession, cohort=cohort, sessions=[])
    sessions_changed.send(sender=LiveSession, cohort=cohort, sessions=[])
    assert _queued() == [("certificates.tasks.evaluate_cohort", [cohort.pk])]


def test_the_cohorts_task_evaluates_its_current_members_and_is_safe_to_run_twice(five_members):
    cohort = five_members
    left = UserFactory(display_name="Gone")
    join(cohort, left, left=True)
    session = _session(cohort)
    # Marked without signals (bulk_create sends none): nothing evaluated yet.
    present = cohort.memberships.filter(left_at__isnull=True)
    Attendance.objects.bulk_create(
        [
            Attendance(session=session, user=m.user, status=Attendance.Status.PRESENT)
            for m in present
        ]
    )
    assert not EligibilitySnapshot.objects.exists()
    assert tasks.evaluate_cohort(cohort.pk) == 5
    assert tasks.evaluate_cohort(cohort.pk) == 5
    snapshots = EligibilitySnapshot.objects.filter(track=cohort.track_link.track)
    assert sorted(snapshots.values_list("met", "total", "eligible")) == [(1, 1, True)] * 5
    assert not snapshots.filter(user=left).exists()
    # Run twice, one request each for a coordinator to decide.
    assert CertificationRequest.objects.filter(track=cohort.track_link.track).count() == 5
