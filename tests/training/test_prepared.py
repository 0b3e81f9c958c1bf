"""training.prepared: a queryset compiled once gives what the queryset gives, for other values."""

from datetime import timedelta

import pytest
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from training.prepared import Prepared


def _people(*, users, since):
    from training.models import User

    return User.objects.filter(pk__in=users, date_joined__gte=since).order_by("pk")


def _emails(*, users, since):
    return _people(users=users, since=since).values_list("email", "date_joined")


def _with_count(*, users, since):
    from training.models import User

    same = User.objects.filter(pk=OuterRef("pk"), date_joined__gte=since).values("pk")
    return (
        _people(users=users, since=since)
        .annotate(groups_count=Count("groups"), again=Subquery(same[:1]))
        .values("pk", "email", "groups_count", "again")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("build", [_people, _emails, _with_count])
def test_a_prepared_query_gives_what_the_queryset_gives(build, django_assert_num_queries):
    from training.factories import UserFactory

    people = [UserFactory() for _ in range(4)]
    prepared = Prepared(build)
    now = timezone.now()
    for users, since in [
        ([p.pk for p in people[:2]], now - timedelta(days=1)),
        ([p.pk for p in people[1:]], now - timedelta(days=1)),
        ([p.pk for p in people[2:4]], now + timedelta(days=1)),
        ([], now),
    ]:
        expected = list(build(users=users, since=since))
        with django_assert_num_queries(0 if not users else 1):
            got = prepared.run(users=users, since=since)
        if build is _people:
            assert [(p.pk, p.email, p.date_joined) for p in got] == [
                (p.pk, p.email, p.date_joined) for p in expected
            ]
        else:
            assert got == expected
    # Compiled once for each length of the list that was asked.
    assert len([c for c in prepared._compiled.values() if c is not None]) == 2
