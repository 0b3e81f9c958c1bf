"""Pool details are forgotten after ACOMPANA_POOL_LEFT_DAYS; an exception serves only the path it
was granted on; a coordinator grants exceptions only for what is still open."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from certificates import services
from certificates.models import (
    Certificate,
    PoolMember,
    Requirement,
    RequirementException,
)
from certificates.tasks import pool_forget
from tests.certificates.factories import (
    add_requirement,
    make_agreement,
    make_certificate,
    make_track,
    person,
)
from tests.certificates.pool_factories import PoolMemberFactory
from tests.conftest import login_with_mfa

pytestmark = pytest.mark.django_db
Kind = Requirement.Kind


def _member(user, status, left_days_ago):
    left_at = timezone.now() - timedelta(days=left_days_ago) if left_days_ago is not None else None
    return PoolMemberFactory(user=user, status=status, left_at=left_at,
                             languages=[{"code": "es", "level": "native"}],
                             region="Andes")  # fmt: skip


def test_pool_details_of_people_who_left_long_ago_are_deleted(settings):
    settings.ACOMPANA_POOL_LEFT_DAYS = 30
    old_leaver = _member(person(), PoolMember.Status.LEFT, 31)
    old_removed = _member(person(), PoolMember.Status.REMOVED, 45)
    recent_leaver = _member(person(), PoolMember.Status.LEFT, 29)
    paused = _member(person(), PoolMember.Status.PAUSED, None)

    assert pool_forget.delay().get() == 2

    remaining = set(PoolMember.objects.values_list("pk", flat=True))
    assert remaining == {recent_leaver.pk, paused.pk}
    assert old_leaver.pk not in remaining and old_removed.pk not in remaining
    # Running it again deletes nothing more.
    assert services.pool_forget() == 0


def test_first_certificate_uses_up_initial_exceptions_but_not_renewal_ones(
    django_capture_on_commit_callbacks,
):
    track = make_track()
    agreement = make_agreement()
    first = add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    renewal = add_requirement(track, Kind.AGREEMENT, agreement=make_agreement(),
                              path=Requirement.Path.RENEWAL)  # fmt: skip
    volunteer = person()
    coordinator = person()
    RequirementException.objects.create(requirement=first, user=volunteer, reason="Equivalent",
                                        granted_by=coordinator)  # fmt: skip
    RequirementException.objects.create(requirement=renewal, user=volunteer, reason="Later",
                                        granted_by=coordinator)  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        services.certification_evaluate(user=volunteer, track=track)

    certificate = Certificate.objects.get(user=volunteer, track=track)
    used = RequirementException.objects.get(requirement=first)
    kept = RequirementException.objects.get(requirement=renewal)
    assert used.certificate == certificate
    assert kept.certificate is None  # still there for the renewal


def test_an_exception_can_be_granted_only_for_a_requirement_still_open(client, coordinator):
    track = make_track()
    signed_agreement = make_agreement()
    open_agreement = make_agreement()
    met = add_requirement(track, Kind.AGREEMENT, agreement=signed_agreement)
    still_open = add_requirement(track, Kind.AGREEMENT, agreement=open_agreement)
    other_path = add_requirement(track, Kind.AGREEMENT, agreement=make_agreement(),
                                 path=Requirement.Path.RENEWAL)  # fmt: skip
    volunteer = person()
    services.agreement_sign(user=volunteer, version=signed_agreement.current_version())
    services.certification_evaluate(user=volunteer, track=track)  # on the track page now
    login_with_mfa(client, coordinator)
    url = reverse("certificates:grant_exception", args=[track.slug, volunteer.pk])

    for refused in (met, other_path):
        client.post(url, {"requirement": refused.pk, "reason": "Because"})
        assert not RequirementException.objects.filter(requirement=refused).exists()
    client.post(url, {"requirement": still_open.pk, "reason": "Done elsewhere"})
    assert RequirementException.objects.get(requirement=still_open).reason == "Done elsewhere"


def test_a_revoked_holder_is_still_on_the_track_for_coordinators(client, coordinator):
    track = make_track()
    volunteer = person()
    certificate = make_certificate(volunteer, track)
    services.certificate_revoke(
        certificate=certificate, by=coordinator, reason="Confidentiality broken"
    )
    login_with_mfa(client, coordinator)
    url = reverse("certificates:track_person", args=[track.slug, volunteer.pk])
    page = client.get(url).content.decode()
    assert "Confidentiality broken" in page  # the coordinator reads the reason
    stranger = person()
    url = reverse("certificates:track_person", args=[track.slug, stranger.pk])
    assert client.get(url).status_code == 404  # not on this track: nothing to see
