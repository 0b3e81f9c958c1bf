"""The dashboard's reads about release dates (issue 18: its time): nothing is asked about modules
released lately, nor about the cohorts through which a person follows a course, when no cohort
could close a module (a cohort releasing everything at once; no module dated anywhere), and a
date set after the dashboard was read still closes the module it dates."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.models import Cohort, Membership, ModuleRelease
from courses.factories import make_course
from tests.cohorts.factories import make_cohort
from training.factories import UserFactory

pytestmark = pytest.mark.django_db


def _member_of(release, client):
    course, modules = make_course("dated-course", modules=2)
    cohort = make_cohort(course=False, courses=[course], status=Cohort.Status.RUNNING,
                         module_release=release)  # fmt: skip
    person = UserFactory()
    services._admit(cohort, person, Membership.Source.CSV)
    client.force_login(person)
    return cohort, modules


def _dashboard(client) -> tuple[str, list[str]]:
    client.get(reverse("dashboard"))  # warm: what is cached for everyone is cached
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("dashboard")).content.decode()
    return body, [query["sql"] for query in queries.captured_queries]


def test_nothing_is_asked_about_releases_of_a_cohort_releasing_everything(client):
    cohort, modules = _member_of(Cohort.Release.ALL, client)
    ModuleRelease.objects.create(cohort=cohort, module=modules[0],
                                 opens_at=timezone.now() - timedelta(days=1))  # fmt: skip
    body, sql = _dashboard(client)
    assert not [query for query in sql if "cohorts_modulerelease" in query]
    assert "Recently opened for you" not in body
    assert f'href="{modules[0].url}"' in body  # the date is ignored: the first module is next


def test_a_module_released_lately_is_listed(client):
    cohort, modules = _member_of(Cohort.Release.SCHEDULED, client)
    ModuleRelease.objects.create(cohort=cohort, module=modules[0],
                                 opens_at=timezone.now() - timedelta(days=1))  # fmt: skip
    body, _sql = _dashboard(client)
    assert "Recently opened for you" in body
    assert f'<a href="{modules[0].url}">{modules[0].title}</a>' in body


def test_a_date_set_after_the_dashboard_was_read_closes_the_module(client):
    cohort, modules = _member_of(Cohort.Release.SCHEDULED, client)
    body, sql = _dashboard(client)
    assert f'href="{modules[0].url}"' in body  # "Start the course": the first module
    # No module dated anywhere: not even the cohorts the person follows the course through.
    assert not [query for query in sql if "cohorts_cohortcourse" in query]
    ModuleRelease.objects.create(cohort=cohort, module=modules[0],
                                 opens_at=timezone.now() + timedelta(days=3))  # fmt: skip
    body, _sql = _dashboard(client)
    assert f'href="{modules[0].url}"' not in body
    ModuleRelease.objects.filter(cohort=cohort).delete()
    assert f'href="{modules[0].url}"' in _dashboard(client)[0]
