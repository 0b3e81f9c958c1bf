"""H5P xAPI statement ingest: concurrent learners posting statements to gunicorn on PostgreSQL.

Prepares `acompana_bench` (created if missing, migrated, `seed_demo`), enrols BENCH_INGEST_CLIENTS
learners (bench-ingest-01@example.org …) in the demo course and gives each a signed-in session,
a CSRF token and a launch token for the QuestionSet block of the demo practice module. Then it
starts gunicorn (settings bench/ingest_settings.py), and each client posts statements over its
own keep-alive connection, on a schedule of BENCH_INGEST_RATE statements a second for all of them
(default 300, the target load), or with BENCH_INGEST_RATE=0 one after another as fast as the
server answers (its capacity), for a warm-up and then BENCH_INGEST_SECONDS. Afterwards the
statements stored are counted and compared with the 200 responses. Results go to
bench/results/ingest-latest.json (at a rate) or ingest-capacity-latest.json (as fast as
answered); targets are reported, never enforced. BENCH_QUICK=1: a few seconds on the quick
database, and an answer but 200 or a lost statement fails the run. See bench/README.md,
"Statement ingest".
"""

import http.client
import json
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# The page benchmark's helpers (this script runs from bench/, like run.py).
from run import percentile

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    LoggedProcess,
    QueryCounter,
    apply_quick_defaults,
    ensure_postgres,
    env_int,
    machine_cpu,
    migrate_and_seed,
    process_cpu_seconds,
    python_path,
    quick,
    skip_or_fail,
    stage,
)
from bench.common import setup_django as common_setup_django  # noqa: E402

# BENCH_QUICK=1 (`make bench-quick`): a few seconds with a few clients at a low rate (the point
# is that every statement is answered 200 and stored, not the capacity); any answer but 200, or
# a statement lost, fails the run.
QUICK_DEFAULTS = {
    "BENCH_INGEST_SECONDS": "5",
    "BENCH_INGEST_WARMUP": "1",
    "BENCH_INGEST_CLIENTS": "4",
    "BENCH_INGEST_WORKERS": "1",
    "BENCH_INGEST_RATE": "40",
}
RESULTS_DIR = ROOT / "bench" / "results"
SETTINGS_MODULE = "bench.ingest_settings"
WORKER_TMP = "/dev/shm"  # noqa: S108 (gunicorn's heartbeat files, as in the Dockerfile)

COURSE_SLUG = "feminist-accompaniment"
MODULE_SLUG = "practice-with-interactive-exercises"
MAIN_LIBRARY = "H5P.QuestionSet"
LEARNER_EMAIL = "bench-ingest-{:02d}@example.org"

# From the issue: 20 clients for 30 seconds, at least 300 statements a second, p95 under 50 ms,
# and every statement answered 200 stored.
TARGET_THROUGHPUT = 300
TARGET_P95_MS = 50

VERBS = "http://adlnet.gov/expapi/verbs/"
# What each client posts, in turn: the set was attempted, a question interacted with, answered.
CYCLE = ["attempted", "interacted", "answered"]


@dataclass(frozen=True)
class Config:
    clients: int
    seconds: int
    warmup: int
    workers: int
    threads: int
    rate: int  # statements a second for all clients together; 0: as fast as answered

    @property
    def worker_class(self) -> str:
        return "sync" if self.threads == 1 else "gthread"


@dataclass(frozen=True)
class Target:
    """The QuestionSet block learners post about."""

    module_id: int
    activity_id: str
    activity_uuid: str
    iri: str
    sub_content_ids: tuple[str, ...]
    main_library: str

    @property
    def path(self) -> str:
        from django.urls import reverse

        # The address the module page gives the player (courses:activity_action).
        return reverse("courses:h5p_xapi", args=[self.module_id, self.activity_id])


@dataclass(frozen=True)
class Learner:
    user_id: int
    session_key: str
    csrf: str
    token: str


# --- Preparing ------------------------------------------------------------------------------------
def setup_django() -> None:
    # Always these settings: the server and this process must share the Redis cache (sessions).
    common_setup_django(SETTINGS_MODULE)


