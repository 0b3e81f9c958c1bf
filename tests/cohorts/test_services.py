"""Cohort services: applications, decisions, capacity and the waitlist, open and invitation
joins, and the races for the last place on the real PostgreSQL."""

import datetime
import time
from functools import partial

import pytest
from django.db import connection
from django.utils import timezone

from cohorts import selectors, services
from cohorts.models import (
    Application,
    Cohort,
    InvitationCode,
    Membership,
    ScreeningQuestion,
)
from cohorts.services import CohortError, Decision
from courses.factories import make_course, text_block
from courses.models import Enrolment, ModuleProgress
from tests.cohorts import factories
from tests.conftest import skip_or_fail
from tests.helpers import run_together
from training.factories import UserFactory

# Cohorts open for applications from today, in UTC, with no places limit and no questions
# (the factory numbers their addresses); `courses` in their order.
make_cohort = partial(
    factories.make_cohort, slug=None, title="Spring cohort", course=False, questions=False,
    starts_in=0, ends_in=60, time_zone="UTC", capacity=None,
)  # fmt: skip


def people(n):
    return [UserFactory() for _ in range(n)]


def apply(cohort, user, answers=None) -> Application:
    return services.application_submit(cohort=cohort, user=user, answers=answers or {})


def reload(obj):
    obj.refresh_from_db()
    return obj


def active_member(cohort, user) -> bool:
    return Membership.objects.filter(cohort=cohort, user=user, left_at__isnull=True).exists()


def quick_course(slug):
    course, modules = make_course(slug, modules=1, body=lambda i: [text_block(f"{slug}/{i}")])
    return course, modules


@pytest.fixture
def two_courses(db):
    return [quick_course("listening")[0], quick_course("safety-planning")[0]]


@pytest.fixture
def cohort(two_courses):
    return make_cohort(courses=two_courses)


@pytest.fixture
def questions(cohort):
    motivation = ScreeningQuestion.objects.create(
        cohort=cohort, text="Why do you want to join?", kind=ScreeningQuestion.Kind.TEXT,
        sort_order=0,
    )  # fmt: skip
    availability = ScreeningQuestion.objects.create(
        cohort=cohort, text="When are you free?", kind=ScreeningQuestion.Kind.CHOICE,
        choices=["Mornings", "Evenings"], sort_order=1,
    )  # fmt: skip
    extra = ScreeningQuestion.objects.create(
        cohort=cohort, text="Anything else?", required=False, sort_order=2
    )
    return motivation, availability, extra


# --- 1. Application lifecycle -------------------------------------------------------------------
@pytest.mark.django_db
def test_submit_keeps_the_cleaned_answers(cohort, questions, volunteer):
    motivation, availability, _extra = questions
    application = apply(
        cohort, volunteer,
        {str(motivation.pk): "  I listen well.  ", str(availability.pk): "Evenings"},
    )  # fmt: skip
    application = reload(application)
    assert application.status == Application.Status.SUBMITTED
    assert application.answers == {str(motivation.pk): "I listen well.",
                                   str(availability.pk): "Evenings"}  # fmt: skip
    assert application.waitlisted_at is None and application.decided_at is None
    assert not Membership.objects.filter(cohort=cohort).exists()


@pytest.mark.django_db
def test_clean_answers_says_what_is_wrong_beside_each_question(cohort, questions, volunteer):
    motivation, availability, extra = questions
    too_long = "x" * (services.MAX_ANSWER_LENGTH + 1)
    answers, errors = services.clean_answers(
        cohort, {str(motivation.pk): "   ", str(availability.pk): "Weekends",
                 str(extra.pk): too_long},
    )  # fmt: skip
    assert errors == {
        str(motivation.pk): "Please answer this question.",
        str(availability.pk): "Please choose one of the options.",
        str(extra.pk): f"Please keep it under {services.MAX_ANSWER_LENGTH} characters.",
    }
    assert str(motivation.pk) not in answers
    # An optional question left empty is no error, and the longest answer allowed is fine.
    answers, errors = services.clean_answers(
        cohort, {str(motivation.pk): "x" * services.MAX_ANSWER_LENGTH,
                 str(availability.pk): "Mornings"},
    )  # fmt: skip
    assert errors == {}
    assert set(answers) == {str(motivation.pk), str(availability.pk)}

    with pytest.raises(CohortError):
        apply(cohort, volunteer, {str(availability.pk): "Mornings"})  # required text missing
    assert not Application.objects.filter(cohort=cohort, user=volunteer).exists()


