"""Bulk enrolment from a list: every address is invited (never enrolled without consent, never
an account made for it), the trainer cannot tell which addresses had an account, and the person
accepts or declines on the invitation's page."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import invitations
from cohorts.models import Application, CohortInvitation, Membership
from cohorts.tasks import expire_invitations, send_cohort_invitations
from tests.cohorts.factories import make_cohort
from training.factories import UserFactory
from training.models import AuditEntry, User

pytestmark = pytest.mark.django_db

CSV = (
    "email,display name\n"
    "Known@Example.org,Known\n"
    "new.person@example.org,Nueva\n"
    "not-an-email,Broken\n"
    "KNOWN@example.org,Again\n"
    "member@example.org,Member\n"
)
SIGNUP = {
    "display_name": "Nueva",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "time_zone": "America/La_Paz",
    "preferred_language": "es",
}


def _rows(page: str) -> dict[str, str]:
    """Each address's last cell (what will happen / what happened), from its first row."""
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        if len(cells) == 4:
            rows.setdefault(cells[1], cells[3])  # the first row of each address
    return rows


def _upload(trainer_client, cohort, text, callbacks):
    url = reverse("cohorts:trainer_enrol", args=[cohort.slug])
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    preview = trainer_client.post(url, {"action": "preview", "file": upload}).content.decode()
    token = re.search(r'name="preview" value="([^"]+)"', preview).group(1)
    with callbacks(execute=True):
        report = trainer_client.post(url, {"action": "confirm", "preview": token}).content.decode()
    return preview, report


def _link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/cohorts/invitations/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_every_address_is_invited_and_the_report_never_tells_who_had_an_account(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, working_language="es")
    known = UserFactory(email="known@example.org", preferred_language="fr")
    # A member of another cohort: nothing connects them to this one, nothing is told.
    member = UserFactory(email="member@example.org")
    elsewhere = make_cohort("elsewhere")
    Membership.objects.create(cohort=elsewhere, user=member, source=Membership.Source.CSV)
    users_before = User.objects.count()

    preview, report = _upload(trainer_client, cohort, CSV, django_capture_on_commit_callbacks)

    assert "Preview: nothing is done yet" in preview
    planned = _rows(preview)
    # An existing account, a new address and a member elsewhere read the same, before and after.
    assert planned["known@example.org"] == planned["new.person@example.org"]
    assert planned["member@example.org"] == planned["new.person@example.org"]
    assert planned["new.person@example.org"] == "Will be invited by email"
    assert planned["not-an-email"] == "Not an email address: skipped"
    done = _rows(report)
    assert done["known@example.org"] == done["new.person@example.org"] == "Invitation sent"
    assert done["member@example.org"] == "Invitation sent"
    for word in ("account", "Account", "Enrolled", "member:", "Already a member"):
        assert word not in planned["known@example.org"] + done["known@example.org"], word

    # Consent: nobody joined, no account was made.
    assert User.objects.count() == users_before
    assert not Membership.objects.filter(cohort=cohort, user=known).exists()
    assert not Membership.objects.filter(cohort=cohort).exists()
    assert CohortInvitation.objects.filter(cohort=cohort, status="pending").count() == 3
    sent = AuditEntry.objects.get(action="cohort.invitations_sent")
    assert (sent.actor, sent.count, sent.detail["cohort"]) == (trainer_client.trainer, 3, cohort.pk)
    assert "known@example.org" not in str(sent.detail)  # how many, never the addresses

    # One email to each invited address, none to the trainer; each in the person's language
    # where they have an account (French), else the cohort's (Spanish).
    by_address = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 3
    assert set(by_address) == {"known@example.org", "new.person@example.org",
                               "member@example.org"}  # fmt: skip
    assert trainer_client.trainer.email not in by_address
    assert by_address["known@example.org"].subject == "Votre invitation à rejoindre Acompaña"
    assert by_address["new.person@example.org"].subject != by_address["known@example.org"].subject
    for message in mail.outbox:
        assert "/accounts/password/reset/" not in message.body  # no account, no password link
        _link(message)

    # The same words for an account (in the cohort's language here) and a new address: only the
    # link, and the date in the reader's zone, differ.
    def words(message):
        return [line for line in message.body.replace(_link(message), "").splitlines()
                if "2" not in line]  # fmt: skip

    assert words(by_address["member@example.org"]) == words(by_address["new.person@example.org"])

    # Confirming again does nothing: the preview is used once.
    again = trainer_client.post(reverse("cohorts:trainer_enrol", args=[cohort.slug]),
                                {"action": "confirm", "preview": "x"}).content.decode()  # fmt: skip
    assert "The preview has expired" in again


