"""training.prepared: a queryset compiled once gives what the queryset gives, for other values."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from training.factories import UserFactory
from training.models import User
from training.prepared import Prepared, Together, parallel, read_now, run_stages


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


# --- Several reads in one round trip ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_reads_together_give_what_each_gives_alone(django_assert_num_queries):
    """Raw and prepared reads sent together: each gets its own rows, converted as alone, and a
    read that cannot be prepared is still answered."""
    people = [UserFactory() for _ in range(3)]
    ids = [p.pk for p in people]
    since = timezone.now() - timedelta(days=1)
    prepared = Prepared(_people)
    emails = Prepared(_emails)
    for _ in range(2):  # compiled the first time, reused the second
        together = Together()
        raw = together.sql("SELECT %s + 1, %s", [41, "x"])
        found = together.prepared(prepared, users=ids[:2], since=since)
        listed = together.prepared(emails, users=ids, since=since)
        converted = together.sql("SELECT 2", [], finish=lambda rows: [r[0] * 10 for r in rows])
        with pytest.raises(RuntimeError):
            raw.rows  # noqa: B018 — read before the block has run
        with django_assert_num_queries(4):
            together.run()
        assert raw.rows == [(42, "x")]
        assert [p.pk for p in found.rows] == ids[:2]
        assert listed.rows == list(_emails(users=ids, since=since))
        assert converted.rows == [20]
    # Nothing to send: nothing sent.
    with django_assert_num_queries(0):
        Together().run()
    # A read that fails raises, and the connection is usable after it.
    together = Together()
    together.sql("SELECT 1", [])
    together.sql("SELECT * FROM no_such_table", [])
    with pytest.raises(Exception, match="no_such_table"):
        together.run()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 3")
        assert cursor.fetchone() == (3,)


@pytest.mark.django_db
def test_reads_together_in_a_transaction_see_its_writes():
    """In a request's transaction (ATOMIC_REQUESTS), reads together see what it wrote."""
    person = UserFactory(display_name="Before")
    User.objects.filter(pk=person.pk).update(display_name="After")
    together = Together()
    name = together.sql("SELECT display_name FROM training_user WHERE id = %s", [person.pk])
    other = together.sql("SELECT count(*) FROM training_user WHERE id = %s", [person.pk])
    together.run()
    assert name.rows == [("After",)]
    assert other.rows == [(1,)]


@pytest.mark.django_db
def test_reads_in_stages_send_each_stage_of_every_step_in_one_round_trip(monkeypatch):
    """run_stages: generators of stages advance in step (stage 1 of all of them in one round
    trip, then stage 2...), a plain finishing function gets its rows after the first; `parallel`
    and `yield from` compose; each gives what it would give alone."""
    people = [UserFactory() for _ in range(3)]
    ids = sorted(p.pk for p in people)
    sent = []
    send = Together._send
    monkeypatch.setattr(
        Together, "_send", lambda self, todo: (sent.append(len(todo)), send(self, todo))
    )

    def two_stages(together, wanted):
        found = together.queryset(User.objects.filter(pk__in=wanted).order_by("pk"))
        yield
        pks = [p.pk for p in found.rows]
        emails = together.queryset(
            User.objects.filter(pk__in=pks).order_by("pk").values_list("email")
        )
        yield
        return [email for (email,) in emails.rows]

    def nested(together):
        first, second = yield from parallel(two_stages(together, ids[:1]),
                                            two_stages(together, ids[1:]))  # fmt: skip
        return first + second

    def no_read(together):
        return "nothing"
        yield  # a generator that never waits

    together = Together()
    plain = together.sql("SELECT 7", [])
    results = run_stages(together, {
        "a": two_stages(together, ids), "b": nested(together), "c": no_read(together),
        "d": lambda: plain.rows,
    })  # fmt: skip
    emails = [User.objects.get(pk=pk).email for pk in ids]
    assert results == {"a": emails, "b": emails, "c": "nothing", "d": [(7,)]}
    # Stage 1: a's read, b's two, the plain read; stage 2: the same three again.
    assert sent == [4, 3], sent
    assert read_now(two_stages, ids) == emails
    # An empty list: nothing asked of the database.
    assert read_now(two_stages, []) == []
