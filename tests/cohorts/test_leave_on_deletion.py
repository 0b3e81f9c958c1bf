"""Asking for an account's deletion leaves only the cohorts that are not over (places go to the
people waiting) and withdraws every open application and waitlist place; a cohort that has ended
keeps the member, and after the erasure its trainers' pages show "Former member"."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cohorts import services, sessions
from cohorts.models import Application, Cohort, LiveSession, Membership
from tests.cohorts.factories import make_cohort
from training.deletion import account_deletion_request, account_erase
from training.factories import UserFactory
from training.models import FORMER_MEMBER_LABEL, AccountDeletion

pytestmark = pytest.mark.django_db


def _ended(slug, *, trainer=None, capacity=None, **extra):
    values = {
        "starts_on": date.today() - timedelta(days=120),
        "ends_on": date.today() - timedelta(days=30),
        "status": Cohort.Status.FINISHED,
    }
    return make_cohort(slug, trainer=trainer, capacity=capacity, questions=False,
                       **(values | extra))  # fmt: skip


def test_only_cohorts_that_are_not_over_are_left():
    alba = UserFactory(display_name="Alba")
    running = make_cohort(
        "running",
        capacity=None,
        questions=False,
        starts_on=date.today() - timedelta(days=10),
        status=Cohort.Status.RUNNING,
    )
    finished = _ended("finished")
    # Still "running" for its trainers, but its last day has passed: it is over too.
    past_its_dates = _ended("past-dates", status=Cohort.Status.RUNNING)
    archived = _ended("archived", status=Cohort.Status.ARCHIVED)
    for cohort in (running, finished, past_its_dates, archived):
        services._admit(cohort, alba, Membership.Source.CSV)
    applied = make_cohort("applied", questions=False)
    services.application_submit(cohort=applied, user=alba, answers={})

    left = services.cohorts_leave_all(user=alba)

    assert left == {"cohorts": ["Cohort running"], "applications": ["Cohort applied"]}
    assert set(
        Membership.objects.filter(user=alba, left_at__isnull=True).values_list("cohort__slug",
                                                                               flat=True)
    ) == {"finished", "past-dates", "archived"}  # fmt: skip
    assert Membership.objects.get(user=alba, cohort=running).left_at is not None
    assert Application.objects.get(user=alba, cohort=applied).status == "withdrawn"
    # Safe to run twice: nothing more to leave.
    assert services.cohorts_leave_all(user=alba) == {"cohorts": [], "applications": []}


def test_a_waitlist_place_in_an_ended_cohort_is_withdrawn_and_nobody_is_promoted():
    alba, bea = UserFactory(display_name="Alba"), UserFactory(display_name="Bea")
    ended = _ended("ended", capacity=1)
    Application.objects.create(
        cohort=ended,
        user=alba,
        status=Application.Status.WAITLISTED,
        waitlisted_at=timezone.now(),
        answers={"1": "Alba's answer"},
    )
    Application.objects.create(cohort=ended, user=bea, status=Application.Status.WAITLISTED,
                               waitlisted_at=timezone.now())  # fmt: skip

    assert services.cohorts_leave_all(user=alba) == {
        "cohorts": [],
        "applications": ["Cohort ended"],
    }

    mine = Application.objects.get(user=alba)
    assert mine.status == "withdrawn" and mine.answers == {}
    assert Application.objects.get(user=bea).status == "waitlisted"
    assert not Membership.objects.filter(cohort=ended).exists()


def test_after_erasure_the_ended_cohorts_trainer_pages_show_former_member(trainer_client):
    cohort = _ended("autumn", trainer=trainer_client.trainer)
    alba = UserFactory(display_name="Alba Vidal", email="alba.vidal@example.org")
    bea = UserFactory(display_name="Bea Ruiz")
    for person in (alba, bea):
        services._admit(cohort, person, Membership.Source.CSV)
    start = timezone.now() - timedelta(days=60)
    session = LiveSession.objects.create(cohort=cohort, title="First session", starts_at=start,
                                         ends_at=start + timedelta(hours=1))  # fmt: skip
    sessions.attendance_save(session=session, statuses={alba.pk: "present", bea.pk: "present"},
                             by=trainer_client.trainer)  # fmt: skip

    deletion = account_deletion_request(person=alba, by=alba)
    assert deletion.left["cohorts"] == []  # an ended cohort is not left
    AccountDeletion.objects.filter(pk=deletion.pk).update(due_at=timezone.now())
    assert account_erase(deletion_id=deletion.pk) is True

    assert Membership.objects.filter(cohort=cohort, user=alba, left_at__isnull=True).exists()
    label = str(FORMER_MEMBER_LABEL)
    for url in (
        reverse("cohorts:trainer_cohort", args=[cohort.slug]),
        reverse("cohorts:trainer_progress", args=[cohort.slug]),
        reverse("cohorts:trainer_attendance", args=[cohort.slug, session.pk]),
    ):
        response = trainer_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert label in page and "Bea Ruiz" in page, url
        assert "Alba Vidal" not in page and "alba.vidal@example.org" not in page, url
