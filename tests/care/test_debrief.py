"""A debrief request reaches the cohort's trainers with only what the person chose to say."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from care.models import DebriefRequest
from care.services import CareError, checkin_create, debrief_request

pytestmark = pytest.mark.django_db


def test_a_request_reaches_the_trainers_with_only_the_chosen_text(
    cohort, members, trainer, trainer_client, django_capture_on_commit_callbacks
):
    person = members[0]
    client = Client()
    client.force_login(person)
    url = reverse("care:check_in") + f"?cohort={cohort.pk}"
    # A check-in that asks for a debrief leads to the request page; nothing is sent yet.
    response = client.post(
        url,
        {
            "carrying": "1",
            "energy": "1",
            "wants_debrief": "yes",
            "note": "The case about the stalker stays with me",
        },
    )
    assert response.status_code == 302 and reverse("care:debrief") in response["Location"]
    assert not DebriefRequest.objects.exists() and not mail.outbox

    # Not confirmed: nothing is sent.
    page = client.post(reverse("care:debrief"), {"cohort": cohort.pk, "message": "Can we talk?"})
    assert page.status_code == 400
    assert not DebriefRequest.objects.exists() and not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("care:debrief"),
            {"cohort": cohort.pk, "confirm": "on", "message": "Can we talk this week?"},
        )
    request = DebriefRequest.objects.get()
    assert (request.user, request.cohort, request.message) == (
        person,
        cohort,
        "Can we talk this week?",
    )
    (message,) = mail.outbox
    assert message.to == [trainer.email]
    assert message.subject == "A member of your cohort asked to talk"
    body = message.body
    assert "Can we talk" not in body and person.display_name not in body
    assert "stalker" not in body

    page = trainer_client.get(reverse("care:trainer_care", args=[cohort.slug])).content.decode()
    assert "Can we talk this week?" in page
    assert person.display_name in page
    assert "stalker" not in page  # the check-in's note is never sent

    # A second request waits for the first to be handled.
    client.post(reverse("care:debrief"), {"cohort": cohort.pk, "confirm": "on"})
    assert DebriefRequest.objects.count() == 1
    trainer_client.post(reverse("care:trainer_debrief_handled", args=[cohort.slug, request.pk]))
    request.refresh_from_db()
    assert request.handled_at is not None and request.handled_by == trainer


def test_nobody_asks_in_a_cohort_they_are_not_in(cohort, members):
    from training.factories import UserFactory  # noqa: PLC0415

    outsider = UserFactory()
    client = Client()
    client.force_login(outsider)
    client.post(reverse("care:debrief"), {"cohort": cohort.pk, "confirm": "on"})
    assert not DebriefRequest.objects.exists()


def test_another_cohorts_trainer_cannot_mark_it_handled(cohort, members, client):
    from tests.cohorts.factories import make_cohort  # noqa: PLC0415
    from tests.conftest import login_with_mfa  # noqa: PLC0415
    from training.factories import UserFactory  # noqa: PLC0415
    from training.roles import Role  # noqa: PLC0415

    checkin_create(user=members[0], carrying=3, energy=3)
    request = DebriefRequest.objects.create(user=members[0], cohort=cohort, message="hi")
    other = UserFactory(roles=[Role.TRAINER])
    theirs = make_cohort("theirs", trainer=other, questions=False)
    login_with_mfa(client, other)
    url = reverse("care:trainer_debrief_handled", args=[theirs.slug, request.pk])
    assert client.post(url).status_code == 404
    request.refresh_from_db()
    assert request.handled_at is None


def test_a_listed_trainer_without_the_role_is_neither_asked_nor_counted(
    cohort, members, trainer, django_capture_on_commit_callbacks
):
    trainer.groups.clear()  # the trainer role removed; still listed on the cohort
    assert cohort.trainers.filter(pk=trainer.pk).exists()
    with pytest.raises(CareError), django_capture_on_commit_callbacks(execute=True):
        debrief_request(user=members[0], cohort=cohort, message="Can we talk?")
    assert not DebriefRequest.objects.exists() and not mail.outbox
