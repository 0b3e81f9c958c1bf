"""Debrief / supervision sessions count toward no attendance requirement and are not exported."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import eligibility
from certificates.models import Requirement
from cohorts import progress
from cohorts.models import Attendance, LiveSession
from cohorts.sessions import ics
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
