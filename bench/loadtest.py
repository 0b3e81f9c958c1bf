"""`make loadtest`: a real server under a mix of users, with a plain page as the yardstick.

gunicorn with the production settings (bench/loadtest_settings.py: training.settings.production
with the per-person rate limits lifted) on PostgreSQL (`acompana_loadtest`, created if missing,
migrated, `seed_demo`, LOADTEST_VOLUNTEERS extra volunteers enrolled and in a cohort), Redis for
the cache and the Celery broker (databases of their own), static files collected and served by
WhiteNoise, a Celery worker. Locust (bench/locustfile.py, FastHttpUser, in a process of its own)
runs 10, 50 and 200 concurrent users, two steps for each:
- the mix: volunteers reading the module page, others reading the plain page (/about/) with the
  same weight, volunteers answering the module's quiz and posting H5P statements, trainers
  opening the progress matrix;
- each page alone: the same number of volunteers reading only the plain page, then only the
  module page, in interleaved slices (plain, module, module, plain). Each page's own capacity:
  the issue's throughput and p95 targets are judged on this step (in the mix, with no think
  time, the queue in front of the server makes every page's latency and throughput nearly
  alike, whatever each costs).
Per step and per page: throughput, p50/p95/p99 as the client sees them, errors, the CPU split,
and the service time (the request's time inside a gunicorn worker, from its access log, which
this run writes with a format of its own). Results: bench/results/loadtest-latest.json and
bench/results/loadtest-report.md; targets are judged and printed, never enforced. The run exits
1 when a request failed (a wrong status is an error) or an answer was lost, 0 otherwise. See
bench/README.md, "Load test".
"""

import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import LoggedProcess, ensure_postgres, git  # noqa: E402
from bench.common import env_int as common_env_int  # noqa: E402
from bench.common import setup_django as common_setup_django  # noqa: E402

BENCH = ROOT / "bench"
# LOADTEST_RESULTS_DIR: somewhere else for a trial run (the committed results left alone).
RESULTS_DIR = Path(os.environ.get("LOADTEST_RESULTS_DIR") or BENCH / "results")
# Media, static files, H5P store (git-ignored); LOADTEST_WORK_DIR: elsewhere, for a trial run.
WORK_DIR = Path(os.environ.get("LOADTEST_WORK_DIR") or BENCH / "private" / "loadtest")
SETTINGS_MODULE = "bench.loadtest_settings"
WORKER_TMP = "/dev/shm"  # noqa: S108 (gunicorn's heartbeat files, as in the Dockerfile)

COURSE_SLUG = "feminist-accompaniment"
# The module with the quiz (as in bench/run.py) and the practice module with the H5P question set.
QUIZ_MODULE_SLUG = "listening-without-judgement"
PLAIN_URL = "/about/"
COHORT_SLUG = "harassment-response-autumn-2026"  # the demo's running cohort, the demo trainer's
TRAINER_EMAIL = "trainer@example.org"
VOLUNTEER_EMAIL = "loadtest-{:04d}@example.org"
LANGUAGES = ["es", "en"]  # the volunteers' interface languages, in turn

# From the issue: at 50 users the module page's p95 within 2x the plain page's; at 10 users its
# throughput at least 0.7x the plain page's; no errors. Judged on the isolated steps (each page
# read alone by that many users), as the issue measured them.
P95_USERS, P95_MAX_RATIO = 50, 2.0
THROUGHPUT_USERS, THROUGHPUT_MIN_RATIO = 10, 0.7


def env_int(name: str, default: int, minimum: int = 0) -> int:
    return common_env_int(name, default, minimum, who="loadtest")


