"""A trainer's view of a member shows what belongs to the trainer's own cohort only: a member of
two cohorts keeps what happens in the other one from this one's trainers."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certificates.models import Requirement, RequirementException, Track
from cohorts import services
from cohorts.models import Attendance, LiveSession, Membership, Skill, SkillSignOff
from courses.models import Reflection
from tests.cohorts.factories import make_cohort
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db


def _past_session(cohort, title, *, trainer, member, status):
    start = timezone.now() - timedelta(days=2)
    session = LiveSession.objects.create(cohort=cohort, title=title, starts_at=start,
                                         ends_at=start + timedelta(hours=1))  # fmt: skip
    Attendance.objects.create(session=session, user=member, status=status, marked_by=trainer,
                              marked_at=timezone.now())  # fmt: skip
    return session


@pytest.fixture
def two_cohorts(trainer_client):
    """Trainer A (the signed-in trainer) runs cohort one; trainer B runs cohort two, which also
    takes cohort one's course (so that course's skills are shared). One member in both."""
    trainer_a = trainer_client.trainer
    trainer_b = UserFactory(display_name="Bea Trainer", roles=[Role.TRAINER])
    coordinator = UserFactory(display_name="Coord Carmen", roles=[Role.COORDINATOR])
    track = Track.objects.create(slug="responders", title="Responders")
    one = make_cohort("one", trainer=trainer_a, track=track)
    two = make_cohort("two", trainer=trainer_b, track=track)
    shared_course = one.courses.get()
    own_course = two.courses.get()
    two.courses.add(shared_course)
    member = UserFactory(display_name="Mar")
    services._admit(one, member, Membership.Source.OPEN)
    services._admit(two, member, Membership.Source.OPEN)

    _past_session(one, "Cohort one session", trainer=trainer_a, member=member, status="absent")
    _past_session(two, "Cohort two supervision", trainer=trainer_b, member=member,
                  status="present")  # fmt: skip
    shared_skill = Skill.objects.create(course=shared_course, name="Safety planning")
    two_skill = Skill.objects.create(cohort=two, name="Documenting abuse")
    client_b = Client()
    login_with_mfa(client_b, trainer_b)
    for skill in (shared_skill, two_skill):
        client_b.post(
            reverse("cohorts:trainer_sign_off", args=[two.slug, member.pk, skill.pk]),
            {"action": "sign", "notes": "Notes from Bea"},
        )
    assert SkillSignOff.objects.filter(cohort=two).count() == 2

    module_one = shared_course.get_children().specific().first()
    module_two = own_course.get_children().specific().first()
    shared = [(module_one, "a", "Reflection for cohort one"),
              (module_two, "b", "Reflection for cohort two only")]  # fmt: skip
    for module, activity, text in shared:
        Reflection.objects.create(user=member, module=module, activity_id=activity,
                                  submitted_text=text, shared_with_trainers=True,
                                  submitted_at=timezone.now())  # fmt: skip

    def requirement(kind, **fields):
        return Requirement.objects.create(track=track, kind=kind, **fields)

    requirement(Requirement.Kind.ATTENDANCE, min_attendance=50)
    requirement(Requirement.Kind.SKILL, skill=shared_skill)
    excepted = requirement(Requirement.Kind.COURSE, course=own_course)
    RequirementException.objects.create(requirement=excepted, user=member,
                                        reason="Reason only coordinators read",
                                        granted_by=coordinator)  # fmt: skip
    return {"one": one, "two": two, "member": member, "shared_skill": shared_skill,
            "client_b": client_b}  # fmt: skip


def test_trainer_a_sees_nothing_of_cohort_two(trainer_client, two_cohorts):
    one, member = two_cohorts["one"], two_cohorts["member"]
    page = trainer_client.get(reverse("cohorts:trainer_member", args=[one.slug, member.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    # What is cohort one's is there.
    assert "Cohort one session" in body and "Reflection for cohort one" in body
    assert "Safety planning" in body  # the shared skill, to sign off here
    # Nothing of cohort two: its sessions, its sign-offs and who made them, its reflections.
    for secret in ("Cohort two supervision", "Bea Trainer", "Notes from Bea",
                   "Reflection for cohort two only", "Documenting abuse"):  # fmt: skip
        assert secret not in body, secret
    assert "Signed off by" not in body
    # The checklist: each requirement's state, no detail that comes from elsewhere.
    assert "Certification: Responders" in body
    assert body.count('— <span class="muted">Met</span>') == 3, body
    for detail in ("Exception granted", "Reason only coordinators read", "Coord Carmen",
                   "attended", "Signed off by a trainer"):  # fmt: skip
        assert detail not in body, detail


def test_trainer_b_sees_their_own_sign_offs(two_cohorts):
    two, member = two_cohorts["two"], two_cohorts["member"]
    body = (
        two_cohorts["client_b"]
        .get(reverse("cohorts:trainer_member", args=[two.slug, member.pk]))
        .content.decode()
    )
    assert "Signed off by Bea Trainer" in body and "Notes from Bea" in body
    assert "Cohort two supervision" in body and "Cohort one session" not in body


def test_trainer_a_cannot_change_or_withdraw_cohort_twos_sign_off(trainer_client, two_cohorts):
    one, member, skill = two_cohorts["one"], two_cohorts["member"], two_cohorts["shared_skill"]
    url = reverse("cohorts:trainer_sign_off", args=[one.slug, member.pk, skill.pk])
    theirs = SkillSignOff.objects.get(skill=skill, cohort=two_cohorts["two"])
    trainer_client.post(url, {"action": "withdraw"})
    assert SkillSignOff.objects.filter(pk=theirs.pk).exists()
    trainer_client.post(url, {"action": "sign", "notes": "Mine"})
    theirs.refresh_from_db()
    assert (theirs.notes, theirs.signed_by.display_name) == ("Notes from Bea", "Bea Trainer")
    mine = SkillSignOff.objects.get(skill=skill, cohort=one)
    assert (mine.notes, mine.signed_by) == ("Mine", trainer_client.trainer)
    body = trainer_client.get(
        reverse("cohorts:trainer_member", args=[one.slug, member.pk])
    ).content.decode()
    assert "Signed off by Tomás" in body and "Bea" not in body
    trainer_client.post(url, {"action": "withdraw"})
    assert not SkillSignOff.objects.filter(cohort=one).exists()
    assert SkillSignOff.objects.filter(pk=theirs.pk).exists()


def test_existing_sign_offs_are_given_the_cohort_they_were_made_in(trainer_client):
    """The data migration: a cohort's skill → that cohort; a course's skill → the cohort of that
    course whose trainers include the signer; no single fit → none (still counts, shown nowhere)."""
    migration = importlib.import_module("cohorts.migrations.0004_sign_offs_belong_to_their_cohort")
    trainer_a, trainer_b = trainer_client.trainer, UserFactory()
    one = make_cohort("one", trainer=trainer_a)
    two = make_cohort("two", trainer=trainer_b)
    course = one.courses.get()
    two.courses.add(course)
    member = UserFactory()
    for cohort in (one, two):
        services._admit(cohort, member, Membership.Source.OPEN)
    own = Skill.objects.create(cohort=two, name="Own")
    shared = Skill.objects.create(course=course, name="Shared")
    unknown_signer = Skill.objects.create(course=course, name="Unknown signer")
    by_b = SkillSignOff.objects.create(skill=shared, user=member, signed_by=trainer_b)
    in_two = SkillSignOff.objects.create(skill=own, user=member, signed_by=trainer_a)
    unclear = SkillSignOff.objects.create(skill=unknown_signer, user=member, signed_by=None)
    migration.forwards(apps, None)
    for sign_off in (by_b, in_two, unclear):
        sign_off.refresh_from_db()
    assert (by_b.cohort, in_two.cohort, unclear.cohort) == (two, two, None)
