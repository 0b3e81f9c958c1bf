"""The certified moment: signing the last requirement says "You are certified", links the
certificate and says what the responder pool is and where the person stands in it; a signature
that does not complete the track says what is still missing, or that a coordinator decides."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import Certificate, CertificationRequest, PoolMember, Requirement, Track
from cohorts.models import Cohort
from courses.factories import make_course
from courses.models import CourseProgress

from .factories import (
    add_requirement,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_skill,
    make_track,
)

pytestmark = pytest.mark.django_db
Kind = Requirement.Kind


def _sign(client, agreement):
    url = reverse("certificates:agreement", args=[agreement.slug])
    return client.post(url, {"version": agreement.current_version().pk, "agree": "yes"},
                       follow=True)  # fmt: skip


def _track_with_agreement(volunteer, **fields):
    track = make_track(title="Peer supporter", **fields)
    agreement = make_agreement("conduct", title="Code of conduct")
    add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    join(make_cohort(track), volunteer)
    return track, agreement


def test_signing_the_last_requirement_says_you_are_certified_and_what_the_pool_is(
    client, volunteer
):
    _track, agreement = _track_with_agreement(volunteer)
    client.force_login(volunteer)
    page = _sign(client, agreement).content.decode()
    certificate = Certificate.objects.get(user=volunteer)  # issued in the request, not later
    assert "You are certified" in page
    assert reverse("certificates:certificate", args=[certificate.code]) in page
    assert "The responder pool is the list coordinators look at" in page
    assert "You are not in it: joining is your choice" in page
    assert reverse("certificates:pool") in page
    assert "Signed. Thank you." not in page
    # Shown once: the next visit is the ordinary page.
    assert "You are certified" not in client.get(reverse("certificates:mine")).content.decode()


def test_someone_already_in_the_pool_reads_that_they_are_in_it(client, volunteer):
    _track, agreement = _track_with_agreement(volunteer)
    other = make_track(title="Earlier track")
    make_certificate(volunteer, other)
    services.pool_join(user=volunteer)
    client.force_login(volunteer)
    page = _sign(client, agreement).content.decode()
    assert "You are certified" in page
    assert "You are already in the pool" in page
    assert PoolMember.objects.get(user=volunteer).in_pool


def test_a_track_without_the_pool_says_so(client, volunteer):
    _track, agreement = _track_with_agreement(volunteer, grants_pool=False)
    client.force_login(volunteer)
    page = _sign(client, agreement).content.decode()
    assert "You are certified" in page
    assert "does not give a place in the responder pool" in page
    assert "Join the responder pool" not in page


def test_a_track_that_needs_approval_says_a_coordinator_decides(client, volunteer):
    track, agreement = _track_with_agreement(volunteer, approval=Track.Approval.COORDINATOR)
    client.force_login(volunteer)
    page = _sign(client, agreement).content.decode()
    assert not Certificate.objects.exists()
    assert CertificationRequest.objects.filter(user=volunteer, track=track).exists()
    assert "You are certified" not in page
    assert "a coordinator reviews each certification on this track" in page


def test_signing_that_leaves_a_requirement_open_says_what_is_missing(client, volunteer):
    track, agreement = _track_with_agreement(volunteer)
    cohort = Cohort.objects.get(track_link__track=track)
    add_requirement(track, Kind.SKILL, skill=make_skill(cohort, "Safety planning"))
    client.force_login(volunteer)
    page = _sign(client, agreement).content.decode()
    assert not Certificate.objects.exists()
    assert "You are certified" not in page
    assert "Still missing for Peer supporter" in page
    assert "Not signed off yet" in page


def test_a_certificate_from_a_finished_course_is_celebrated_on_the_dashboard(client, volunteer):
    """Whatever met the last requirement (here a course finished; the evaluation runs in a task
    after it), the dashboard says "You are certified" in the first days."""
    track = make_track(title="Peer supporter")
    course, _modules = make_course("basics", modules=1)
    add_requirement(track, Kind.COURSE, course=course)
    join(make_cohort(track), volunteer)
    client.force_login(volunteer)
    assert "You are certified" not in client.get(reverse("dashboard")).content.decode()
    CourseProgress.objects.create(user=volunteer, course=course, completed_at=timezone.now())
    services.certification_evaluate(user=volunteer, track=track)
    certificate = Certificate.objects.get(user=volunteer)
    page = client.get(reverse("dashboard")).content.decode()
    assert "You are certified" in page
    assert reverse("certificates:certificate", args=[certificate.code]) in page
    assert "Join the responder pool" in page
    # A week later it is an ordinary certificate.
    Certificate.objects.filter(pk=certificate.pk).update(
        valid_from=timezone.localdate() - timedelta(days=8)
    )
    assert "You are certified" not in client.get(reverse("dashboard")).content.decode()


def test_a_signature_whose_tracks_have_nothing_to_tell_still_gets_an_answer(
    client, volunteer, monkeypatch
):
    """A track evaluated with nothing missing, nothing waiting and no certificate (e.g. one not
    issuing any more) must not leave the person with a silent page."""
    track, agreement = _track_with_agreement(volunteer)
    monkeypatch.setattr(
        "certificates.views.services.certification_evaluate_after_own_step",
        lambda *, user: [services.Outcome(track=track)],
    )
    client.force_login(volunteer)
    page = _sign(client, agreement).content.decode()
    assert "Signed. Thank you." in page
    assert "You are certified" not in page