@pytest.mark.django_db
def test_accepting_makes_a_member_enrolled_in_every_course(cohort, two_courses, volunteer, trainer):
    application = apply(cohort, volunteer)
    outcome = services.decide(
        application=application, decision=Decision.ACCEPT, by=trainer, message="Welcome!"
    )
    assert outcome == "accepted"
    application = reload(application)
    assert application.status == Application.Status.ACCEPTED
    assert application.decided_by == trainer and application.decided_at is not None
    assert application.message == "Welcome!"
    membership = Membership.objects.get(cohort=cohort, user=volunteer)
    assert membership.active and membership.source == Membership.Source.APPLICATION
    enrolments = Enrolment.objects.filter(user=volunteer)
    assert {e.course_id for e in enrolments} == {c.pk for c in two_courses}
    assert {e.source for e in enrolments} == {"cohort"}
    assert selectors.places_left(cohort) is None
    # Accepting again changes nothing.
    assert services.decide(application=application, decision=Decision.ACCEPT, by=trainer) == (
        "unchanged"
    )
    assert Membership.objects.filter(cohort=cohort).count() == 1


@pytest.mark.django_db
def test_declined_person_is_no_member_and_cannot_apply_again(cohort, volunteer, trainer):
    application = apply(cohort, volunteer)
    outcome = services.decide(
        application=application, decision=Decision.DECLINE, by=trainer, message="Not this time."
    )
    assert outcome == "declined"
    application = reload(application)
    assert application.status == Application.Status.DECLINED
    assert application.message == "Not this time."
    assert not Membership.objects.filter(cohort=cohort, user=volunteer).exists()
    assert not Enrolment.objects.filter(user=volunteer).exists()
    with pytest.raises(CohortError, match="declined"):
        apply(cohort, volunteer)
    assert reload(application).status == Application.Status.DECLINED
    # Withdrawing does not wipe a decline either.
    services.withdraw(cohort=cohort, user=volunteer)
    assert reload(application).status == Application.Status.DECLINED


@pytest.mark.django_db
def test_withdrawn_person_may_apply_again(cohort, questions, volunteer, trainer):
    motivation, availability, _extra = questions
    first = {str(motivation.pk): "First try", str(availability.pk): "Mornings"}
    application = apply(cohort, volunteer, first)
    services.decide(application=application, decision=Decision.WAITLIST, by=trainer, message="m")
    services.withdraw(cohort=cohort, user=volunteer)
    application = reload(application)
    assert application.status == Application.Status.WITHDRAWN
    assert application.waitlisted_at is None
    # A trainer's decision on a withdrawn application changes nothing.
    assert services.decide(application=application, decision=Decision.ACCEPT, by=trainer) == (
        "unchanged"
    )
    assert not Membership.objects.filter(cohort=cohort).exists()

    second = {str(motivation.pk): "Second try", str(availability.pk): "Evenings"}
    again = apply(cohort, volunteer, second)
    assert again.pk == application.pk
    again = reload(again)
    assert again.status == Application.Status.SUBMITTED
    assert again.answers == second
    assert again.decided_by is None and again.decided_at is None and again.message == ""


