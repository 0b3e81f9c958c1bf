"""PostgreSQL: a query a connection repeats is prepared once (server-side binding), so hot
pages are not parsed and planned on every request (training/settings/base.py, issue 18)."""

import pytest
from django.db import connection
from django.db.models.deletion import Collector

from training.models import User
from training.postgresql.base import MAX_PARAMETERS
from training.settings.base import POSTGRES_OPTIONS, with_engine_options


def test_postgres_gets_server_side_binding_and_a_prepare_threshold():
    database = with_engine_options({"ENGINE": "django.db.backends.postgresql", "NAME": "x"})
    assert database["OPTIONS"] == POSTGRES_OPTIONS
    assert database["ENGINE"] == "training.postgresql"  # bulk queries cut to the limit
    assert POSTGRES_OPTIONS == {"server_side_binding": True, "prepare_threshold": 5}
    # Options given in the URL win: a pooler's deployment can turn preparing off there.
    database = with_engine_options(
        {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"prepare_threshold": None}}
    )
    assert database["OPTIONS"]["prepare_threshold"] is None


@pytest.mark.django_db
def test_a_repeated_query_is_prepared_on_the_connection():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (DATABASE_URL names SQLite here)")

    def prepared() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = prepared()
    for number in range(6):
        # The same SQL each time, with a different value: bound apart, so the text repeats.
        assert not User.objects.filter(email=f"nobody-{number}@example.org").exists()
    assert prepared() > before


@pytest.mark.django_db
def test_bulk_queries_are_cut_to_the_servers_parameter_limit():
    """Bound on the server, each value is a parameter and PostgreSQL refuses more than 65,535
    in a query: bulk inserts and cascading deletes go in batches that fit."""
    if connection.vendor != "postgresql":
        pytest.skip("the limit is PostgreSQL's (DATABASE_URL names SQLite here)")

    fields = [User._meta.get_field(name) for name in ("email", "display_name", "password")]
    size = connection.ops.bulk_batch_size(fields, range(100_000))
    assert size == MAX_PARAMETERS // 3
    assert connection.ops.bulk_batch_size(fields, range(10)) == 10
    # The delete collector asks with the primary key alone: 65,535 rows a query.
    assert connection.ops.bulk_batch_size(["pk"], range(100_000)) == MAX_PARAMETERS


@pytest.mark.django_db
def test_seventy_thousand_ids_in_one_delete_still_work():
    """A purge of 70,000 rows whose related rows are collected with `… IN (…)`: batched."""
    if connection.vendor != "postgresql":
        pytest.skip("the limit is PostgreSQL's (DATABASE_URL names SQLite here)")

    collector = Collector(using="default")
    batches = collector.get_del_batches(list(range(70_000)), [User._meta.pk])
    assert [len(batch) for batch in batches] == [65_535, 4_465]