def ensure_services() -> None:
    """PostgreSQL (the database created if missing) and Redis, or a clear message."""
    from django.core.cache import cache

    ensure_postgres(
        "bench ingest",
        required="BENCH_DATABASE_URL must be a PostgreSQL database (the target is gunicorn on "
        "PostgreSQL); unset it to use postgres://postgres@127.0.0.1:5432/acompana_bench.",
    )
    try:
        cache.set("bench-ingest-ping", 1, 5)
    except Exception as error:
        sys.exit(f"bench ingest: Redis is not reachable ({error}).")


def prepare_database() -> dict:
    """Migrate and seed the demo (unless an earlier script of `make bench-quick` did)."""
    started = time.perf_counter()
    seeded = migrate_and_seed()
    return {"seconds": round(time.perf_counter() - started, 2), "seeded": seeded}


def find_target() -> Target:
    from wagtail.models import Locale

    from courses.h5p.xapi import object_iri
    from courses.models import CoursePage, H5PActivity, ModulePage

    # The slug exists once per language (the translations keep it): take the original.
    course = CoursePage.objects.live().filter(slug=COURSE_SLUG, locale=Locale.get_default()).first()
    module = course and ModulePage.objects.live().child_of(course).filter(slug=MODULE_SLUG).first()
    if module is None:
        sys.exit(
            f"bench ingest: seed_demo made no live module {MODULE_SLUG!r} in {COURSE_SLUG!r}; "
            "are the H5P samples in ../shared/h5p-samples?"
        )
    blocks = {str(a.value["activity"]): a for a in module.activities if a.kind.block_type == "h5p"}
    activity = H5PActivity.objects.filter(
        uuid__in=list(blocks),
        status=H5PActivity.Status.READY,
        main_library__startswith=MAIN_LIBRARY,
    ).first()
    if activity is None:
        sys.exit(f"bench ingest: the module {MODULE_SLUG!r} has no ready {MAIN_LIBRARY} block.")
    if not activity.sub_content_ids:
        sys.exit(f"bench ingest: the {MAIN_LIBRARY} activity lists no subContentIds.")
    return Target(
        module_id=module.pk,
        activity_id=blocks[str(activity.uuid)].id,
        activity_uuid=str(activity.uuid),
        iri=object_iri(activity.uuid),
        sub_content_ids=tuple(activity.sub_content_ids),
        main_library=activity.main_library,
    )