@pytest.mark.django_db
@pytest.mark.parametrize("decision", [None, Decision.ACCEPT, Decision.WAITLIST])
def test_applying_twice_is_refused(cohort, volunteer, trainer, decision):
    application = apply(cohort, volunteer)
    if decision:
        services.decide(application=application, decision=decision, by=trainer)
    before = reload(application).status
    with pytest.raises(CohortError, match="already applied"):
        apply(cohort, volunteer)
    assert reload(application).status == before
    assert Application.objects.filter(cohort=cohort, user=volunteer).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [
        {"applications_open_at": timezone.now() + datetime.timedelta(days=1)},
        {"applications_close_at": timezone.now() - datetime.timedelta(minutes=1)},
        {"status": Cohort.Status.DRAFT},
        {"status": Cohort.Status.FINISHED},
        {"status": Cohort.Status.ARCHIVED},
    ],
    ids=["before-window", "after-window", "draft", "finished", "archived"],
)
def test_applying_when_the_cohort_takes_nobody_is_refused(volunteer, fields):
    cohort = make_cohort(**fields)
    with pytest.raises(CohortError, match="not taking new people"):
        apply(cohort, volunteer)
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_application_window_edges():
    opens = timezone.now()
    closes = opens + datetime.timedelta(days=7)
    cohort = make_cohort(applications_open_at=opens, applications_close_at=closes,
                         status=Cohort.Status.RUNNING)  # fmt: skip
    assert not cohort.accepts_applications(opens - datetime.timedelta(microseconds=1))
    assert cohort.accepts_applications(opens)
    assert cohort.accepts_applications(closes - datetime.timedelta(microseconds=1))
    assert not cohort.accepts_applications(closes)


@pytest.mark.django_db
def test_each_mode_takes_people_only_its_own_way(volunteer):
    open_cohort = make_cohort(mode=Cohort.Mode.OPEN)
    with pytest.raises(CohortError, match="does not take people this way"):
        apply(open_cohort, volunteer)
    by_application = make_cohort(mode=Cohort.Mode.APPLICATION)
    with pytest.raises(CohortError, match="does not take people this way"):
        services.join_open(cohort=by_application, user=volunteer)
    code = InvitationCode.objects.create(cohort=open_cohort)
    with pytest.raises(CohortError, match="does not take people this way"):
        services.join_with_code(cohort=open_cohort, user=volunteer, code=code.code)
    assert not Application.objects.exists()
    assert not Membership.objects.exists()
    assert reload(code).uses == 0


@pytest.mark.django_db
def test_unknown_decision_is_refused(volunteer, trainer):
    cohort = make_cohort()
    application = apply(cohort, volunteer)
    with pytest.raises(CohortError):
        services.decide(application=application, decision="maybe", by=trainer)
    assert reload(application).status == Application.Status.SUBMITTED


# --- 2. Capacity and the waitlist ---------------------------------------------------------------
@pytest.fixture
def full_cohort(cohort, trainer):
    """Capacity 2; four people applied and were accepted in order: two members, two waiting."""
    cohort.capacity = 2
    cohort.save(update_fields=["capacity"])
    applicants = people(4)
    applications = [apply(cohort, person) for person in applicants]
    outcomes = [
        services.decide(application=a, decision=Decision.ACCEPT, by=trainer) for a in applications
    ]
    return cohort, applicants, applications, outcomes


def test_accepting_beyond_capacity_waitlists_in_order(full_cohort):
    cohort, applicants, applications, outcomes = full_cohort
    assert outcomes == ["accepted", "accepted", "waitlisted", "waitlisted"]
    assert selectors.places_left(cohort) == 0
    a, b, c, d = (reload(x) for x in applications)
    assert [x.status for x in (a, b, c, d)] == ["accepted", "accepted", "waitlisted", "waitlisted"]
    assert c.waitlisted_at < d.waitlisted_at
    assert [selectors.waitlist_position(x) for x in (a, b, c, d)] == [None, None, 1, 2]
    assert not active_member(cohort, applicants[2])
    assert not Enrolment.objects.filter(user=applicants[2]).exists()


def test_accepting_someone_already_waiting_keeps_their_place(full_cohort, trainer):
    _cohort, _applicants, applications, _outcomes = full_cohort
    d = reload(applications[3])
    since = d.waitlisted_at
    decided = d.decided_at
    # Nothing to change: no save, no message (the trainer is told they keep their place).
    assert services.decide(application=d, decision=Decision.ACCEPT, by=trainer) == "unchanged"
    d = reload(d)
    assert d.waitlisted_at == since and d.decided_at == decided
    assert selectors.waitlist_position(d) == 2


