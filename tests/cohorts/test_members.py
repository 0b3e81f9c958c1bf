"""A trainer removes a member, or moves them to another cohort of the same course: progress kept,
the person told (in their language), the freed place given to the first on the waitlist (told
truthfully), the action in the audit log; and the members list says how each person joined."""

import html
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import selectors, services
from cohorts.models import Application, Cohort, Membership
from courses.models import Enrolment, ModuleProgress
from tests.cohorts.factories import make_cohort
from training.factories import UserFactory
from training.models import AuditEntry

pytestmark = pytest.mark.django_db


def _member(cohort, person, source=Membership.Source.APPLICATION):
    with_place = services._admit  # the one way in that enrols in the courses
    with_place(cohort, person, source)
    return person


def _sibling(cohort, slug, *, trainer, capacity=10, **extra) -> Cohort:
    """Another cohort taking the same course."""
    other = Cohort.objects.create(
        slug=slug, title=f"Cohort {slug}", working_language="en", time_zone="UTC",
        starts_on=date.today() + timedelta(days=40), ends_on=date.today() + timedelta(days=100),
        status=Cohort.Status.OPEN, capacity=capacity, **extra,
    )  # fmt: skip
    other.courses.add(*cohort.courses.all())
    other.trainers.add(trainer)
    return other


def _progress(person, cohort):
    course = cohort.courses.get()
    module = course.get_children().specific().first()
    return ModuleProgress.objects.create(
        user=person, module=module, course=course, status="completed", completed_at=timezone.now()
    )


def test_a_trainer_removes_a_member_who_is_told_and_whose_place_goes_to_the_waitlist(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=1, mode=Cohort.Mode.OPEN)
    gone = _member(cohort, UserFactory(display_name="Ana G.", preferred_language="es"))
    progress = _progress(gone, cohort)
    waiting = UserFactory(display_name="Next", preferred_language="fr")
    services.join_open(cohort=cohort, user=waiting)  # full: waits
    mail.outbox.clear()
    url = reverse("cohorts:trainer_member_place", args=[cohort.slug, gone.pk])

    page = trainer_client.get(url)  # a confirmation page: nothing done on GET
    assert page.status_code == 200
    assert selectors.membership_of(cohort, gone) is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(url, {"action": "remove", "message": "Gracias por todo."})
    assert response.status_code == 302

    membership = Membership.objects.get(cohort=cohort, user=gone)
    assert membership.left_at is not None and membership.left_reason == "removed"
    # Progress belongs to the person: kept.
    assert ModuleProgress.objects.filter(pk=progress.pk).exists()
    assert Enrolment.objects.filter(user=gone, course=cohort.courses.get()).exists()
    # They cannot come back in by themselves; a trainer may accept them again.
    with pytest.raises(services.CohortError):
        services.join_open(cohort=cohort, user=gone)
    # The freed place went to the first waiting.
    assert selectors.membership_of(cohort, waiting) is not None

    told = {message.to[0]: message for message in mail.outbox}
    assert len(mail.outbox) == 2
    removed = told[gone.email]
    # In the person's language (the frame: greeting, "their message", footer) with the name
    # they chose, and no doubled full stop after "Ana G.".
    assert removed.body.startswith("Hola, Ana G.:")
    # The trainers' words, labelled as theirs (not "Su mensaje", read as the person's own).
    assert ":\nGracias por todo." in removed.body and "Su mensaje" not in removed.body
    assert "Elige qué mensajes recibes:" in removed.body
    assert "Cohort spring" not in removed.subject  # discreet subject
    assert "Cohort spring" in removed.body
    promoted = told[waiting.email]
    assert "Choisissez les messages que vous recevez" in promoted.body
    assert "Cohort spring" in promoted.body and "full" not in promoted.body

    entry = AuditEntry.objects.get(action="cohort.member_removed")
    assert (entry.actor, entry.subject, entry.detail["cohort"]) == (
        trainer_client.trainer, gone, cohort.pk)  # fmt: skip
    assert "Gracias" not in str(entry.detail)  # the message is the person's, not the log's


