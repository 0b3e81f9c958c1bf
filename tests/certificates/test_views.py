"""Certification pages: the public check, the volunteer's certificate and agreements, the
coordinator's tools (role and second factor), the trainer's member page; query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates import selectors, services, tasks
from certificates.models import (
    AgreementSignature,
    Certificate,
    CertificationRequest,
    EligibilitySnapshot,
    PoolMember,
    Requirement,
    RequirementException,
    Track,
)
from cohorts.models import SkillSignOff
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.roles import Role

from .factories import (
    add_requirement,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_skill,
    make_track,
    person,
    publish_version,
)
from .pool_factories import PoolMemberFactory

pytestmark = pytest.mark.django_db
Kind = Requirement.Kind


def verify_url(code):
    return reverse("verify", args=[code])


# --- The public check ---------------------------------------------------------------------------
def test_verify_shows_a_valid_certificate_and_nothing_private(client):
    holder = UserFactory(email="holder.private@example.org", display_name="Holder",
                         legal_name="Holder Legal Name")  # fmt: skip
    track = make_track(title="Peer supporter", organisation="Red Acompaña")
    certificate = make_certificate(holder, track, name_on_certificate="Holder")
    response = client.get(verify_url(certificate.code))
    assert response.status_code == 200
    page = response.content.decode()
    assert "✓ Valid" in page
    assert "Holder" in page and "Peer supporter" in page and "Red Acompaña" in page
    assert certificate.code in page
    assert "holder.private@example.org" not in page
    assert "Holder Legal Name" not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    # The code is accepted in lower case too (typed from the paper).
    assert client.get(verify_url(certificate.code.lower())).status_code == 200


def test_verify_shows_an_expired_certificate_as_expired(client, volunteer):
    today = timezone.localdate()
    certificate = make_certificate(volunteer, make_track(), valid_from=today - timedelta(days=800),
                                   expires_on=today - timedelta(days=1))  # fmt: skip
    page = client.get(verify_url(certificate.code)).content.decode()
    assert "Expired" in page and "✓ Valid" not in page


def test_verify_shows_a_revoked_certificate_without_the_reason(client, volunteer, coordinator):
    certificate = make_certificate(volunteer, make_track())
    services.certificate_revoke(certificate=certificate, by=coordinator,
                                reason="Shared screenshots of a case in a public group.",
                                notify=False)  # fmt: skip
    response = client.get(verify_url(certificate.code))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Revoked" in page and "✓ Valid" not in page
    assert "screenshots" not in page
    assert volunteer.email not in page and coordinator.email not in page
    assert coordinator.display_name not in page


def test_an_unknown_code_is_not_found(client):
    response = client.get(verify_url("AAAAAAAAAAAAAAAAAAAAAAAAAA"))
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_verify_is_rate_limited(client, settings, volunteer):
    settings.ACOMPANA_VERIFY_RATE = 3
    certificate = make_certificate(volunteer, make_track())
    codes = [certificate.code, "UNKNOWN", certificate.code]
    assert [client.get(verify_url(code)).status_code for code in codes] == [200, 404, 200]
    response = client.get(verify_url(certificate.code))
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Valid" not in response.content.decode()  # nothing about the certificate


# --- The volunteer ------------------------------------------------------------------------------
def test_a_certificate_page_and_pdf_are_only_for_their_holder(client, volunteer):
    certificate = make_certificate(volunteer, make_track(title="Peer supporter"))
    page_url = reverse("certificates:certificate", args=[certificate.code])
    pdf_url = reverse("certificates:certificate_pdf", args=[certificate.code])

    assert client.get(page_url).status_code == 302  # signed out: to the sign-in page

    client.force_login(volunteer)
    response = client.get(page_url)
    assert response.status_code == 200
    assert "Peer supporter" in response.content.decode()
    assert client.get(pdf_url).status_code == 404  # not rendered yet

    tasks.render_certificate(certificate.pk)
    response = client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")

    client.force_login(person())
    assert client.get(page_url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    assert client.post(page_url, {"name_choice": "display"}).status_code == 404


def test_the_holder_chooses_the_name_on_the_certificate(client, volunteer):
    volunteer.legal_name = "Valeria Legal"
    volunteer.save()
    certificate = make_certificate(volunteer, make_track())
    Certificate.objects.filter(pk=certificate.pk).update(pdf_status=Certificate.Pdf.READY)
    client.force_login(volunteer)
    url = reverse("certificates:certificate", args=[certificate.code])
    assert client.post(url, {"name_choice": "legal"}).status_code == 302
    certificate.refresh_from_db()
    assert (certificate.name_choice, certificate.name_on_certificate) == ("legal", "Valeria Legal")
    assert certificate.pdf_status == Certificate.Pdf.PENDING


def test_the_agreement_page_signs_the_version_shown_and_refuses_a_stale_one(client, volunteer):
    agreement = make_agreement("conduct", title="Code of conduct", text="Believe the person.")
    first = agreement.current_version()
    url = reverse("certificates:agreement", args=["conduct"])
    client.force_login(volunteer)
    page = client.get(url).content.decode()
    assert "Believe the person. (v1)" in page and f'value="{first.pk}"' in page

    # Not ticking the box signs nothing.
    client.post(url, {"version": first.pk})
    assert not AgreementSignature.objects.exists()

    response = client.post(url, {"version": first.pk, "agree": "yes"})
    assert response.status_code == 302 and response["Location"] == reverse("certificates:mine")
    assert list(AgreementSignature.objects.values_list("version", flat=True)) == [first.pk]

    second = publish_version(agreement, "Believe the person, and keep it confidential.")
    page = client.get(url).content.decode()
    assert "keep it confidential" in page
    assert "You signed version 1" in page
    # A form loaded before the new version was published.
    response = client.post(url, {"version": first.pk, "agree": "yes"}, follow=True)
    assert "The text changed while you were reading" in response.content.decode()
    assert not AgreementSignature.objects.filter(version=second).exists()
    assert AgreementSignature.objects.count() == 1

    client.post(url, {"version": second.pk, "agree": "yes"})
    assert AgreementSignature.objects.filter(user=volunteer, version=second).exists()
    assert "You signed this version" in client.get(url).content.decode()


def test_the_certification_page_shows_the_checklist(client, volunteer):
    track = make_track(title="Peer supporter")
    agreement = make_agreement("conduct", title="Code of conduct")
    add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    add_requirement(track, Kind.ATTENDANCE, min_attendance=50)
    join(make_cohort(track), volunteer)
    client.force_login(volunteer)
    page = client.get(reverse("certificates:mine")).content.decode()
    assert "Peer supporter" in page
    assert "0 of 2 requirements met" in page
    assert reverse("certificates:agreement", args=["conduct"]) in page


# --- Coordinators -------------------------------------------------------------------------------
@pytest.fixture
def setting(volunteer):
    """A coordinator-approved track with two requirements; the volunteer is on it and meets the
    first (the agreement), not the second (a skill)."""
    track = make_track("responders", title="Responders", approval=Track.Approval.COORDINATOR)
    cohort = make_cohort(track)
    join(cohort, volunteer)
    agreement = make_agreement(title="Code of conduct")
    signed = add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    open_one = add_requirement(track, Kind.SKILL, skill=make_skill(cohort, "Safety planning"))
    services.agreement_sign(user=volunteer, version=agreement.current_version())
    services.certification_evaluate(user=volunteer, track=track)
    return track, signed, open_one


def coordinator_urls(track, user, certificate=None, request=None):
    pages = [
        ("get", reverse("certificates:track", args=[track.slug])),
        ("get", reverse("certificates:track_person", args=[track.slug, user.pk])),
        ("get", reverse("certificates:queue")),
        ("post", reverse("certificates:grant_exception", args=[track.slug, user.pk])),
    ]
    if certificate:
        pages += [
            ("post", reverse("certificates:revoke", args=[track.slug, user.pk, certificate.code])),
            ("get", reverse("certificates:person_pdf",
                            args=[track.slug, user.pk, certificate.code])),
        ]  # fmt: skip
    if request:
        pages.append(("post", reverse("certificates:decide", args=[track.slug, user.pk,
                                                                   request.pk])))  # fmt: skip
    return pages


def test_coordinator_tools_are_refused_to_trainers_and_volunteers(client, volunteer, trainer,
                                                                  setting):  # fmt: skip
    track, _signed, _open_one = setting
    certificate = make_certificate(person(), track)
    request = CertificationRequest.objects.create(user=volunteer, track=track, period=1)
    urls = coordinator_urls(track, volunteer, certificate, request)

    for method, url in urls:  # signed out
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url

    login_with_mfa(client, trainer)
    for method, url in urls:
        assert getattr(client, method)(url, {"reason": "x"}).status_code == 403, url

    client.force_login(volunteer)
    for method, url in urls:
        assert getattr(client, method)(url, {"reason": "x"}).status_code == 403, url

    assert not RequirementException.objects.exists()
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    assert CertificationRequest.objects.get().status == "pending"


def test_a_coordinator_without_a_second_factor_is_sent_to_set_one_up(client, coordinator,
                                                                     setting):  # fmt: skip
    track, _signed, _open_one = setting
    client.force_login(coordinator)
    response = client.get(reverse("certificates:track", args=[track.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_required"))


def test_the_coordinator_sees_a_person_and_grants_an_exception_with_a_reason(
    client, coordinator, volunteer, setting
):
    track, _signed, open_one = setting
    login_with_mfa(client, coordinator)
    page = client.get(reverse("certificates:track", args=[track.slug])).content.decode()
    assert volunteer.display_name in page and "1 of 2" in page
    assert "Skill signed off: Safety planning" in page  # the one thing missing

    person_url = reverse("certificates:track_person", args=[track.slug, volunteer.pk])
    page = client.get(person_url).content.decode()
    assert "1 of 2 requirements met" in page
    assert volunteer.email not in page

    grant = reverse("certificates:grant_exception", args=[track.slug, volunteer.pk])
    response = client.post(grant, {"requirement": open_one.pk, "reason": ""})
    # The page comes back with the error beside the field, the requirement still chosen.
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert response.context["exception_form"]["requirement"].value() == str(open_one.pk)
    assert not RequirementException.objects.exists()

    response = client.post(grant, {"requirement": open_one.pk,
                                   "reason": "Signed off by the partner helpline."})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == person_url
    exception = RequirementException.objects.get()
    assert (exception.user, exception.requirement, exception.granted_by) == (
        volunteer, open_one, coordinator
    )  # fmt: skip
    page = client.get(person_url).content.decode()
    assert "2 of 2 requirements met" in page
    assert "Signed off by the partner helpline." in page  # coordinators read the reason

    # Nobody off the track is reachable by id.
    stranger = person()
    assert client.get(reverse("certificates:track_person",
                              args=[track.slug, stranger.pk])).status_code == 404  # fmt: skip


def test_the_coordinator_approves_from_the_queue(client, coordinator, volunteer, trainer,
                                                 setting):  # fmt: skip
    track, _signed, open_one = setting
    SkillSignOff.objects.create(skill=open_one.skill, user=volunteer, signed_by=trainer)
    services.certification_evaluate(user=volunteer, track=track)
    request = CertificationRequest.objects.get(user=volunteer, track=track)
    login_with_mfa(client, coordinator)
    page = client.get(reverse("certificates:queue")).content.decode()
    assert volunteer.display_name in page and "Responders" in page

    decide = reverse("certificates:decide", args=[track.slug, volunteer.pk, request.pk])
    response = client.post(decide, {"decision": "approve", "note": "Well prepared.",
                                    "next": "queue"})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("certificates:queue")
    certificate = Certificate.objects.get(user=volunteer, track=track)
    assert certificate.approved_by == coordinator
    request.refresh_from_db()
    assert (request.status, request.note) == ("approved", "Well prepared.")
    assert "Nobody is waiting." in client.get(reverse("certificates:queue")).content.decode()


def test_the_coordinator_revokes_with_a_reason_and_verify_shows_it(client, coordinator,
                                                                   volunteer, setting):  # fmt: skip
    track, _signed, _open_one = setting
    certificate = make_certificate(volunteer, track)
    PoolMemberFactory(user=volunteer)
    login_with_mfa(client, coordinator)
    revoke = reverse("certificates:revoke", args=[track.slug, volunteer.pk, certificate.code])
    client.post(revoke, {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    client.post(revoke, {"reason": "Broke confidentiality.", "confirm": "yes"})
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None and certificate.revoked_by == coordinator
    assert PoolMember.objects.get(user=volunteer).status == PoolMember.Status.REMOVED

    client.logout()
    page = client.get(verify_url(certificate.code)).content.decode()
    assert "Revoked" in page and "Broke confidentiality." not in page


def test_the_track_page_takes_as_many_queries_for_40_people_as_for_5(client, coordinator):
    track = make_track("big", title="Big track")
    agreement = make_agreement()
    requirement = add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    add_requirement(track, Kind.ATTENDANCE, min_attendance=50)
    url = reverse("certificates:track", args=[track.slug])
    login_with_mfa(client, coordinator)

    def add_people(start, stop):
        for i in range(start, stop):
            someone = person(display_name=f"Member {i:02d}")
            EligibilitySnapshot.objects.create(
                user=someone, track=track, path="initial" if i % 3 else "", met=i % 2, total=2,
                eligible=False, missing=[requirement.pk] if i % 2 else [],
            )  # fmt: skip
            if i % 3 == 0:
                make_certificate(someone, track)
            if i % 4 == 1:
                CertificationRequest.objects.create(user=someone, track=track, period=1)

    add_people(0, 5)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        page = client.get(url).content.decode()
    assert page.count("Member 0") == 5

    add_people(5, 40)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert page.count("Member ") == 40
    assert "waiting for approval" in page
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- The trainer --------------------------------------------------------------------------------
def test_the_trainers_member_page_shows_the_checklist_when_the_cohort_has_a_track(
    client, trainer, volunteer
):
    track = make_track(title="Peer supporter")
    add_requirement(track, Kind.AGREEMENT, agreement=make_agreement(title="Code of conduct"))
    with_track = make_cohort(track, trainer=trainer)
    without_track = make_cohort(None, trainer=trainer)
    join(with_track, volunteer)
    join(without_track, volunteer)
    login_with_mfa(client, trainer)

    url = reverse("cohorts:trainer_member", args=[with_track.slug, volunteer.pk])
    page = client.get(url).content.decode()
    assert "Certification: Peer supporter" in page
    assert "0 of 1 requirements met" in page
    assert "Sign the “Code of conduct”" in page

    url = reverse("cohorts:trainer_member", args=[without_track.slug, volunteer.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Certification:" not in response.content.decode()

    # A trainer of another cohort does not see this member.
    login_with_mfa(client, UserFactory(roles=[Role.TRAINER]))
    url = reverse("cohorts:trainer_member", args=[with_track.slug, volunteer.pk])
    assert client.get(url).status_code == 404


def test_a_certificate_issued_between_the_overviews_queries_gets_its_track(monkeypatch):
    volunteer = person()
    followed, later = make_track(), make_track()
    join(make_cohort(followed), volunteer)
    certificate = make_certificate(volunteer, later)
    run = selectors._FOLLOWED.run
    # The tracks were read before the certificate (and its track) came.
    monkeypatch.setattr(
        selectors._FOLLOWED, "run",
        lambda **values: [track for track in run(**values) if track.pk != later.pk],
    )  # fmt: skip
    overview = selectors.certification_overview(user=volunteer)
    assert [c.track for c in overview["certificates"]] == [later]
    assert overview["certificates"][0].pk == certificate.pk
