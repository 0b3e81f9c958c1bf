"""What the benchmark scripts share (they run as `python bench/<name>.py` after django.setup())."""

import sys


def create_postgres_database(db: dict, who: str) -> None:
    """Create the PostgreSQL database of Django's settings dict `db` when it is missing; stop
    with a clear message (prefixed by `who`) when PostgreSQL does not answer."""
    import psycopg
    from psycopg import sql

    try:
        with psycopg.connect(
            dbname="postgres",
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            autocommit=True,
            connect_timeout=5,
        ) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]
            ).fetchone()
            if not exists:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
                print(f"Created the database {db['NAME']}.", flush=True)
    except psycopg.OperationalError as error:
        sys.exit(f"{who}: PostgreSQL is not reachable ({error}).")