def test_a_trainer_moves_a_member_to_another_cohort_of_the_same_course(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer)
    other = _sibling(cohort, "autumn", trainer=trainer_client.trainer)
    person = _member(cohort, UserFactory(display_name="Moved", preferred_language="en"))
    progress = _progress(person, cohort)
    mail.outbox.clear()
    url = reverse("cohorts:trainer_member_place", args=[cohort.slug, person.pk])
    page = html.unescape(trainer_client.get(url).content.decode())
    assert "Cohort autumn" in page  # offered as a target

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(url, {"action": "move", "to": other.pk})
    assert response.status_code == 302
    old = Membership.objects.get(cohort=cohort, user=person)
    assert old.left_at is not None and old.left_reason == "moved"
    new = Membership.objects.get(cohort=other, user=person, left_at__isnull=True)
    assert new.source == "moved"
    assert ModuleProgress.objects.filter(pk=progress.pk).exists()  # progress kept
    (told,) = mail.outbox
    assert told.to == [person.email]
    assert "from the cohort “Cohort spring” to the cohort “Cohort autumn”" in told.body
    assert "progress in the courses is kept" in told.body
    entry = AuditEntry.objects.get(action="cohort.member_moved")
    assert (entry.subject, entry.detail["cohort"], entry.detail["to_cohort"]) == (
        person, cohort.pk, other.pk)  # fmt: skip
    # The other cohort's list says how they came.
    listed = trainer_client.get(reverse("cohorts:trainer_cohort", args=[other.slug]))
    assert "Moved from another cohort" in listed.content.decode()


def test_a_move_is_refused_to_a_full_or_unrelated_or_foreign_cohort(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    person = _member(cohort, UserFactory())
    full = _sibling(cohort, "full", trainer=trainer_client.trainer, capacity=0)
    unrelated = make_cohort("unrelated", trainer=trainer_client.trainer)  # another course
    foreign = _sibling(cohort, "foreign", trainer=UserFactory())  # not this trainer's
    with pytest.raises(services.CohortError, match="full"):
        services.member_move(cohort=cohort, user=person, to=full, by=trainer_client.trainer)
    with pytest.raises(services.CohortError, match="same course"):
        services.member_move(cohort=cohort, user=person, to=unrelated, by=trainer_client.trainer)
    url = reverse("cohorts:trainer_member_place", args=[cohort.slug, person.pk])
    response = trainer_client.post(url, {"action": "move", "to": foreign.pk})
    assert response.status_code == 200  # not a choice offered to this trainer
    assert selectors.membership_of(cohort, person) is not None
    assert not Membership.objects.filter(cohort=foreign).exists()
    assert not AuditEntry.objects.filter(action="cohort.member_moved").exists()


def test_another_trainers_member_cannot_be_moved_or_removed(trainer_client):
    cohort = make_cohort(trainer=UserFactory())
    person = _member(cohort, UserFactory())
    url = reverse("cohorts:trainer_member_place", args=[cohort.slug, person.pk])
    assert trainer_client.get(url).status_code == 404
    assert trainer_client.post(url, {"action": "remove"}).status_code == 404
    assert selectors.membership_of(cohort, person) is not None


def test_the_members_list_says_how_each_joined_and_offers_move_or_remove(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    _member(cohort, UserFactory(display_name="Invited one"), Membership.Source.INVITED)
    _member(cohort, UserFactory(display_name="Applied one"), Membership.Source.APPLICATION)
    page = html.unescape(
        trainer_client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug])).content.decode()
    )
    assert "Accepted a trainer's invitation" in page  # bulk-enrolled, shown as such
    assert "Application accepted" in page
    assert 'aria-label="Move or remove Invited one"' in page


