"""Build certification data for tests: tracks with requirements, cohorts on a track, sessions,
agreements and certificates. Plain functions (like courses.factories), shared by every test file
in tests/certificates/."""

import itertools
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from certificates.models import (
    Agreement,
    AgreementVersion,
    Certificate,
    Requirement,
    Track,
    add_months,
)
from cohorts.models import Attendance, Cohort, LiveSession, Membership, Skill
from tests.cohorts import factories as cohort_factories
from training.factories import UserFactory

_numbers = itertools.count(1)


def _next() -> int:
    return next(_numbers)


def make_track(slug=None, *, approval=Track.Approval.AUTOMATIC, validity_months=24,
               renewal_opens_days=90, **fields) -> Track:  # fmt: skip
    slug = slug or f"track-{_next()}"
    return Track.objects.create(
        slug=slug, title=fields.pop("title", f"Track {slug}"), approval=approval,
        validity_months=validity_months, renewal_opens_days=renewal_opens_days, **fields,
    )  # fmt: skip


def make_agreement(slug=None, *, title=None, text="We keep what we hear confidential.",
                   versions=1) -> Agreement:  # fmt: skip
    slug = slug or f"agreement-{_next()}"
    agreement = Agreement.objects.create(slug=slug, title=title or f"Agreement {slug}")
    for number in range(1, versions + 1):
        AgreementVersion.objects.create(agreement=agreement, number=number,
                                        text=f"{text} (v{number})")  # fmt: skip
    return agreement


def publish_version(agreement: Agreement, text="A new text.") -> AgreementVersion:
    number = agreement.versions.count() + 1
    return AgreementVersion.objects.create(agreement=agreement, number=number, text=text)


def add_requirement(track: Track, kind: str, *, path=Requirement.Path.INITIAL,
                    **fields) -> Requirement:  # fmt: skip
    order = track.requirements.count()
    return Requirement.objects.create(track=track, kind=kind, path=path, sort_order=order,
                                      **fields)  # fmt: skip


def make_cohort(track: Track | None = None, slug=None, *, catch_up_counts=True, trainer=None,
                **fields) -> Cohort:  # fmt: skip
    """A cohort (no course, no questions: cheap) preparing for `track`, running since two months
    ago for two more."""
    values = {
        "starts_in": -60, "ends_in": 60, "time_zone": "UTC", "capacity": None,
        "status": Cohort.Status.RUNNING,
    }  # fmt: skip
    return cohort_factories.make_cohort(
        slug or f"cohort-{_next()}", trainer=trainer, course=False, questions=False,
        catch_up_counts=catch_up_counts, track=track, **(values | fields),
    )  # fmt: skip


def join(cohort: Cohort, user, *, left=False) -> Membership:
    return Membership.objects.create(
        cohort=cohort, user=user, source=Membership.Source.DEMO,
        left_at=timezone.now() if left else None,
    )  # fmt: skip


def make_session(cohort: Cohort, *, days_ago=1, cancelled=False, title=None) -> LiveSession:
    start = timezone.now() - timedelta(days=days_ago)
    return LiveSession.objects.create(
        cohort=cohort, title=title or f"Session {_next()}", starts_at=start,
        ends_at=start + timedelta(hours=1), cancelled_at=timezone.now() if cancelled else None,
    )  # fmt: skip


def mark(session: LiveSession, user, status=Attendance.Status.PRESENT, *, caught_up=False):
    return Attendance.objects.create(
        session=session, user=user, status=status or "",
        caught_up_at=timezone.now() if caught_up else None,
    )  # fmt: skip


def make_skill(cohort: Cohort, name=None) -> Skill:
    return Skill.objects.create(cohort=cohort, name=name or f"Skill {_next()}")


def make_certificate(user, track: Track, *, period=1, valid_from=None, expires_on=None,
                     **fields) -> Certificate:  # fmt: skip
    """A certificate stored directly (no event, no PDF task): for states and dates chosen by the
    test."""
    valid_from = valid_from or date.today()
    expires_on = expires_on or add_months(valid_from, track.validity_months)
    return Certificate.objects.create(
        user=user, track=track, period=period, valid_from=valid_from, expires_on=expires_on,
        name_on_certificate=fields.pop("name_on_certificate", user.display_name),
        language=fields.pop("language", "en"), **fields,
    )  # fmt: skip


def at_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def person(**fields):
    return UserFactory(**fields)
