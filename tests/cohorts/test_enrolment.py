"""Bulk enrolment from a CSV: preview, confirm, per-row report, invitations sent once."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cohorts.models import Application, ExportLog, Membership, NotificationLog
from cohorts.tasks import send_invitations
from tests.cohorts.test_views import make_cohort
from training.factories import UserFactory
from training.models import User

pytestmark = pytest.mark.django_db

CSV = (
    "email,display name\n"
    "known@example.org,Known\n"
    "new.person@example.org,Nueva\n"
    "not-an-email,Broken\n"
    "KNOWN@example.org,Again\n"
    "noname@example.org,\n"
    "member@example.org,Member\n"
)


def test_preview_then_confirm_with_a_report_for_every_row(
    trainer_client,
    django_capture_on_commit_callbacks,
):
    cohort = make_cohort(trainer=trainer_client.trainer, working_language="es")
    known = UserFactory(email="known@example.org")
    member = UserFactory(email="member@example.org")
    Membership.objects.create(cohort=cohort, user=member, source="demo")
    url = reverse("cohorts:trainer_enrol", args=[cohort.slug])
    upload = SimpleUploadedFile("people.csv", CSV.encode(), content_type="text/csv")
    page = trainer_client.post(url, {"action": "preview", "file": upload}).content.decode()
    assert "Preview: nothing is done yet" in page
    for expected in ("Will be enrolled, and told by email", "Not an email address: skipped",
                     "The same email appears earlier in the file: skipped",
                     "Already a member: nothing to do"):  # fmt: skip
        assert expected in page, expected
    # Whether an address has an account is never told: known and new read the same.
    assert "Has an account" not in page and "No account yet" not in page
    assert not User.objects.filter(email="new.person@example.org").exists()  # nothing yet

    token = re.search(r'name="preview" value="([^"]+)"', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        report = trainer_client.post(url, {"action": "confirm", "preview": token}).content.decode()
    assert "Account made, invitation sent, enrolled" in report and "Enrolled" in report
    newcomer = User.objects.get(email="new.person@example.org")
    assert newcomer.display_name == "Nueva" and not newcomer.has_usable_password()
    assert newcomer.preferred_language == "es"
    assert Membership.objects.filter(cohort=cohort, user=known, left_at__isnull=True).exists()
    assert Membership.objects.filter(cohort=cohort, user=newcomer).exists()
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"new.person@example.org", "known@example.org", "noname@example.org"}
    assert "/accounts/password/reset/key/" in by_address["new.person@example.org"].body
    assert "leave the cohort" in by_address["known@example.org"].body  # told, and how to leave
    assert User.objects.get(email="noname@example.org").display_name == "New member"
    assert ExportLog.objects.filter(kind="csv-enrolment").count() == 1
    # Confirming again does nothing: the preview is used once.
    again = trainer_client.post(url, {"action": "confirm", "preview": token}).content.decode()
    assert "The preview has expired" in again


def test_the_invitation_is_sent_once_even_when_the_task_runs_twice(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    person = UserFactory()
    assert send_invitations(cohort.pk, [person.pk], trainer_client.trainer.pk) == 1
    assert send_invitations(cohort.pk, [person.pk], trainer_client.trainer.pk) == 0
    assert len(mail.outbox) == 1
    assert NotificationLog.objects.count() == 1


def test_a_full_cohort_puts_the_rest_on_the_waitlist(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=1)
    UserFactory(email="a@example.org")
    UserFactory(email="b@example.org")
    url = reverse("cohorts:trainer_enrol", args=[cohort.slug])
    page = trainer_client.post(
        url, {"action": "preview", "pasted": "a@example.org,A\nb@example.org,B"}
    ).content.decode()
    token = re.search(r'name="preview" value="([^"]+)"', page).group(1)
    report = trainer_client.post(url, {"action": "confirm", "preview": token}).content.decode()
    assert "The cohort is full: on the waitlist" in report
    assert Application.objects.get().user.email == "b@example.org"


def test_a_file_that_cannot_be_read_says_why(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    url = reverse("cohorts:trainer_enrol", args=[cohort.slug])
    page = trainer_client.post(url, {"action": "preview", "file": SimpleUploadedFile(
        "x.csv", "café".encode("latin-1"))}).content.decode()  # fmt: skip
    assert "Save the file as UTF-8 CSV" in page
    page = trainer_client.post(url, {"action": "preview", "pasted": "name only"}).content.decode()
    assert "The file has no rows with an email address." in page


def test_another_trainers_cohort_cannot_be_enrolled_into(trainer_client):
    theirs = make_cohort("theirs", trainer=UserFactory())
    url = reverse("cohorts:trainer_enrol", args=[theirs.slug])
    assert trainer_client.post(url, {"action": "preview", "pasted": "x@example.org,X"}
                               ).status_code == 404  # fmt: skip
