"""Querysets compiled once per process, run many times with other values (issue 18).

Building and compiling a queryset with annotations and subqueries costs far more Python time than
the database spends answering it (the dashboard's were most of its time). A `Prepared` query is
built once per process and database connection with stand-in values (sentinels) for what
changes between requests (the person, the time, a list of ids), compiled to SQL once, and then
run with the real values put where the sentinels were: the same SQL, the same conversions of
the columns, the same model instances or rows as the queryset gives.

A sentinel is a value nothing else in a query can hold (an id no row has, a moment in 1901); the
compiled parameters are checked to hold each (once or more), or the query is not prepared (it is
built each time, as usual). What decides the shape of the SQL (the length of a list, the language
a subquery reads in) is given as `shape`: each shape is compiled once.
"""

import inspect
import threading
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import (
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

from .postgresql import batch

_START = datetime(1901, 1, 1, tzinfo=UTC)
_lock = threading.Lock()


class _Sentinels:
    def __init__(self):
        self.count = 0
        self.made: list[tuple[str, int | None, object]] = []  # (name, index in list, value)

    def _next(self) -> int:
        self.count += 1
        return self.count

    def make(self, name: str, value):
        if isinstance(value, (list, tuple)):
            return [self._one(name, i, item) for i, item in enumerate(value)]
        return self._one(name, None, value)

    def _one(self, name: str, index, value):
        n = self._next()
        if isinstance(value, datetime):
            sentinel = _START + timedelta(seconds=n, microseconds=n)
        elif isinstance(value, date):
            sentinel = date(1901, 1, 1) + timedelta(days=n)
        elif isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"prepared: {name} cannot have a sentinel ({type(value).__name__})")
        elif isinstance(value, int):
            sentinel = -7_300_000_000 - n
        else:
            sentinel = f"\x01prepared-sentinel-{n}\x01"
        self.made.append((name, index, sentinel))
        return sentinel


def _same_value(value):
    return value


def _adapters(connection, sentinel):
    """How a value like `sentinel` may be passed to the database: as it is, or adapted."""
    if isinstance(sentinel, datetime):
        return [_same_value, connection.ops.adapt_datetimefield_value]
    if isinstance(sentinel, date):
        return [_same_value, connection.ops.adapt_datefield_value]
    return [_same_value]