def test_a_member_leaving_promotes_the_first_on_the_waitlist(full_cohort, two_courses):
    cohort, applicants, applications, _outcomes = full_cohort
    services.withdraw(cohort=cohort, user=applicants[0])
    a, _b, c, d = (reload(x) for x in applications)
    assert a.status == Application.Status.WITHDRAWN
    assert not active_member(cohort, applicants[0])
    assert c.status == Application.Status.ACCEPTED and c.waitlisted_at is None
    assert active_member(cohort, applicants[2])
    assert {e.course_id for e in Enrolment.objects.filter(user=applicants[2])} == {
        course.pk for course in two_courses
    }
    assert selectors.waitlist_position(c) is None
    assert d.status == Application.Status.WAITLISTED
    assert selectors.waitlist_position(d) == 1
    assert selectors.places_left(cohort) == 0


def test_leaving_the_waitlist_moves_the_next_up_and_promotes_nobody(full_cohort):
    cohort, applicants, applications, _outcomes = full_cohort
    services.withdraw(cohort=cohort, user=applicants[2])
    _a, _b, c, d = (reload(x) for x in applications)
    assert c.status == Application.Status.WITHDRAWN
    assert selectors.waitlist_position(d) == 1
    assert d.status == Application.Status.WAITLISTED
    assert Membership.objects.filter(cohort=cohort, left_at__isnull=True).count() == 2


def test_declining_a_member_frees_the_place_for_the_waitlist(full_cohort, trainer):
    cohort, applicants, applications, _outcomes = full_cohort
    outcome = services.decide(application=applications[1], decision=Decision.DECLINE, by=trainer)
    assert outcome == "declined"
    _a, b, c, d = (reload(x) for x in applications)
    assert b.status == Application.Status.DECLINED
    membership = Membership.objects.get(cohort=cohort, user=applicants[1])
    assert not membership.active
    assert c.status == Application.Status.ACCEPTED
    assert active_member(cohort, applicants[2])
    assert selectors.waitlist_position(d) == 1


def test_raising_the_capacity_then_promoting_fills_the_new_places(full_cohort):
    cohort, applicants, applications, _outcomes = full_cohort
    cohort.capacity = 3
    cohort.save(update_fields=["capacity"])
    promoted = services.promote_waitlist(cohort)
    assert [p.pk for p in promoted] == [applications[2].pk]
    assert active_member(cohort, applicants[2])
    assert reload(applications[3]).status == Application.Status.WAITLISTED
    assert selectors.waitlist_position(reload(applications[3])) == 1
    # No limit: everyone waiting gets in.
    cohort.capacity = None
    cohort.save(update_fields=["capacity"])
    assert [p.pk for p in services.promote_waitlist(cohort)] == [applications[3].pk]
    assert services.promote_waitlist(cohort) == []
    assert Membership.objects.filter(cohort=cohort, left_at__isnull=True).count() == 4


def test_a_member_cannot_be_put_on_the_waitlist(full_cohort, trainer):
    cohort, applicants, applications, _outcomes = full_cohort
    with pytest.raises(CohortError, match="already a member"):
        services.decide(application=applications[0], decision=Decision.WAITLIST, by=trainer)
    assert reload(applications[0]).status == Application.Status.ACCEPTED
    assert active_member(cohort, applicants[0])


def test_waitlist_position_agrees_with_promotion_order_on_equal_times(full_cohort):
    """Two people waitlisted in the same instant: promotion breaks the tie by pk, so the
    positions shown must too (1 and 2, not 1 and 1)."""
    _cohort, _applicants, applications, _outcomes = full_cohort
    c, d = reload(applications[2]), reload(applications[3])
    Application.objects.filter(pk=d.pk).update(waitlisted_at=c.waitlisted_at)
    c, d = reload(c), reload(d)
    assert sorted([selectors.waitlist_position(c), selectors.waitlist_position(d)]) == [1, 2]
    first = min(c, d, key=lambda x: x.pk)
    assert selectors.waitlist_position(first) == 1


