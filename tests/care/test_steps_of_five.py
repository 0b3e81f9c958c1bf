"""k-anonymity over time: a trainer who reads the totals before and after one more answer must not
be able to work that answer out. Totals add up batches of CARE_MIN_GROUP people's first answers,
frozen when the fifth answered, so they change only when five more people answered
(tests/care/test_batches.py: never when an answer is deleted)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from care.models import CheckIn
from care.selectors import CARE_MIN_GROUP, cohort_aggregates
from care.services import checkin_batches_form
from tests.care.conftest import member_of

pytestmark = pytest.mark.django_db

STEPS = "Totals change in steps of five answers, so that no single answer can be worked out."


def _answer(person, cohort, at, carrying, energy, debrief=False, module=None):
    """An answer given at `at` (checkin_create gives it now), counted as checkin_create does."""
    made = CheckIn.objects.create(
        user=person, cohort=cohort, module=module, module_key=module.pk if module else 0,
        carrying=carrying, energy=energy, wants_debrief=debrief, created_at=at,
        kind=CheckIn.Kind.AFTER_MODULE if module else CheckIn.Kind.WEEKLY,
    )  # fmt: skip
    checkin_batches_form(cohort=cohort, module_key=made.module_key)
    return made


def _shown(group) -> tuple:
    return (group.shown, group.answers, group.carrying, group.energy, group.debrief)


def test_totals_change_only_in_steps_of_five(cohort):
    start = timezone.now() - timedelta(days=20)
    people = [member_of(cohort, f"Person {i}") for i in range(10)]
    # The first five: carrying 1, 2, 3, 4, 5 (average 3.0), energy 2 each, one asks for a debrief.
    for i in range(5):
        _answer(people[i], cohort, start + timedelta(hours=i), carrying=i + 1, energy=2,
                debrief=i == 0)  # fmt: skip
    first_five = _shown(cohort_aggregates(cohort)["overall"])
    assert first_five == (True, 5, 3.0, 2.0, 1)

    # Answers six to nine, each very different from the first five: nothing moves.
    for i in range(5, 9):
        _answer(people[i], cohort, start + timedelta(hours=i), carrying=5, energy=5,
                debrief=True)  # fmt: skip
        assert _shown(cohort_aggregates(cohort)["overall"]) == first_five, i + 1

    # The tenth: the totals are now those of all ten.
    _answer(people[9], cohort, start + timedelta(hours=9), carrying=5, energy=5, debrief=True)
    ten = _shown(cohort_aggregates(cohort)["overall"])
    assert ten == (True, 10, 4.0, 3.5, 6)  # (15 + 25) / 10, (10 + 25) / 10, 1 + 5


def test_a_module_group_steps_on_its_own(cohort):
    module = cohort.courses.first().get_children().specific().first()
    start = timezone.now() - timedelta(days=20)
    people = [member_of(cohort, f"Person {i}") for i in range(7)]
    for i in range(7):
        _answer(people[i], cohort, start + timedelta(hours=i), carrying=1 if i < 5 else 5,
                energy=3, module=module)  # fmt: skip
        found = cohort_aggregates(cohort)
        if i < 4:
            # Below five people the module is not listed at all.
            assert found["modules"] == [], i + 1
            continue
        (group,) = found["modules"]
        assert _shown(group) == (True, 5, 1.0, 3.0, 0), i + 1
        assert _shown(found["overall"]) == (True, 5, 1.0, 3.0, 0), i + 1


def test_the_page_says_totals_move_in_steps(cohort, trainer_client):
    page = trainer_client.get(reverse("care:trainer_care", args=[cohort.slug])).content.decode()
    assert STEPS in page
    assert CARE_MIN_GROUP == 5
