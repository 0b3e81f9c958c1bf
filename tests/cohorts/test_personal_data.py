"""Cohorts in the privacy registry (cohorts/personal_data.py): each export holds the person's
rows and nothing of anyone else (others by display name at most), each erase does what its
declaration says, asking for a deletion leaves every cohort at once, and a former member shows
as "Former member" in trainers' pages, keeps the counts right and is sent nothing."""

import csv
import io
import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohorts import notify, personal_data, selectors, services, sessions
from cohorts.models import (
    Application,
    Attendance,
    CalendarFeed,
    Cohort,
    CohortInvitation,
    InvitationCode,
    LiveSession,
    Membership,
    Skill,
    SkillSignOff,
)
from cohorts.selectors import trainer_cohorts
from tests.cohorts.factories import make_cohort
from tests.helpers import anonymise_by_hand, erase_declared
from training import privacy
from training.factories import UserFactory
from training.models import FORMER_MEMBER_LABEL
from training.privacy import declarations

pytestmark = pytest.mark.django_db

COHORT_DECLARATIONS = [
    "cohorts.Application", "cohorts.Membership", "cohorts.CohortInvitation", "cohorts.Attendance",
    "cohorts.SkillSignOff", "cohorts.CalendarFeed", "cohorts.Cohort", "cohorts.InvitationCode",
    "cohorts.InvitationSend",
]  # fmt: skip
# The record of messages sent and the opt-outs are the platform's (training.NotificationLog,
# training.NotificationOptOut): tests/training/test_notifications.py.


def export(person) -> dict[str, list[dict]]:
    return {label: privacy.REGISTRY[label].export_rows(person) for label in COHORT_DECLARATIONS}


def as_text(exported) -> str:
    """The export as the archive's JSON files hold it."""
    return json.dumps(exported, ensure_ascii=False)


def invite(cohort, email, name, by) -> CohortInvitation:
    return CohortInvitation.objects.create(
        cohort=cohort, email=email, display_name=name, invited_by=by,
        expires_at=timezone.now() + timedelta(days=14),
    )  # fmt: skip


@pytest.fixture
def world(db):
    """A trainer, a cohort, and two people with data in every cohorts table: Alba (whose data
    is exported and erased) and Bea (who must never appear in Alba's)."""
    trainer = UserFactory(display_name="Tomás Trainer", email="tomas.private@example.org")
    alba = UserFactory(display_name="Alba", email="alba@example.org")
    bea = UserFactory(display_name="Bea", email="bea.private@example.org")
    cohort = make_cohort("spring", trainer=trainer, capacity=None)
    other = make_cohort("autumn", trainer=trainer, questions=False)
    why, when = cohort.questions.all()
    for person, answer, time in ((alba, "Alba's own answer", "Evenings"),
                                 (bea, "Bea's secret answer", "Mornings")):  # fmt: skip
        services.application_submit(
            cohort=cohort, user=person, answers={str(why.pk): answer, str(when.pk): time}
        )
    application = Application.objects.get(user=alba)
    services.decide(application=application, decision=services.Decision.ACCEPT, by=trainer,
                    message="Welcome, Alba!")  # fmt: skip
    services.decide(application=Application.objects.get(user=bea), by=trainer,
                    decision=services.Decision.ACCEPT, message="Welcome, Bea!")  # fmt: skip
    start = timezone.now() - timedelta(days=2)
    session = LiveSession.objects.create(cohort=cohort, title="First session", starts_at=start,
                                         ends_at=start + timedelta(hours=1))  # fmt: skip
    sessions.attendance_save(session=session, statuses={alba.pk: "present", bea.pk: "absent"},
                             by=trainer)  # fmt: skip
    skill = Skill.objects.create(cohort=cohort, name="First contact")
    services.skill_sign_off(cohort=cohort, skill=skill, user=alba, by=trainer,
                            notes="Alba listens well.")  # fmt: skip
    services.skill_sign_off(cohort=cohort, skill=skill, user=bea, by=trainer,
                            notes="Bea needs more practice.")  # fmt: skip
    sessions.feed_token_new(alba)
    sessions.feed_token_new(bea)
    invite(other, "alba@example.org", "Alba as the trainer typed it", trainer)
    invite(other, "bea.private@example.org", "Bea as the trainer typed it", trainer)
    InvitationCode.objects.create(cohort=other, created_by=trainer, note="Given to Bea")
    return {"trainer": trainer, "alba": alba, "bea": bea, "cohort": cohort, "other": other,
            "session": session, "skill": skill}  # fmt: skip


