"""Skills a later app shares among cohorts, so `cohorts` never imports it (the same shape as
cohorts.member_panels). A skill with neither a cohort nor a course is shared: certificates
keeps it with a certification track, and every cohort preparing for the track signs it off.

The app registers one Sharing in its AppConfig.ready(): which shared skills a set of cohorts
signs off, the group a cohort's shared skills come from, and the group of one skill (each with
a `local_title`, e.g. the track).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

# A skill neither a cohort's nor a course's (cohorts.models.Skill.is_shared).
SHARED = Q(cohort__isnull=True, course__isnull=True)


@dataclass(frozen=True)
class Sharing:
    # (cohorts: a Cohort queryset) -> a queryset of the pks of the shared skills they sign off
    skills_of: Callable
    # (cohort) -> the group its shared skills come from (with `local_title`), or None
    group_of: Callable
    # (skill, a shared one) -> the group it belongs to, or None
    group_of_skill: Callable
    # (skills: a Skill queryset) -> the same, reading each shared skill's group with it
    with_groups: Callable = lambda skills: skills


_sharing: list[Sharing] = []


def register(sharing: Sharing) -> None:
    _sharing[:] = [sharing]


def signed_off_in(cohorts) -> Q:
    """A condition on Skill: the shared skills any of `cohorts` (a queryset) signs off."""
    if not _sharing:
        return Q(pk__in=[])
    return Q(pk__in=_sharing[0].skills_of(cohorts))


def group_of(cohort):
    return _sharing[0].group_of(cohort) if _sharing else None


def group_of_skill(skill):
    return _sharing[0].group_of_skill(skill) if _sharing else None


def with_groups(skills):
    return _sharing[0].with_groups(skills) if _sharing else skills
