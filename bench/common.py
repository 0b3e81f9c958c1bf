"""What the benchmark scripts share (they run as `python bench/<name>.py`): quick mode and the
H5P store (before django.setup()), the PostgreSQL database, counting queries (after it)."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def env_int(name: str, default: int, minimum: int = 0, *, who: str = "bench") -> int:
    """A whole number from the environment (`default` when unset or empty), or a clear stop."""
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw.strip() else default
    except ValueError:
        sys.exit(f"{who}: {name} must be a whole number, not {raw!r}.")
    if value < minimum:
        sys.exit(f"{who}: {name} must be at least {minimum}, not {value}.")
    return value


def setup_django(settings_module: str | None = None, environment: dict | None = None) -> None:
    """Django set up for a benchmark script: `settings_module` (always, when given: a server
    started by the script must read the same settings) or training.settings.bench, `environment`
    set first, INFO logs of seed_demo quiet (warnings and errors still show)."""
    import warnings

    os.environ.update(environment or {})
    if settings_module:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    else:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training.settings.bench")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # The benchmarks serve no static files unless they collect them first.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def ensure_postgres(who: str, *, required: str | None = None) -> bool:
    """The database of the settings created when missing, if it is PostgreSQL. Not PostgreSQL:
    a stop with `required` (the script needs PostgreSQL) or False (it runs on anything)."""
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor != "postgresql":
        if required:
            sys.exit(f"{who}: {required}")
        return False
    create_postgres_database(db, who)
    return True


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


# --- Quick mode (`make bench-quick`, BENCH_QUICK=1) -----------------------------------------------
# Its own database and Redis databases, so that it never touches the full bench's (`make bench`
# uses acompana_bench, Redis 3 for the cache and 13 for Celery).
QUICK_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/acompana_bench_quick"
QUICK_REDIS_URL = "redis://127.0.0.1:6379/4"
QUICK_BROKER_URL = "redis://127.0.0.1:6379/11"


def quick() -> bool:
    """BENCH_QUICK=1: every scenario, few iterations, small data; errors fail the run."""
    return os.environ.get("BENCH_QUICK", "").strip().lower() in ("1", "true", "yes", "on")


def apply_quick_defaults(defaults: dict[str, str]) -> None:
    """Every bench script calls this before django.setup(). The H5P store is the benchmark's
    own, one per database family: seed_demo imports the samples' files only the first time, so
    every script using a database must use the store the first one filled. In quick mode, also
    the quick database and Redis databases and the script's small sizes (`defaults`, e.g.
    {"BENCH_ITERATIONS": "5"}), unless the environment already says otherwise."""
    private = Path(__file__).resolve().parent / "private"
    store = "h5p-store-quick" if quick() else "h5p-store"
    os.environ.setdefault("ACOMPANA_H5P_ROOT", str(private / store))
    if not quick():
        return
    os.environ.setdefault("BENCH_DATABASE_URL", QUICK_DATABASE_URL)
    os.environ.setdefault("BENCH_REDIS_URL", QUICK_REDIS_URL)
    os.environ.setdefault("BENCH_BROKER_URL", QUICK_BROKER_URL)
    # The page weight's collected static files too (bench/page_weight_settings.py).
    os.environ.setdefault("BENCH_STATIC_ROOT", str(private / "staticfiles-quick"))
    # Certificates' PDFs and pool exports (bench/certification.py), removed by .ci/run.
    os.environ.setdefault("ACOMPANA_PRIVATE_ROOT", str(private / "private-quick"))
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


def skip_or_fail(who: str, reason: str) -> int:
    """A prerequisite is missing (the H5P samples, Chromium): outside CI, say so and let the
    bench go on (exit status 0); in CI (`CI` set, as for the tests) it is a failure (1)."""
    if os.environ.get("CI"):
        print(f"{who}: failed: {reason} (CI must provide it)", flush=True)
        return 1
    print(f"{who}: skipped: {reason}", flush=True)
    return 0


# --- Counting SQL queries -------------------------------------------------------------------------
TRANSACTION_CONTROL = frozenset({"BEGIN", "COMMIT", "ROLLBACK"})


class QueryCounter:
    """Counts the SQL statements a block sends through `connection`'s cursors, with
    `connection.execute_wrapper`: unlike CaptureQueriesContext it keeps no log, so it never
    stops counting (Django's queries_log holds 9,000 entries, then CaptureQueriesContext counts
    0: "Limit for query logging exceeded") and costs next to nothing.

    Bare BEGIN/COMMIT/ROLLBACK are not counted: SQLite sends BEGIN through a cursor, PostgreSQL
    does not, and neither sends COMMIT through one; without them the count is the same on both.
    Savepoints are counted (they are round trips). `executemany` counts once.

        with QueryCounter(connection) as counter:
            client.get(url)
        counter.count
    """

    def __init__(self, connection):
        self.connection = connection
        self.count = 0
        self.statements: list[str] | None = None
        self._wrapper = None

    def keep_statements(self) -> "QueryCounter":
        """Also keep the SQL of each statement (to print them)."""
        self.statements = []
        return self

    def __call__(self, execute, sql, params, many, context):
        if str(sql).strip().rstrip(";").upper() not in TRANSACTION_CONTROL:
            self.count += 1
            if self.statements is not None:
                self.statements.append(str(sql))
        return execute(sql, params, many, context)

    def __enter__(self) -> "QueryCounter":
        self.count = 0
        if self.statements is not None:
            self.statements = []
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc_info) -> None:
        self._wrapper.__exit__(*exc_info)
        self._wrapper = None


# --- CPU accounting (Linux /proc; empty or None elsewhere) ----------------------------------------
def machine_cpu() -> tuple[int, int] | None:
    """(busy, total) clock ticks of the whole machine since boot."""
    from pathlib import Path

    try:
        fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def process_cpu_seconds(pids) -> float:
    """User + system CPU seconds of these processes (those gone are skipped)."""
    import os
    from pathlib import Path

    ticks = 0
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    """The direct children of a process (gunicorn's or Celery's workers)."""
    from pathlib import Path

    try:
        return [int(n) for n in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def postgres_backend_pids(database: str) -> list[int]:
    """The PostgreSQL backends connected to `database` on this machine, found by their process
    title ("postgres: [cluster:] user database host(port) state"), without asking the database."""
    from pathlib import Path

    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        words = title.split()
        if words[:1] == ["postgres:"] and database in words[2:4]:
            found.append(int(entry.name))
    return found


# --- Preparing the database once per `make bench-quick` -----------------------------------------
# bench/quick.py runs the four scripts one after another with BENCH_PREPARED_TOKEN set to a new
# value: the first script to prepare the database (migrate, seed_demo) records the token in the
# table bench_prepared, and the next ones, seeing it, skip those steps (seed_demo alone takes
# seconds even when everything exists). Without the token (a script run alone, `make bench`)
# every script prepares the database as before. A dropped database drops the marker with it.
PREPARED_TABLE = "bench_prepared"


def prepared_token() -> str:
    return os.environ.get("BENCH_PREPARED_TOKEN", "").strip()


def already_prepared() -> bool:
    """True when an earlier script of this run (same BENCH_PREPARED_TOKEN) prepared the
    database: migrated and seeded."""
    from django.db import connection

    token = prepared_token()
    if not token or PREPARED_TABLE not in connection.introspection.table_names():
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {PREPARED_TABLE} WHERE token = %s", [token])  # noqa: S608
        return cursor.fetchone() is not None


def mark_prepared() -> None:
    """Record that this run (BENCH_PREPARED_TOKEN) prepared the database."""
    from django.db import connection

    token = prepared_token()
    if not token:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {PREPARED_TABLE} (token varchar(64) PRIMARY KEY)"
        )
        cursor.execute(f"DELETE FROM {PREPARED_TABLE}")  # noqa: S608
        cursor.execute(f"INSERT INTO {PREPARED_TABLE} (token) VALUES (%s)", [token])  # noqa: S608


def migrate_and_seed() -> bool:
    """`migrate` and `seed_demo`, unless an earlier script of this run did (already_prepared).
    Returns whether it ran them."""
    from io import StringIO

    from django.core.management import call_command

    if already_prepared():
        return False
    with stage("migrate"):
        call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    with stage("seed_demo"):
        call_command("seed_demo", stdout=StringIO())
    mark_prepared()
    return True


# --- Stage timings (bench/quick.py prints them at the end) --------------------------------------
class stage:  # used like a function: `with stage("migrate"):`
    """Time a block (wall and this process's CPU) and, when BENCH_TIMINGS_FILE is set, append
    it there as a JSON line: {"script", "stage", "wall_s", "cpu_s"}."""

    def __init__(self, name: str):
        self.name = name

    def __enter__(self) -> "stage":
        import time

        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info) -> None:
        import json
        import time

        path = os.environ.get("BENCH_TIMINGS_FILE", "").strip()
        if not path:
            return
        line = {
            "script": Path(sys.argv[0]).stem,
            "stage": self.name,
            "wall_s": round(time.perf_counter() - self._wall, 2),
            "cpu_s": round(time.process_time() - self._cpu, 2),
        }
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")


# --- Servers and workers started by a benchmark ---------------------------------------------------
class LoggedProcess:
    """A child process (gunicorn, a Celery worker…) whose output goes to a temporary log, shown
    when something fails."""

    def __init__(self, name: str, command: list[str], environment: dict):
        import subprocess
        import tempfile

        self.name = name
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop())
            prefix=f"bench-{name}-", suffix=".log", delete=False
        )
        self.process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **environment},
            stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_tail(self, lines: int = 30) -> str:
        if self.log.closed:
            return ""
        self.log.flush()
        text = Path(self.log.name).read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def wait_healthy(self, port: int, timeout: float, *, host: str | None = None) -> None:
        """Until /healthz on `port` answers 200; RuntimeError with the log's last lines if the
        process stops or the time runs out (the caller stops the process)."""
        import http.client
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped at start-up:\n{self.log_tail()}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz", headers={"Host": host} if host else {})
                response = connection.getresponse()
                response.read()
                connection.close()
                if response.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"/healthz did not answer 200 within {timeout:g} s:\n{self.log_tail()}")

    def stop(self) -> str:
        """Stop gracefully (SIGTERM: workers finish their requests); kill only if it hangs.
        Returns the log's last lines; the log is removed."""
        import signal
        import subprocess

        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log.closed:
            return ""
        tail = self.log_tail()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)
        return tail


def python_path() -> str:
    """PYTHONPATH with the project root first, so that a server imports bench's settings."""
    return os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))


def git(*args: str) -> str | None:
    """What `git <args>` prints in the project (the commit measured), or None."""
    import subprocess

    try:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()
