"""Several reads sent to PostgreSQL at once and answered in one round trip, at the cost of one.

`training.prepared.Together` sends reads that do not depend on each other together. psycopg's
pipeline mode (`connection.pipeline()`) does that, but each `cursor.execute()` inside it still
talks to the server on its own: psycopg sends the query, then polls the socket, once or twice
for each query. On the dashboard (11 queries, 10 of them in two batches) psycopg's waits took
0.80 ms of the process's CPU a request, 17 of them; sent this way, 0.23 ms, 5 of them (issue
18, this 2-core machine; `bench/README.md`).

`fetch_all` does what the pipeline does with libpq's own calls: every query is queued in
libpq's buffer (prepared as psycopg prepares it: the connection's own cache of prepared
statements, so both agree on what the server holds), one Sync, one flush, then the results
are read as they come, each turned into rows by psycopg's loaders with Django's adapters (the
same values `cursor.fetchall()` gives). Django still sees each query: it goes through the
connection's execute wrappers and, when queries are logged, `connection.queries`, as a
cursor's would.

It uses psycopg's lower layers (`PostgresQuery`, the prepared-statement manager, the pipeline
calls of `pgconn`): only with the psycopg release it was tested with (3.3, pinned in uv.lock;
tests/training/test_batch.py compares every result with what a cursor gives and fails when a
new release makes the batch step aside). Where a batch cannot be sent this way (another
psycopg, values bound by the client, a transaction psycopg has yet to open, a pipeline already
open), `fetch_all` returns None and the caller sends the reads as usual.
"""

import contextlib
from collections.abc import Sequence

import psycopg
from psycopg import errors as psycopg_errors
from psycopg import pq
from psycopg._preparing import Prepare
from psycopg._queries import PostgresQuery
from psycopg.adapt import Transformer
from psycopg.waiting import Ready, Wait

TUPLES_OK = pq.ExecStatus.TUPLES_OK
COMMAND_OK = pq.ExecStatus.COMMAND_OK
FATAL_ERROR = pq.ExecStatus.FATAL_ERROR
PIPELINE_SYNC = pq.ExecStatus.PIPELINE_SYNC
PIPELINE_ABORTED = pq.ExecStatus.PIPELINE_ABORTED
IDLE = pq.TransactionStatus.IDLE
PIPELINE_OFF = pq.PipelineStatus.OFF
CONNECTION_OK = pq.ConnStatus.OK
# The psycopg releases this was written and tested against (uv.lock): another release goes the
# usual way until tests/training/test_batch.py has run on it (its test that names psycopg fails
# on purpose there).
SUPPORTED = psycopg.__version__.split(".")[:2] == ["3", "3"]


class _Queued:
    """What Django's cursor wrapper runs as the query: it only records the query, which is
    sent with the others afterwards."""

    def __init__(self):
        self.queries: list[tuple[str, Sequence]] = []

    def execute(self, sql, params=None):
        self.queries.append((sql, params))

    def close(self):
        pass


def fetch_all(connection, queries: list[tuple[str, Sequence]]) -> list[list[tuple]] | None:
    """The rows of each query (`%s` placeholders, as Django writes them), sent in one round
    trip on `connection` (a Django PostgreSQL connection); None when they cannot be sent this
    way (see above), before anything is sent or counted. A query that fails raises what a
    cursor would raise, once every result is read (the connection is left as a cursor leaves
    it). Django's execute wrappers see each query before it is sent: they see no error and
    time nothing (`connection.queries` lists each with a time of 0)."""
    if not SUPPORTED or not queries:
        return None
    # As a cursor starts: the connection checked once per request (CONN_HEALTH_CHECKS), then
    # opened if it is not.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    conn = connection.connection
    pgconn = getattr(conn, "pgconn", None)
    if (
        pgconn is None
        or not hasattr(conn, "_prepared")
        # Values bound on the server (training/settings/base.py); with client-side binding
        # (DATABASE_PREPARED_STATEMENTS=false, for a pooler) a cursor's way.
        or not connection.features.uses_server_side_binding
        or pgconn.status != CONNECTION_OK
        # Inside psycopg's own pipeline.
        or pgconn.pipeline_status != PIPELINE_OFF
        # A transaction psycopg opens with the next query (BEGIN).
        or (not conn.autocommit and pgconn.transaction_status == IDLE)
    ):
        return None
    # Django sees each query as if a cursor ran it: execute wrappers, connection.queries.
    recorder = _Queued()
    wrapped = connection._prepare_cursor(recorder)
    for sql, params in queries:
        wrapped.execute(sql, params)
    cursor = connection.create_cursor()  # psycopg's, with Django's adapters (time zone…)
    try:
        with connection.wrap_database_errors, conn.lock:
            transformer = Transformer(cursor)
            converted = []
            for sql, params in recorder.queries:
                query = PostgresQuery(transformer)
                query.convert(sql, params)
                converted.append(query)
            return _run(connection, conn, pgconn, transformer, converted)
    finally:
        cursor.close()


