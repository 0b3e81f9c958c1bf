"""The embedded SQLite database (`make run`) takes two requests writing at once.

Every request runs in a transaction (ATOMIC_REQUESTS). Two requests that each read, then write
(a reflection autosave meeting a reconnect save, a double quiz submit) used to fail with
"database is locked": a deferred transaction that has read cannot wait for the write lock.
The tests run a small script in its own process, on a real SQLite file in a temporary folder,
whatever database the test suite itself uses (CI's is PostgreSQL).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from training.settings.base import SQLITE_OPTIONS, with_engine_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# Two threads, each with its own connection, start a transaction together, read a counter,
# pause (as a request does between its reads and its writes) and write the counter plus one.
SCRIPT = r"""
import json, sys, threading, time
import django

django.setup()
from django.db import OperationalError, connection, connections, transaction

if sys.argv[1] == "without-options":
    # What the settings gave before: SQLite's defaults (deferred transactions, rollback journal,
    # a five-second busy timeout).
    connections.settings["default"]["OPTIONS"] = {}

with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    cursor.execute("INSERT INTO counter (id, n) VALUES (1, 0)")
    cursor.execute("PRAGMA journal_mode")
    journal_mode = cursor.fetchone()[0]
options = dict(connection.settings_dict["OPTIONS"])
connection.close()

start = threading.Barrier(2)
errors = []


def request():
    try:
        start.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT n FROM counter WHERE id = 1")
                n = cursor.fetchone()[0]
            time.sleep(0.5)
            with connection.cursor() as cursor:
                cursor.execute("UPDATE counter SET n = %s WHERE id = 1", [n + 1])
    except OperationalError as error:
        errors.append(str(error))
    finally:
        connection.close()


threads = [threading.Thread(target=request) for _ in range(2)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter WHERE id = 1")
    n = cursor.fetchone()[0]
print(json.dumps({"errors": errors, "n": n, "journal_mode": journal_mode, "options": options}))
"""


def run_two_writers(tmp_path, settings_module: str, mode: str = "with-options") -> dict:
    url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DATABASE_URL": url,
        "BENCH_DATABASE_URL": url,
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_two_requests_writing_at_once_both_succeed(tmp_path):
    outcome = run_two_writers(tmp_path, "training.settings.dev")
    assert outcome["errors"] == []
    # The second waited for the first and read its write: nothing was lost either.
    assert outcome["n"] == 2
    assert outcome["journal_mode"] == "wal"
    assert outcome["options"]["transaction_mode"] == "IMMEDIATE"


def test_without_the_options_the_same_requests_fail_with_database_is_locked(tmp_path):
    """The control: the script reproduces the failure the options prevent."""
    outcome = run_two_writers(tmp_path, "training.settings.dev", "without-options")
    assert outcome["errors"] == ["database is locked"]
    assert outcome["n"] == 1


def test_every_settings_module_with_a_sqlite_default_uses_the_options(tmp_path):
    """`make run` (dev), the tests and the benchmarks, each when its URL names a SQLite file."""
    modules = ["training.settings.dev", "training.settings.test", "training.settings.bench"]
    url = f"sqlite:///{tmp_path / 'any.sqlite3'}"
    script = (
        "import importlib, json, sys\n"
        "print(json.dumps({name: importlib.import_module(name).DATABASES['default']['OPTIONS']"
        " for name in sys.argv[1:]}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *modules],
        cwd=BASE_DIR,
        env={**os.environ, "DATABASE_URL": url, "BENCH_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout) == dict.fromkeys(modules, SQLITE_OPTIONS)


def test_options_from_the_url_win_and_other_engines_are_left_alone():
    sqlite = with_engine_options(
        {"ENGINE": "django.db.backends.sqlite3", "NAME": "x", "OPTIONS": {"timeout": 5}}
    )
    assert sqlite["OPTIONS"] == {**SQLITE_OPTIONS, "timeout": 5}
    mysql = with_engine_options({"ENGINE": "django.db.backends.mysql", "NAME": "x"})
    assert "OPTIONS" not in mysql