class _Compiled:
    def __init__(self, queryset, sentinels: _Sentinels, connection):
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = []  # (position, name, index, adapter)
        types = {}  # (name, index): the type of the value compiled
        for name, index, sentinel in sentinels.made:
            found = []
            for adapt in _adapters(connection, sentinel):
                adapted = adapt(sentinel)
                found = [p for p, value in enumerate(params) if _same(value, adapted)]
                if found:
                    break
            if not found:
                raise LookupError(f"prepared: {name} is not in the SQL")
            slots.extend((position, name, index, adapt) for position in found)
            types.setdefault((name, index), type(sentinel))
        # A sentinel changed on its way into the SQL (inside a LIKE pattern, a JSON value...):
        # the real value could not be put in its place.
        taken = {position for position, *_rest in slots}
        for position, value in enumerate(params):
            if position not in taken and _holds_sentinel(value, sentinels):
                raise LookupError("prepared: a value is transformed in the SQL")
        self.compiler = compiler
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise LookupError("prepared: composite fields are not handled")
        self.converters = compiler.get_converters(fields)
        self.sql = sql
        self.params = params
        self.slots = slots
        self.types = types
        self.iterable = queryset._iterable_class
        self.queryset = queryset

    def fits(self, values: dict) -> bool:
        """Whether every value has the type of the sentinel compiled in its place (not None,
        not a bool)."""
        for (name, index), kind in self.types.items():
            value = values[name] if index is None else values[name][index]
            if value is None or isinstance(value, bool) or type(value) is not kind:
                return False
        return True

    def sql_for(self, values: dict) -> tuple[str, list]:
        params = list(self.params)
        for position, name, index, adapt in self.slots:
            value = values[name] if index is None else values[name][index]
            params[position] = adapt(value)
        return self.sql, params

    def run(self, connection, values: dict) -> list:
        sql, params = self.sql_for(values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        return self.convert(rows)

    def convert(self, rows: list) -> list:
        compiler = self.compiler
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        # As compiler.results_iter, with the columns' converters found once.
        if self.converters:
            rows = compiler.apply_converters(rows, self.converters)
        return list(rows)


def _holds_sentinel(value, sentinels: _Sentinels) -> bool:
    """Whether a compiled parameter holds a sentinel in another form (a str sentinel inside a
    string; an int or a moment written out)."""
    if isinstance(value, (list, tuple)):
        return any(_holds_sentinel(item, sentinels) for item in value)
    if isinstance(value, (bytes, bytearray)):
        value = value.decode(errors="replace")
    if not isinstance(value, str):
        return False
    return any(str(sentinel) in value for _name, _index, sentinel in sentinels.made) or (
        "\x01prepared-sentinel-" in value
    )


def _same(value, adapted) -> bool:
    return type(value) is type(adapted) and value == adapted


class Prepared:
    """`build(**values)` makes the queryset (a plain one: models, `.values()` or a tuples'
    `.values_list()`); `run(shape,
    **values)` gives its list of model instances (or dicts), compiled once per `shape` and
    connection. Every value must be an int, a str, a date, a datetime or a list of those."""

    def __init__(self, build):
        self.build = build
        self._compiled: dict[tuple, _Compiled | None] = {}

    def run(self, shape=(), *, using: str = "default", **values) -> list:
        connection = connections[using]
        compiled = self.compiled(connection, shape, values)
        if compiled is None:
            return list(self.build(**values))
        rows = compiled.run(connection, values)
        return _materialize(compiled, rows, using)

    def raw(self, shape=(), *, using: str = "default", **values) -> list | None:
        """The rows as the database gives them, before any conversion (plain values: a cache
        can keep them), or None when this query is not prepared with these values."""
        connection = connections[using]
        compiled = self.compiled(connection, shape, values)
        if compiled is None:
            return None
        sql, params = compiled.sql_for(values)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def from_raw(self, rows: list, shape=(), *, using: str = "default", **values) -> list:
        """What `run` gives, from rows `raw` gave (with the same shape and values)."""
        compiled = self.compiled(connections[using], shape, values)
        return _materialize(compiled, compiled.convert(rows), using)

    def compiled(self, connection, shape, values: dict) -> "_Compiled | None":
        """The query compiled for this shape and these values, or None when it is built as
        usual this time."""
        key = (connection.alias, connection.vendor, shape,
               tuple(len(v) if isinstance(v, (list, tuple)) else None for v in values.values()),
               tuple(values))  # fmt: skip
        compiled = self._compiled.get(key, False)
        if compiled is not None and compiled is not False and not compiled.fits(values):
            # None, a bool or a value of another type than the one compiled: its SQL may differ
            # (`IS NULL`, another cast): built as usual this time.
            return None
        if compiled is False:
            try:
                compiled = self._compile(connection, values)
            except TypeError:
                # A value with no sentinel (None, an object): built as usual this time.
                return None
            with _lock:
                self._compiled[key] = compiled
        return compiled

    def _compile(self, connection, values):
        sentinels = _Sentinels()
        stand_ins = {name: sentinels.make(name, value) for name, value in values.items()}
        queryset = self.build(**stand_ins)
        if queryset._iterable_class not in (ModelIterable, ValuesIterable, ValuesListIterable) or (
            queryset._prefetch_related_lookups or queryset._known_related_objects
        ):
            return None
        try:
            return _Compiled(queryset, sentinels, connection)
        except (LookupError, TypeError, EmptyResultSet):
            # Not preparable (e.g. an empty list: nothing to ask the database): built each time.
            return None


def _materialize(compiled: _Compiled, rows: list, db: str) -> list:
    compiler = compiled.compiler
    if compiled.iterable in (ValuesIterable, ValuesListIterable):
        query = compiler.query
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        dicts = [dict(zip(names, row, strict=False)) for row in rows]
        if compiled.iterable is ValuesIterable:
            return dicts
        fields = list(compiled.queryset._fields) or names
        return [tuple(row[name] for name in fields) for row in dicts]
    select, klass_info, annotation_col_map = (
        compiler.select, compiler.klass_info, compiler.annotation_col_map,
    )  # fmt: skip
    model_cls = klass_info["model"]
    select_fields = klass_info["select_fields"]
    start, end = select_fields[0], select_fields[-1] + 1
    init_list = [f[0].target.attname for f in select[start:end]]
    related_populators = get_related_populators(klass_info, select, db)
    objects = []
    for row in rows:
        obj = model_cls.from_db(db, init_list, row[start:end])
        for populator in related_populators:
            populator.populate(row, obj)
        if annotation_col_map:
            for attr_name, col_pos in annotation_col_map.items():
                setattr(obj, attr_name, row[col_pos])
        objects.append(obj)
    return objects


# --- Several reads in one round trip ------------------------------------------------------------
class Pending:
    """A read queued in a `Together`: its rows once the block has run (`rows`), converted by
    `finish` if given."""

    __slots__ = ("_finish", "_rows", "params", "sql")

    def __init__(self, sql: str, params: list, finish=None):
        self.sql, self.params, self._finish = sql, params, finish
        self._rows = None

    @property
    def rows(self) -> list:
        if self._rows is None:
            raise RuntimeError("together: read before its block has run")
        return self._rows


class Together:
    """Reads that do not depend on each other, sent to the database at once and answered in one
    round trip (PostgreSQL's pipeline mode, driven by training/postgresql/batch.py: one Sync
    and one flush for all of them); one after the other on other databases. Each read costs the
    database what it costs alone: what is saved is the wait between them (on a loaded machine, a
    switch to the database process and back for each).

        together = Together()
        a = together.sql("SELECT …", [1, 2])
        b = together.prepared(some_prepared, shape, person=user.pk)
        together.run()
        a.rows, b.rows
    """

    def __init__(self, using: str = "default"):
        self.using = using
        self.pending: list[Pending] = []
        self._after: list = []

    def after(self, callback) -> None:
        """Call `callback()` once the reads have run (to keep what they found)."""
        self._after.append(callback)

    def sql(self, sql: str, params, finish=None) -> Pending:
        """A raw read: its rows as the cursor gives them, or `finish(rows)`."""
        pending = Pending(sql, list(params), finish)
        self.pending.append(pending)
        return pending

    def queryset(self, queryset) -> Pending:
        """A queryset's rows (model instances, dicts or tuples) as listing it gives them, sent
        with the other reads; built and compiled each time (`prepared` for a hot read)."""
        connection = connections[self.using]
        if queryset._iterable_class not in (ModelIterable, ValuesIterable, ValuesListIterable) or (
            queryset._prefetch_related_lookups
            or queryset._known_related_objects
            or queryset._result_cache is not None
        ):
            return self.done(list(queryset))
        try:
            compiled = _Compiled(queryset, _Sentinels(), connection)
        except EmptyResultSet:
            return self.done([])
        except (LookupError, TypeError):
            return self.done(list(queryset))
        sql, params = compiled.sql_for({})
        using = self.using
        return self.sql(
            sql, params, lambda rows: _materialize(compiled, compiled.convert(rows), using)
        )

    def done(self, rows: list) -> Pending:
        """A read with nothing to ask the database (no ids to look for): these rows."""
        pending = Pending("", [])
        pending._rows = rows
        return pending

    def prepared(self, prepared: "Prepared", shape=(), **values) -> Pending:
        """A `Prepared` read: what `prepared.run(shape, **values)` gives."""
        connection = connections[self.using]
        compiled = prepared.compiled(connection, shape, values)
        if compiled is None:
            # Not preparable with these values: built as usual, in its own round trip.
            return self.done(prepared.run(shape, using=self.using, **values))
        sql, params = compiled.sql_for(values)
        using = self.using
        return self.sql(
            sql, params, lambda rows: _materialize(compiled, compiled.convert(rows), using)
        )

    def run(self) -> None:
        todo = [p for p in self.pending if p._rows is None]
        self.pending = []
        if todo:
            self._send(todo)
        for pending in todo:
            if pending._finish is not None:
                pending._rows = pending._finish(pending._rows)
        callbacks, self._after = self._after, []
        for callback in callbacks:
            callback()

    def _send(self, todo: list[Pending]) -> None:
        connection = connections[self.using]
        if connection.vendor == "postgresql" and len(todo) > 1:
            # One round trip, without psycopg's exchange with the server for each query
            # (training/postgresql/batch.py, which opens the connection as a cursor does);
            # None where that cannot be done.
            rows = batch.fetch_all(connection, [(p.sql, p.params) for p in todo])
            if rows is not None:
                for pending, found in zip(todo, rows, strict=True):
                    pending._rows = found
                return
        connection.ensure_connection()
        pipeline = getattr(connection.connection, "pipeline", None)
        if connection.vendor != "postgresql" or pipeline is None or len(todo) == 1:
            for pending in todo:
                with connection.cursor() as cursor:
                    cursor.execute(pending.sql, pending.params)
                    pending._rows = cursor.fetchall()
            return
        with pipeline():
            cursors = []
            try:
                for pending in todo:
                    cursor = connection.cursor()
                    cursors.append(cursor)
                    cursor.execute(pending.sql, pending.params)
                for pending, cursor in zip(todo, cursors, strict=True):
                    pending._rows = cursor.fetchall()
            finally:
                for cursor in cursors:
                    cursor.close()


def read_now(queue, *args, **kwargs):
    """What a read in steps gives when nothing else is sent with it: `queue(together, ...)`
    queues its reads and returns a function that gives the result once they have run, or is a
    generator of stages (see `run_stages`)."""
    together = Together()
    return run_stages(together, {None: queue(together, *args, **kwargs)})[None]


def run_stages(together: Together, steps: dict) -> dict:
    """Several reads in steps, each step of all of them sent in one round trip; by key, what
    each gives. A step is a function that gives the result once `together` has run (one
    stage), or a generator: it queues its first reads in `together` and yields, then finds
    their rows and queues the next ones and yields, and so on; what it returns is its result.
    Reads already queued in `together` go with the first stage. Nested stages compose with
    `yield from`."""
    results, running = {}, {}
    for key, step in steps.items():
        if inspect.isgenerator(step):
            running[key] = step
    _advance(running, results)
    together.run()
    for key, step in steps.items():
        if not inspect.isgenerator(step):
            results[key] = step()
    while running:
        _advance(running, results)
        together.run()
    return {key: results[key] for key in steps}


def _advance(running: dict, results: dict) -> None:
    for key, generator in list(running.items()):
        try:
            next(generator)
        except StopIteration as stop:
            results[key] = stop.value
            del running[key]


def parallel(*steps):
    """Generators of stages as one (`yield from parallel(a, b)`): each stage of all of them in
    the same round trip; returns what each returns, in order."""
    results, running = {}, dict(enumerate(steps))
    _advance(running, results)
    while running:
        yield
        _advance(running, results)
    return [results[index] for index in range(len(steps))]
