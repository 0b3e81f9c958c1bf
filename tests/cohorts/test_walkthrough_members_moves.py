"""Walkthrough findings on moving members: the trainer's message goes with a move as with a
removal, and a moved member is shown as moved (their application stays what it was: accepted),
never as someone who withdrew."""

import html

import pytest
from django.core import mail
from django.urls import reverse

from cohorts import services
from cohorts.models import Application, Membership
from tests.cohorts.factories import make_cohort
from tests.cohorts.test_members import _member, _sibling
from training.factories import UserFactory

pytestmark = pytest.mark.django_db


def _accepted_member(cohort, person):
    first, second = cohort.questions.all()
    _member(cohort, person)
    return Application.objects.create(
        cohort=cohort, user=person, status=Application.Status.ACCEPTED, message="Welcome!",
        answers={str(first.pk): "I moderate a forum.", str(second.pk): "Evenings"},
    )  # fmt: skip


def test_the_trainers_message_goes_with_a_move(trainer_client, django_capture_on_commit_callbacks):
    cohort = make_cohort(trainer=trainer_client.trainer)
    other = _sibling(cohort, "autumn", trainer=trainer_client.trainer)
    person = UserFactory(display_name="Moved", preferred_language="en")
    _accepted_member(cohort, person)
    url = reverse("cohorts:trainer_member_place", args=[cohort.slug, person.pk])
    form = html.unescape(trainer_client.get(url).content.decode())
    assert "(when removing)" not in form  # the message is for both

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(
            url, {"action": "move", "to": other.pk, "message": "Tuesday suits you better."}
        )
    assert response.status_code == 302
    (told,) = mail.outbox
    assert "A message from the trainers:\nTuesday suits you better." in told.body
    # Shown to them on the page of the cohort they are in now.
    trainer_client.force_login(person)
    page = trainer_client.get(reverse("cohorts:detail", args=[other.slug])).content.decode()
    assert "Tuesday suits you better." in page


def test_a_moved_member_is_shown_as_moved_not_withdrawn(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    other = _sibling(cohort, "autumn", trainer=trainer_client.trainer)
    person = UserFactory(display_name="Moved")
    application = _accepted_member(cohort, person)
    joined_openly = _member(cohort, UserFactory(display_name="Opener"), Membership.Source.OPEN)
    for who in (person, joined_openly):
        services.member_move(cohort=cohort, user=who, to=other, by=trainer_client.trainer)

    application.refresh_from_db()
    assert application.status == Application.Status.ACCEPTED  # the truth: they did not withdraw
    assert application.answers  # not taken back
    assert application.message == ""  # the welcome was for the decision, not for the move

    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    page = html.unescape(trainer_client.get(url, {"status": "accepted"}).content.decode())
    assert "Withdrawn: the answers are no longer shown." not in page
    assert "I moderate a forum." in page
    assert "Moved to “Cohort autumn”" in page
    # Nothing to decide for them here: their row offers no box to tick (a bulk decision would
    # otherwise "accept" someone who is no longer a member, or "waitlist" them).
    assert f'id="application-{application.pk}"' not in page
    withdrawn = html.unescape(trainer_client.get(url, {"status": "withdrawn"}).content.decode())
    assert "Moved" not in withdrawn.split('id="members"')[0]
    # Someone who never applied is listed among those who left, as moved.
    former = page[page.index('id="former-members"') :].split("</details>")[0]
    assert "Opener" in former and "Moved to “Cohort autumn”" in former


def test_someone_moved_away_may_apply_again_to_the_first_cohort(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    other = _sibling(cohort, "autumn", trainer=trainer_client.trainer)
    person = UserFactory()
    _accepted_member(cohort, person)
    services.member_move(cohort=cohort, user=person, to=other, by=trainer_client.trainer)
    first, second = cohort.questions.all()
    application = services.application_submit(
        cohort=cohort, user=person, answers={str(first.pk): "Back", str(second.pk): "Evenings"}
    )
    assert application.status == Application.Status.SUBMITTED


def test_the_decision_email_labels_the_message_as_the_trainers(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer)
    person = UserFactory(preferred_language="en")
    application = Application.objects.create(cohort=cohort, user=person)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(application=application, decision="accept", by=trainer_client.trainer,
                        message="See you on Monday.")  # fmt: skip
    (told,) = mail.outbox
    assert "A message from the trainers:\nSee you on Monday." in told.body
    assert "Their message" not in told.body