# --- Export -------------------------------------------------------------------------------------
def test_the_export_holds_the_persons_rows_and_nobody_elses(world):
    alba = world["alba"]
    exported = export(alba)
    text = as_text(exported)

    (application,) = exported["cohorts.Application"]
    assert application["decided_by"] == "Tomás Trainer"
    assert application["message"] == "Welcome, Alba!"
    assert {"question": "Why do you want to join?", "answer": "Alba's own answer"} in (
        application["answers"]
    )
    assert application["decided_at"] and application["submitted_at"]
    assert [m["cohort"] for m in exported["cohorts.Membership"]] == ["Cohort spring"]
    (attendance,) = exported["cohorts.Attendance"]
    assert (attendance["session"], attendance["marked_by"]) == ("First session", "Tomás Trainer")
    (sign_off,) = exported["cohorts.SkillSignOff"]
    assert (sign_off["signed_by"], sign_off["notes"]) == ("Tomás Trainer", "Alba listens well.")
    (invitation,) = exported["cohorts.CohortInvitation"]
    assert invitation["name_typed_by_the_trainer"] == "Alba as the trainer typed it"
    assert len(exported["cohorts.CalendarFeed"]) == 1
    # Nothing she does as a trainer: she trains nothing.
    assert exported["cohorts.Cohort"] == exported["cohorts.InvitationCode"] == []

    # Nobody else's data: Bea's answers, notes, address, invitation; the trainer's address.
    for foreign in ("Bea", "bea.private@example.org", "tomas.private@example.org",
                    "Given to Bea", world["trainer"].email):  # fmt: skip
        assert foreign not in text, foreign
    # The calendar address itself is never kept, so never exported.
    assert CalendarFeed.objects.get(user=alba).token_hash not in text


def test_a_trainers_export_holds_their_cohorts_without_the_people_in_them(world):
    exported = export(world["trainer"])
    text = as_text(exported)

    assert {c["cohort"] for c in exported["cohorts.Cohort"]} == {"Cohort spring", "Cohort autumn"}
    assert len(exported["cohorts.InvitationCode"]) == 1
    # Not the addresses they invited, not the note saying who a code went to, no answers.
    for foreign in ("alba@example.org", "bea.private@example.org", "Given to Bea",
                    "Alba's own answer", "Alba listens well."):  # fmt: skip
        assert foreign not in text, foreign
    assert exported["cohorts.Application"] == exported["cohorts.CohortInvitation"] == []


# --- Erase --------------------------------------------------------------------------------------
def test_erasing_deletes_what_is_personal_and_keeps_anonymous_facts(world):
    alba, bea = world["alba"], world["bea"]

    erase_declared(alba, "cohorts")

    # Deleted: her application and answers, invitations to her address, calendar address.
    assert not Application.objects.filter(user=alba).exists()
    assert not CohortInvitation.objects.filter(email="alba@example.org").exists()
    assert not CalendarFeed.objects.filter(user=alba).exists()
    # Kept, anonymous: the membership (counts), attendance, the sign-off without its notes.
    assert Membership.objects.filter(user=alba, cohort=world["cohort"]).exists()
    assert Attendance.objects.get(user=alba).status == "present"
    assert SkillSignOff.objects.get(user=alba).notes == ""
    # Bea's rows are all there, as they were.
    assert Application.objects.get(user=bea).answers
    assert CohortInvitation.objects.filter(email="bea.private@example.org").exists()
    assert CalendarFeed.objects.filter(user=bea).exists()
    assert SkillSignOff.objects.get(user=bea).notes == "Bea needs more practice."


