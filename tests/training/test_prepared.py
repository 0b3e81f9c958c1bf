"""training.prepared: a queryset compiled once gives what the queryset gives, for other values."""

from datetime import timedelta

import pytest
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from training.factories import UserFactory
from training.models import User
from training.prepared import Prepared


def _people(*, users, since):
    return User.objects.filter(pk__in=users, date_joined__gte=since).order_by("pk")


def _emails(*, users, since):
    return _people(users=users, since=since).values_list("email", "date_joined")


def _with_count(*, users, since):
    same = User.objects.filter(pk=OuterRef("pk"), date_joined__gte=since).values("pk")
    return (
        _people(users=users, since=since)
        .annotate(groups_count=Count("groups"), again=Subquery(same[:1]))
        .values("pk", "email", "groups_count", "again")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("build", [_people, _emails, _with_count])
def test_a_prepared_query_gives_what_the_queryset_gives(build, django_assert_num_queries):
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


def _logged_in_at(*, when):
    return User.objects.filter(last_login=when).order_by("pk")


@pytest.mark.django_db
def test_none_or_another_type_after_compiling_is_built_as_the_orm_builds_it():
    never = UserFactory(last_login=None)
    prepared = Prepared(_logged_in_at)
    assert prepared.run(when=timezone.now()) == []  # compiled with a datetime
    assert [p.pk for p in prepared.run(when=None)] == [never.pk]  # IS NULL, not = NULL

    by_pk = Prepared(lambda *, pk: _people(users=[pk], since=timezone.now() - timedelta(days=1)))
    assert [p.pk for p in by_pk.run(pk=never.pk)] == [never.pk]  # compiled with an int
    assert [p.pk for p in by_pk.run(pk=str(never.pk))] == [never.pk]
    assert by_pk.run(pk=True) == list(by_pk.build(pk=True))


def _email_or_name(*, text):
    return User.objects.filter(Q(email=text) | Q(first_name__contains=text)).order_by("pk")


@pytest.mark.django_db
def test_a_value_transformed_in_the_sql_is_not_prepared():
    ana = UserFactory(first_name="Ana María")
    prepared = Prepared(_email_or_name)
    assert prepared.run(text="nobody@example.org") == []
    # The LIKE pattern holds the value: the query is built each time, with the value asked.
    assert [p.pk for p in prepared.run(text="María")] == [ana.pk]
    assert list(prepared._compiled.values()) == [None]
