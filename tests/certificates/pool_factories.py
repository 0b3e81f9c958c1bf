"""Build responder-pool data for tests: pool tracks, certificates and pool members (one at a time
with the factories, or thousands at once with bulk_create)."""

import itertools
from datetime import timedelta

import factory
from django.utils import timezone

from certificates.models import Certificate, PoolMember, Track, _index
from tests.certificates.factories import CertificateFactory, TrackFactory
from training.factories import UserFactory
from training.models import User

_numbers = itertools.count(1)

# Zones without daylight saving: their offset is the same whatever day the tests run.
KOLKATA, JAKARTA, BOGOTA = "Asia/Kolkata", "Asia/Jakarta", "America/Bogota"


# What most test people share (a person shares nothing until they tick it; contact aside).
SHARED = {
    "share_languages": True,
    "share_region": True,
    "share_time_zone": True,
    "share_focus_areas": True,
    "share_channels": True,
    "share_availability": True,
}


class PoolMemberFactory(factory.django.DjangoModelFactory):
    """A person in the responder pool, active, with the model's defaults: sharing nothing (but
    contact) unless `shared=True` (everything in SHARED). Not certified: `certify` the user, or
    use `pool_person`."""

    class Meta:
        model = PoolMember

    class Params:
        shared = factory.Trait(**SHARED)

    user = factory.SubFactory(UserFactory)
    status = PoolMember.Status.ACTIVE


def pool_track(*, grants_pool=True, **fields) -> Track:
    number = next(_numbers)
    values = {"slug": f"pool-track-{number}", "title": f"Pool track {number}"} | fields
    return TrackFactory(grants_pool=grants_pool, **values)


def certify(user, track, *, period=1, days_left=365, revoked=False, expires_on=None) -> Certificate:
    today = timezone.localdate()
    return CertificateFactory(
        user=user, track=track, period=period, valid_from=today - timedelta(days=30),
        expires_on=expires_on or today + timedelta(days=days_left),
        revoked_at=timezone.now() if revoked else None,
    )  # fmt: skip


def pool_person(track, *, name=None, email=None, status=PoolMember.Status.ACTIVE, days_left=365,
                revoked=False, languages=(("en", "fluent"),), **fields) -> PoolMember:  # fmt: skip
    """A person certified on `track` (unless track is None) and in the pool with `fields`
    (sharing everything in SHARED unless `fields` say otherwise)."""
    number = next(_numbers)
    user = UserFactory(display_name=name or f"Pooled {number:04d}",
                       email=email or f"pooled{number}@example.org")  # fmt: skip
    if track is not None:
        certify(user, track, days_left=days_left, revoked=revoked)
    values = {"time_zone": "UTC", "region": "", "focus_areas": [], "channels": []} | fields
    return PoolMemberFactory(
        user=user, status=status, shared=True,
        languages=[{"code": code, "level": level} for code, level in languages], **values,
    )  # fmt: skip


def bulk_pool(track, count: int, *, prefix="bulk") -> list[int]:
    """`count` certified, available pool members created with three bulk inserts (plain user
    rows: no email address record, no usable password). Returns their user ids."""
    today = timezone.localdate()
    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{i}@example.org",
                display_name=f"{prefix} {i:05d}",
                password="!",
                time_zone="UTC",
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    Certificate.objects.bulk_create(
        [
            Certificate(
                user=user,
                track=track,
                period=1,
                name_on_certificate=user.display_name,
                language="en",
                valid_from=today - timedelta(days=30),
                expires_on=today + timedelta(days=365),
            )
            for user in users
        ],
        batch_size=2000,
    )
    languages = [{"code": "es", "level": "native"}, {"code": "en", "level": "fluent"}]
    focus = ["harassment"]
    PoolMember.objects.bulk_create(
        [
            PoolMember(
                user=user,
                languages=languages,
                focus_areas=focus,
                channels=["chat"],
                time_zone="America/Bogota",
                region="Andes",
                hours_per_week=4,
                contact_phone="+57 1",
                share_email=(i % 2 == 0),
                share_phone=(i % 2 == 0),
                **SHARED,
                language_index=_index(item["code"] for item in languages),
                focus_index=_index(focus),
            )
            for i, user in enumerate(users)
        ],
        batch_size=2000,
    )
    return [user.pk for user in users]