def prepare_learners(count: int, target: Target) -> list[Learner]:
    """Enrolled learners, each with a fresh signed-in session and a launch token. Their earlier
    statements are deleted, so that every statement counted afterwards is from this run."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string
    from wagtail.models import Locale

    from courses import services
    from courses.h5p.xapi import launch_token
    from courses.models import CoursePage, H5PStatement
    from training.models import User

    course = CoursePage.objects.get(slug=COURSE_SLUG, locale=Locale.get_default())
    backend = settings.AUTHENTICATION_BACKENDS[0]
    learners = []
    for number in range(1, count + 1):
        email = LEARNER_EMAIL.format(number)
        user, created = User.objects.get_or_create(
            email=email, defaults={"display_name": f"Bench learner {number:02d}"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        services.enrolment_create(user=user, course=course, source="bench")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        token = launch_token(
            user=user,
            module_id=target.module_id,
            activity_id=target.activity_id,
            activity_uuid=target.activity_uuid,
        )
        csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
        learners.append(Learner(user.pk, session.session_key, csrf, token))
    H5PStatement.objects.filter(user_id__in=[learner.user_id for learner in learners]).delete()
    reset_counters(learners)
    vacuum()
    return learners


def reset_counters(learners: list[Learner]) -> None:
    """The learners' counters in the cache start from zero, as their statements do: the rate
    limit's and the daily quota's (both lifted in bench/ingest_settings.py, but a run against
    other settings, or the quota's log line, would otherwise depend on the runs before)."""
    from training import ratelimit

    for learner in learners:
        ratelimit.reset("h5p-xapi", learner.user_id)
        ratelimit.reset("h5p-statements-day", learner.user_id, window=60 * 60 * 24)


def vacuum() -> None:
    """Every run starts from tables without the dead rows of the last one, even where
    autovacuum is off (a development server's configuration, say)."""
    from django.contrib.sessions.models import Session
    from django.db import connection

    from courses.models import H5PStatement

    tables = [model._meta.db_table for model in (H5PStatement, Session)]
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {', '.join(map(connection.ops.quote_name, tables))}")


def forget_sessions(learners: list[Learner]) -> None:
    from django.contrib.sessions.backends.cached_db import SessionStore

    for learner in learners:
        SessionStore(session_key=learner.session_key).delete()


def stored_statements(learners: list[Learner]) -> int:
    from courses.models import H5PStatement

    return H5PStatement.objects.filter(
        user_id__in=[learner.user_id for learner in learners]
    ).count()


# --- Statements -----------------------------------------------------------------------------------
def statement(kind: str, target: Target, sub_content_id: str) -> dict:
    """A statement as the module page posts it: an id, no actor, the object issued at launch or
    one of its questions, and about the context the H5P player adds."""
    library = target.main_library.replace(" ", "-")
    category = [{"id": f"http://h5p.org/libraries/{library}", "objectType": "Activity"}]
    body = {
        "id": str(uuid.uuid4()),
        "verb": {"id": VERBS + kind, "display": {"en-US": kind}},
        "object": {
            "id": target.iri,
            "objectType": "Activity",
            "definition": {
                "name": {"en-US": "Practice: a question set"},
                "extensions": {"http://h5p.org/x-api/h5p-local-content-id": 1},
            },
        },
        "context": {"contextActivities": {"category": category}},
    }
    if kind == "interacted":
        body["object"]["id"] = f"{target.iri}?subContentId={sub_content_id}"
        body["context"]["contextActivities"]["parent"] = [
            {"id": target.iri, "objectType": "Activity"}
        ]
    elif kind == "answered":
        body["object"]["id"] = f"{target.iri}?subContentId={sub_content_id}"
        body["object"]["definition"].update(
            {
                "description": {"en-US": "Which of these describe accompaniment?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["0[,]2"],
                "choices": [
                    {"id": str(i), "description": {"en-US": f"Option {i}"}} for i in range(4)
                ],
            }
        )
        body["context"]["contextActivities"]["parent"] = [
            {"id": target.iri, "objectType": "Activity"}
        ]
        body["result"] = {
            "score": {"min": 0, "max": 2, "raw": 1, "scaled": 0.5},
            "completion": True,
            "success": False,
            "duration": "PT4.5S",
            "response": "0[,]1",
        }
    return body


def payload(learner: Learner, target: Target, number: int) -> bytes:
    kind = CYCLE[number % len(CYCLE)]
    sub_content_id = target.sub_content_ids[number % len(target.sub_content_ids)]
    data = {"token": learner.token, "statement": statement(kind, target, sub_content_id)}
    return json.dumps(data).encode()


def queries_per_statement(learner: Learner, target: Target) -> list[dict]:
    """One statement of each kind through Django's test client, counting its SQL queries. The
    first requests of a process fill its caches, so each kind is posted twice and the second is
    counted."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = learner.session_key
    counts = []
    captured = QueryCounter(connection).keep_statements()
    for number, kind in enumerate(CYCLE * 2):
        with captured:
            response = client.post(
                target.path, data=payload(learner, target, number), content_type="application/json"
            )
        if response.status_code != 200:
            sys.exit(
                f"bench ingest: a {kind} statement answered {response.status_code}: "
                f"{response.content[:300]!r}"
            )
        if number >= len(CYCLE):
            counts.append(
                {
                    "verb": kind,
                    "queries": captured.count,
                    "sql": [sql[:160] for sql in captured.statements],
                }
            )
    return counts


# --- The server -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def gunicorn_command(config: Config, port: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "training.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(config.workers),
        "--worker-class", config.worker_class,
        "--threads", str(config.threads),
        "--worker-tmp-dir", WORKER_TMP if Path(WORKER_TMP).is_dir() else tempfile.gettempdir(),
        "--keep-alive", "30",
        "--graceful-timeout", "15",
        "--log-level", "warning",
    ]  # fmt: skip


class Server(LoggedProcess):
    """gunicorn in its own process, its output in a temporary log shown when it fails."""

    def __init__(self, config: Config):
        self.config = config
        self.port = free_port()
        # The project root on the path, so that gunicorn imports bench.ingest_settings.
        super().__init__(
            "ingest-gunicorn",
            gunicorn_command(config, self.port),
            {"DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "PYTHONPATH": python_path()},
        )

    def wait_healthy(self, timeout: float = 60) -> None:
        """Until /healthz answers 200; exits with gunicorn's last lines otherwise (the caller
        stops the server)."""
        try:
            super().wait_healthy(self.port, timeout)
        except RuntimeError as error:
            sys.exit(f"bench ingest: {error}")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []


# --- CPU accounting (Linux /proc; empty elsewhere) ------------------------------------------------
def service_pids() -> dict[str, list[int]]:
    """The PostgreSQL backends serving this database and the Redis server, when they run on
    this machine (their CPU is read from /proc)."""
    import redis
    from django.conf import settings
    from django.db import connection

    if settings.DATABASES["default"]["HOST"] not in ("", "localhost", "127.0.0.1", "::1"):
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        postgres = [row[0] for row in cursor.fetchall()]
    try:
        client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        redis_pids = [int(client.info("server")["process_id"])]
    except (redis.RedisError, KeyError, ValueError):
        redis_pids = []
    return {"postgres_backends": postgres, "redis": redis_pids}


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- The load -------------------------------------------------------------------------------------
@dataclass
class Phase:
    """Shared by the clients: when the load starts, when the measured window opens and closes
    (monotonic seconds), and with BENCH_INGEST_RATE how often each client posts (else 0)."""

    start: float
    measure_from: float
    stop_at: float
    interval: float = 0.0


@dataclass
class ClientResult:
    latencies_ms: list[float] = field(default_factory=list)  # measured window, 200s only
    statuses: Counter = field(default_factory=Counter)  # measured window
    ok_total: int = 0  # every 200, warm-up included: each must be a stored row
    sent_total: int = 0
    samples: set[str] = field(default_factory=set)  # a few distinct failures


def run_client(
    port: int, learner: Learner, target: Target, phase: Phase, offset: float, out: ClientResult
):
    """Post statements one after another on one keep-alive connection until the phase ends.

    Without a rate, each is sent as soon as the previous one is answered. With one, each is due
    `phase.interval` after the previous one was due, and its latency counts from then: a server
    that falls behind cannot hide its queue by slowing the client down (coordinated omission).
    """
    from django.conf import settings

    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "Origin": f"http://127.0.0.1:{port}",
        "X-CSRFToken": learner.csrf,
        "Cookie": (
            f"{settings.SESSION_COOKIE_NAME}={learner.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={learner.csrf}"
        ),
    }
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    number = 0
    due = phase.start + offset
    while True:
        body = payload(learner, target, number)
        number += 1
        if phase.interval:
            due += phase.interval
            time.sleep(max(0.0, due - time.monotonic()))
            started = due
        else:
            started = time.monotonic()
        if started >= phase.stop_at:
            break
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            status = str(response.status)
        except (OSError, http.client.HTTPException) as error:
            connection.close()  # the next request reconnects
            status, content = type(error).__name__, str(error).encode()
        elapsed_ms = (time.monotonic() - started) * 1000
        out.sent_total += 1
        if status == "200":
            out.ok_total += 1
        elif len(out.samples) < 3:
            out.samples.add(f"{status}: {content[:200].decode(errors='replace')}")
        if started >= phase.measure_from:
            out.statuses[status] += 1
            if status == "200":
                out.latencies_ms.append(elapsed_ms)
    connection.close()


def run_load(server: Server, learners: list[Learner], target: Target, config: Config) -> dict:
    start = time.monotonic()
    interval = len(learners) / config.rate if config.rate else 0.0
    phase = Phase(
        start=start,
        measure_from=start + config.warmup,
        stop_at=start + config.warmup + config.seconds,
        interval=interval,
    )
    results = [ClientResult() for _ in learners]
    threads = [
        threading.Thread(
            target=run_client,
            # With a rate, the clients' turns are spread evenly over the interval.
            args=(server.port, learner, target, phase, i * interval / len(learners), result),
            daemon=True,
        )
        for i, (learner, result) in enumerate(zip(learners, results, strict=True))
    ]
    for thread in threads:
        thread.start()

    # CPU over the measured window only: the server's workers, this process, the whole machine.
    time.sleep(max(0.0, phase.measure_from - time.monotonic()))
    groups = {"server_workers": server.worker_pids(), **service_pids()}
    cpu_start = {name: process_cpu_seconds(pids) for name, pids in groups.items()}
    own_start, machine_start = own_cpu_seconds(), machine_cpu()
    time.sleep(max(0.0, phase.stop_at - time.monotonic()))
    cpu_end = {name: process_cpu_seconds(pids) for name, pids in groups.items()}
    own_end, machine_end = own_cpu_seconds(), machine_cpu()
    for thread in threads:
        thread.join(timeout=60)

    latencies = sorted(ms for result in results for ms in result.latencies_ms)
    statuses = sum((result.statuses for result in results), Counter())
    requests = sum(statuses.values())
    ok = statuses.get("200", 0)
    # CPU seconds in the measured window, by who used them.
    cpu = {f"{name}_seconds": round(cpu_end[name] - cpu_start[name], 2) for name in groups}
    cpu["load_generator_seconds"] = round(own_end - own_start, 2)
    if machine_start and machine_end:
        accounted = sum(cpu.values())
        busy = (machine_end[0] - machine_start[0]) / os.sysconf("SC_CLK_TCK")
        total = (machine_end[1] - machine_start[1]) / os.sysconf("SC_CLK_TCK")
        # Everything else on the machine: the kernel's own work, other people's processes.
        cpu["other_seconds"] = round(max(0.0, busy - accounted), 2)
        cpu["machine_busy_seconds"] = round(busy, 2)
        cpu["machine_busy_percent"] = round(100 * busy / total, 1) if total else None
    cpu["window_seconds"] = config.seconds
    cpu["cores"] = os.cpu_count()
    return {
        "requests": requests,
        "ok": ok,
        "statuses": dict(sorted(statuses.items())),
        "throughput_per_second": round(ok / config.seconds, 1),
        "latency_ms": {
            "mean": round(statistics.fmean(latencies), 2) if latencies else None,
            "p50": round(percentile(latencies, 50), 2) if latencies else None,
            "p95": round(percentile(latencies, 95), 2) if latencies else None,
            "p99": round(percentile(latencies, 99), 2) if latencies else None,
            "max": round(latencies[-1], 2) if latencies else None,
        },
        "per_client_ok": sorted(result.statuses.get("200", 0) for result in results),
        "ok_including_warmup": sum(result.ok_total for result in results),
        "sent_including_warmup": sum(result.sent_total for result in results),
        "failure_samples": sorted({sample for result in results for sample in result.samples})[:5],
        "cpu": cpu,
    }


# --- Reporting ------------------------------------------------------------------------------------
def git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()


def metadata(config: Config, seeding: dict) -> dict:
    import django
    import gunicorn
    import wagtail
    from django.conf import settings
    from django.db import connection

    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": None if status is None else bool(status),
        "database_vendor": connection.vendor,
        "database_version": ".".join(str(part) for part in connection.get_database_version()),
        "database_name": settings.DATABASES["default"]["NAME"],
        "cache": settings.CACHES["default"]["BACKEND"],
        "seeding_seconds": seeding["seconds"],
        "clients": config.clients,
        "seconds": config.seconds,
        "warmup_seconds": config.warmup,
        "rate": config.rate or None,
        "gunicorn": gunicorn.__version__,
        "gunicorn_workers": config.workers,
        "gunicorn_worker_class": config.worker_class,
        "gunicorn_threads": config.threads,
        "xapi_rate_limit_per_minute": settings.ACOMPANA_H5P_XAPI_RATE,
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "settings": settings.SETTINGS_MODULE,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def judge(load: dict, lost: int) -> dict:
    p95 = load["latency_ms"]["p95"]
    return {
        "throughput": {
            "value": load["throughput_per_second"],
            "target": f">= {TARGET_THROUGHPUT}/s",
            "met": load["throughput_per_second"] >= TARGET_THROUGHPUT,
        },
        "p95_latency": {
            "value": p95,
            "target": f"< {TARGET_P95_MS} ms",
            "met": p95 is not None and p95 < TARGET_P95_MS,
        },
        "lost": {"value": lost, "target": "0", "met": lost == 0},
    }


def cpu_line(cpu: dict) -> str:
    names = {
        "server_workers_seconds": "gunicorn workers",
        "postgres_backends_seconds": "PostgreSQL",
        "redis_seconds": "Redis",
        "load_generator_seconds": "load generator",
        "other_seconds": "everything else",
    }
    parts = ", ".join(f"{label} {cpu[key]:.1f}" for key, label in names.items() if key in cpu)
    busy = cpu.get("machine_busy_percent")
    return f"CPU seconds in the {cpu['window_seconds']} s window: {parts}" + (
        f" (machine {busy:.0f} % busy, {cpu['cores']} cores)" if busy is not None else ""
    )


def report(result: dict) -> list[str]:
    meta, load, stored = result["meta"], result["load"], result["stored"]
    lat = load["latency_ms"]
    cpu = load["cpu"]

    def verdict(met):
        return "met" if met else "MISSED"

    targets = result["targets"]
    non_200 = {status: n for status, n in load["statuses"].items() if status != "200"}
    threads, rate = meta["gunicorn_threads"], meta["rate"]
    lines = [
        f"{meta['database_vendor']} {meta['database_version']} · gunicorn {meta['gunicorn']} "
        f"({meta['gunicorn_workers']} {meta['gunicorn_worker_class']} workers"
        f"{f' x {threads} threads' if threads > 1 else ''}) · "
        f"{meta['clients']} clients"
        f"{f' at {rate}/s together' if rate else ', each as fast as answered'} · "
        f"{meta['seconds']} s after {meta['warmup_seconds']} s warm-up"
        f" · {meta['cpus']} CPUs · commit {(meta['git_commit'] or 'unknown')[:10]}",
        f"Statements stored: {load['ok']:,} in {meta['seconds']} s = "
        f"{load['throughput_per_second']:.1f}/s",
        f"Latency ms: mean {lat['mean']}  p50 {lat['p50']}  p95 {lat['p95']}  p99 {lat['p99']}  "
        f"max {lat['max']}",
        f"Non-200 responses: {sum(non_200.values())}"
        + (f" ({', '.join(f'{s}: {n}' for s, n in non_200.items())})" if non_200 else ""),
        f"Rows: {stored['new_rows']:,} new rows for {stored['ok_including_warmup']:,} answered "
        f"200 (warm-up included): lost {stored['lost']}, unanswered but stored "
        f"{stored['extra_rows']}",
        cpu_line(cpu),
        "Queries per statement (test client, second of each): "
        + ", ".join(f"{q['verb']} {q['queries']}" for q in result["queries_per_statement"]),
        "",
        "Targets (reported, not enforced):",
        f"  throughput {load['throughput_per_second']:.1f}/s "
        f"[target ≥ {TARGET_THROUGHPUT}/s: {verdict(targets['throughput']['met'])}]",
        f"  p95 latency {lat['p95']} ms "
        f"[target < {TARGET_P95_MS} ms: {verdict(targets['p95_latency']['met'])}]",
        f"  lost statements {stored['lost']} [target 0: {verdict(targets['lost']['met'])}]",
    ]
    if load["failure_samples"]:
        lines += ["", "Some failed requests:", *(f"  {s}" for s in load["failure_samples"])]
    return lines


def main() -> int:
    apply_quick_defaults(QUICK_DEFAULTS)
    config = Config(
        clients=env_int("BENCH_INGEST_CLIENTS", 20, minimum=1),
        seconds=env_int("BENCH_INGEST_SECONDS", 30, minimum=1),
        warmup=env_int("BENCH_INGEST_WARMUP", 3),
        workers=env_int("BENCH_INGEST_WORKERS", 4, minimum=1),
        threads=env_int("BENCH_INGEST_THREADS", 1, minimum=1),
        rate=env_int("BENCH_INGEST_RATE", TARGET_THROUGHPUT),
    )
    setup_django()
    from django.conf import settings

    from courses import demo_data

    samples = Path(settings.ACOMPANA_DEMO_H5P_DIR)
    missing = [f for f, _t in demo_data.load().H5P_SAMPLES.values() if not (samples / f).is_file()]
    if missing:
        return skip_or_fail(
            "bench ingest",
            f"the H5P samples are not in {samples} (missing: {', '.join(missing)}); the "
            "statements are posted to the demo's H5P module.",
        )
    ensure_services()

    print(f"Preparing the database {settings.DATABASES['default']['NAME']}…", flush=True)
    seeding = prepare_database()
    target = find_target()
    learners = prepare_learners(config.clients, target)
    try:
        queries = queries_per_statement(learners[0], target)
        before = stored_statements(learners)
        server = Server(config)
        try:
            with stage("gunicorn start"):
                server.wait_healthy()
            print(
                f"Ready in {seeding['seconds']} s. {config.clients} clients post statements to "
                f"gunicorn ({config.workers} {config.worker_class} workers)"
                f"{f' at {config.rate}/s' if config.rate else ''} for "
                f"{config.warmup} s of warm-up, then {config.seconds} s…",
                flush=True,
            )
            with stage("load"):
                load = run_load(server, learners, target, config)
        finally:
            server_log = server.stop()
        new_rows = stored_statements(learners) - before
    finally:
        forget_sessions(learners)

    ok_all = load.pop("ok_including_warmup")
    stored = {
        "ok_including_warmup": ok_all,
        "sent_including_warmup": load.pop("sent_including_warmup"),
        "new_rows": new_rows,
        "lost": max(0, ok_all - new_rows),
        "extra_rows": max(0, new_rows - ok_all),
    }
    result = {
        "meta": metadata(config, seeding),
        "endpoint": {"path": target.path, "activity": target.main_library, "verbs": CYCLE},
        "load": load,
        "stored": stored,
        "queries_per_statement": queries,
        "targets": judge(load, stored["lost"]),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    name = "ingest-latest.json" if config.rate else "ingest-capacity-latest.json"
    output = RESULTS_DIR / f"{'quick-' if quick() else ''}{name}"
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print()
    print("\n".join(report(result)))
    # Server errors and broken connections: gunicorn's log may say why.
    if any(not status.startswith(("2", "4")) for status in load["statuses"]) and server_log:
        print(f"\ngunicorn's last lines:\n{server_log}")
    print(f"\nWritten to {output.relative_to(ROOT)}")
    problems = ingest_failures(load, stored)
    if problems and quick():
        print(f"\nFAILED: {'; '.join(problems)}.")
        return 1
    return 0


def ingest_failures(load: dict, stored: dict) -> list[str]:
    """What fails a quick run: an answer but 200 (or none), a statement answered but lost."""
    problems = []
    non_200 = {status: n for status, n in load["statuses"].items() if status != "200"}
    if non_200:
        problems.append(
            "answers other than 200: " + ", ".join(f"{s}: {n}" for s, n in non_200.items())
        )
    if not load["ok"]:
        problems.append("no statement was answered 200")
    unanswered = stored["sent_including_warmup"] - stored["ok_including_warmup"]
    if unanswered and not non_200:
        problems.append(f"{unanswered} statements answered other than 200 during the warm-up")
    if stored["lost"]:
        problems.append(f"{stored['lost']} statements answered 200 but not stored")
    return problems


if __name__ == "__main__":
    sys.exit(main())
