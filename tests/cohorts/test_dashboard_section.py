"""The dashboard's cohorts section read as plain values (issue 18: its time): each cohort's
status in the reader's words, its address, the newest message and the next session."""

from datetime import date, time

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.models import Announcement, Application, Cohort
from cohorts.selectors import dashboard_cohorts
from cohorts.sessions import sessions_save
from tests.cohorts.factories import make_cohort
from training.factories import UserFactory

pytestmark = pytest.mark.django_db


def _person():
    person = UserFactory(preferred_language="es", time_zone="UTC")
    running = make_cohort("running", mode=Cohort.Mode.OPEN, questions=False,
                          status=Cohort.Status.RUNNING, title="Running <one>")  # fmt: skip
    services.join_open(cohort=running, user=person)
    waiting = make_cohort("waiting", questions=False, title="Waiting one")
    Application.objects.create(cohort=waiting, user=person, status="waitlisted",
                               waitlisted_at=timezone.now())  # fmt: skip
    Announcement.objects.create(cohort=running, audience="members", subject="Bring <tea>",
                                body="x", language="fr")  # fmt: skip
    sessions_save(cohort=running, day=date(2099, 1, 12), start=time(18, 0), end=time(19, 0),
                  title="Practice", meeting_url="")  # fmt: skip
    return person, running, waiting


def test_the_section_reads_plain_values():
    person, running, waiting = _person()
    data = dashboard_cohorts(person)
    (membership,) = data["memberships"]
    assert membership["slug"] == running.slug and membership["title"] == running.title
    assert str(membership["status"]) == "Running"
    assert membership["announcement"]["subject"] == "Bring <tea>"
    (application,) = data["applications"]
    assert application["slug"] == waiting.slug and str(application["status"]) == "On the waitlist"
    session = data["next_session"]
    assert session["title"] == "Practice" and session["cohort_slug"] == running.slug


def test_the_dashboard_shows_statuses_in_the_readers_words(client):
    person, running, _waiting = _person()
    client.force_login(person)
    page = client.get(reverse("dashboard")).content.decode()
    detail = reverse("cohorts:detail", args=[running.slug])
    shown = f'<a href="{detail}">Running &lt;one&gt;</a> <span class="muted">· En curso</span>'
    assert shown in page
    assert f'<a href="{detail}#announcements" lang="fr">Bring &lt;tea&gt;</a>' in page
    assert '<span class="muted">· En la lista de espera</span>' in page
    assert "Practice</strong> · Running &lt;one&gt;" in page
    assert reverse("cohorts:session_ics", args=[running.slug, running.sessions.get().pk]) in page