def config() -> dict:
    steps = [int(n) for n in os.environ.get("LOADTEST_USERS", "10,50,200").split(",") if n.strip()]
    return {
        "steps": steps,
        "seconds": env_int("LOADTEST_SECONDS", 60, minimum=1),  # the mix
        # Each page alone, per page and level (in two slices); 0: no isolated steps.
        "isolated_seconds": env_int("LOADTEST_ISOLATED_SECONDS", 30),
        # After switching pages, the longest wait for the other page's requests to be served.
        "settle_max": env_int("LOADTEST_SETTLE_MAX", 60, minimum=1),
        "warmup": env_int("LOADTEST_WARMUP", 10),
        "spawn_rate": env_int("LOADTEST_SPAWN_RATE", 50, minimum=1),
        "volunteers": env_int("LOADTEST_VOLUNTEERS", 300, minimum=1),
        "trainer_sessions": env_int("LOADTEST_TRAINER_SESSIONS", 20, minimum=1),
        "workers": env_int("LOADTEST_WORKERS", 3, minimum=1),  # the Dockerfile's WEB_CONCURRENCY
        "celery": os.environ.get("LOADTEST_CELERY", "1") != "0",
        "collectstatic": os.environ.get("LOADTEST_COLLECTSTATIC", "1") != "0",
        "database_url": os.environ.get(
            "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/acompana_loadtest"
        ),
        "redis_url": os.environ.get("LOADTEST_REDIS_URL", "redis://127.0.0.1:6379/9"),
        "broker_url": os.environ.get("LOADTEST_BROKER_URL", "redis://127.0.0.1:6379/10"),
    }


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(conf: dict, port: int) -> dict:
    """What production's settings require, for a local run: every process (this one, gunicorn,
    Celery) gets the same values. The platform is 127.0.0.1, the H5P origin localhost."""
    platform_origin = f"http://127.0.0.1:{port}"
    return {
        "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),  # a fresh one each run
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": conf["database_url"],
        "REDIS_CACHE_URL": conf["redis_url"],
        "CELERY_BROKER_URL": conf["broker_url"],
        "EMAIL_URL": "consolemail://",
        "DJANGO_DEFAULT_FROM_EMAIL": "Acompaña load test <loadtest@localhost>",
        "DJANGO_MEDIA_ROOT": str(WORK_DIR / "media"),
        "DJANGO_STATIC_ROOT": str(WORK_DIR / "static"),
        "ACOMPANA_H5P_ROOT": str(WORK_DIR / "h5p-store"),
        "ACOMPANA_PRIVATE_ROOT": str(WORK_DIR / "private"),
        "WAGTAILADMIN_BASE_URL": platform_origin,
        "ACOMPANA_PLATFORM_ORIGIN": platform_origin,
        "H5P_ORIGIN": f"http://localhost:{port}",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def setup_django(environment: dict) -> None:
    common_setup_django(environment=environment)


def ensure_services() -> None:
    """PostgreSQL (the database created if missing), Redis (our two databases emptied)."""
    import redis
    from django.conf import settings

    ensure_postgres("loadtest", required="LOADTEST_DATABASE_URL must be a PostgreSQL database.")
    try:
        for url in (settings.CACHES["default"]["LOCATION"], settings.CELERY_BROKER_URL):
            # Our own databases: stale rate counters, cached pages and queued tasks go.
            redis.Redis.from_url(url).flushdb()
    except redis.RedisError as error:
        sys.exit(f"loadtest: Redis is not reachable ({error}).")


# --- Preparing ------------------------------------------------------------------------------------
def prepare_database(conf: dict) -> dict:
    from django.core.management import call_command

    timings = {}
    started = time.perf_counter()
    for folder in ("media", "static", "h5p-store", "private"):
        (WORK_DIR / folder).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    timings["migrate_and_seed_seconds"] = round(time.perf_counter() - started, 1)
    if conf["collectstatic"] or not (WORK_DIR / "static" / "staticfiles.json").exists():
        started = time.perf_counter()
        call_command("collectstatic", interactive=False, verbosity=0)
        timings["collectstatic_seconds"] = round(time.perf_counter() - started, 1)
    return timings


def seed_volunteers(count: int) -> list:
    """loadtest-0001@example.org …: verified, enrolled in the course, members of the cohort; their
    earlier quiz attempts, completions and statements deleted, so every run starts alike."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from wagtail.models import Locale

    from cohorts.models import Cohort, Membership
    from courses.models import CoursePage, Enrolment
    from training.models import User

    course = CoursePage.objects.get(slug=COURSE_SLUG, locale=Locale.get_default())
    cohort = Cohort.objects.get(slug=COHORT_SLUG)
    emails = [VOLUNTEER_EMAIL.format(n) for n in range(1, count + 1)]
    with transaction.atomic():
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        password = make_password(None)
        User.objects.bulk_create(
            [
                User(email=email, display_name=f"Load test volunteer {n:04d}", password=password,
                     preferred_language=LANGUAGES[n % len(LANGUAGES)])
                for n, email in enumerate(emails, start=1) if email not in existing
            ],
            batch_size=500,
        )  # fmt: skip
        users = list(User.objects.filter(email__in=emails).order_by("email"))
        verified = set(
            EmailAddress.objects.filter(email__in=emails).values_list("email", flat=True)
        )
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True)
             for u in users if u.email not in verified],
            batch_size=500,
        )  # fmt: skip
        Enrolment.objects.bulk_create(
            [Enrolment(user=u, course=course, source="bench") for u in users],
            ignore_conflicts=True, batch_size=500,
        )  # fmt: skip
        Membership.objects.bulk_create(
            [Membership(cohort=cohort, user=u, source="csv") for u in users],
            ignore_conflicts=True, batch_size=500,
        )  # fmt: skip
        forget_work(users)
    return users


def forget_work(users) -> None:
    from courses.models import ActivityCompletion, H5PStatement, ModuleProgress, QuizAttempt

    ids = [u.pk for u in users]
    for model in (H5PStatement, QuizAttempt, ActivityCompletion, ModuleProgress):
        model.objects.filter(user_id__in=ids).delete()


def quiz_plan() -> dict:
    """For each language: the module copy the reader sees, its quiz's form action and the right
    answers (form field -> values)."""
    from django.urls import reverse
    from wagtail.models import Locale

    from courses.models import CoursePage, ModulePage

    course = CoursePage.objects.live().get(slug=COURSE_SLUG, locale=Locale.get_default())
    module = ModulePage.objects.live().child_of(course).get(slug=QUIZ_MODULE_SLUG)
    plan = {"module_url": module.url, "module_id": module.pk, "by_language": {}}
    for language in LANGUAGES:
        copy = module.get_translation_or_none(Locale.objects.get(language_code=language))
        copy = copy if copy is not None and copy.live else module
        quiz = next(a for a in copy.activities if a.kind.block_type == "quiz")
        answers = {}
        for question in quiz.value["questions"]:
            if question.block_type == "true_false":
                values = ["true" if question.value["answer"] else "false"]
            else:
                values = [
                    option.id
                    for option in question.value["options"].bound_blocks
                    if option.value["is_correct"]
                ]
            answers[f"q-{question.id}"] = values
        plan["by_language"][language] = {
            # The form's own address (courses:activity_action), as the page gives it.
            "path": reverse("courses:quiz_submit", args=[copy.pk, quiz.id]),
            "page_url": copy.url,
            "answers": answers,
        }
    return plan


def sessions_for(users, *, mfa: bool = False) -> list[dict]:
    """A fresh signed-in session for each (the keys Django's login() writes; with `mfa`, the
    record of a password and a TOTP code, as allauth leaves it), and a CSRF secret."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    backend = settings.AUTHENTICATION_BACKENDS[0]
    accounts = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if mfa:
            now = time.time()
            session["account_authentication_methods_user"] = str(user.pk)
            session["account_authentication_methods"] = [
                {"method": "password", "at": now, "email": user.email},
                {"method": "mfa", "at": now, "type": "totp"},
            ]
        session.create()
        accounts.append(
            {
                "user_id": user.pk,
                "session": session.session_key,
                "csrf": get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS),
                "language": getattr(user, "preferred_language", "") or "en",
            }
        )
    return accounts