def test_an_existing_person_joins_only_when_they_accept(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer)
    known = UserFactory(email="known@example.org", display_name="Kim")
    _upload(trainer_client, cohort, "known@example.org,Kim\n", django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    link = _link(message)
    assert not Membership.objects.filter(cohort=cohort, user=known).exists()

    person = Client()
    person.force_login(known)
    page = person.get(link)
    assert page.status_code == 200 and page["Referrer-Policy"] == "same-origin"
    assert "Accept and join" in page.content.decode()
    assert not Membership.objects.filter(cohort=cohort, user=known).exists()  # looking is not yes

    response = person.post(link, {"action": "accept"}, follow=True)
    body = response.content.decode()
    assert "Welcome! You are a member of this cohort." in body
    assert "You are a member of this cohort." in body
    membership = Membership.objects.get(cohort=cohort, user=known)
    assert membership.source == Membership.Source.INVITED
    assert cohort.courses.get().enrolments.filter(user=known).exists()
    invitation = CohortInvitation.objects.get()
    assert (invitation.status, invitation.result, invitation.answered_by) == (
        "accepted", "member", known)  # fmt: skip
    # The trainer sees the answer; answering twice changes nothing.
    cohort_page = trainer_client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    assert "Accepted" in cohort_page.content.decode()
    assert person.post(link, {"action": "decline"}).status_code == 400
    assert Membership.objects.filter(cohort=cohort, user=known, left_at__isnull=True).exists()
    assert len(mail.outbox) == 1  # no other email to anyone


def test_accepting_a_full_cohort_waitlists_and_says_so(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=1)
    Membership.objects.create(cohort=cohort, user=UserFactory(), source=Membership.Source.OPEN)
    known = UserFactory(email="known@example.org")
    _upload(trainer_client, cohort, "known@example.org,Kim\n", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    person = Client()
    person.force_login(known)
    with django_capture_on_commit_callbacks(execute=True):
        response = person.post(link, {"action": "accept"}, follow=True)
    body = response.content.decode()
    assert "The cohort is full. You are on the waitlist" in body
    assert "Welcome" not in body
    assert "you are on its waitlist (position 1)" in body
    assert not Membership.objects.filter(cohort=cohort, user=known).exists()
    assert Application.objects.get(cohort=cohort, user=known).status == "waitlisted"
    assert CohortInvitation.objects.get().result == "waitlisted"
    # One email in all: the invitation, which said a full cohort means its waitlist; the page
    # they accepted on says where they stand (no second email contradicting the first).
    assert [m.to for m in mail.outbox] == [["known@example.org"]]
    assert "The cohort is full at the moment: if you accept, you join its waitlist" in (
        mail.outbox[0].body
    )
    page = trainer_client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    assert "on the waitlist" in page.content.decode()


def test_declining_records_the_answer_and_nothing_else(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer)
    known = UserFactory(email="known@example.org")
    _upload(trainer_client, cohort, "known@example.org,Kim\n", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    person = Client()
    person.force_login(known)
    response = person.post(link, {"action": "decline"}, follow=True)
    assert "You declined the invitation. Nothing else happens." in response.content.decode()
    assert not Membership.objects.filter(cohort=cohort, user=known).exists()
    assert not Application.objects.filter(cohort=cohort, user=known).exists()
    assert CohortInvitation.objects.get().status == "declined"
    assert person.post(link, {"action": "accept"}).status_code == 400  # no changing it later
    assert not Membership.objects.filter(cohort=cohort, user=known).exists()
    page = trainer_client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    assert "Declined" in page.content.decode()
    assert len(mail.outbox) == 1  # nobody is emailed about a decline
    # Inviting the same address again is skipped: a "no" is not asked again and again.
    preview = trainer_client.post(
        reverse("cohorts:trainer_enrol", args=[cohort.slug]),
        {"action": "preview", "pasted": "known@example.org,Kim"},
    ).content.decode()
    assert "Declined an earlier invitation to this cohort: skipped" in preview


def test_a_new_address_signs_up_from_the_invitation_then_accepts(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, working_language="es")
    _upload(trainer_client, cohort, "new.person@example.org,Nueva\n",
            django_capture_on_commit_callbacks)  # fmt: skip
    (invitation_email,) = mail.outbox
    link = _link(invitation_email)
    assert not User.objects.filter(email="new.person@example.org").exists()

    visitor = Client()
    page = visitor.get(link).content.decode()
    # Sign in and sign up are both offered, whatever the address: nothing tells which applies.
    signup = re.search(r'href="(/accounts/signup/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert re.search(r'href="/accounts/login/\?next=', page)
    assert 'value="accept"' not in page
    # The sign-up form comes with the address filled in.
    assert 'value="new.person@example.org"' in visitor.get(signup).content.decode()
    response = visitor.post(signup, {**SIGNUP, "email": "new.person@example.org"})
    # The link came to this address: no second confirmation, straight back to the invitation.
    assert response.status_code == 302 and response.url == link, response
    newcomer = User.objects.get(email="new.person@example.org")
    assert not Membership.objects.filter(cohort=cohort, user=newcomer).exists()
    assert 'value="accept"' in visitor.get(link).content.decode()
    visitor.post(link, {"action": "accept"})
    assert Membership.objects.filter(cohort=cohort, user=newcomer, left_at__isnull=True).exists()
    # Emails: the invitation only (no confirmation needed, nothing to the trainer).
    assert [m.to for m in mail.outbox] == [["new.person@example.org"]]


def test_someone_without_an_account_declines_without_making_one(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer)
    _upload(trainer_client, cohort, "new.person@example.org,Nueva\n",
            django_capture_on_commit_callbacks)  # fmt: skip
    link = _link(mail.outbox[0])
    visitor = Client()
    assert visitor.post(link, {"action": "accept"}).status_code == 302  # must sign in first
    assert CohortInvitation.objects.get().status == "pending"
    visitor.post(link, {"action": "decline"})
    assert CohortInvitation.objects.get().status == "declined"
    assert not User.objects.filter(email="new.person@example.org").exists()


def test_the_link_works_only_for_the_account_with_that_address(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer)
    UserFactory(email="known@example.org")
    intruder = UserFactory(email="someone.else@example.org")
    _upload(trainer_client, cohort, "known@example.org,Kim\n", django_capture_on_commit_callbacks)
    link = _link(mail.outbox[0])
    other = Client()
    other.force_login(intruder)
    page = other.get(link)
    assert page.status_code == 403
    body = page.content.decode()
    assert "known@example.org" not in body and cohort.title not in body
    for action in ("accept", "decline"):
        assert other.post(link, {"action": action}).status_code == 403
    assert not Membership.objects.filter(cohort=cohort, user=intruder).exists()
    assert CohortInvitation.objects.get().status == "pending"
    # A made-up or altered link is not found.
    assert other.get(link.replace(link[-6:-1], "AAAAA")).status_code == 404
    invitation = CohortInvitation.objects.get()
    forged = reverse("cohorts:invitation", args=[f"{invitation.key}.forged"])
    assert Client().get(forged).status_code == 404


def test_a_trainer_resends_or_cancels_and_old_links_stop_working(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer)
    known = UserFactory(email="known@example.org")
    _upload(trainer_client, cohort, "known@example.org,Kim\n", django_capture_on_commit_callbacks)
    first = _link(mail.outbox[0])
    invitation = CohortInvitation.objects.get()
    url = reverse("cohorts:trainer_invitation", args=[cohort.slug, invitation.pk])
    # Not twice within the hour: a mailbox is not flooded.
    trainer_client.post(url, {"action": "resend"})
    assert len(mail.outbox) == 1
    CohortInvitation.objects.update(sent_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(url, {"action": "resend"})
    assert len(mail.outbox) == 2
    second = _link(mail.outbox[1])
    assert second != first
    person = Client()
    person.force_login(known)
    assert person.get(first).status_code == 404
    assert person.get(second).status_code == 200
    trainer_client.post(url, {"action": "cancel"})
    assert CohortInvitation.objects.get().status == "cancelled"
    assert "no longer works" in person.get(second).content.decode()
    assert person.post(second, {"action": "accept"}).status_code == 400
    assert not Membership.objects.filter(cohort=cohort, user=known).exists()
    # Another trainer's cohort: not found, nothing changes.
    theirs = make_cohort("theirs", trainer=UserFactory())
    other = CohortInvitation.objects.create(cohort=theirs, email="x@example.org",
                                            expires_at=invitations.expiry())  # fmt: skip
    for action in ("resend", "cancel"):
        response = trainer_client.post(
            reverse("cohorts:trainer_invitation", args=[theirs.slug, other.pk]),
            {"action": action},
        )
        assert response.status_code == 404
        wrong_cohort = trainer_client.post(
            reverse("cohorts:trainer_invitation", args=[cohort.slug, other.pk]),
            {"action": action},
        )
        assert wrong_cohort.status_code == 302
    assert CohortInvitation.objects.get(pk=other.pk).status == "pending"


def test_invitations_expire_and_their_records_are_deleted_later(settings, trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    known = UserFactory(email="known@example.org")
    now = timezone.now()
    late = CohortInvitation.objects.create(cohort=cohort, email="known@example.org",
                                           expires_at=now - timedelta(minutes=1))  # fmt: skip
    link = reverse("cohorts:invitation", args=[invitations.invitation_token(late)])
    person = Client()
    person.force_login(known)
    assert "no longer works" in person.get(link).content.decode()
    assert person.post(link, {"action": "accept"}).status_code == 400
    assert not Membership.objects.filter(cohort=cohort, user=known).exists()
    keep = settings.ACOMPANA_COHORT_INVITATION_KEEP_DAYS
    old = CohortInvitation.objects.create(
        cohort=cohort, email="old@example.org", status="declined",
        expires_at=now - timedelta(days=keep + 5), answered_at=now - timedelta(days=keep + 1),
    )  # fmt: skip
    recent = CohortInvitation.objects.create(
        cohort=cohort, email="recent@example.org", status="declined",
        expires_at=now, answered_at=now - timedelta(days=1),
    )  # fmt: skip
    assert expire_invitations() == [1, 1]
    assert CohortInvitation.objects.get(pk=late.pk).status == "expired"
    assert not CohortInvitation.objects.filter(pk=old.pk).exists()
    assert CohortInvitation.objects.filter(pk=recent.pk).exists()


def test_the_invitation_is_emailed_once_even_when_the_task_runs_twice(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    invitation = CohortInvitation.objects.create(
        cohort=cohort, email="a@example.org", invited_by=trainer_client.trainer,
        expires_at=invitations.expiry(),
    )  # fmt: skip
    assert send_cohort_invitations([invitation.pk]) == 1
    assert send_cohort_invitations([invitation.pk]) == 0
    assert len(mail.outbox) == 1
    assert "Tomás invites you to join the cohort" in mail.outbox[0].body


def test_the_cohort_page_keeps_its_query_count_as_invitations_grow(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])

    def invite(start, count):
        CohortInvitation.objects.bulk_create(
            CohortInvitation(cohort=cohort, email=f"person{n:04d}@example.org",
                             invited_by=trainer_client.trainer, expires_at=invitations.expiry(),
                             status=["pending", "accepted", "declined"][n % 3])
            for n in range(start, start + count)
        )  # fmt: skip

    invite(0, 10)
    trainer_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert trainer_client.get(url).status_code == 200
    invite(10, 990)
    with CaptureQueriesContext(connection) as large:
        page = trainer_client.get(url).content.decode()
    assert "person0999@example.org" in page
    assert len(large) == len(small), (len(small), len(large))


def test_a_file_that_cannot_be_read_says_why(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    url = reverse("cohorts:trainer_enrol", args=[cohort.slug])
    page = trainer_client.post(url, {"action": "preview", "file": SimpleUploadedFile(
        "x.csv", "café".encode("latin-1"))}).content.decode()  # fmt: skip
    assert "Save the file as UTF-8 CSV" in page
    page = trainer_client.post(url, {"action": "preview", "pasted": "name only"}).content.decode()
    assert "The file has no rows with an email address." in page
    long_address = "a" * 250 + "@example.org"
    page = trainer_client.post(url, {"action": "preview", "pasted": f"{long_address},X"})
    assert "Not an email address: skipped" in page.content.decode()


def test_another_trainers_cohort_cannot_be_enrolled_into(trainer_client):
    theirs = make_cohort("theirs", trainer=UserFactory())
    url = reverse("cohorts:trainer_enrol", args=[theirs.slug])
    assert trainer_client.post(url, {"action": "preview", "pasted": "x@example.org,X"}
                               ).status_code == 404  # fmt: skip


def test_inviting_into_a_full_cohort_says_so_before_and_after_and_sends_one_email_each(
    trainer_client, django_capture_on_commit_callbacks
):
    """The preview says what the result will be (the waitlist), the report says the same, the
    invitation says it too, and accepting sends no second email."""
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=1)
    Membership.objects.create(cohort=cohort, user=UserFactory(), source=Membership.Source.OPEN)
    known = UserFactory(email="known@example.org", preferred_language="es")
    preview, report = _upload(trainer_client, cohort, "known@example.org,Kim\nnew@example.org,N\n",
                              django_capture_on_commit_callbacks)  # fmt: skip
    planned, done = _rows(preview), _rows(report)
    full = "The cohort is full: if they accept, they join its waitlist"
    assert planned["known@example.org"] == f"Will be invited by email. {full}"
    assert done["known@example.org"] == f"Invitation sent. {full}"
    for page in (preview, report):
        assert "The cohort is full: whoever accepts joins its waitlist" in page
        assert "will be enrolled" not in page.lower()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"known@example.org", "new@example.org"}
    for message in mail.outbox:  # each in its language, saying a place is not promised
        assert "Welcome" not in message.body
    assert "The cohort is full at the moment" in by_address["new@example.org"].body

    person = Client()
    person.force_login(known)
    with django_capture_on_commit_callbacks(execute=True):
        page = person.post(_link(by_address["known@example.org"]), {"action": "accept"},
                           follow=True).content.decode()  # fmt: skip
    assert Application.objects.get(user=known).status == "waitlisted"
    assert 'value="accept"' not in page
    assert len(mail.outbox) == 2  # still one email per person


def test_fewer_places_than_invitations_are_announced_in_the_preview(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=1)
    lines = "a@example.org,A\nb@example.org,B\nc@example.org,C\n"
    preview, report = _upload(trainer_client, cohort, lines, django_capture_on_commit_callbacks)
    expected = ("1 place left for 3 invitations: the first person to accept gets it, the "
                "others join the waitlist.")  # fmt: skip
    assert expected in preview and expected in report
    assert "Places are limited: if they are all taken when you accept" in mail.outbox[0].body