# --- 3. Open mode -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_open_cohort_gives_places_until_full_then_waitlists():
    cohort = make_cohort(mode=Cohort.Mode.OPEN, capacity=2)
    a, b, c, d = people(4)
    first = services.join_open(cohort=cohort, user=a)
    second = services.join_open(cohort=cohort, user=b)
    assert isinstance(first, Membership) and isinstance(second, Membership)
    assert first.source == Membership.Source.OPEN
    third = services.join_open(cohort=cohort, user=c)
    fourth = services.join_open(cohort=cohort, user=d)
    assert isinstance(third, Application) and third.status == Application.Status.WAITLISTED
    assert [selectors.waitlist_position(x) for x in (third, fourth)] == [1, 2]
    assert not active_member(cohort, c)
    # Asking again while waiting keeps the place in the queue.
    again = services.join_open(cohort=cohort, user=c)
    assert again.pk == third.pk and reload(again).waitlisted_at == third.waitlisted_at
    assert selectors.waitlist_position(reload(again)) == 1
    # A place frees up: the first waiting gets it.
    services.withdraw(cohort=cohort, user=a)
    assert active_member(cohort, c)
    assert selectors.waitlist_position(reload(fourth)) == 1


@pytest.mark.django_db
def test_joining_twice_returns_the_same_membership(two_courses, volunteer):
    cohort = make_cohort(mode=Cohort.Mode.OPEN, capacity=5, courses=two_courses)
    first = services.join_open(cohort=cohort, user=volunteer)
    second = services.join_open(cohort=cohort, user=volunteer)
    assert isinstance(second, Membership) and second.pk == first.pk
    assert Membership.objects.filter(cohort=cohort).count() == 1
    assert Enrolment.objects.filter(user=volunteer).count() == 2
    assert selectors.places_left(cohort) == 4


@pytest.mark.django_db
def test_leaving_and_joining_again_reactivates_the_membership(volunteer):
    cohort = make_cohort(mode=Cohort.Mode.OPEN, capacity=1)
    membership = services.join_open(cohort=cohort, user=volunteer)
    services.withdraw(cohort=cohort, user=volunteer)
    assert reload(membership).left_at is not None
    assert selectors.membership_of(cohort, volunteer) is None
    assert selectors.places_left(cohort) == 1
    again = services.join_open(cohort=cohort, user=volunteer)
    assert isinstance(again, Membership) and again.pk == membership.pk
    assert reload(again).active
    assert Membership.objects.filter(cohort=cohort).count() == 1
    assert selectors.places_left(cohort) == 0


# --- 4. Invitation codes ------------------------------------------------------------------------
@pytest.fixture
def invitation_cohort(db):
    return make_cohort(mode=Cohort.Mode.INVITATION, capacity=10)


@pytest.mark.django_db
def test_a_valid_code_typed_in_lower_case_joins(invitation_cohort, volunteer, trainer):
    code = InvitationCode.objects.create(cohort=invitation_cohort, max_uses=2, created_by=trainer)
    result = services.join_with_code(
        cohort=invitation_cohort, user=volunteer, code=f"  {code.code.lower()} "
    )
    assert isinstance(result, Membership)
    assert result.source == Membership.Source.INVITATION and result.active
    assert reload(code).uses == 1
    # A member typing it again is told so, and the code is not used up by it.
    with pytest.raises(CohortError, match="already a member"):
        services.join_with_code(cohort=invitation_cohort, user=volunteer, code=code.code)
    assert reload(code).uses == 1


@pytest.mark.django_db
@pytest.mark.parametrize("problem", ["other-cohort", "expired", "used-up", "inactive", "unknown"])
def test_an_unusable_code_changes_nothing(invitation_cohort, volunteer, problem):
    cohort = invitation_cohort
    code = InvitationCode.objects.create(cohort=cohort, max_uses=3, uses=1)
    if problem == "other-cohort":
        code.cohort = make_cohort(mode=Cohort.Mode.INVITATION)
    elif problem == "expired":
        code.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    elif problem == "used-up":
        code.uses = code.max_uses
    elif problem == "inactive":
        code.active = False
    code.save()
    typed = "NOSUCHCODE" if problem == "unknown" else code.code
    uses_before = code.uses
    with pytest.raises(CohortError, match="not valid"):
        services.join_with_code(cohort=cohort, user=volunteer, code=typed)
    assert reload(code).uses == uses_before
    assert not Membership.objects.filter(user=volunteer).exists()
    assert not Application.objects.filter(user=volunteer).exists()


