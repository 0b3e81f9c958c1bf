"""A cohort's care page (its totals, and the debrief requests with what members chose to tell
their trainers) is for the cohort's current trainers only: listed, holding the trainer role. An
administrator who does not train the cohort gets a 404 there and no link to it."""

import pytest
from django.test import Client
from django.urls import reverse

from care.models import DebriefRequest
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db

MESSAGE = "I keep thinking about the call from last week."


@pytest.fixture
def request_made(cohort, members):
    return DebriefRequest.objects.create(user=members[0], cohort=cohort, message=MESSAGE)


def _signed_in(user) -> Client:
    client = Client()
    login_with_mfa(client, user)
    return client


def _care_url(cohort) -> str:
    return reverse("care:trainer_care", args=[cohort.slug])


def test_an_administrator_not_training_the_cohort_gets_404_and_no_link(cohort, request_made):
    admin = UserFactory(roles=[Role.TRAINER, Role.ADMINISTRATOR])
    assert admin.is_superuser
    client = _signed_in(admin)
    response = client.get(_care_url(cohort))
    assert response.status_code == 404
    assert MESSAGE not in response.content.decode()
    handled = reverse("care:trainer_debrief_handled", args=[cohort.slug, request_made.pk])
    assert client.post(handled).status_code == 404
    request_made.refresh_from_db()
    assert request_made.handled_at is None
    # The cohort's other trainer pages stay open to administrators, without the care link.
    page = client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    assert page.status_code == 200
    assert _care_url(cohort) not in page.content.decode()


def test_an_administrator_without_the_trainer_role_is_refused(cohort, request_made):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    response = _signed_in(admin).get(_care_url(cohort))
    assert response.status_code in (403, 404)
    assert MESSAGE not in response.content.decode()


def test_the_cohorts_trainer_reads_it_and_finds_the_link(cohort, trainer, request_made):
    client = _signed_in(trainer)
    assert MESSAGE in client.get(_care_url(cohort)).content.decode()
    page = client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug])).content.decode()
    assert _care_url(cohort) in page


def test_an_administrator_listed_as_the_cohorts_trainer_reads_it(cohort, request_made):
    admin = UserFactory(roles=[Role.TRAINER, Role.ADMINISTRATOR])
    cohort.trainers.add(admin)
    client = _signed_in(admin)
    assert MESSAGE in client.get(_care_url(cohort)).content.decode()
    page = client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug])).content.decode()
    assert _care_url(cohort) in page


def test_a_listed_trainer_whose_role_was_removed_reads_nothing(cohort, trainer, request_made):
    client = _signed_in(trainer)
    trainer.groups.clear()
    response = client.get(_care_url(cohort))
    assert response.status_code in (403, 404)
    assert MESSAGE not in response.content.decode()
