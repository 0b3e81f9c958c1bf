"""A cohort's care page (its totals, and the debrief requests with what members chose to tell
their trainers) is for the cohort's current trainers only: listed, holding the trainer role. An
administrator who does not train the cohort gets a 404 there and no link to it; the services
refuse anyone else themselves."""

import pytest
from django.test import Client
from django.urls import reverse

from care import selectors
from care.models import CareSettings, DebriefRequest
from care.services import CareError, care_settings_save, debrief_request_handle
from tests.conftest import login_with_mfa
from training.errors import ServiceError
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


# --- The services refuse anyone but the cohort's current trainers, whatever the view checked ----
def _refused(call) -> ServiceError:
    with pytest.raises(CareError) as raised:
        call()
    error = raised.value
    assert isinstance(error, ServiceError) and error.code == "not_trainer"
    assert str(error) == "Only the cohort's trainers can do this."
    return error


def test_only_a_current_trainer_marks_a_request_handled(cohort, trainer, members, request_made):
    admin = UserFactory(roles=[Role.TRAINER, Role.ADMINISTRATOR])
    role_removed = UserFactory(roles=[Role.TRAINER])
    cohort.trainers.add(role_removed)
    role_removed.groups.clear()
    role_removed = type(role_removed).objects.get(pk=role_removed.pk)  # as a new request reads
    for someone in (members[0], admin, role_removed):
        _refused(
            lambda by=someone: debrief_request_handle(cohort=cohort, request_id=request_made.pk,
                                                      by=by)
        )  # fmt: skip
    request_made.refresh_from_db()
    assert (request_made.handled_at, request_made.handled_by) == (None, None)
    handled = debrief_request_handle(cohort=cohort, request_id=request_made.pk, by=trainer)
    assert handled.handled_by == trainer and handled.handled_at is not None


def test_only_a_current_trainer_saves_the_cohorts_care_settings(cohort, trainer, members):
    admin = UserFactory(roles=[Role.TRAINER, Role.ADMINISTRATOR])
    for someone in (members[0], admin):
        _refused(lambda by=someone: care_settings_save(cohort=cohort, weekly_checkins=True,
                                                       by=by))  # fmt: skip
    assert not CareSettings.objects.filter(cohort=cohort).exists()
    assert care_settings_save(cohort=cohort, weekly_checkins=True, by=trainer).weekly_checkins


def test_a_role_removed_between_the_views_check_and_the_services_changes_nothing(
    cohort, trainer, request_made, monkeypatch
):
    """The view checks first, the service again: a trainer's role removed in between, 404."""
    client = _signed_in(trainer)
    real = selectors.cohorts_cared_for
    calls = []

    def role_gone_after_the_view(user):
        calls.append(user)
        return real(user) if len(calls) == 1 else real(user).none()

    monkeypatch.setattr(selectors, "cohorts_cared_for", role_gone_after_the_view)
    handled = reverse("care:trainer_debrief_handled", args=[cohort.slug, request_made.pk])
    assert client.post(handled).status_code == 404
    assert len(calls) == 2
    request_made.refresh_from_db()
    assert request_made.handled_at is None
