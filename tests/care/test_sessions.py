"""Debrief / supervision sessions count toward no attendance requirement and are not exported;
turning a session into one (or back), scheduling or cancelling one re-evaluates certification as
marking attendance does."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certificates import eligibility
from certificates.models import CertificationRequest, EligibilitySnapshot, Requirement, Track
from cohorts import progress
from cohorts.models import Attendance, LiveSession
from cohorts.sessions import attendance_save, ics
from tests.certificates.factories import add_requirement, join, make_cohort, make_track, mark

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
