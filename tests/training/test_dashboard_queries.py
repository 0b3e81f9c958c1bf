"""The volunteer dashboard reads a fixed number of queries, whatever the number of courses,
cohorts, tracks, sessions and certificates the person has (issue 18: at most 15), in the original
language and in a translated one; and it opens no transaction (it only reads)."""

import dataclasses
import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from certificates.models import Requirement, TrackText
from cohorts.models import Announcement, Cohort, ModuleRelease
from courses import services
from courses.factories import make_course
from courses.models import ModuleProgress, ProgressStatus
from tests.certificates.factories import (
    add_requirement,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_session,
    make_skill,
    make_track,
    mark,
    person,
)
from training import dashboard
from training.prepared import Together

DASHBOARD_BUDGET = 15


def _volunteer_with(n: int, email: str):
    """`n` courses followed (one module done, the next visited), each taken by a cohort of the
    person on its own track (releases scheduled: one module released lately, one still closed; a
    recent message, a session attended and one to come), each track with a requirement of every
    kind; and `n` certificates of other tracks, the first of the last days."""
    user = person(email=email)
    now = timezone.now()
    for i in range(n):
        key = f"{email.split('@')[0]}-{i}"
        course, modules = make_course(key, modules=3)
        services.enrolment_create(user=user, course=course)
        ModuleProgress.objects.create(user=user, module=modules[0], course=course,
                                      status=ProgressStatus.COMPLETED, completed_at=now,
                                      last_visited_at=now)  # fmt: skip
        track = make_track(f"{key}-track")
        TrackText.objects.create(track=track, language="es", title=f"Itinerario {key}")
        cohort = make_cohort(track, f"{key}-cohort", module_release=Cohort.Release.SCHEDULED)
        cohort.courses.add(course)
        join(cohort, user)
        ModuleRelease.objects.create(cohort=cohort, module=modules[1],
                                     opens_at=now - timedelta(days=2))  # fmt: skip
        ModuleRelease.objects.create(cohort=cohort, module=modules[2],
                                     opens_at=now + timedelta(days=5))  # fmt: skip
        Announcement.objects.create(cohort=cohort, subject=f"Message {i}", body="Please.",
                                    language="en", sent_at=now)  # fmt: skip
        mark(make_session(cohort, days_ago=3), user)
        make_session(cohort, days_ago=-2 - i)
        add_requirement(track, Requirement.Kind.COURSE, course=course)
        add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=50)
        add_requirement(track, Requirement.Kind.SKILL, skill=make_skill(cohort))
        add_requirement(track, Requirement.Kind.AGREEMENT, agreement=make_agreement(f"{key}-a"))
        held = make_track(f"{key}-held")
        make_certificate(user, held, valid_from=date.today() - timedelta(days=1 if i == 0 else 100))
    return user


def _statements(client) -> list[str]:
    """The SQL of one dashboard request, after a first one (warm caches)."""
    assert client.get(reverse("dashboard")).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_dashboard_reads_a_fixed_number_of_queries(client, language):
    Locale.objects.get_or_create(language_code="es")
    counts = {}
    for n in (1, 4):
        user = _volunteer_with(n, f"dash{n}@example.org")
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
        client.force_login(user)
        sql = _statements(client)
        assert not any(s.startswith(("SAVEPOINT", "BEGIN")) for s in sql), sql
        counts[n] = sql
        page = client.get(reverse("dashboard")).content.decode()
        # Everything is there: each cohort's message, each track's checklist.
        assert page.count('class="checklist"') == n
        assert all(f"Message {i}" in page for i in range(n))
    listing = "\n".join(f"{i:2}. {s[:200]}" for i, s in enumerate(counts[4], 1))
    assert len(counts[1]) == len(counts[4]), listing
    assert len(counts[4]) <= DASHBOARD_BUDGET, listing


@pytest.mark.django_db
def test_the_dashboard_sends_each_stage_of_every_section_in_one_round_trip(client, monkeypatch):
    """The person's roles, their cohorts and applications, their courses and their tracks do
    not depend on each other: one round trip (training.prepared.Together) carries them; what
    each section reads next goes with the others' next reads; and the page shows the same as
    when each section reads on its own."""
    user = _volunteer_with(1, "together@example.org")
    client.force_login(user)
    client.get(reverse("dashboard"))
    batches = []
    run = Together.run

    def counted(together):
        batches.append(len([p for p in together.pending if p._rows is None]))
        return run(together)

    monkeypatch.setattr(Together, "run", counted)
    together_page = _without_tokens(client.get(reverse("dashboard")).content.decode())
    # groups, memberships, applications, enrolments, tracks followed; then what depends on them,
    # every section's next reads in one round trip (training.prepared.run_stages): the modules
    # released, the module progress, the cohorts following the courses, the certificates, the
    # requirements and the evidence (sessions, sign-offs: eligibility.queue_early_evidence);
    # then the release dates.
    assert batches[0] == 5, batches
    assert [b for b in batches if b] == [5, 7, 1], batches
    monkeypatch.setattr(Together, "run", run)
    monkeypatch.setattr(dashboard, "_SECTIONS", {
        name: dataclasses.replace(section, queue=None)
        for name, section in dashboard._SECTIONS.items()
    })  # fmt: skip
    alone_page = _without_tokens(client.get(reverse("dashboard")).content.decode())
    assert together_page == alone_page
    assert "Message 0" in together_page
    assert together_page.count('class="checklist"') == 1


def _without_tokens(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