def _run(connection, conn, pgconn, transformer, queries) -> list[list[tuple]]:
    manager = conn._prepared
    pgconn.enter_pipeline_mode()
    try:
        sent = _send(manager, pgconn, queries)
        pgconn.pipeline_sync()
        answers = conn.wait(_answers(pgconn))
        pgconn.exit_pipeline_mode()
    except BaseException:
        # Sending or reading failed half-way (the connection broke, an interrupt): what the
        # server still owes cannot be matched to anything. The connection is closed, as Django
        # closes a broken one (inside a transaction, the block then fails as a whole); the
        # next request opens a new one.
        with contextlib.suppress(Exception):  # the first error is the one to raise
            connection.close()
        raise
    results, prepares = _per_query(sent, answers)
    failed = any(result and result[0].status == FATAL_ERROR for result in results)
    for (key, prep, name, query), result, prepared in zip(sent, results, prepares, strict=True):
        if prep is Prepare.SHOULD:
            # The statement exists if its PREPARE ran: after an error, the server skips
            # everything up to the Sync (a PREPARE among them), but what ran before the error
            # stays prepared even though the transaction failed. The cache says what the
            # server holds: forgotten when it was skipped or failed, kept when it ran (its
            # query's own result, failed or skipped, does not change that).
            if not prepared or prepared[0].status != COMMAND_OK:
                manager.validate(manager.key(query), prep, name, [])
            elif key is not None:
                manager.validate(key, prep, name, prepared)
        elif key is not None:
            manager.validate(key, prep, name, result)
    if not failed:  # (in a transaction that failed, nothing more can be sent)
        conn.wait(manager.maintain_gen(conn))
    return [_rows(transformer, result, pgconn._encoding) for result in results]


def _send(manager, pgconn, queries) -> list[tuple]:
    """Each query into libpq's buffer, prepared as psycopg's cursor would prepare it; for each,
    what the prepared-statement cache needs to hear of its result."""
    sent = []
    for query in queries:
        prep, name = manager.get(query, None)
        if prep is Prepare.NO:
            pgconn.send_query_params(
                query.query, query.params, param_formats=query.formats, param_types=query.types
            )
        else:
            if prep is Prepare.SHOULD:
                pgconn.send_prepare(name, query.query, param_types=query.types)
            pgconn.send_query_prepared(name, query.params, param_formats=query.formats)
        sent.append((manager.maybe_add_to_cache(query, prep, name), prep, name, query))
    return sent


def _per_query(sent, answers) -> tuple[list[list], list]:
    """Each query's results, and its PREPARE's (None when none was sent): a PREPARE sent
    before its query answers first."""
    results, prepares, position = [], [], 0
    for _key, prep, _name, _query in sent:
        prepared = None
        if prep is Prepare.SHOULD:
            prepared = answers[position]
            position += 1
        prepares.append(prepared)
        if prepared and prepared[0].status == FATAL_ERROR:
            results.append(prepared)  # the PREPARE failed: its query was not run
        else:
            results.append(answers[position])
        position += 1
    return results, prepares


def _rows(transformer, result, encoding: str) -> list[tuple]:
    """A query's rows, loaded as a cursor loads them; its error raised as a cursor raises it."""
    status = result[0].status if result else None
    if status == FATAL_ERROR:
        raise psycopg_errors.error_from_result(result[0], encoding=encoding)
    if status == PIPELINE_ABORTED:  # only after a FATAL_ERROR, raised first
        raise psycopg_errors.PipelineAborted("pipeline aborted")
    if status not in (TUPLES_OK, COMMAND_OK):
        raise psycopg_errors.InternalError(f"unexpected result: {status!r}")
    answer = result[0]
    if status != TUPLES_OK:
        return []
    transformer.set_pgresult(answer)
    return transformer.load_rows(0, answer.ntuples, tuple)


def _answers(pgconn):
    """A generator for psycopg's `wait`: sends what libpq holds, then reads every result up
    to the Sync; each query's results (a list) in order."""
    answers, current = [], []
    while True:
        flushed = pgconn.flush() == 0
        ready = yield Wait.R if flushed else Wait.RW
        if not ready or not ready & Ready.R:
            continue
        pgconn.consume_input()
        while not pgconn.is_busy():
            result = pgconn.get_result()
            if result is None:
                if not current:
                    break
                answers.append(current)
                current = []
            elif result.status == PIPELINE_SYNC:
                return answers
            else:
                current.append(result)