@pytest.mark.django_db
def test_a_code_for_a_full_cohort_waitlists(volunteer):
    cohort = make_cohort(mode=Cohort.Mode.INVITATION, capacity=1)
    codes = [InvitationCode.objects.create(cohort=cohort) for _ in range(2)]
    other = UserFactory()
    services.join_with_code(cohort=cohort, user=other, code=codes[0].code)
    result = services.join_with_code(cohort=cohort, user=volunteer, code=codes[1].code)
    assert isinstance(result, Application)
    assert result.status == Application.Status.WAITLISTED
    assert selectors.waitlist_position(result) == 1
    assert not active_member(cohort, volunteer)


# --- 6. Leaving keeps progress ------------------------------------------------------------------
@pytest.mark.django_db
def test_leaving_keeps_course_enrolments_and_progress(volunteer):
    course, modules = quick_course("boundaries")
    cohort = make_cohort(mode=Cohort.Mode.OPEN, courses=[course])
    services.join_open(cohort=cohort, user=volunteer)
    enrolment = Enrolment.objects.get(user=volunteer, course=course)
    progress = ModuleProgress.objects.create(user=volunteer, module=modules[0], course=course)
    services.withdraw(cohort=cohort, user=volunteer)
    assert not active_member(cohort, volunteer)
    assert Enrolment.objects.filter(pk=enrolment.pk, source="cohort").exists()
    assert ModuleProgress.objects.filter(pk=progress.pk).exists()
    # Joining again does not make a second enrolment.
    services.join_open(cohort=cohort, user=volunteer)
    assert Enrolment.objects.filter(user=volunteer, course=course).count() == 1


@pytest.mark.django_db
def test_a_declined_member_keeps_their_enrolments(cohort, two_courses, volunteer, trainer):
    application = apply(cohort, volunteer)
    services.decide(application=application, decision=Decision.ACCEPT, by=trainer)
    services.decide(application=application, decision=Decision.DECLINE, by=trainer)
    assert not active_member(cohort, volunteer)
    assert Enrolment.objects.filter(user=volunteer).count() == len(two_courses)


# --- 5. Races on PostgreSQL ---------------------------------------------------------------------
def needs_postgresql():
    if connection.vendor != "postgresql":
        skip_or_fail("row locks need PostgreSQL: set DATABASE_URL")


ROUNDS = 5


