"""The factories certification's tests build with: one requirement factory per kind, each making
a row the database and the track editor accept; certificates, agreements and pool members as the
tests expect them."""

from datetime import date

import pytest

from certificates.models import Requirement

from .factories import (
    REQUIREMENT_FACTORIES,
    AgreementFactory,
    AttendanceRequirementFactory,
    CertificateFactory,
    ContinuingEducationRequirementFactory,
    TrackFactory,
    add_requirement,
)
from .pool_factories import SHARED, PoolMemberFactory

pytestmark = pytest.mark.django_db


def test_every_requirement_kind_has_a_factory():
    assert set(REQUIREMENT_FACTORIES) == set(Requirement.Kind)


# A skill requirement names one of its track's skills, which only the test knows: it passes it.
@pytest.mark.parametrize("kind", sorted(set(Requirement.Kind) - {Requirement.Kind.SKILL}))
def test_each_kinds_factory_makes_a_requirement_the_track_editor_accepts(kind):
    requirement = REQUIREMENT_FACTORIES[kind]()
    requirement.full_clean()
    assert requirement.kind == kind
    assert str(requirement)


def test_requirements_come_after_their_tracks_others():
    track = TrackFactory()
    first = AttendanceRequirementFactory(track=track)
    second = ContinuingEducationRequirementFactory(track=track)
    third = add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=50)
    assert [first.sort_order, second.sort_order, third.sort_order] == [0, 1, 2]
    assert list(track.requirements.all()) == [first, second, third]


def test_a_certificate_runs_for_its_tracks_validity_in_the_persons_display_name():
    certificate = CertificateFactory(track__validity_months=12, valid_from=date(2024, 1, 31))
    assert certificate.expires_on == date(2025, 1, 31)
    assert certificate.name_on_certificate == certificate.user.display_name
    assert certificate.period == 1


def test_an_agreement_has_the_versions_asked_for():
    agreement = AgreementFactory(versions=2, versions__text="We keep it confidential.")
    assert list(agreement.versions.order_by("number").values_list("number", "text")) == [
        (1, "We keep it confidential. (v1)"),
        (2, "We keep it confidential. (v2)"),
    ]
    assert AgreementFactory().versions.count() == 1


def test_a_pool_member_shares_nothing_unless_told():
    quiet = PoolMemberFactory()
    assert not any(getattr(quiet, field) for field in SHARED)
    open_but_region = PoolMemberFactory(shared=True, share_region=False)
    assert [field for field in SHARED if not getattr(open_but_region, field)] == ["share_region"]
