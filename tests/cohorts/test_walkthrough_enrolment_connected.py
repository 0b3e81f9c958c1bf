"""Walkthrough finding: inviting from a list someone already in the cohort (a member, on its
waitlist, or with an application waiting) says so in the preview, and nothing is sent to them;
the report says the same. Anyone else reads the same whether or not they have an account."""

import pytest
from django.core import mail
from django.utils import timezone

from cohorts import enrolment
from cohorts.models import Application, CohortInvitation, Membership
from tests.cohorts.factories import make_cohort
from tests.cohorts.test_enrolment import _rows, _upload
from training.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_people_already_in_the_cohort_are_named_and_sent_nothing(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=1)
    member = UserFactory(email="member@example.org")
    Membership.objects.create(cohort=cohort, user=member, source=Membership.Source.OPEN)
    now = timezone.now()
    first = UserFactory(email="first@example.org")
    Application.objects.create(cohort=cohort, user=first, status="waitlisted", waitlisted_at=now)
    second = UserFactory(email="Second@Example.org")
    Application.objects.create(cohort=cohort, user=second, status="waitlisted",
                               waitlisted_at=now + timezone.timedelta(minutes=1))  # fmt: skip
    applicant = UserFactory(email="applicant@example.org")
    Application.objects.create(cohort=cohort, user=applicant, status="submitted")
    UserFactory(email="stranger@example.org")  # an account, nothing to do with this cohort
    lines = ("member@example.org,M\nsecond@example.org,S\napplicant@example.org,A\n"
             "stranger@example.org,X\nnobody@example.org,N\n")  # fmt: skip

    preview, report = _upload(trainer_client, cohort, lines, django_capture_on_commit_callbacks)
    planned, done = _rows(preview), _rows(report)
    for rows in (planned, done):  # the preview is the result
        assert rows["member@example.org"] == "Already a member — nothing sent"
        assert rows["second@example.org"] == "Already waiting (place 2) — nothing sent"
        assert rows["applicant@example.org"] == (
            "Already applied, waiting for your decision — nothing sent")  # fmt: skip
    # An account and no account read the same.
    assert planned["stranger@example.org"] == planned["nobody@example.org"]
    assert done["stranger@example.org"] == done["nobody@example.org"]
    assert {m.to[0] for m in mail.outbox} == {"stranger@example.org", "nobody@example.org"}
    assert set(CohortInvitation.objects.values_list("email", flat=True)) == {
        "stranger@example.org", "nobody@example.org"}  # fmt: skip


def test_someone_who_joins_between_the_preview_and_the_confirmation_is_sent_nothing(
    trainer_client,
):
    cohort = make_cohort(trainer=trainer_client.trainer)
    rows = enrolment.preview(cohort, [(1, "late@example.org", "Late")])
    assert rows[0].outcome == "invite"
    late = UserFactory(email="late@example.org")
    Membership.objects.create(cohort=cohort, user=late, source=Membership.Source.OPEN)
    (row,) = enrolment.apply(cohort, rows, by=trainer_client.trainer)
    assert (row.outcome, row.valid, row.label()) == (
        "member", False, "Already a member — nothing sent")  # fmt: skip
    assert not CohortInvitation.objects.exists() and not mail.outbox