@pytest.mark.django_db(transaction=True)
def test_two_people_joining_for_the_last_place_at_once_get_one_place():
    needs_postgresql()
    for round_ in range(ROUNDS):
        cohort = make_cohort(mode=Cohort.Mode.OPEN, capacity=1, slug=f"race-open-{round_}")
        a, b = people(2)
        results = run_together(
            lambda c=cohort, u=a: services.join_open(cohort=c, user=u),
            lambda c=cohort, u=b: services.join_open(cohort=c, user=u),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sorted(type(r).__name__ for r in results) == ["Application", "Membership"]
        assert Membership.objects.filter(cohort=cohort).count() == 1
        member = Membership.objects.get(cohort=cohort).user
        waiting = b if member == a else a
        application = Application.objects.get(cohort=cohort)
        assert application.user == waiting
        assert application.status == Application.Status.WAITLISTED
        assert selectors.waitlist_position(application) == 1


@pytest.mark.django_db(transaction=True)
def test_two_trainers_accepting_for_the_last_place_at_once_accept_one():
    needs_postgresql()
    trainer = UserFactory()
    for round_ in range(ROUNDS):
        cohort = make_cohort(capacity=1, slug=f"race-accept-{round_}")
        applications = [apply(cohort, person) for person in people(2)]
        results = run_together(
            *(
                lambda a=application: services.decide(
                    application=a, decision=Decision.ACCEPT, by=trainer
                )
                for application in applications
            )
        )
        assert sorted(results, key=str) == ["accepted", "waitlisted"], results
        assert Membership.objects.filter(cohort=cohort, left_at__isnull=True).count() == 1
        statuses = sorted(
            Application.objects.filter(cohort=cohort).values_list("status", flat=True)
        )
        assert statuses == ["accepted", "waitlisted"]


@pytest.mark.django_db(transaction=True)
def test_the_same_application_sent_twice_at_once_is_recorded_once(monkeypatch):
    """A double click on "apply": one application, the other attempt told it already exists
    (a CohortError the view can show, not a database error).

    A new application waits a moment before it is written, so that both requests have looked
    for an existing one before either writes: without a lock, both find none."""
    needs_postgresql()
    save = Application.save

    def slow_save(self, *args, **kwargs):
        if self.pk is None:
            time.sleep(0.2)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Application, "save", slow_save)
    for round_ in range(2):
        person = UserFactory()
        cohort = make_cohort(slug=f"race-submit-{round_}")
        results = run_together(
            lambda c=cohort, u=person: apply(c, u),
            lambda c=cohort, u=person: apply(c, u),
        )
        kinds = sorted(type(r).__name__ for r in results)
        assert kinds == ["Application", "CohortError"], (round_, results)
        assert Application.objects.filter(cohort=cohort, user=person).count() == 1


# --- Found in review: the queue is fair, and decisions stay decisions -------------------------
@pytest.mark.django_db
def test_a_newcomer_waits_behind_people_already_waiting():
    cohort = make_cohort(mode=Cohort.Mode.OPEN, capacity=1)
    first, waiting, newcomer = people(3)
    services.join_open(cohort=cohort, user=first)
    services.join_open(cohort=cohort, user=waiting)
    Cohort.objects.filter(pk=cohort.pk).update(capacity=2)  # raised, nobody promoted yet
    result = services.join_open(cohort=reload(cohort), user=newcomer)
    assert active_member(cohort, waiting), "the place went to the person who waited"
    assert isinstance(result, Application) and result.status == Application.Status.WAITLISTED


@pytest.mark.django_db
def test_promotion_records_how_the_cohort_takes_people():
    cohort = make_cohort(mode=Cohort.Mode.OPEN, capacity=1)
    first, second = people(2)
    services.join_open(cohort=cohort, user=first)
    services.join_open(cohort=cohort, user=second)
    services.withdraw(cohort=cohort, user=first)
    membership = Membership.objects.get(cohort=cohort, user=second)
    assert membership.source == Membership.Source.OPEN


@pytest.mark.django_db
def test_someone_waiting_does_not_use_up_a_code_again():
    cohort = make_cohort(mode=Cohort.Mode.INVITATION, capacity=1)
    services._admit(cohort, UserFactory(), Membership.Source.DEMO)
    code = InvitationCode.objects.create(cohort=cohort, max_uses=2)
    person = UserFactory()
    services.join_with_code(cohort=cohort, user=person, code=code.code)
    with pytest.raises(services.CohortError):
        services.join_with_code(cohort=cohort, user=person, code=code.code)
    assert reload(code).uses == 1


def test_a_person_declined_from_an_open_cohort_cannot_join_it_again(trainer):
    cohort = make_cohort(mode=Cohort.Mode.OPEN, capacity=1)
    services._admit(cohort, UserFactory(), Membership.Source.DEMO)
    person = UserFactory()
    waiting = services.join_open(cohort=cohort, user=person)
    services.decide(application=waiting, decision="decline", by=trainer)
    with pytest.raises(services.CohortError):
        services.join_open(cohort=cohort, user=person)
    assert not active_member(cohort, person)


@pytest.mark.django_db
def test_codes_are_kept_in_capitals():
    code = InvitationCode.objects.create(cohort=make_cohort(), code=" abc123xyz ")
    assert reload(code).code == "ABC123XYZ"
