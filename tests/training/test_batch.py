"""training.postgresql.batch: reads sent at once give what a cursor gives, are counted as a
cursor's are, and leave the connection as a cursor leaves it."""

import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import DatabaseError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from training.postgresql import batch

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="sending reads at once is PostgreSQL's pipeline"
)

# Values of most types the pages read, each sent as a parameter and read back.
VALUES = [
    ("%s::int", 42),
    ("%s::bigint", 7_300_000_001),
    ("%s::text", "Ana María «ñ» 😊"),
    ("%s::numeric", Decimal("12.50")),
    ("%s::timestamptz", datetime(2026, 3, 29, 1, 30, tzinfo=UTC)),
    ("%s::date", date(2026, 12, 6)),
    ("%s::time", time(23, 59, 1)),
    ("%s::interval", timedelta(days=2, seconds=5)),
    ("%s::uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
    ("%s::boolean", True),
    ("%s::int[]", [1, 2, 3]),
    ("%s::bytea", b"\x00\x01"),
    ("NULLIF(%s::int, 1)", 1),
]
QUERIES = [
    (f"SELECT {expression}, %s::text, 'a %%s literal'", [value, "x"])
    for expression, value in VALUES
] + [
    ("SELECT %s::jsonb -> 'a'", ['{"a": [1, "b"]}']),
    ("SELECT n FROM generate_series(1, %s) AS n", [3]),
    ("SELECT n FROM generate_series(1, 0) AS n WHERE n > %s", [0]),  # no rows
]


def _by_cursor(queries):
    rows = []
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            rows.append(cursor.fetchall())
    return rows


@pytest.mark.django_db(transaction=True)
def test_each_read_gives_what_a_cursor_gives_before_and_after_it_is_prepared():
    connection.ensure_connection()
    expected = _by_cursor(QUERIES)
    # psycopg prepares a query on its 5th run: the runs before, the one that prepares it and
    # the ones after all give the same rows.
    for _ in range(8):
        assert batch.fetch_all(connection, QUERIES) == expected
    prepared = connection.connection._prepared._names
    assert any(b"generate_series" in key[0] for key in prepared)
    # The prepared statements are the ones the server holds: a cursor uses them too.
    assert _by_cursor(QUERIES) == expected


@pytest.mark.django_db(transaction=True)
def test_every_read_is_seen_by_django_as_a_cursor_would_show_it():
    connection.ensure_connection()
    queries = [("SELECT %s::int", [1]), ("SELECT %s::text", ["two"])]
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, tuple(params)))
        return execute(sql, params, many, context)

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(wrapper):
        assert batch.fetch_all(connection, queries) == [[(1,)], [("two",)]]
    assert seen == [("SELECT %s::int", (1,)), ("SELECT %s::text", ("two",))]
    assert [q["sql"] for q in captured.captured_queries] == ["SELECT 1::int", "SELECT 'two'::text"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("runs", [1, 5, 7])  # before, while and after the failing one is prepared
def test_a_failing_read_raises_what_a_cursor_raises_and_the_connection_goes_on(runs):
    connection.ensure_connection()
    good = ("SELECT %s::int + 1", [1])
    bad = ("SELECT * FROM no_such_table WHERE id = %s", [1])
    for _ in range(runs - 1):
        with pytest.raises(ProgrammingError):
            batch.fetch_all(connection, [good, bad])
    with pytest.raises(ProgrammingError, match="no_such_table"):
        batch.fetch_all(connection, [good, bad, good])
    # The connection answers, the prepared statements it holds still work.
    for _ in range(6):
        assert batch.fetch_all(connection, [good, ("SELECT %s::text", ["ok"])]) == [
            [(2,)],
            [("ok",)],
        ]
    assert _by_cursor([good]) == [[(2,)]]
    _cache_is_what_the_server_holds()


def _cache_is_what_the_server_holds():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE '_pg3_%%'")
        on_server = {name.encode() for (name,) in cursor.fetchall()}
    # (Read after the query: it may have been prepared itself.)
    held = set(connection.connection._prepared._names.values())
    assert held == on_server, (held, on_server)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("order", ["before", "after"])
def test_statements_prepared_with_a_failing_read_are_known_as_the_server_knows_them(order):
    """A PREPARE sent before the failing read runs and stays on the server (the cache keeps
    it); one sent after it is skipped (the cache forgets it): no statement is lost or leaked."""
    connection.ensure_connection()
    connection.connection.prepare_threshold = 0  # every query prepared on its first run
    try:
        good = ("SELECT %s::int * 2", [4])
        bad = ("SELECT * FROM no_such_table WHERE id = %s", [1])
        batch_ = [good, bad] if order == "before" else [bad, good]
        for _ in range(3):
            with pytest.raises(ProgrammingError):
                batch.fetch_all(connection, batch_)
            _cache_is_what_the_server_holds()
        assert batch.fetch_all(connection, [good, good]) == [[(8,)], [(8,)]]
        _cache_is_what_the_server_holds()
    finally:
        connection.connection.prepare_threshold = 5


def test_the_batch_is_used_with_the_psycopg_it_was_written_for():
    """psycopg's lower layers may change in another release: fetch_all steps aside there
    (reads go the usual way, correct but slower). A new psycopg fails this test on purpose:
    check batch.py against it (and these tests), then widen `SUPPORTED`."""
    assert batch.SUPPORTED, f"psycopg {psycopg.__version__}: review training/postgresql/batch.py"


@pytest.mark.django_db(transaction=True)
def test_a_closed_connection_is_opened_as_a_cursor_would():
    connection.close()
    assert batch.fetch_all(connection, [("SELECT %s::int", [5])] * 2) == [[(5,)], [(5,)]]


@pytest.mark.django_db(transaction=True)
def test_in_a_transaction_reads_see_its_writes_and_its_first_read_is_a_cursors():
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE batch_probe (n int)")
    try:
        with transaction.atomic():
            # Nothing sent yet in this transaction: psycopg opens it with the next query (BEGIN),
            # so the reads go the usual way.
            assert batch.fetch_all(connection, [("SELECT %s::int", [1])] * 2) is None
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO batch_probe VALUES (5)")
            counted = [("SELECT count(*) FROM batch_probe WHERE n = %s", [5])] * 2
            assert batch.fetch_all(connection, counted) == [[(1,)], [(1,)]]
            with pytest.raises(ProgrammingError):
                batch.fetch_all(connection, [("SELECT * FROM no_such_table", [])] * 2)
            # As after a cursor's error: the transaction is aborted until it is rolled back.
            with pytest.raises(DatabaseError, match="aborted"), connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            transaction.set_rollback(True)
        assert _by_cursor([("SELECT count(*) FROM batch_probe", [])]) == [[(0,)]]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE batch_probe")


@pytest.mark.django_db(transaction=True)
def test_values_bound_by_the_client_go_the_usual_way(monkeypatch):
    connection.ensure_connection()
    monkeypatch.setattr(connection.features, "uses_server_side_binding", False)
    assert batch.fetch_all(connection, [("SELECT 1", [])] * 2) is None


@pytest.mark.django_db(transaction=True)
def test_a_connection_broken_half_way_is_closed_and_the_next_one_works(monkeypatch):
    connection.ensure_connection()

    def broken(pgconn):
        raise OSError("connection reset")
        yield

    monkeypatch.setattr(batch, "_answers", broken)
    with pytest.raises(OSError, match="reset"):
        batch.fetch_all(connection, [("SELECT 1", [])] * 2)
    assert connection.connection is None  # closed, as Django closes a broken one
    monkeypatch.undo()
    connection.ensure_connection()
    assert batch.fetch_all(connection, [("SELECT %s::int", [3])] * 2) == [[(3,)], [(3,)]]