def test_erasing_finds_invitations_to_every_address_and_notes_that_name_the_person(world):
    """Invitations sent to an address the person added later (or before) are theirs too, and a
    trainer's note on a code of the person's cohort that names them is emptied; in the whole
    registry's order, before their addresses go."""

    alba = world["alba"]
    EmailAddress.objects.create(user=alba, email="alba.second@example.org", verified=False)
    invite(world["other"], "alba.second@example.org", "Alba again", world["trainer"])
    mentions = InvitationCode.objects.create(cohort=world["cohort"], created_by=world["trainer"],
                                             note="For Alba, by phone")  # fmt: skip
    other_note = InvitationCode.objects.create(
        cohort=world["cohort"], created_by=world["trainer"], note="For the group"
    )
    assert len(privacy.REGISTRY["cohorts.CohortInvitation"].export_rows(alba)) == 2

    for declaration in privacy.declarations():  # the registry's order, EmailAddress included
        declaration.erase_rows(alba)

    assert not CohortInvitation.objects.filter(email__startswith="alba").exists()
    assert CohortInvitation.objects.filter(email="bea.private@example.org").exists()
    mentions.refresh_from_db()
    other_note.refresh_from_db()
    assert (mentions.note, other_note.note) == ("", "For the group")
    assert InvitationCode.objects.get(note="Given to Bea")


def test_erasing_is_safe_to_run_twice(world):
    erase_declared(world["alba"], "cohorts")
    erase_declared(world["alba"], "cohorts")
    assert SkillSignOff.objects.filter(user=world["alba"]).count() == 1


def test_erasing_a_trainer_keeps_their_cohorts_and_codes(world):
    trainer = world["trainer"]
    erase_declared(trainer, "cohorts")
    assert set(Cohort.objects.filter(trainers=trainer)) == {world["cohort"], world["other"]}
    assert InvitationCode.objects.filter(created_by=trainer).count() == 1
    # The decisions and marks they made stay, by them ("Former member" once anonymised).
    assert Application.objects.filter(decided_by=trainer).count() == 2
    assert Attendance.objects.filter(marked_by=trainer).count() == 2


# --- Suspend: asking for the deletion leaves every cohort at once -------------------------------
def test_suspending_leaves_every_cohort_and_gives_the_place_to_the_waitlist(
    django_capture_on_commit_callbacks,
):
    alba = UserFactory(display_name="Alba", email="alba@example.org")
    bea = UserFactory(display_name="Bea", email="bea@example.org")
    full = make_cohort("full", mode=Cohort.Mode.OPEN, capacity=1, questions=False,
                       status=Cohort.Status.OPEN)  # fmt: skip
    applied = make_cohort("applied", questions=False)
    services.join_open(cohort=full, user=alba)
    waiting = services.join_open(cohort=full, user=bea)
    assert waiting.status == Application.Status.WAITLISTED
    services.application_submit(cohort=applied, user=alba, answers={})
    mail.outbox = []

    with django_capture_on_commit_callbacks(execute=True):
        privacy.REGISTRY["cohorts.Membership"].suspend(alba)

    assert not Membership.objects.filter(user=alba, left_at__isnull=True).exists()
    assert Membership.objects.get(user=alba).left_at is not None  # kept, as having left
    assert Application.objects.get(user=alba, cohort=applied).status == "withdrawn"
    # Bea had the next place: she is a member now, and told so; Alba is sent nothing.
    assert Membership.objects.filter(user=bea, cohort=full, left_at__isnull=True).exists()
    assert [message.to for message in mail.outbox] == [["bea@example.org"]]
    assert selectors.places_left(full) == 0


def test_suspending_someone_in_no_cohort_does_nothing(volunteer):
    assert privacy.REGISTRY["cohorts.Membership"].suspend(volunteer) == {
        "cohorts": [],
        "applications": [],
    }