def trainer_accounts(count: int) -> list[dict]:
    """`count` sessions of the demo trainer, each with a second factor passed (an authenticator
    is enrolled first if the trainer has none)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from training.models import User

    trainer = User.objects.get(email=TRAINER_EMAIL)
    if not Authenticator.objects.filter(user=trainer, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(trainer, generate_totp_secret())
    return sessions_for([trainer] * count, mfa=True)


def xapi_plan(accounts: list[dict]) -> dict:
    """The H5P question set of the demo's practice module (bench/ingest.py finds it), and a
    launch token for each volunteer."""
    from ingest import find_target

    from courses.h5p.xapi import launch_token
    from training.models import User

    target = find_target()
    users = User.objects.in_bulk([a["user_id"] for a in accounts])
    for account in accounts:
        account["token"] = launch_token(
            user=users[account["user_id"]],
            module_id=target.module_id,
            activity_id=target.activity_id,
            activity_uuid=target.activity_uuid,
        )
    return {
        "path": target.path,
        "iri": target.iri,
        "sub_content_ids": list(target.sub_content_ids),
        "main_library": target.main_library,
    }


def split_volunteers(volunteers: list[dict]) -> dict[str, list[dict]]:
    """The readers (two thirds) and the writers (the last third, at least one): the module page a
    reader is served must not carry the quiz attempts and H5P statements of the run. With a
    single volunteer, both are the same."""
    writers = max(1, len(volunteers) // 3)
    readers = volunteers[:-writers] or volunteers
    return {"readers": readers, "writers": volunteers[-writers:]}


def forget_sessions(accounts: list[dict]) -> None:
    from django.contrib.sessions.backends.cached_db import SessionStore

    for account in accounts:
        SessionStore(session_key=account["session"]).delete()


# --- Processes ------------------------------------------------------------------------------------
Process = LoggedProcess  # gunicorn, the Celery worker, Locust


# For this run only, the access log goes to a file of its own, one line a request: the tag the
# load generator sends (step|m or w|page), the status and the time inside the worker (us, from
# parsing the request to the last byte written: no time waiting in the listen queue).
ACCESS_LOG_FORMAT = "LT|%({x-loadtest}i)s|%(s)s|%(D)s"


def start_gunicorn(conf: dict, port: int, environment: dict, access_log: Path) -> Process:
    """As the Dockerfile starts it: gunicorn.conf.py (its access logger, which redacts secrets),
    sync workers; the access log in a file, with the format above."""
    command = [
        sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
        "training.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(conf["workers"]),
        "--worker-tmp-dir", WORKER_TMP if Path(WORKER_TMP).is_dir() else tempfile.gettempdir(),
        "--access-logfile", str(access_log),
        "--access-logformat", ACCESS_LOG_FORMAT,
    ]  # fmt: skip
    return Process("gunicorn", command, environment)


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest rank, on sorted values (as bench/locustfile.py)."""
    if not values:
        return None
    rank = max(1, round(pct / 100 * len(values) + 0.4999))
    return values[min(rank, len(values)) - 1]