def test_leaving_records_why(db):
    cohort = make_cohort()
    person = _member(cohort, UserFactory())
    services.withdraw(cohort=cohort, user=person)
    assert Membership.objects.get(user=person).left_reason == "withdrew"
    services._admit(cohort, person, Membership.Source.OPEN)  # back: no reason any more
    assert Membership.objects.get(user=person).left_reason == ""
    application = Application.objects.create(cohort=cohort, user=person, status="accepted")
    services.decide(application=application, decision="decline", by=None)
    assert Membership.objects.get(user=person).left_reason == "declined"


def test_the_cohort_page_keeps_its_query_count_as_members_and_the_waitlist_grow(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=None)
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])

    def grow(n):
        for _ in range(n):
            _member(cohort, UserFactory(), Membership.Source.INVITED)
            Application.objects.create(cohort=cohort, user=UserFactory(), status="waitlisted",
                                       waitlisted_at=timezone.now())  # fmt: skip

    def count():
        with CaptureQueriesContext(connection) as queries:
            for status in ("submitted", "waitlisted"):
                assert trainer_client.get(url, {"status": status}).status_code == 200
        return len(queries)

    grow(2)
    small = count()
    grow(10)
    assert count() == small


def test_a_move_never_jumps_the_other_cohorts_waitlist(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    person = _member(cohort, UserFactory(display_name="Mover"))
    other = _sibling(cohort, "queued", trainer=trainer_client.trainer, capacity=5)
    waiting = Application.objects.create(cohort=other, user=UserFactory(), status="waitlisted",
                                         waitlisted_at=timezone.now())  # fmt: skip
    url = reverse("cohorts:trainer_member_place", args=[cohort.slug, person.pk])
    page = html.unescape(
        trainer_client.post(url, {"action": "move", "to": other.pk}, follow=True).content.decode()
    )
    assert "People are waiting for a place in that cohort" in page
    assert selectors.membership_of(cohort, person) is not None
    assert not Membership.objects.filter(cohort=other).exists()
    waiting.refresh_from_db()
    assert waiting.status == "waitlisted"
    # First in that queue themselves: nobody is passed, the move is done.
    waiting.delete()
    Application.objects.create(cohort=other, user=person, status="waitlisted",
                               waitlisted_at=timezone.now())  # fmt: skip
    Application.objects.create(cohort=other, user=UserFactory(), status="waitlisted",
                               waitlisted_at=timezone.now() + timedelta(minutes=1))  # fmt: skip
    services.member_move(cohort=cohort, user=person, to=other, by=trainer_client.trainer)
    assert selectors.membership_of(other, person) is not None


@pytest.mark.parametrize("source", [Membership.Source.OPEN, Membership.Source.INVITATION,
                                    Membership.Source.APPLICATION])  # fmt: skip
def test_a_removed_member_reads_that_the_trainers_ended_their_place(client, source):
    cohort = make_cohort()
    trainer = cohort.trainers.first() or UserFactory()
    person = _member(cohort, UserFactory(display_name="Gone"), source)
    if source == Membership.Source.APPLICATION:
        Application.objects.create(cohort=cohort, user=person, status="accepted")
    services.member_remove(cohort=cohort, user=person, by=trainer, message="Thanks")
    client.force_login(person)
    page = html.unescape(client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode())
    place = page[page.index('id="place-heading"') :].split("</section>")[0]
    assert "The trainers ended your place in this cohort." in place
    words = re.sub(r"<[^>]+>", " ", place)  # what the person reads
    assert "Declined" not in words and "application" not in words.lower()
    assert "Thanks" in place


def test_a_member_who_joined_by_code_and_left_is_not_told_about_an_application(client):
    cohort = make_cohort()
    person = _member(cohort, UserFactory(), Membership.Source.INVITATION)
    services.withdraw(cohort=cohort, user=person)
    client.force_login(person)
    page = html.unescape(client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode())
    place = page[page.index('id="place-heading"') :].split("</section>")[0]
    assert "You left this cohort." in place
    assert "Withdrawn" not in place and "Declined" not in place