# --- A former member in trainers' pages ---------------------------------------------------------
@pytest.fixture
def former(trainer_client):
    """A cohort of the signed-in trainer with two members; one, Alba Vidal, then deleted her
    account (the account row anonymised by hand, her membership and attendance kept)."""
    cohort = make_cohort("spring", trainer=trainer_client.trainer, capacity=None)
    alba = UserFactory(display_name="Alba Vidal", email="alba.vidal@example.org")
    bea = UserFactory(display_name="Bea Ruiz")
    for person in (alba, bea):
        services._admit(cohort, person, Membership.Source.CSV)
    start = timezone.now() - timedelta(days=1)
    session = LiveSession.objects.create(cohort=cohort, title="First session", starts_at=start,
                                         ends_at=start + timedelta(hours=1))  # fmt: skip
    sessions.attendance_save(session=session, statuses={alba.pk: "present", bea.pk: "present"},
                             by=trainer_client.trainer)  # fmt: skip
    anonymise_by_hand(alba)
    return {"cohort": cohort, "alba": alba, "bea": bea, "session": session}


def test_trainers_see_former_member_in_the_cohort_progress_and_attendance(trainer_client, former):
    cohort, label = former["cohort"], str(FORMER_MEMBER_LABEL)
    pages = [
        reverse("cohorts:trainer_cohort", args=[cohort.slug]),
        reverse("cohorts:trainer_progress", args=[cohort.slug]),
        reverse("cohorts:trainer_attendance", args=[cohort.slug, former["session"].pk]),
        reverse("cohorts:trainer_member", args=[cohort.slug, former["alba"].pk]),
    ]
    for url in pages:
        response = trainer_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert label in page, url
        assert "Alba Vidal" not in page and "alba.vidal@example.org" not in page, url
        assert "Bea Ruiz" in page or "members" in url, url


def test_the_progress_export_names_the_former_member_so(trainer_client, former):
    cohort = former["cohort"]
    response = trainer_client.post(reverse("cohorts:trainer_progress_csv", args=[cohort.slug]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    names = sorted(row[0] for row in rows[1:])
    assert names == sorted([str(FORMER_MEMBER_LABEL), "Bea Ruiz"])


def test_counts_stay_right_after_a_deletion(trainer_client, former):
    cohort = former["cohort"]
    (row,) = trainer_cohorts(trainer_client.trainer)
    assert row.members == 2
    assert selectors.places_taken(cohort) == 2
    assert former["session"].attendance.filter(status="present").count() == 2


def test_a_former_member_is_sent_no_message(former, django_capture_on_commit_callbacks):
    """Even with the account still marked active (the deletion sets both), anonymised means
    silent: session changes, reminders and application news go to the others only."""
    alba, session = former["alba"], former["session"]
    assert alba.is_active  # anonymised by hand: only anonymised_at says it
    mail.outbox = []
    assert notify.session_changed(session) == 1
    assert [m.to for m in mail.outbox] == [[former["bea"].email]]
    application = Application.objects.create(
        cohort=former["cohort"], user=alba, status="accepted", decided_at=timezone.now()
    )
    assert notify.application_decided(application) == 0
    assert len(mail.outbox) == 1


def test_the_cohorts_export_says_why_the_person_left(db):
    cohort, other = make_cohort("stay"), make_cohort("gone")
    person, trainer = UserFactory(), UserFactory()
    services._admit(cohort, person, Membership.Source.OPEN)
    services._admit(other, person, Membership.Source.OPEN)
    services.member_remove(cohort=other, user=person, by=trainer)
    rows = {row["cohort"]: row for row in personal_data._memberships(person)}
    assert rows["Cohort gone"]["why_left"] == "Removed by a trainer"
    assert rows["Cohort stay"]["why_left"] == ""

    declaration = next(d for d in declarations() if d.model == "cohorts.Membership")
    assert "why_left" in declaration.labels
