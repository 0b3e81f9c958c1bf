"""PostgreSQL: a query a connection repeats is prepared once (server-side binding), so hot
pages are not parsed and planned on every request (training/settings/base.py, issue 18)."""

import pytest
from django.db import connection

from training.models import User
from training.settings.base import POSTGRES_OPTIONS, with_engine_options


def test_postgres_gets_server_side_binding_and_a_prepare_threshold():
    database = with_engine_options({"ENGINE": "django.db.backends.postgresql", "NAME": "x"})
    assert database["OPTIONS"] == POSTGRES_OPTIONS
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
