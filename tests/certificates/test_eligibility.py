"""Eligibility: each kind of requirement, their combination, exceptions and the renewal path."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from certificates import eligibility, services
from certificates.models import (
    Certificate,
    CertificationEvent,
    Requirement,
    RequirementException,
    add_months,
)
from cohorts.models import Attendance, SkillSignOff
from courses.factories import make_course
from courses.models import CourseProgress

from .factories import (
    add_requirement,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_session,
    make_skill,
    make_track,
    mark,
    person,
    publish_version,
)
from .helpers import refused

pytestmark = pytest.mark.django_db
Kind = Requirement.Kind


def only_check(result):
    assert len(result.checks) == 1
    return result.checks[0]


# --- Courses ------------------------------------------------------------------------------------
def test_a_course_counts_once_completed(volunteer):
    track = make_track()
    course, _modules = make_course("listening", modules=1)
    add_requirement(track, Kind.COURSE, course=course)

    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (False, "Not completed yet")

    progress = CourseProgress.objects.create(user=volunteer, course=course,
                                             last_activity_at=timezone.now())  # fmt: skip
    assert only_check(eligibility.compute(volunteer, track)).met is False  # started, not done

    progress.completed_at = timezone.now()
    progress.save()
    result = eligibility.compute(volunteer, track)
    check = only_check(result)
    assert (check.met, check.detail, check.done_at) == (True, "Completed", progress.completed_at)
    assert result.eligible and result.stage == "working"


def test_another_persons_completion_does_not_count(volunteer):
    track = make_track()
    course, _modules = make_course("listening", modules=1)
    add_requirement(track, Kind.COURSE, course=course)
    CourseProgress.objects.create(user=person(), course=course, completed_at=timezone.now())
    assert not eligibility.compute(volunteer, track).eligible


# --- Attendance ---------------------------------------------------------------------------------
def test_attendance_counts_present_late_and_allowed_catch_up_of_active_track_cohorts(volunteer):
    track = make_track()
    other_track = make_track()
    at_least_66 = add_requirement(track, Kind.ATTENDANCE, min_attendance=66)
    at_least_67 = add_requirement(track, Kind.ATTENDANCE, min_attendance=67)

    catch_up_allowed = make_cohort(track, catch_up_counts=True)
    join(catch_up_allowed, volunteer)
    mark(make_session(catch_up_allowed), volunteer, Attendance.Status.PRESENT)  # counts
    mark(make_session(catch_up_allowed), volunteer, Attendance.Status.LATE)  # counts
    mark(make_session(catch_up_allowed), volunteer, Attendance.Status.ABSENT,
         caught_up=True)  # counts: this cohort allows catching up  # fmt: skip
    mark(make_session(catch_up_allowed), volunteer, Attendance.Status.EXCUSED)  # does not count
    # Cancelled: neither attended nor counted in the total.
    mark(make_session(catch_up_allowed, cancelled=True), volunteer, Attendance.Status.PRESENT)

    no_catch_up = make_cohort(track, catch_up_counts=False)
    join(no_catch_up, volunteer)
    mark(make_session(no_catch_up), volunteer, "", caught_up=True)  # does not count here
    mark(make_session(no_catch_up), volunteer, Attendance.Status.PRESENT)  # counts

    # Sessions of a cohort on another track, or of a cohort the person left, are not counted.
    elsewhere = make_cohort(other_track)
    join(elsewhere, volunteer)
    for _ in range(3):
        mark(make_session(elsewhere), volunteer, Attendance.Status.ABSENT)
    left = make_cohort(track)
    join(left, volunteer, left=True)
    for _ in range(3):
        mark(make_session(left), volunteer, Attendance.Status.ABSENT)
    # Someone else's attendance does not count for this person.
    someone = person()
    join(catch_up_allowed, someone)
    mark(catch_up_allowed.sessions.filter(attendance__status="excused").get(), someone)

    result = eligibility.compute(volunteer, track)
    checks = {check.requirement.pk: check for check in result.checks}
    # 4 of 6: two present, one late, one allowed catch-up; 4/6 = 66.7%.
    assert checks[at_least_66.pk].detail == "4 of 6 attended"
    assert checks[at_least_66.pk].met is True
    assert checks[at_least_67.pk].met is False
    assert (result.met, result.total) == (1, 2)


def test_attendance_without_sessions_is_not_met(volunteer):
    track = make_track()
    add_requirement(track, Kind.ATTENDANCE, min_attendance=10)
    cohort = make_cohort(track)
    join(cohort, volunteer)
    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (False, "No live sessions yet")
    make_session(cohort, cancelled=True)
    assert only_check(eligibility.compute(volunteer, track)).detail == "No live sessions yet"


# --- Skills -------------------------------------------------------------------------------------
def test_a_skill_counts_once_signed_off(volunteer, trainer):
    track = make_track()
    cohort = make_cohort(track)
    skill = make_skill(cohort, "First contact role-play")
    other_skill = make_skill(cohort)
    add_requirement(track, Kind.SKILL, skill=skill)
    SkillSignOff.objects.create(skill=other_skill, user=volunteer, signed_by=trainer)

    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (False, "Not signed off yet")
    assert check.label == "Skill signed off: First contact role-play"

    SkillSignOff.objects.create(skill=skill, user=volunteer, signed_by=trainer)
    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (True, "Signed off by a trainer")


def test_a_sign_off_or_presence_a_person_gave_themselves_never_counts(volunteer, trainer):
    """Cohorts refuses to record them; rows made before it did must not certify anyone."""
    track = make_track()
    add_requirement(track, Kind.ATTENDANCE, min_attendance=100)
    cohort = make_cohort(track)
    join(cohort, volunteer)
    skill = make_skill(cohort, "Self-care plan")
    skill_requirement = add_requirement(track, Kind.SKILL, skill=skill)
    SkillSignOff.objects.create(skill=skill, user=volunteer, signed_by=volunteer)
    own = mark(make_session(cohort), volunteer, Attendance.Status.PRESENT)
    own.marked_by = volunteer
    own.save()

    result = eligibility.compute(volunteer, track)
    assert result.met == 0
    own.marked_by = trainer
    own.save()
    SkillSignOff.objects.filter(user=volunteer).update(signed_by=trainer)
    result = eligibility.compute(volunteer, track)
    assert result.met == 2
    assert {c.requirement.pk for c in result.checks if c.met} >= {skill_requirement.pk}


# --- Agreements ---------------------------------------------------------------------------------
def test_only_a_signature_of_the_current_version_counts(volunteer):
    track = make_track()
    agreement = make_agreement(title="Code of conduct")
    add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (False, "Not signed yet")

    services.agreement_sign(user=volunteer, version=agreement.current_version())
    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (True, "Signed (version 1)")

    second = publish_version(agreement, "We also never contact the aggressor.")
    check = only_check(eligibility.compute(volunteer, track))
    assert check.met is False
    assert check.detail.startswith("A new version")

    services.agreement_sign(user=volunteer, version=second)
    services.agreement_sign(user=volunteer, version=second)  # signing twice is harmless
    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (True, "Signed (version 2)")


# --- Everything together ------------------------------------------------------------------------
@pytest.fixture
def four(volunteer, trainer):
    """A track with one requirement of each kind; the volunteer meets all but the skill."""
    track = make_track(title="Peer supporter")
    course, _modules = make_course("harassment-response", modules=1, title="Harassment response")
    cohort = make_cohort(track)
    join(cohort, volunteer)
    skill = make_skill(cohort, "Safety planning")
    agreement = make_agreement(title="Code of conduct")
    requirements = {
        "course": add_requirement(track, Kind.COURSE, course=course),
        "attendance": add_requirement(track, Kind.ATTENDANCE, min_attendance=50),
        "skill": add_requirement(track, Kind.SKILL, skill=skill),
        "agreement": add_requirement(track, Kind.AGREEMENT, agreement=agreement),
    }
    CourseProgress.objects.create(user=volunteer, course=course, completed_at=timezone.now())
    mark(make_session(cohort), volunteer)
    make_session(cohort)
    services.agreement_sign(user=volunteer, version=agreement.current_version())
    return track, requirements, skill


def test_three_of_four_names_the_missing_requirement(volunteer, four):
    track, requirements, _skill = four
    result = eligibility.compute(volunteer, track)
    assert (result.met, result.total, result.eligible) == (3, 4, False)
    assert [c.requirement.pk for c in result.missing] == [requirements["skill"].pk]
    assert result.summary == (
        "3 of 4 requirements met — Skill signed off: Safety planning: Not signed off yet"
    )
    # The checks keep the track's order.
    assert [c.requirement.kind for c in result.checks] == [
        "course",
        "attendance",
        "skill",
        "agreement",
    ]


def test_evaluate_keeps_a_snapshot_and_certifies_when_everything_is_met(volunteer, trainer, four):
    track, requirements, skill = four
    services.certification_evaluate(user=volunteer, track=track)
    snapshot = track.snapshots.get(user=volunteer)
    assert (snapshot.met, snapshot.total, snapshot.eligible) == (3, 4, False)
    # Requirement ids, not labels: the coordinator's page names them in the reader's language.
    assert snapshot.missing == [requirements["skill"].pk]
    assert not Certificate.objects.exists()

    SkillSignOff.objects.create(skill=skill, user=volunteer, signed_by=trainer)
    result = services.certification_evaluate(user=volunteer, track=track)
    assert result.eligible
    certificate = Certificate.objects.get(user=volunteer, track=track)
    assert certificate.period == 1
    assert certificate.valid_from == timezone.localdate()
    assert certificate.expires_on == add_months(timezone.localdate(), track.validity_months)
    assert list(CertificationEvent.objects.filter(certificate=certificate)
                .values_list("kind", flat=True)) == ["issued"]  # fmt: skip
    snapshot.refresh_from_db()
    assert (snapshot.eligible, snapshot.path) == (False, "")
    assert eligibility.compute(volunteer, track).stage == "certified"


# --- Exceptions ---------------------------------------------------------------------------------
def test_an_exception_counts_as_met_and_needs_a_reason(volunteer, coordinator, four):
    track, requirements, _skill = four
    with refused("reason"):
        services.exception_grant(user=volunteer, requirement=requirements["skill"],
                                 reason="   ", by=coordinator)  # fmt: skip
    assert not RequirementException.objects.exists()

    exception = services.exception_grant(
        user=volunteer, requirement=requirements["skill"],
        reason="Signed off in the partner helpline's training.", by=coordinator,
    )  # fmt: skip
    result = eligibility.compute(volunteer, track)
    assert result.eligible
    check = result.checks[2]
    assert (check.met, check.exception, check.detail) == (
        True, exception, "Exception granted by a coordinator"
    )  # fmt: skip
    assert CertificationEvent.objects.filter(
        kind=CertificationEvent.Kind.EXCEPTION, user=volunteer, actor=coordinator,
        note__contains="partner helpline",
    ).exists()  # fmt: skip
    with refused("exists"):
        services.exception_grant(user=volunteer, requirement=requirements["skill"],
                                 reason="Again.", by=coordinator)  # fmt: skip


def test_a_withdrawn_exception_does_not_count(volunteer, coordinator, four):
    track, requirements, _skill = four
    exception = services.exception_grant(user=volunteer, requirement=requirements["skill"],
                                         reason="Prior training.", by=coordinator)  # fmt: skip
    services.exception_withdraw(exception=exception, by=coordinator)
    result = eligibility.compute(volunteer, track)
    assert (result.met, result.eligible) == (3, False)
    assert result.missing[0].exception is None
    # A new exception may be granted after a withdrawal.
    services.exception_grant(user=volunteer, requirement=requirements["skill"],
                             reason="Checked again.", by=coordinator)  # fmt: skip
    assert eligibility.compute(volunteer, track).eligible


def test_an_exception_is_used_up_by_the_certificate_it_helped_issue(volunteer, coordinator,
                                                                     four):  # fmt: skip
    track, requirements, _skill = four
    exception = services.exception_grant(user=volunteer, requirement=requirements["skill"],
                                         reason="Prior training.", by=coordinator)  # fmt: skip
    services.certification_evaluate(user=volunteer, track=track)
    certificate = Certificate.objects.get(user=volunteer, track=track)
    exception.refresh_from_db()
    assert exception.certificate == certificate
    # After a revocation the first path applies again: the used exception no longer counts.
    services.certificate_revoke(
        certificate=certificate, by=coordinator, reason="Test.", notify=False
    )
    result = eligibility.compute(volunteer, track)
    assert (result.stage, result.path) == ("revoked", Requirement.Path.INITIAL)
    assert (result.met, result.total) == (3, 4)
    assert result.missing[0].requirement == requirements["skill"]


# --- Renewal ------------------------------------------------------------------------------------
@pytest.fixture
def renewal_track(volunteer):
    """Valid 12 months, renewal opens 90 days before expiry: a refresher course, a skill and half
    of the live sessions since the window opened."""
    track = make_track(validity_months=12, renewal_opens_days=90)
    agreement = make_agreement()
    add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    refresher, _modules = make_course("refresher", modules=1, title="Refresher")
    cohort = make_cohort(track)
    join(cohort, volunteer)
    skill = make_skill(cohort, "Debriefing")
    Path = Requirement.Path
    add_requirement(track, Kind.COURSE, course=refresher, path=Path.RENEWAL)
    add_requirement(track, Kind.SKILL, skill=skill, path=Path.RENEWAL)
    add_requirement(track, Kind.ATTENDANCE, min_attendance=50, path=Path.RENEWAL)
    return track, refresher, skill, cohort


def test_before_the_window_a_holder_has_nothing_to_do(volunteer, renewal_track):
    track, *_rest = renewal_track
    today = timezone.localdate()
    certificate = make_certificate(volunteer, track, valid_from=today - timedelta(days=100),
                                   expires_on=today + timedelta(days=91))  # fmt: skip
    result = eligibility.compute(volunteer, track)
    assert (result.stage, result.path, result.checks) == ("certified", None, [])
    assert result.renewal_opens == today + timedelta(days=1)
    assert result.current == certificate and result.next_period == 2
    assert not result.eligible
    # The day the window opens, the renewal path applies.
    tomorrow = eligibility.compute(volunteer, track, today=today + timedelta(days=1))
    assert (tomorrow.stage, tomorrow.path) == ("renewal", Requirement.Path.RENEWAL)
    assert tomorrow.since == today + timedelta(days=1)
    assert [c.requirement.kind for c in tomorrow.checks] == ["course", "skill", "attendance"]


def test_only_evidence_since_the_window_opened_counts_and_renewal_adds_a_period(
    volunteer, trainer, renewal_track
):
    track, refresher, skill, cohort = renewal_track
    today = timezone.localdate()
    previous = make_certificate(volunteer, track, valid_from=today - timedelta(days=300),
                                expires_on=today + timedelta(days=65))  # fmt: skip
    opened = today - timedelta(days=25)
    before = timezone.now() - timedelta(days=40)
    progress = CourseProgress.objects.create(user=volunteer, course=refresher,
                                             completed_at=before)  # fmt: skip
    sign_off = SkillSignOff.objects.create(skill=skill, user=volunteer, signed_by=trainer,
                                           signed_at=before)  # fmt: skip
    mark(make_session(cohort, days_ago=40), volunteer)  # before the window: not counted
    recent = make_session(cohort, days_ago=10)

    result = eligibility.compute(volunteer, track)
    assert (result.stage, result.since, result.met, result.total) == ("renewal", opened, 0, 3)
    details = [c.detail for c in result.checks]
    assert details == [
        "Completed before the renewal opened: complete it again",
        # Never a bare "not signed off yet" next to a sign-off the history shows.
        "Signed off before the renewal opened: a trainer signs it off again",
        "0 of 1 attended",
    ]
    services.certification_evaluate(user=volunteer, track=track)
    assert Certificate.objects.filter(user=volunteer).count() == 1

    progress.completed_at = timezone.now()
    progress.save()
    sign_off.signed_at = timezone.now()
    sign_off.save()
    mark(recent, volunteer, Attendance.Status.LATE)
    result = services.certification_evaluate(user=volunteer, track=track)
    assert result.eligible and result.next_period == 2

    renewed = Certificate.objects.get(user=volunteer, track=track, period=2)
    assert renewed.expires_on == add_months(previous.expires_on, 12)
    assert renewed.valid_from == today
    assert CertificationEvent.objects.get(certificate=renewed).kind == "renewed"
    after = eligibility.compute(volunteer, track)
    assert (after.stage, after.current) == ("certified", renewed)


def test_renewing_after_expiry_starts_a_new_validity_from_today(volunteer, trainer,
                                                               renewal_track):  # fmt: skip
    track, refresher, skill, cohort = renewal_track
    today = timezone.localdate()
    make_certificate(volunteer, track, valid_from=today - timedelta(days=400),
                     expires_on=today - timedelta(days=10))  # fmt: skip
    assert eligibility.compute(volunteer, track).stage == "renewal"
    CourseProgress.objects.create(user=volunteer, course=refresher, completed_at=timezone.now())
    SkillSignOff.objects.create(skill=skill, user=volunteer, signed_by=trainer)
    mark(make_session(cohort, days_ago=2), volunteer)
    services.certification_evaluate(user=volunteer, track=track)
    renewed = Certificate.objects.get(user=volunteer, track=track, period=2)
    assert renewed.expires_on == add_months(today, 12)


def test_add_months_keeps_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 5, 15), 24) == date(2028, 5, 15)
