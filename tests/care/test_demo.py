"""The demo: the running cohort asks for weekly check-ins and its trainer sees totals; running
it twice changes nothing."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from care.models import CareSettings, CheckIn, SupportResourcesPage
from care.selectors import CARE_MIN_GROUP
from cohorts.demo import RUNNING_COHORT
from cohorts.models import LiveSession
from tests.conftest import login_with_mfa
from training.models import User

pytestmark = pytest.mark.django_db


def _counts():
    return (
        CheckIn.objects.count(),
        CareSettings.objects.count(),
        SupportResourcesPage.objects.count(),
        LiveSession.objects.filter(kind=LiveSession.Kind.DEBRIEF).count(),
    )


def test_demo_is_seeded_once_and_shows_aggregates(client):
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first
    checkins = CheckIn.objects.filter(cohort__slug=RUNNING_COHORT["slug"])
    assert checkins.values("user").distinct().count() >= 6 > CARE_MIN_GROUP
    assert CareSettings.objects.get(cohort__slug=RUNNING_COHORT["slug"]).weekly_checkins
    assert SupportResourcesPage.objects.filter(alias_of__isnull=True).count() == 1
    assert first[3] == 1

    login_with_mfa(client, User.objects.get(email="trainer@example.org"))
    page = client.get(reverse("care:trainer_care", args=[RUNNING_COHORT["slug"]]))
    assert "Not enough answers yet" not in page.content.decode().split("After heavy")[0]
    assert client.get(reverse("care:resources")).status_code == 302
