"""A trainer answers a reflection a member of their cohort shared: only that member reads the
answer (on the module's page), they are told by an email that names no content, the answer is
audited; reflections not shared, or of people outside the trainer's cohorts, are not found."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.announcements import reflection_answer
from cohorts.models import Membership
from courses.factories import block_id
from courses.models import Reflection
from tests.cohorts.factories import make_cohort
from training import privacy
from training.factories import UserFactory
from training.models import AuditEntry

pytestmark = pytest.mark.django_db


def _setup(trainer, slug="spring"):
    cohort = make_cohort(slug, trainer=trainer, questions=False)
    member = UserFactory(display_name="Lucía", preferred_language="en")
    services._admit(cohort, member, Membership.Source.CSV)
    module = cohort.courses.get().get_children().specific().first()
    activity = block_id(f"{slug}-course/0/reflection")
    reflection = Reflection.objects.create(
        user=member, module=module, activity_id=activity, text="My draft",
        submitted_text="I felt the weight of the call about the harassment.",
        shared_with_trainers=True, submitted_at=timezone.now(),
    )  # fmt: skip
    return cohort, member, module, reflection


def _url(cohort, reflection):
    return reverse("cohorts:trainer_reflection_reply",
                   args=[cohort.slug, reflection.user_id, reflection.pk])  # fmt: skip


def test_a_trainer_answers_and_only_the_member_reads_it(
    trainer_client, client, django_capture_on_commit_callbacks
):
    cohort, member, module, reflection = _setup(trainer_client.trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(_url(cohort, reflection),
                                       {"reply": "Thank you for sharing. Rest well."})  # fmt: skip
    assert response.status_code == 302
    reflection.refresh_from_db()
    assert reflection.reply == "Thank you for sharing. Rest well."
    assert reflection.replied_by == trainer_client.trainer and reflection.replied_at
    # The trainer sees it on the member's page, with the form to change it.
    page = trainer_client.get(
        reverse("cohorts:trainer_member", args=[cohort.slug, member.pk])
    ).content.decode()
    assert "Thank you for sharing. Rest well." in page
    # The member is told, without its words or the reflection's in the subject or body.
    (message,) = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "A trainer answered your reflection"
    assert "Rest well" not in message.body and "harassment" not in message.body
    assert f"#activity-{reflection.activity_id}" in message.body
    # The member reads it on the module's page.
    client.force_login(member)
    page = client.get(module.url).content.decode()
    assert "Thank you for sharing. Rest well." in page
    assert "Tomás answered the reflection you shared" in page
    # Audited: who answered whom.
    entry = AuditEntry.objects.get(action="reflection.replied")
    assert (entry.actor_id, entry.subject_id) == (trainer_client.trainer.pk, member.pk)


def test_a_corrected_answer_the_same_day_is_not_told_twice_and_can_be_taken_back(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort, _member, _module, reflection = _setup(trainer_client.trainer)
    for text in ("First answer", "Better answer"):
        with django_capture_on_commit_callbacks(execute=True):
            trainer_client.post(_url(cohort, reflection), {"reply": text})
    assert len(mail.outbox) == 1
    reflection.refresh_from_db()
    assert reflection.reply == "Better answer"
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(_url(cohort, reflection), {"action": "remove"})
    reflection.refresh_from_db()
    assert (reflection.reply, reflection.replied_by, reflection.replied_at) == ("", None, None)
    assert AuditEntry.objects.filter(action="reflection.reply_removed").count() == 1


def test_an_answer_is_short(trainer_client):
    cohort, _member, _module, reflection = _setup(trainer_client.trainer)
    trainer_client.post(_url(cohort, reflection), {"reply": "x" * 2001})
    reflection.refresh_from_db()
    assert reflection.reply == ""
    assert not AuditEntry.objects.filter(action="reflection.replied").exists()


def test_a_reflection_not_shared_is_not_found(trainer_client):
    cohort, _member, _module, reflection = _setup(trainer_client.trainer)
    Reflection.objects.filter(pk=reflection.pk).update(shared_with_trainers=False)
    assert trainer_client.post(_url(cohort, reflection), {"reply": "Hi"}).status_code == 404
    reflection.refresh_from_db()
    assert reflection.reply == ""


def test_a_member_of_another_cohort_is_not_found(trainer_client):
    mine = make_cohort("mine", trainer=trainer_client.trainer, questions=False)
    theirs, member, _module, reflection = _setup(UserFactory(), slug="theirs")
    # Through the other trainer's cohort, and through the trainer's own (not a member there).
    for cohort in (theirs, mine):
        response = trainer_client.post(_url(cohort, reflection), {"reply": "Hi"})
        assert response.status_code == 404
    # Someone who left the cohort is no longer the trainers' to answer.
    own, member, _module, reflection = _setup(trainer_client.trainer, slug="own")
    Membership.objects.filter(user=member).update(left_at=timezone.now())
    assert trainer_client.post(_url(own, reflection), {"reply": "Hi"}).status_code == 404
    assert not Reflection.objects.exclude(reply="").exists()
    assert mail.outbox == []


def test_the_answer_is_in_the_members_data_download(trainer, django_capture_on_commit_callbacks):
    cohort, member, _module, reflection = _setup(trainer)
    reflection_answer(cohort=cohort, reflection=reflection, by=trainer, text="Well done.")
    (row,) = privacy.REGISTRY["courses.Reflection"].export_rows(member)
    assert row["reply"] == "Well done." and row["replied_by"] == "Trainer T"
    assert row["replied_at"]


def test_the_answer_says_truthfully_who_can_read_it(
    trainer_client, client, django_capture_on_commit_callbacks
):
    """Every trainer of the member's cohorts sees the answer: nobody is told "only you"."""
    cohort, member, module, reflection = _setup(trainer_client.trainer)
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(_url(cohort, reflection), {"reply": "Well done."},
                                       follow=True)  # fmt: skip
    trainer_page = response.content.decode().replace("&#x27;", "'")
    assert "Only this person and their cohort's trainers can read it." in trainer_page
    assert "Only this person can read it" not in trainer_page
    assert "only this person reads it" not in trainer_page
    assert "Read-only" not in trainer_page
    (message,) = mail.outbox
    assert "Only you can read" not in message.body
    assert "only you and your cohort's trainers can read it" in message.body
    client.force_login(member)
    page = client.get(module.url).content.decode().replace("&#x27;", "'")
    assert "Only you and your cohort's trainers can read this." in page
    assert "answered the reflection you shared" in page
    assert "Only you can read this" not in page
