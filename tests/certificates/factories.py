"""Build certification data for tests: tracks with requirements, cohorts on a track, sessions,
agreements and certificates. factory_boy classes for tracks, agreements, requirements (one per
kind) and certificates; the plain functions (`make_track`, `add_requirement`, …) call them with
what the tests of certification usually want, and build cohorts, sessions and attendance."""

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import factory
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
from courses.factories import CoursePageFactory
from tests.cohorts import factories as cohort_factories
from training.factories import UserFactory

_numbers = itertools.count(1)


def _next() -> int:
    return next(_numbers)


class TrackFactory(factory.django.DjangoModelFactory):
    """A track certifying automatically, valid for two years, renewal opening 90 days before."""

    class Meta:
        model = Track

    slug = factory.Sequence(lambda n: f"track-{n + 1}")
    title = factory.LazyAttribute(lambda track: f"Track {track.slug}")
    approval = Track.Approval.AUTOMATIC
    validity_months = 24
    renewal_opens_days = 90


class AgreementFactory(factory.django.DjangoModelFactory):
    """An agreement with `versions` versions (1 unless told), their text `versions__text` plus
    " (vN)"."""

    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"agreement-{n + 1}")
    title = factory.LazyAttribute(lambda agreement: f"Agreement {agreement.slug}")

    @factory.post_generation
    def versions(self, create, extracted, text="We keep what we hear confidential.", **kwargs):
        if not create:
            return
        for number in range(1, (1 if extracted is None else extracted) + 1):
            AgreementVersion.objects.create(agreement=self, number=number,
                                            text=f"{text} (v{number})")  # fmt: skip


class RequirementFactory(factory.django.DjangoModelFactory):
    """A requirement on a new track's initial path, after the track's others. Use the factory
    of its kind (below, or `REQUIREMENT_FACTORIES[kind]`): each sets the one field its kind
    needs (the database refuses any other)."""

    class Meta:
        model = Requirement

    track = factory.SubFactory(TrackFactory)
    path = Requirement.Path.INITIAL
    sort_order = factory.LazyAttribute(lambda requirement: requirement.track.requirements.count())


class CourseRequirementFactory(RequirementFactory):
    kind = Requirement.Kind.COURSE
    course = factory.SubFactory(CoursePageFactory)


class AttendanceRequirementFactory(RequirementFactory):
    kind = Requirement.Kind.ATTENDANCE
    min_attendance = 75


class SkillRequirementFactory(RequirementFactory):
    """Pass `skill`: one of the track's skills (`make_skill`)."""

    kind = Requirement.Kind.SKILL


class AgreementRequirementFactory(RequirementFactory):
    kind = Requirement.Kind.AGREEMENT
    agreement = factory.SubFactory(AgreementFactory)


class ContinuingEducationRequirementFactory(RequirementFactory):
    kind = Requirement.Kind.CONTINUING_EDUCATION
    min_hours = Decimal("10")


REQUIREMENT_FACTORIES = {
    Requirement.Kind.COURSE: CourseRequirementFactory,
    Requirement.Kind.ATTENDANCE: AttendanceRequirementFactory,
    Requirement.Kind.SKILL: SkillRequirementFactory,
    Requirement.Kind.AGREEMENT: AgreementRequirementFactory,
    Requirement.Kind.CONTINUING_EDUCATION: ContinuingEducationRequirementFactory,
}


class CertificateFactory(factory.django.DjangoModelFactory):
    """A certificate stored directly (no event, no PDF task), valid from today for its track's
    validity, in the person's display name, in English."""

    class Meta:
        model = Certificate

    user = factory.SubFactory(UserFactory)
    track = factory.SubFactory(TrackFactory)
    period = 1
    valid_from = factory.LazyFunction(date.today)
    expires_on = factory.LazyAttribute(
        lambda certificate: add_months(certificate.valid_from, certificate.track.validity_months)
    )
    name_on_certificate = factory.LazyAttribute(lambda certificate: certificate.user.display_name)
    language = "en"


def make_track(slug=None, *, approval=Track.Approval.AUTOMATIC, validity_months=24,
               renewal_opens_days=90, **fields) -> Track:  # fmt: skip
    if slug is not None:
        fields["slug"] = slug
    return TrackFactory(approval=approval, validity_months=validity_months,
                        renewal_opens_days=renewal_opens_days, **fields)  # fmt: skip


def make_agreement(slug=None, *, title=None, text="We keep what we hear confidential.",
                   versions=1) -> Agreement:  # fmt: skip
    names = {"slug": slug} if slug else {}
    if title:
        names["title"] = title
    return AgreementFactory(**names, versions=versions, versions__text=text)


def publish_version(agreement: Agreement, text="A new text.") -> AgreementVersion:
    number = agreement.versions.count() + 1
    return AgreementVersion.objects.create(agreement=agreement, number=number, text=text)


def add_requirement(track: Track, kind: str, *, path=Requirement.Path.INITIAL,
                    **fields) -> Requirement:  # fmt: skip
    """A requirement of `kind` on `track`, after its others; `fields` give the kind's field."""
    return REQUIREMENT_FACTORIES[kind](track=track, path=path, **fields)


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
    dates = {"valid_from": valid_from, "expires_on": expires_on}
    dates = {name: day for name, day in dates.items() if day}
    return CertificateFactory(user=user, track=track, period=period, **dates, **fields)


def at_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def person(**fields):
    return UserFactory(**fields)
