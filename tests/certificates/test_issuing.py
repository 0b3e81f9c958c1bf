"""Issuing certificates: automatically through the signals, through a coordinator's approval,
once per person, track and period (also under a real race), PDFs rendered once, expiry,
revocation, renewal reminders."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from certificates import eligibility, services, tasks
from certificates.models import (
    Certificate,
    CertificationEvent,
    CertificationRequest,
    PoolMember,
    Requirement,
    Track,
    add_months,
)
from cohorts.models import SkillSignOff
from courses.factories import make_course
from courses.models import CoursePage, CourseProgress
from courses.signals import course_completed
from tests.conftest import skip_or_fail
from tests.helpers import run_together

from .factories import (
    add_requirement,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_skill,
    make_track,
    person,
)
from .helpers import refused
from .pool_factories import PoolMemberFactory

Kind = Requirement.Kind
Event = CertificationEvent.Kind


def agreement_track(**fields):
    track = make_track(**fields)
    agreement = make_agreement(title="Code of conduct")
    add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    return track, agreement


def events(user, track) -> list[str]:
    return sorted(CertificationEvent.objects.filter(user=user, track=track)
                  .values_list("kind", flat=True))  # fmt: skip


# --- Automatic certification through the signals ------------------------------------------------
@pytest.mark.django_db
def test_signing_the_agreement_certifies_after_the_commit(
    volunteer, django_capture_on_commit_callbacks
):
    track, agreement = agreement_track()
    join(make_cohort(track), volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_sign(user=volunteer, version=agreement.current_version())
        # Nothing happens before the commit.
        assert not Certificate.objects.exists()
    certificate = Certificate.objects.get(user=volunteer, track=track)
    assert certificate.period == 1
    assert certificate.name_on_certificate == volunteer.display_name
    assert events(volunteer, track) == ["issued"]
    # The PDF was rendered and the person told, once.
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.Pdf.READY
    assert certificate.pdf.storage.exists(certificate.pdf.name)
    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    assert track.title in mail.outbox[0].body


@pytest.mark.django_db
def test_signing_does_not_certify_someone_who_is_not_on_the_track(
    volunteer, django_capture_on_commit_callbacks
):
    track, agreement = agreement_track()
    make_cohort(track)  # the volunteer is not a member
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_sign(user=volunteer, version=agreement.current_version())
    assert not Certificate.objects.exists()
    # Leaving the cohort takes the person off the track too.
    cohort = make_cohort(track)
    membership = join(cohort, volunteer, left=True)
    with django_capture_on_commit_callbacks(execute=True):
        membership.save()
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_a_trainers_sign_off_certifies(volunteer, trainer, django_capture_on_commit_callbacks):
    track = make_track()
    cohort = make_cohort(track)
    join(cohort, volunteer)
    skill = make_skill(cohort)
    add_requirement(track, Kind.SKILL, skill=skill)
    with django_capture_on_commit_callbacks(execute=True):
        SkillSignOff.objects.create(skill=skill, user=volunteer, signed_by=trainer)
    assert Certificate.objects.filter(user=volunteer, track=track, period=1).exists()


@pytest.mark.django_db
def test_a_completed_course_certifies(volunteer, django_capture_on_commit_callbacks):
    track = make_track()
    course, _modules = make_course("listening", modules=1)
    add_requirement(track, Kind.COURSE, course=course)
    join(make_cohort(track), volunteer)
    progress = CourseProgress.objects.create(user=volunteer, course=course,
                                             completed_at=timezone.now())  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        # courses.services sends this after its commit.
        course_completed.send(sender=CoursePage, user=volunteer, course=course,
                              completed_at=progress.completed_at)  # fmt: skip
    assert Certificate.objects.filter(user=volunteer, track=track).count() == 1


# --- A coordinator approves ---------------------------------------------------------------------
@pytest.mark.django_db
def test_an_approval_track_queues_a_request_and_approving_issues(
    volunteer, coordinator, django_capture_on_commit_callbacks
):
    track, agreement = agreement_track(approval=Track.Approval.COORDINATOR)
    join(make_cohort(track), volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        services.agreement_sign(user=volunteer, version=agreement.current_version())
    assert not Certificate.objects.exists()
    request = CertificationRequest.objects.get(user=volunteer, track=track)
    assert (request.status, request.period) == ("pending", 1)
    assert events(volunteer, track) == ["requested"]
    # Evaluating again does not queue twice.
    services.certification_evaluate(user=volunteer, track=track)
    assert CertificationRequest.objects.count() == 1
    assert events(volunteer, track) == ["requested"]

    with django_capture_on_commit_callbacks(execute=True):
        certificate = services.request_decide(
            certification_request=request, by=coordinator, approve=True,
            note="Checked the role-play.",
        )  # fmt: skip
    assert certificate.approved_by == coordinator
    request.refresh_from_db()
    assert (request.status, request.decided_by, request.note) == (
        "approved", coordinator, "Checked the role-play."
    )  # fmt: skip
    assert events(volunteer, track) == ["approved", "issued", "requested"]
    with refused("decided"):
        services.request_decide(certification_request=request, by=coordinator, approve=True)
    assert Certificate.objects.count() == 1


@pytest.mark.django_db
def test_a_declined_request_stays_declined_until_a_coordinator_approves_it(volunteer, coordinator):
    track, agreement = agreement_track(approval=Track.Approval.COORDINATOR)
    services.agreement_sign(user=volunteer, version=agreement.current_version())
    services.certification_evaluate(user=volunteer, track=track)
    request = CertificationRequest.objects.get()
    assert (
        services.request_decide(
            certification_request=request, by=coordinator, approve=False, note="Not yet."
        )
        is None
    )
    request.refresh_from_db()
    assert request.status == "declined"
    services.certification_evaluate(user=volunteer, track=track)
    assert list(CertificationRequest.objects.values_list("status", flat=True)) == ["declined"]
    assert not Certificate.objects.exists()
    certificate = services.request_decide(
        certification_request=request, by=coordinator, approve=True
    )
    assert certificate.period == 1


@pytest.mark.django_db
def test_after_a_revocation_even_an_automatic_track_needs_a_coordinator(volunteer, coordinator):
    track, agreement = agreement_track()
    services.agreement_sign(user=volunteer, version=agreement.current_version())
    services.certification_evaluate(user=volunteer, track=track)
    certificate = Certificate.objects.get()
    services.certificate_revoke(certificate=certificate, by=coordinator,
                                reason="Broke confidentiality.", notify=False)  # fmt: skip
    result = services.certification_evaluate(user=volunteer, track=track)
    assert result.eligible and result.needs_approval and result.next_period == 2
    assert Certificate.objects.count() == 1
    assert CertificationRequest.objects.get().period == 2


# --- Once per person, track and period ----------------------------------------------------------
@pytest.mark.django_db
def test_issuing_twice_returns_the_same_certificate(volunteer):
    track = make_track()
    first, created = services.certificate_issue(user=volunteer, track=track, period=1)
    again, created_again = services.certificate_issue(user=volunteer, track=track, period=1)
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.code == first.code
    assert Certificate.objects.count() == 1
    assert events(volunteer, track) == ["issued"]


@pytest.mark.django_db
def test_verification_codes_are_long_and_distinct(volunteer):
    track = make_track()
    codes = {
        services.certificate_issue(user=volunteer, track=track, period=p)[0].code for p in (1, 2, 3)
    }
    assert len(codes) == 3
    assert all(len(code) == 26 and code.isalnum() and code.isupper() for code in codes)


ROUNDS = 5


@pytest.mark.django_db(transaction=True)
def test_simultaneous_issuing_and_evaluating_make_one_certificate(monkeypatch):
    if connection.vendor != "postgresql":
        skip_or_fail("the race needs PostgreSQL: set DATABASE_URL")
    scheduled = []
    lock = threading.Lock()

    def later(task_name):
        def schedule(*args):
            with lock:
                scheduled.append((task_name, *args))

        return schedule

    # The PDF and the email are not what this test is about.
    monkeypatch.setattr(services, "_pdf_queue_on_commit", later("render_certificate"))
    monkeypatch.setattr(tasks.tell_certified, "delay_on_commit", later("tell_certified"))
    track, agreement = agreement_track()
    version = agreement.current_version()
    for round_ in range(ROUNDS):
        someone = person()
        services.agreement_sign(user=someone, version=version)
        calls = [
            lambda u=someone: services.certificate_issue(user=u, track=track, period=1),
            lambda u=someone: services.certification_evaluate(user=u, track=track),
            lambda u=someone: services.certificate_issue(user=u, track=track, period=1),
            lambda u=someone: services.certification_evaluate(user=u, track=track),
        ]
        if round_ % 2:
            calls.reverse()
        results = run_together(*calls)
        errors = [r for r in results if isinstance(r, Exception)]
        assert not errors, errors
        issued = [r for r in results if isinstance(r, tuple)]
        # At most one call created it (an evaluation may have won the race).
        assert sum(created for _c, created in issued) <= 1
        certificates = list(Certificate.objects.filter(user=someone, track=track))
        assert len(certificates) == 1
        assert {c.pk for c, _created in issued} == {certificates[0].pk}
        assert events(someone, track) == ["issued"]
        renders = [s for s in scheduled if s == ("render_certificate", certificates[0].pk)]
        assert len(renders) == 1
        assert eligibility.compute(someone, track).stage == "certified"
    assert Certificate.objects.count() == ROUNDS


# --- The PDF task -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_rendering_twice_renders_once(volunteer, _private_root):
    certificate = make_certificate(volunteer, make_track())
    assert tasks.render_certificate(certificate.pk) == "rendered"
    certificate.refresh_from_db()
    name, fingerprint = certificate.pdf.name, certificate.pdf_fingerprint
    assert certificate.pdf_status == Certificate.Pdf.READY and fingerprint
    assert certificate.pdf.storage.exists(name)
    assert str(_private_root) in certificate.pdf.path

    assert tasks.render_certificate(certificate.pk) == "unchanged"
    certificate.refresh_from_db()
    assert (certificate.pdf.name, certificate.pdf_fingerprint) == (name, fingerprint)
    assert len(list((_private_root / "certificates").iterdir())) == 1
    assert tasks.render_certificate(999_999) == "gone"


@pytest.mark.django_db
def test_a_new_name_renders_again_and_the_old_file_goes(
    volunteer, _private_root, django_capture_on_commit_callbacks
):
    volunteer.legal_name = "María José Legal"
    volunteer.save()
    certificate = make_certificate(volunteer, make_track())
    tasks.render_certificate(certificate.pk)
    certificate.refresh_from_db()
    old = certificate.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_set_name(certificate=certificate, choice=Certificate.Name.LEGAL)
    certificate.refresh_from_db()
    assert certificate.name_on_certificate == "María José Legal"
    assert certificate.pdf_status == Certificate.Pdf.READY
    assert certificate.pdf.name != old
    assert [p.name for p in (_private_root / "certificates").iterdir()] == [
        certificate.pdf.name.split("/")[-1]
    ]
    volunteer.legal_name = ""
    volunteer.save()
    certificate.user.refresh_from_db()
    with refused("no-legal-name"):
        services.certificate_set_name(certificate=certificate, choice=Certificate.Name.LEGAL)


# --- Expiry -------------------------------------------------------------------------------------
def pool_member(user, status=PoolMember.Status.ACTIVE):
    return PoolMemberFactory(user=user, status=status)


@pytest.mark.django_db
def test_expiry_is_recorded_once_and_takes_the_person_out_of_the_pool(volunteer):
    track = make_track()
    today = timezone.localdate()
    certificate = make_certificate(volunteer, track, valid_from=today - timedelta(days=700),
                                   expires_on=today - timedelta(days=1))  # fmt: skip
    member = pool_member(volunteer)
    assert services.certificates_expire(today=today) == 1
    assert services.certificates_expire(today=today) == 0
    assert list(CertificationEvent.objects.filter(kind=Event.EXPIRED)
                .values_list("certificate", flat=True)) == [certificate.pk]  # fmt: skip
    member.refresh_from_db()
    assert member.status == PoolMember.Status.REMOVED and member.left_at is not None
    assert not member.in_pool
    assert CertificationEvent.objects.get(kind=Event.POOL_REMOVED).note == "expired"


@pytest.mark.django_db
def test_expiry_waits_for_the_last_day_and_spares_renewed_and_otherwise_certified_people():
    track, other = make_track(), make_track()
    today = timezone.localdate()
    last_day, renewed, also_certified = person(), person(), person()
    make_certificate(last_day, track, expires_on=today)  # valid through today
    pool_member(last_day)
    make_certificate(renewed, track, valid_from=today - timedelta(days=700),
                     expires_on=today - timedelta(days=1))  # fmt: skip
    make_certificate(renewed, track, period=2, expires_on=add_months(today, 24))
    pool_member(renewed)
    make_certificate(also_certified, track, valid_from=today - timedelta(days=700),
                     expires_on=today - timedelta(days=1))  # fmt: skip
    make_certificate(also_certified, other)
    pool_member(also_certified, PoolMember.Status.PAUSED)

    assert services.certificates_expire(today=today) == 2
    assert list(CertificationEvent.objects.filter(kind=Event.EXPIRED)
                .values_list("user", flat=True)) == [also_certified.pk]  # fmt: skip
    statuses = dict(PoolMember.objects.values_list("user", "status"))
    assert statuses == {last_day.pk: "active", renewed.pk: "active", also_certified.pk: "paused"}

    # The next day the last day is over.
    services.certificates_expire(today=today + timedelta(days=1))
    assert PoolMember.objects.get(user=last_day).status == PoolMember.Status.REMOVED


@pytest.mark.django_db
def test_a_track_that_does_not_grant_the_pool_does_not_keep_anyone_in_it(volunteer):
    pool_track = make_track()
    other = make_track(grants_pool=False)
    today = timezone.localdate()
    make_certificate(volunteer, pool_track, valid_from=today - timedelta(days=700),
                     expires_on=today - timedelta(days=1))  # fmt: skip
    make_certificate(volunteer, other)
    pool_member(volunteer)
    services.certificates_expire(today=today)
    assert PoolMember.objects.get(user=volunteer).status == PoolMember.Status.REMOVED


# --- Revocation ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_revoking_removes_from_the_pool_at_once_and_tells_the_person(
    volunteer, coordinator, django_capture_on_commit_callbacks
):
    track = make_track()
    certificate = make_certificate(volunteer, track)
    member = pool_member(volunteer)
    with refused("reason"):
        services.certificate_revoke(certificate=certificate, by=coordinator, reason=" ")
    with django_capture_on_commit_callbacks(execute=True):
        services.certificate_revoke(
            certificate=certificate, by=coordinator, reason="Shared a case publicly."
        )
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == coordinator
    assert certificate.revoked_reason == "Shared a case publicly."
    assert certificate.state() == "revoked"
    member.refresh_from_db()
    assert member.status == PoolMember.Status.REMOVED
    assert events(volunteer, track) == ["pool_removed", "revoked"]
    assert [m.to for m in mail.outbox] == [[volunteer.email]]
    assert "Shared a case publicly." not in mail.outbox[0].body
    with refused("revoked"):
        services.certificate_revoke(certificate=certificate, by=coordinator, reason="Again.")
    # Rejoining the pool is refused without a valid certificate.
    with refused("not-certified"):
        services.pool_join(user=volunteer)


# --- Renewal reminders --------------------------------------------------------------------------
@pytest.mark.django_db
def test_renewal_reminders_go_once_per_threshold_and_not_after_renewal(volunteer):
    track = make_track()
    expires = timezone.localdate() + timedelta(days=200)
    certificate = make_certificate(volunteer, track, expires_on=expires)

    def remind(days_left) -> int:
        return tasks.renewal_reminders(expires - timedelta(days=days_left))

    assert remind(91) == 0
    assert remind(90) == 1
    assert remind(90) == 0  # the same day again
    assert remind(60) == 0  # still the 90-day threshold
    assert remind(30) == 1
    assert remind(29) == 0
    assert remind(7) == 1
    assert remind(1) == 0
    assert len(mail.outbox) == 3
    assert all(m.to == [volunteer.email] for m in mail.outbox)
    assert track.title in mail.outbox[0].body
    assert sorted(CertificationEvent.objects.filter(kind=Event.REMINDED)
                  .values_list("note", flat=True)) == ["30", "7", "90"]  # fmt: skip
    assert not CertificationEvent.objects.exclude(certificate=certificate).exists()


@pytest.mark.django_db
def test_no_reminder_after_renewal_or_revocation(volunteer, coordinator):
    track = make_track()
    today = timezone.localdate()
    renewed = make_certificate(volunteer, track, valid_from=today - timedelta(days=700),
                               expires_on=today + timedelta(days=30))  # fmt: skip
    make_certificate(volunteer, track, period=2, expires_on=add_months(renewed.expires_on, 24))
    revoked_holder = person()
    revoked = make_certificate(revoked_holder, track, expires_on=today + timedelta(days=7))
    services.certificate_revoke(certificate=revoked, by=coordinator, reason="Test.", notify=False)
    assert tasks.renewal_reminders(today) == 0
    assert mail.outbox == []
    # The renewed certificate is reminded about in its own time.
    assert tasks.renewal_reminders(add_months(renewed.expires_on, 24) - timedelta(days=30)) == 1