def service_times(access_log: Path) -> dict[tuple[str, str], dict]:
    """(step, page) -> the time inside a gunicorn worker of the requests the load generator sent
    while measuring: count, p50/p95/p99 and mean in ms."""
    found: dict[tuple[str, str], list[float]] = {}
    try:
        text = access_log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    for line in text.splitlines():
        parts = line.split("|")
        if len(parts) != 6 or parts[0] != "LT" or parts[2] != "m":
            continue  # untagged (/healthz), warm-up, settling, or another line
        try:
            micros = int(parts[5])
        except ValueError:
            continue
        found.setdefault((parts[1], parts[3]), []).append(micros / 1000)
    stats = {}
    for key, values in found.items():
        values.sort()
        stats[key] = {
            "service_requests": len(values),
            "service_p50_ms": round(percentile(values, 50), 1),
            "service_p95_ms": round(percentile(values, 95), 1),
            "service_p99_ms": round(percentile(values, 99), 1),
            "service_mean_ms": round(sum(values) / len(values), 1),
        }
    return stats


def start_celery(environment: dict) -> Process:
    command = [
        sys.executable, "-m", "celery", "-A", "training", "worker", "--pool=solo",
        "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
    ]  # fmt: skip
    return Process("celery", command, environment)


def wait_healthy(server: Process, port: int, timeout: float = 180) -> None:
    try:
        server.wait_healthy(port, timeout)
    except RuntimeError as error:
        sys.exit(f"loadtest: {error}")


def redis_pid() -> int | None:
    import redis
    from django.conf import settings

    try:
        client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
        return int(client.info("server")["process_id"])
    except (redis.RedisError, KeyError, ValueError):
        return None


# --- Judging and reporting ------------------------------------------------------------------------
def step_of(steps: list[dict], kind: str, users: int) -> dict | None:
    return next((s for s in steps if s.get("kind") == kind and s["users"] == users), None)


def ratio(numerator, denominator) -> float | None:
    return round(numerator / denominator, 2) if numerator and denominator else None


def pair(steps: list[dict], kind: str, users: int, key: str) -> tuple:
    """(module page, plain page) values of `key` in that step, or (None, None)."""
    step = step_of(steps, kind, users)
    pages = step["pages"] if step else {}
    if "module page" not in pages or "plain page" not in pages:
        return None, None
    return pages["module page"].get(key), pages["plain page"].get(key)


def judge(steps: list[dict], checks: dict) -> dict:
    """The issue's targets. The timing ones on the isolated steps (each page alone: its own
    capacity, as the issue measured it); the mix's ratios and the service times beside them,
    for information."""
    errors = sum(sum(step["errors_including_warmup"].values()) for step in steps)
    targets = {
        "no_errors": {
            "value": errors,
            "target": "0 failed requests (warm-up included, every step), nothing lost",
            "met": errors == 0 and checks["met"],
        }
    }
    module, plain = pair(steps, "isolated", P95_USERS, "p95_ms")
    if module is not None:
        value = ratio(module, plain)
        targets["p95_ratio"] = {
            "users": P95_USERS,
            "judged_on": "isolated",
            "module_p95_ms": module,
            "plain_p95_ms": plain,
            "value": value,
            "target": f"module page p95 <= {P95_MAX_RATIO:g}x the plain page's at {P95_USERS} "
            "users, each page alone",
            "met": value is not None and value <= P95_MAX_RATIO,
            "service_p95_ratio": ratio(*pair(steps, "isolated", P95_USERS, "service_p95_ms")),
            "mix_value": ratio(*pair(steps, "mix", P95_USERS, "p95_ms")),
        }
    module, plain = pair(steps, "isolated", THROUGHPUT_USERS, "throughput_per_second")
    if module is not None:
        value = ratio(module, plain)
        targets["throughput_ratio"] = {
            "users": THROUGHPUT_USERS,
            "judged_on": "isolated",
            "module_per_second": module,
            "plain_per_second": plain,
            "value": value,
            "target": f"module page throughput >= {THROUGHPUT_MIN_RATIO:g}x the plain page's at "
            f"{THROUGHPUT_USERS} users, each page alone",
            "met": value is not None and value >= THROUGHPUT_MIN_RATIO,
            # Service time, plain / module: what the throughput ratio would be on a server
            # with nothing else to do.
            "service_mean_ratio": ratio(
                *reversed(pair(steps, "isolated", THROUGHPUT_USERS, "service_mean_ms"))
            ),
            "mix_value": ratio(*pair(steps, "mix", THROUGHPUT_USERS, "throughput_per_second")),
        }
    return targets


