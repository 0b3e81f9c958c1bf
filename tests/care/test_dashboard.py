"""The dashboard offers a weekly check-in when the person's cohort turned them on, and reads
nothing more while no cohort does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from care.models import CheckIn
from care.services import care_settings_save, checkin_create

pytestmark = pytest.mark.django_db

PROMPT = "Take this week's check-in"


def _dashboard(client):
    client.get(reverse("dashboard"))  # warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("dashboard"))
    return response.content.decode(), len(queries)


def test_a_gentle_prompt_when_a_weekly_check_in_is_due(client, cohort, members, trainer):
    person = members[0]
    client.force_login(person)
    page, off = _dashboard(client)
    assert PROMPT not in page
    assert reverse("care:home") in page  # the care space, always a link away

    care_settings_save(cohort=cohort, weekly_checkins=True, by=trainer)
    page, on = _dashboard(client)
    assert PROMPT in page and f"?cohort={cohort.pk}" in page
    assert on == off + 1  # one read, sent with the dashboard's others

    checkin_create(user=person, cohort=cohort, carrying=3, energy=3, kind=CheckIn.Kind.WEEKLY)
    page, _count = _dashboard(client)
    assert PROMPT not in page

    care_settings_save(cohort=cohort, weekly_checkins=False, by=trainer)
    page, again = _dashboard(client)
    assert again == off