def stored_checks(users, steps: list[dict]) -> dict:
    """What the server said it did, against the database, write by write: the id of every quiz
    answer answered 303 (its submission_id) must be a passed attempt, the id of every statement
    answered 200 a stored row. A write sent but not answered (failed, or in flight when its
    step stopped) may be stored or not; a stored row no client sent is unexplained. Takes the
    ids out of `steps` (they are not results)."""
    from courses.models import H5PStatement, QuizAttempt

    ids = [u.pk for u in users]
    sent = {"quiz": set(), "statements": set()}
    answered = {"quiz": set(), "statements": set()}
    for step in steps:
        written = step.pop("write_ids", {"sent": {}, "answered": {}})
        for kind in sent:
            sent[kind].update(written["sent"].get(kind, []))
            answered[kind].update(written["answered"].get(kind, []))
    attempts = {
        str(submission_id): passed
        for submission_id, passed in QuizAttempt.objects.filter(user_id__in=ids).values_list(
            "submission_id", "passed"
        )
    }
    stored = {
        "quiz": set(attempts),
        "statements": {
            str(pk)
            for pk in H5PStatement.objects.filter(user_id__in=ids).values_list("pk", flat=True)
        },
    }
    result = {
        "quiz_answers_303": len(answered["quiz"]),
        "quiz_attempts_stored": len(stored["quiz"]),
        "quiz_attempts_passed": sum(attempts.values()),
        "quiz_attempts_not_passed": sum(1 for passed in attempts.values() if not passed),
        # Answered 303 but no attempt stored, or one stored but not passed.
        "quiz_lost": len(answered["quiz"] - {k for k, passed in attempts.items() if passed}),
        "statements_200": len(answered["statements"]),
        "statements_stored": len(stored["statements"]),
        "statements_lost": len(answered["statements"] - stored["statements"]),
    }
    for kind, label in (("quiz", "quiz"), ("statements", "statements")):
        unanswered = sent[kind] - answered[kind]
        # Sent, not answered as a success (a failure, or in flight when the step stopped), and
        # stored all the same; stored rows that no client sent.
        result[f"{label}_unanswered"] = len(unanswered)
        result[f"{label}_unanswered_stored"] = len(unanswered & stored[kind])
        result[f"{label}_unexplained"] = len(stored[kind] - sent[kind])
    result["met"] = (
        result["quiz_lost"] == 0
        and result["quiz_attempts_not_passed"] == 0
        and result["statements_lost"] == 0
        and result["quiz_unexplained"] == 0
        and result["statements_unexplained"] == 0
    )
    return result


def metadata(conf: dict, timings: dict, counts: dict) -> dict:
    from importlib.metadata import version

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
        "cache": settings.CACHES["default"]["LOCATION"],
        "broker": settings.CELERY_BROKER_URL,
        "settings": settings.SETTINGS_MODULE,
        "static_files_storage": settings.STORAGES["staticfiles"]["BACKEND"],
        "gunicorn": gunicorn.__version__,
        "gunicorn_workers": conf["workers"],
        "gunicorn_worker_class": "sync",
        "celery_worker": "1 (solo pool)" if conf["celery"] else None,
        "locust": version("locust"),  # not imported here: it patches the whole process
        "steps": conf["steps"],
        "seconds_per_step": conf["seconds"],
        "isolated_seconds": conf["isolated_seconds"],
        "settle_max_seconds": conf["settle_max"],
        "warmup_seconds": conf["warmup"],
        "spawn_rate": conf["spawn_rate"],
        "volunteers": counts["volunteers"],
        "cohort_members": counts["cohort_members"],
        "trainer_sessions": conf["trainer_sessions"],
        "rate_limits_lifted": {
            "ACOMPANA_H5P_XAPI_RATE": settings.ACOMPANA_H5P_XAPI_RATE,
            "ACOMPANA_H5P_STATEMENTS_PER_DAY": settings.ACOMPANA_H5P_STATEMENTS_PER_DAY,
            "ACCOUNT_RATE_LIMITS": settings.ACCOUNT_RATE_LIMITS,
        },
        **timings,
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


PAGE_ORDER = [
    "module page",
    "plain page",
    "quiz answer (POST)",
    "quiz: module page after answer",
    "H5P statement (POST)",
    "progress matrix",
]
CPU_NAMES = {
    "gunicorn_workers_seconds": "gunicorn",
    "postgres_backends_seconds": "PostgreSQL",
    "redis_seconds": "Redis",
    "celery_worker_seconds": "Celery",
    "load_generator_seconds": "load generator",
    "other_seconds": "everything else",
}


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def cell(value, unit: str = "") -> str:
    if value is None:
        return "—"
    return f"{value:,.1f}{unit}" if isinstance(value, float) else f"{value:,}{unit}"


def cpu_line(cpu: dict, what: str) -> str:
    parts = ", ".join(f"{label} {cpu[key]:.1f}" for key, label in CPU_NAMES.items() if key in cpu)
    busy = cpu.get("machine_busy_percent")
    return f"CPU seconds {what} ({cpu['window_seconds']} s): {parts}" + (
        f" (machine {busy:.0f} % busy, {cpu['cores']} cores)." if busy is not None else "."
    )


TABLE_HEAD = [
    "| page | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | service p50 ms | "
    "service p95 ms |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def table_row(name: str, page: dict) -> str:
    return (
        f"| {name} | {cell(page['throughput_per_second'])} | {cell(page['p50_ms'])} | "
        f"{cell(page['p95_ms'])} | {cell(page['p99_ms'])} | {cell(page['max_ms'])} | "
        f"{page['errors']} | {cell(page.get('service_p50_ms'))} | "
        f"{cell(page.get('service_p95_ms'))} |"
    )


def error_lines(step: dict) -> list[str]:
    errors = sum(step["errors_including_warmup"].values())
    if not errors:
        return []
    return [
        f"Errors, warm-up included: {errors}.",
        *(f"- `{message}`: {n}" for message, n in step["error_samples"].items()),
    ]


def mix_lines(step: dict) -> list[str]:
    spread = ", ".join(f"{name} {n}" for name, n in step["user_classes"].items())
    pages = step["pages"]
    names = [n for n in PAGE_ORDER if n in pages] + sorted(set(pages) - set(PAGE_ORDER))
    return [
        f"### The mix ({spread}; {step['seconds']} s measured)",
        "",
        *TABLE_HEAD,
        *(table_row(name, pages[name]) for name in names),
        "",
        cpu_line(step["cpu"], "in the window"),
        *error_lines(step),
        "",
    ]


def isolated_lines(step: dict) -> list[str]:
    pages = step["pages"]
    module, plain = pages.get("module page"), pages.get("plain page")
    lines = [
        f"### Each page alone ({step['users']} users reading one page; slices "
        + ", ".join(
            f"{s['page'].split()[0]} {s['seconds']} s ({cell(s['throughput_per_second'])}/s)"
            for s in step["slices"]
        )
        + ")",
        "",
        *TABLE_HEAD,
        *(table_row(name, pages[name]) for name in ("plain page", "module page") if name in pages),
    ]
    if module and plain:
        keys = ["throughput_per_second", "p50_ms", "p95_ms", "p99_ms", "max_ms"]
        cells = [cell(ratio(module[key], plain[key]), "x") for key in keys]
        service = [
            cell(ratio(module.get(k), plain.get(k)), "x")
            for k in ("service_p50_ms", "service_p95_ms")
        ]
        lines.append(f"| module ÷ plain | {' | '.join(cells)} | | {' | '.join(service)} |")
    lines.append("")
    for name in ("plain page", "module page"):
        if name in pages:
            cpu = pages[name]["cpu"]
            ok = pages[name]["ok"] or 1
            gunicorn = 1000 * cpu.get("gunicorn_workers_seconds", 0) / ok
            postgres = 1000 * cpu.get("postgres_backends_seconds", 0) / ok
            lines.append(
                cpu_line(cpu, f"while reading the {name}")
                + f" Per answer: gunicorn {gunicorn:.1f} ms, PostgreSQL {postgres:.1f} ms."
            )
    unsettled = [s["page"] for s in step["settles"] if not s["settled"]]
    lines.append(
        "Settling after each switch: "
        + ", ".join(f"{s['page']} {s['seconds']} s" for s in step["settles"])
        + (f" (NOT settled: {', '.join(unsettled)})." if unsettled else ".")
    )
    lines += [*error_lines(step), ""]
    return lines


def report_lines(result: dict) -> list[str]:
    """The report, as Markdown (printed as is, and written to loadtest-report.md)."""
    meta = result["meta"]
    lines = [
        "# Load test (`make loadtest`)",
        "",
        f"{meta['timestamp']} · commit {(meta['git_commit'] or 'unknown')[:10]}"
        f"{' (with local changes)' if meta['git_dirty'] else ''} · {meta['cpus']} CPUs · "
        f"{meta['database_vendor']} {meta['database_version']} · gunicorn {meta['gunicorn']} "
        f"({meta['gunicorn_workers']} sync workers, `{meta['settings']}`) · Redis cache and "
        f"broker · Celery worker {meta['celery_worker'] or 'none'} · Locust {meta['locust']} "
        f"(FastHttpUser) · {meta['volunteers']} volunteers, {meta['cohort_members']} cohort "
        f"members.",
        "",
        "Two steps for each number of users, one after the other (the server's queue drained "
        "in between):",
        "",
        f"- **The mix**: module readers 3, plain-page readers 3, quiz takers 1, H5P learners 2, "
        f"trainers 1 (by weight; readers without think time), {meta['warmup_seconds']} s of "
        f"warm-up, {meta['seconds_per_step']} s measured. Realistic, but it cannot compare "
        "pages: with no think time the queue in front of the 3 workers sets every latency, so "
        "all pages show about the same p95 and about the same throughput whatever each costs.",
        f"- **Each page alone**: the same number of volunteers (the same sessions) reading "
        f"only the plain page (/about/, signed in) or only the module page, switched in slices "
        f"(plain, module, module, plain, or the reverse on every other level, so a drift of "
        f"the machine hits both), {meta['isolated_seconds']} s per page. After each switch "
        "nothing is measured until every user has had an answer to the new page. Each page's "
        "own capacity: **the issue's throughput and p95 targets are judged here.**",
        "",
        "Client columns (req/s, p50 to max) are what Locust's users saw, queueing included. "
        "**Service** p50/p95 is the time inside a gunicorn worker (its access log, `%(D)s`: "
        "from the parsed request to the last byte written), which queueing cannot hide; it "
        "still includes waiting for a core when 3 workers and the rest of the machine share "
        f"{meta['cpus']}. Rate limits per person are lifted (bench/loadtest_settings.py).",
        "",
    ]
    for users in meta["steps"]:
        lines += [f"## {users} users", ""]
        for step in result["steps"]:
            if step["users"] == users:
                lines += mix_lines(step) if step["kind"] == "mix" else isolated_lines(step)
    checks = result["stored"]
    lines += [
        "## Checks and targets",
        "",
        "Checked write by write, by the id each client generated (the quiz's submission_id, "
        "the xAPI statement id), warm-up included: lost = answered as a success but not in the "
        "database; unexplained = stored but sent by no client (both must be 0). A write sent "
        "but not answered (a failure, or in flight when its step stopped) may be stored or not.",
        "",
        f"- Quiz answers answered 303: {checks['quiz_answers_303']:,}; attempts stored: "
        f"{checks['quiz_attempts_stored']:,} (not passed: {checks['quiz_attempts_not_passed']}); "
        f"**lost: {checks['quiz_lost']}**; unanswered: {checks['quiz_unanswered']} (of them "
        f"stored: {checks['quiz_unanswered_stored']}); unexplained: "
        f"{checks['quiz_unexplained']}.",
        f"- H5P statements answered 200: {checks['statements_200']:,}; stored: "
        f"{checks['statements_stored']:,}; **lost: {checks['statements_lost']}**; unanswered: "
        f"{checks['statements_unanswered']} (of them stored: "
        f"{checks['statements_unanswered_stored']}); unexplained: "
        f"{checks['statements_unexplained']}.",
        "",
    ]
    for key, target in result["targets"].items():
        line = f"- {target['target']}: {target['value']} — **{verdict(target['met'])}**"
        if key == "p95_ratio":
            line += (
                f" (module {target['module_p95_ms']} ms, plain {target['plain_p95_ms']} ms; "
                f"service p95 ratio {target['service_p95_ratio']}; in the mix, not judged: "
                f"{target['mix_value']})"
            )
        elif key == "throughput_ratio":
            line += (
                f" (module {target['module_per_second']}/s, plain {target['plain_per_second']}/s;"
                f" mean service time plain ÷ module {target['service_mean_ratio']}; in the mix, "
                f"not judged: {target['mix_value']})"
            )
        lines.append(line)
    lines += [
        "",
        "Targets are reported, not enforced; an error or a lost answer fails the run. With "
        "every user reading one page without pause, the p95 at N users is about N ÷ the "
        "throughput, so the p95 target is close to “module throughput at least half the "
        "plain page's at 50 users”. The load generator shares the machine's cores with the "
        "server: compare runs on a quiet machine only (see “everything else” above).",
    ]
    return lines


def main() -> int:
    began = time.monotonic()
    conf = config()
    port = free_port()
    environment = production_environment(conf, port)
    setup_django(environment)
    sys.path.insert(0, str(BENCH))  # bench/ingest.py's helpers
    ensure_services()
    from django.conf import settings

    print(f"Preparing {settings.DATABASES['default']['NAME']} (migrate, seed_demo, collectstatic, "
          f"{conf['volunteers']} volunteers)…", flush=True)  # fmt: skip
    timings = prepare_database(conf)
    users = seed_volunteers(conf["volunteers"])
    volunteers = sessions_for(users)
    trainers = trainer_accounts(conf["trainer_sessions"])
    xapi = xapi_plan(volunteers)
    quiz = quiz_plan()
    from cohorts.models import Cohort

    cohort = Cohort.objects.get(slug=COHORT_SLUG)
    counts = {"volunteers": len(users), "cohort_members": cohort.memberships.count()}
    timings["preparation_seconds"] = round(time.monotonic() - began, 1)

    work = Path(tempfile.mkdtemp(prefix="loadtest-"))
    celery = start_celery(environment) if conf["celery"] else None
    access_log = work / "access.log"
    server = start_gunicorn(conf, port, environment, access_log)
    locust_output = ""
    try:
        started = time.monotonic()
        wait_healthy(server, port)
        timings["server_start_seconds"] = round(time.monotonic() - started, 1)
        plan = {
            "base_url": f"http://127.0.0.1:{port}",
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            # Readers and writers (quiz takers, H5P learners): distinct volunteers.
            **split_volunteers(volunteers),
            "trainers": trainers,
            "module_url": quiz["module_url"],
            "plain_url": PLAIN_URL,
            "matrix_url": f"/dashboard/trainer/cohorts/{COHORT_SLUG}/progress/",
            "quiz": quiz["by_language"],
            "xapi": xapi,
            "steps": conf["steps"],
            "seconds": conf["seconds"],
            "isolated_seconds": conf["isolated_seconds"],
            "settle_max": conf["settle_max"],
            "warmup": conf["warmup"],
            "spawn_rate": conf["spawn_rate"],
            "database": settings.DATABASES["default"]["NAME"],
            "pids": {
                "gunicorn": server.pid,
                "celery": celery.pid if celery else None,
                "redis": redis_pid(),
            },
        }
        (work / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
        print(
            f"Ready: data in {timings['preparation_seconds']} s, gunicorn up in "
            f"{timings['server_start_seconds']} s on port {port} ({conf['workers']} sync "
            f"workers); Locust steps: {conf['steps']} users.",
            flush=True,
        )
        started = time.monotonic()
        load = subprocess.run(
            [sys.executable, str(BENCH / "locustfile.py"), str(work / "plan.json"),
             str(work / "steps.json")],
            cwd=ROOT, env={**os.environ, "PYTHONPATH": environment["PYTHONPATH"]},
            check=False,
        )  # fmt: skip
        if load.returncode != 0 or not (work / "steps.json").exists():
            locust_output = server.log_tail()
            sys.exit(
                f"loadtest: the load generator failed.\ngunicorn's last lines:\n{locust_output}"
            )
        steps = json.loads((work / "steps.json").read_text(encoding="utf-8"))["steps"]
        timings["load_seconds"] = round(time.monotonic() - started, 1)
    finally:
        server_tail = server.stop()
        celery_tail = celery.stop() if celery else ""
        services = service_times(access_log)
        shutil.rmtree(work, ignore_errors=True)
    forget_sessions(volunteers + trainers)

    for step in steps:
        for name, page in step["pages"].items():
            page.update(services.get((step["key"], name), {}))
    checks = stored_checks(users, steps)
    result = {
        "meta": metadata(conf, timings, counts),
        "steps": steps,
        "stored": checks,
        "targets": judge(steps, checks),
    }
    result["meta"]["total_seconds"] = round(time.monotonic() - began, 1)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "loadtest-latest.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    lines = report_lines(result)
    meta = result["meta"]
    lines.append(
        f"\nWhole run: {meta['total_seconds']} s (data {meta['preparation_seconds']} s, gunicorn "
        f"start {meta.get('server_start_seconds')} s, steps {meta.get('load_seconds')} s)."
    )
    (RESULTS_DIR / "loadtest-report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print()
    print("\n".join(lines))
    failed = not result["targets"]["no_errors"]["met"]
    if failed:
        print(f"\ngunicorn's last lines:\n{server_tail}")
        if celery_tail:
            print(f"\nCelery's last lines:\n{celery_tail}")
    print(
        f"\nWritten to {RESULTS_DIR / 'loadtest-latest.json'} and "
        f"{RESULTS_DIR / 'loadtest-report.md'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
