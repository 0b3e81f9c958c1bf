"""`make bench`: seed 10,000 people, then time pages and count their SQL queries.

Each scenario is requested a few times to warm up, then BENCH_ITERATIONS times through Django's
test client (the whole middleware stack, no network). The results are printed as a table and
written to bench/results/latest.json, with the comparisons in COMPARISONS (a page's median
against a plain Wagtail page's, measured in the same run). See bench/README.md.

To measure a new page, append one `Scenario` to SCENARIOS below.

Every scenario must answer 200: one that errors or answers anything else is reported and the run
exits with status 1 (the others are still measured). Targets (TARGETS, the progress matrix) are
reported as "met" or "MISSED", never enforced. BENCH_QUICK=1 (`make bench-quick`, CI): small data
and few iterations on its own database (bench/common.py), every scenario and the reminders.
"""

import gc
import json
import os
import platform
import random
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    QueryCounter,
    apply_quick_defaults,
    ensure_postgres,
    env_int,
    git,
    mark_prepared,
    quick,
    setup_django,
    stage,
)

# BENCH_QUICK=1: sizes for a run of a minute or two (each still overridable).
QUICK_DEFAULTS = {
    "BENCH_ITERATIONS": "3",
    "BENCH_WARMUP": "1",
    "BENCH_USERS": "200",
    "BENCH_COHORT_MEMBERS": "50",
}


@dataclass(frozen=True)
class Scenario:
    """One page to measure. `user` is the email of the person signed in; None is anonymous."""

    name: str
    url: str
    user: str | None = None


VOLUNTEER = "volunteer@example.org"
# The demo volunteer's course, and a module of it they have worked in (quiz passed, no content
# notes to get past): the module page renders its whole body with their answers and state.
COURSE_URL = "/courses/feminist-accompaniment/"
MODULE_URL = COURSE_URL + "listening-without-judgement/"

# Later issues add their pages here, one line each. Every request must answer 200.
SCENARIOS = [
    Scenario("home", "/"),
    Scenario("login", "/accounts/login/"),
    Scenario("dashboard", "/dashboard/", user=VOLUNTEER),
    # A plain Wagtail page (training.StandardPage, from seed_demo): the yardstick for the others.
    Scenario("plain_page", "/about/"),
    Scenario("plain_page_signed_in", "/about/", user=VOLUNTEER),
    Scenario("course_page", COURSE_URL, user=VOLUNTEER),
    Scenario("module_page", MODULE_URL, user=VOLUNTEER),
    # The course catalogue, as the volunteer sees it.
    Scenario("catalog", "/courses/", user=VOLUNTEER),
    # The trainer's progress matrix of a cohort of BENCH_COHORT_MEMBERS (1,000) people and the
    # demo courses' modules (target: under a second). Signed in with a second factor.
    Scenario(
        "cohort_progress",
        "/dashboard/trainer/cohorts/bench-cohort/progress/",
        user="trainer@example.org",
    ),
]


@dataclass(frozen=True)
class Comparison:
    """A page against a baseline measured in the same run: the ratio of their medians, and the
    page's queries per request (the most of any request). Targets are reported, never
    enforced: a benchmark, not a test (the query budgets are tests: tests/test_query_budgets.py)."""

    page: str
    baseline: str
    max_ratio: float | None = None
    max_queries: int | None = None


# Issue 18's targets. Both sides signed in as the same person, so that the difference is the page.
COMPARISONS = [
    Comparison("module_page", "plain_page_signed_in", max_ratio=1.6, max_queries=12),
    Comparison("course_page", "plain_page_signed_in", max_ratio=1.6, max_queries=12),
    Comparison("dashboard", "plain_page_signed_in", max_ratio=2, max_queries=15),
    Comparison("catalog", "plain_page_signed_in", max_queries=8),
]
# The trainer's progress matrix (issue 18): 1,000 members x 13 modules, median on PostgreSQL.
PROGRESS_MAX_MS = 300
PROGRESS_MAX_QUERIES = 12
PROGRESS_MEMBERS = 1000
PROGRESS_VENDOR = "postgresql"


BENCH_EMAIL_PREFIX = "bench-"
TIME_ZONES = [
    "America/Santiago",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Europe/Madrid",
    "Africa/Accra",
    "Africa/Nairobi",
    "Asia/Jakarta",
    "UTC",
]
LANGUAGES = ["", "es", "en"]


def ensure_database() -> None:
    """A PostgreSQL database named by BENCH_DATABASE_URL is created when missing."""
    ensure_postgres("bench")


def prepare_database(people: int, members: int) -> dict:
    """Migrate, load the demo data and make sure the benchmark's people exist."""
    from django.core.management import call_command

    started = time.perf_counter()
    with stage("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    with stage("seed_demo"):
        call_command("seed_demo", stdout=StringIO())
    with stage("people and cohort"):
        created = seed_people(people)
        cohort_members = seed_cohort(members)
    with stage("analyze"):
        analyze()
    # The next scripts of `make bench-quick` (bench/quick.py) skip migrate and seed_demo.
    mark_prepared()
    return {
        "created": created,
        "cohort_members": cohort_members,
        "seconds": round(time.perf_counter() - started, 2),
    }


def analyze() -> None:
    """Planner statistics for what was just written, as production's autovacuum would have
    gathered them (it may be off on a test machine: then every table looks empty to the planner
    and the pages' queries are measured with plans production would not choose)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def seed_people(count: int) -> int:
    """Create bench-00001@example.org … with verified primary emails; only the missing ones."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from training.models import User

    password = make_password("bench-password-not-secret")
    now = timezone.now()
    with transaction.atomic():
        existing = set(
            User.objects.filter(email__startswith=BENCH_EMAIL_PREFIX).values_list(
                "email", flat=True
            )
        )
        missing = []
        for number in range(1, count + 1):
            email = f"{BENCH_EMAIL_PREFIX}{number:05d}@example.org"
            if email in existing:
                continue
            missing.append(
                User(
                    email=email,
                    display_name=f"Bench person {number:05d}",
                    password=password,
                    time_zone=TIME_ZONES[number % len(TIME_ZONES)],
                    preferred_language=LANGUAGES[number % len(LANGUAGES)],
                    # Spread sign-ups over about a year, as a real population would be.
                    date_joined=now - timedelta(minutes=53 * number),
                )
            )
        User.objects.bulk_create(missing, batch_size=1000)

        verified = set(
            EmailAddress.objects.filter(email__startswith=BENCH_EMAIL_PREFIX).values_list(
                "email", flat=True
            )
        )
        users = User.objects.filter(email__startswith=BENCH_EMAIL_PREFIX).values_list("pk", "email")
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=pk, email=email, verified=True, primary=True)
                for pk, email in users
                if email not in verified
            ],
            batch_size=1000,
        )
    return len(missing)


def seed_cohort(members: int) -> int:
    """A cohort taking the three demo courses, trained by the demo trainer, with the first
    `members` bench people as members (their course enrolments are not needed here); members
    are only added, never removed. Returns how many members it has."""
    from datetime import date, timedelta

    from cohorts.models import Cohort, CohortCourse, Membership
    from courses.models import CoursePage
    from training.models import User

    cohort, created = Cohort.objects.get_or_create(
        slug="bench-cohort",
        defaults={"title": "Bench cohort", "working_language": "en", "time_zone": "UTC",
                  "starts_on": date.today(), "ends_on": date.today() + timedelta(days=90),
                  "status": Cohort.Status.RUNNING},
    )  # fmt: skip
    # The demo courses in their original language (13 modules): members read the translated
    # copies of these, which are not more courses (a database seeded before took them all).
    originals = CoursePage.objects.live().filter(locale__language_code="en").order_by("path")
    if created or cohort.courses.exclude(pk__in=originals).exists():
        CohortCourse.objects.filter(cohort=cohort).delete()
        for order, course in enumerate(originals):
            CohortCourse.objects.create(cohort=cohort, course=course, sort_order=order)
    if created:
        cohort.trainers.add(User.objects.get(email="trainer@example.org"))
    have = cohort.memberships.count()
    if have < members:
        people = User.objects.filter(email__startswith=BENCH_EMAIL_PREFIX).order_by("email")
        Membership.objects.bulk_create(
            [Membership(cohort=cohort, user_id=pk, source="csv")
             for pk in people.values_list("pk", flat=True)[have:members]],
            ignore_conflicts=True, batch_size=1000,
        )  # fmt: skip
    seed_cohort_progress(cohort)
    return cohort.memberships.count()


def seed_cohort_progress(cohort) -> None:
    """Realistic progress (H4, issue 18) for two members in three: modules completed and one in
    progress, a last activity, a held session's attendance and a skill signed off; once."""
    from django.utils import timezone

    from cohorts.models import Attendance, LiveSession, Skill, SkillSignOff
    from cohorts.progress import cohort_modules
    from courses.models import CourseProgress, ModuleProgress

    modules = cohort_modules(cohort)
    people = list(cohort.memberships.order_by("pk").values_list("user_id", flat=True))
    if not modules or ModuleProgress.objects.filter(user_id__in=people[1:2]).exists():
        return
    now, trainer = timezone.now(), cohort.trainers.first()
    parent = {m.pk: m.get_parent().pk for m in modules}
    mine = [(i, pk, modules[: i % len(modules) + 1]) for i, pk in enumerate(people) if i % 3]
    ModuleProgress.objects.bulk_create([
        ModuleProgress(user_id=pk, module=m, course_id=parent[m.pk], last_visited_at=now,
                       status="in_progress" if m is done[-1] else "completed",
                       completed_at=None if m is done[-1] else now)
        for _i, pk, done in mine for m in done
    ], ignore_conflicts=True, batch_size=2000)  # fmt: skip
    CourseProgress.objects.bulk_create([
        CourseProgress(user_id=pk, course_id=course, last_activity_at=now - timedelta(days=i % 40))
        for i, pk, done in mine for course in {parent[m.pk] for m in done}
    ], ignore_conflicts=True, batch_size=2000)  # fmt: skip
    held = LiveSession.objects.create(cohort=cohort, title="Bench session",
                                      starts_at=now - timedelta(days=2),
                                      ends_at=now - timedelta(days=2, hours=-1))  # fmt: skip
    Attendance.objects.bulk_create([
        Attendance(session=held, user_id=pk, status="present" if i % 4 else "absent",
                   marked_by=trainer, marked_at=now) for i, pk, _done in mine
    ], ignore_conflicts=True, batch_size=2000)  # fmt: skip
    skill = Skill.objects.create(cohort=cohort, name="Bench role-play")
    SkillSignOff.objects.bulk_create([
        SkillSignOff(cohort=cohort, skill=skill, user_id=pk, signed_by=trainer)
        for i, pk, _done in mine if i % 2
    ], ignore_conflicts=True, batch_size=2000)  # fmt: skip


def bench_reminders(members: int) -> dict:
    """Schedule and send the 1-hour reminder of a session to a cohort of `members` people with
    the console email backend (its output kept in memory), then clean up."""
    from datetime import date, timedelta

    from django.test import override_settings
    from django.utils import timezone

    from cohorts import notify
    from cohorts.models import Cohort, LiveSession, Membership
    from training.models import NotificationLog, User

    cohort, _created = Cohort.objects.get_or_create(
        slug="bench-reminders",
        defaults={"title": "Bench reminders", "working_language": "en", "time_zone": "UTC",
                  "starts_on": date.today(), "ends_on": date.today() + timedelta(days=90),
                  "status": Cohort.Status.RUNNING},
    )  # fmt: skip
    people = User.objects.filter(email__startswith=BENCH_EMAIL_PREFIX).values_list("pk", flat=True)
    Membership.objects.bulk_create(
        [Membership(cohort=cohort, user_id=pk, source="csv") for pk in people[:members]],
        ignore_conflicts=True, batch_size=1000,
    )  # fmt: skip
    now = timezone.now()
    session = LiveSession.objects.create(
        cohort=cohort, title="Bench session", starts_at=now + timedelta(minutes=30),
        ends_at=now + timedelta(minutes=90),
    )  # fmt: skip
    output = StringIO()
    stdout, sys.stdout = sys.stdout, output
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.console.EmailBackend"):
            started = time.perf_counter()
            sent = notify.session_reminders(now)
            seconds = time.perf_counter() - started
            again_started = time.perf_counter()
            again = notify.session_reminders(now)
            again_seconds = time.perf_counter() - again_started
    finally:
        sys.stdout = stdout
        NotificationLog.objects.filter(
            key__startswith=f"session_reminder_1h:{session.pk}:"
        ).delete()
        session.delete()
    return {
        "members": cohort.memberships.count(), "sent": sent, "seconds": round(seconds, 2),
        "per_second": round(sent / seconds) if seconds else None, "batch": notify.BATCH,
        "second_run_sent": again, "second_run_seconds": round(again_seconds, 2),
        "output_bytes": len(output.getvalue()),
    }  # fmt: skip


class ScenarioFailed(Exception):
    """A scenario errored or answered anything but 200."""


def check_response(scenario: Scenario, response) -> None:
    """Every scenario must answer 200 (a redirect to the sign-in page is a broken scenario)."""
    if response.status_code != 200:
        where = response.get("Location", "")
        raise ScenarioFailed(
            f"GET {scenario.url} answered {response.status_code}"
            f"{f' (to {where})' if where else ''}; every scenario must answer 200"
        )


def fetch(client, scenario: Scenario):
    try:
        response = client.get(scenario.url)
    except ScenarioFailed:
        raise
    except Exception as error:  # the test client re-raises what the view raised
        raise ScenarioFailed(
            f"GET {scenario.url} raised {type(error).__name__}: {error}"
        ) from error
    check_response(scenario, response)
    return response


def percentile(values: list[float], pct: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def client_for(scenario: Scenario):
    from django.test import Client

    from training.models import User

    client = Client()
    if scenario.user:
        user = User.objects.filter(email=scenario.user).first()
        if user is None:
            raise ScenarioFailed(f"nobody has the email {scenario.user}")
        if user.requires_mfa:
            # Trainers' pages need a second factor passed in the session, as the tests do.
            from tests.conftest import login_with_mfa

            login_with_mfa(client, user)
        else:
            client.force_login(user)
    return client


def summarise(scenario: Scenario, iterations: int, times: list[float], counts: list[int]) -> dict:
    return {
        "name": scenario.name,
        "url": scenario.url,
        "user": scenario.user,
        "iterations": iterations,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(percentile(times, 95), 2),
        "max_ms": round(max(times), 2),
        "min_ms": round(min(times), 2),
        "queries_median": statistics.median(counts),
        "queries_max": max(counts),
        "queries_min": min(counts),
        "queries_total": sum(counts),
    }


def measure(
    scenarios: list[Scenario], iterations: int, warmup: int
) -> tuple[list[dict], dict[str, str]]:
    """Measure every scenario in rounds, one request each in a round, each round in its own
    (seeded) order. Returns the rows of the
    scenarios that answered 200 every time, and the failures (name: why) of the others.

    On a shared machine the speed drifts over seconds; interleaving makes the drift fall on
    every page alike, so the ratios between pages (module page against the plain page) mean
    something even when the absolute numbers move.

    Queries are counted with a QueryCounter (`connection.execute_wrapper`), which keeps no log:
    CaptureQueriesContext counts 0 once Django's 9,000-entry queries_log is full.
    """
    import traceback

    from django.db import connection

    failures: dict[str, str] = {}

    def fail(scenario: Scenario, error: Exception) -> None:
        if isinstance(error.__cause__, Exception):
            traceback.print_exception(error.__cause__)
        failures[scenario.name] = str(error)
        print(f"bench: {scenario.name}: FAILED: {error}", file=sys.stderr, flush=True)

    # Sign in and warm up (at least one request each): a broken scenario shows here.
    live: list[tuple[Scenario, object]] = []
    for scenario in scenarios:
        try:
            client = client_for(scenario)
            for _ in range(max(1, warmup)):
                fetch(client, scenario)
        except ScenarioFailed as error:
            fail(scenario, error)
            continue
        live.append((scenario, client))

    gc.collect()  # Start from a clean heap: fewer outliers.
    timings: list[list[float]] = [[] for _ in live]
    queries: list[list[int]] = [[] for _ in live]
    counter = QueryCounter(connection)
    # Each round in its own order (the same orders on every run): a page measured right after
    # a heavy one starts with the processor's caches filled by that one (1.4-1.8 ms more after
    # the progress matrix), so a fixed order (turning only where each round starts, as before)
    # kept giving mostly the same predecessor to the same page and shifted its median.
    shuffler = random.Random(18)
    order = list(range(len(live)))
    for _round in range(iterations):
        shuffler.shuffle(order)
        for i in order:
            scenario, client = live[i]
            if scenario.name in failures:
                continue
            try:
                with counter:
                    started = time.perf_counter()
                    fetch(client, scenario)
                    elapsed = time.perf_counter() - started
            except ScenarioFailed as error:
                fail(scenario, error)
                continue
            timings[i].append(elapsed * 1000)
            queries[i].append(counter.count)

    rows = [
        summarise(scenario, iterations, times, counts)
        for (scenario, _client), times, counts in zip(live, timings, queries, strict=True)
        if scenario.name not in failures
    ]
    return rows, failures


def metadata(iterations: int, warmup: int, people: int, seeding: dict) -> dict:
    import django
    import wagtail
    from django.conf import settings
    from django.db import connection

    from training.models import User

    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": None if status is None else bool(status),
        "database_vendor": connection.vendor,
        "database_version": ".".join(str(part) for part in connection.get_database_version()),
        "users": User.objects.count(),
        "bench_users": people,
        "bench_users_created_now": seeding["created"],
        "seeding_seconds": seeding["seconds"],
        "iterations": iterations,
        "warmup": warmup,
        "python": platform.python_version(),
        "django": django.get_version(),
        "wagtail": wagtail.__version__,
        "settings": settings.SETTINGS_MODULE,
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }


def table(rows: list[dict]) -> str:
    columns = [
        ("scenario", "name"),
        ("url", "url"),
        ("user", "user"),
        ("n", "iterations"),
        ("median ms", "median_ms"),
        ("p95 ms", "p95_ms"),
        ("max ms", "max_ms"),
        ("queries", "queries_median"),
        ("queries max", "queries_max"),
    ]

    def cell(row, key):
        value = row[key]
        if value is None:
            return "anonymous"
        if isinstance(value, float):
            return f"{value:.2f}" if key.endswith("_ms") else f"{value:g}"
        return str(value)

    cells = [[cell(row, key) for _title, key in columns] for row in rows]
    widths = [
        max(len(title), *(len(line[i]) for line in cells)) for i, (title, _k) in enumerate(columns)
    ]
    numeric = [i >= 3 for i in range(len(columns))]

    def line(values):
        return "  ".join(
            value.rjust(width) if right else value.ljust(width)
            for value, width, right in zip(values, widths, numeric, strict=True)
        ).rstrip()

    header = line([title for title, _key in columns])
    return "\n".join([header, "-" * len(header), *(line(values) for values in cells)])


def compare(rows: list[dict], *, judge_time: bool = True) -> list[dict]:
    """The comparisons whose two scenarios were measured in this run. `judge_time` False (quick
    mode): the time ratios are reported, not judged (`ratio_met` None): a few requests after
    one warm-up are a page's first ones, slower than the rest (psycopg prepares a query on its
    5th run, each process compiles its prepared reads once), so their ratio says nothing."""
    by_name = {row["name"]: row for row in rows}
    results = []
    for comparison in COMPARISONS:
        page, baseline = by_name.get(comparison.page), by_name.get(comparison.baseline)
        if page is None or baseline is None:
            continue
        ratio = page["median_ms"] / baseline["median_ms"] if baseline["median_ms"] else None
        ratio_met = (
            None
            if comparison.max_ratio is None or ratio is None or not judge_time
            else ratio <= comparison.max_ratio
        )
        queries_met = (
            None
            if comparison.max_queries is None
            else page["queries_max"] <= comparison.max_queries
        )
        checks = [met for met in (ratio_met, queries_met) if met is not None]
        results.append(
            {
                "page": comparison.page,
                "baseline": comparison.baseline,
                "page_median_ms": page["median_ms"],
                "baseline_median_ms": baseline["median_ms"],
                "ratio": None if ratio is None else round(ratio, 2),
                "max_ratio": comparison.max_ratio,
                "ratio_met": ratio_met,
                "queries_max": page["queries_max"],
                "max_queries": comparison.max_queries,
                "queries_met": queries_met,
                "targets_met": all(checks) if checks else None,
            }
        )
    return results


def judge_progress(rows: list[dict], vendor: str, members: int) -> dict | None:
    """The progress matrix's targets. Its time is judged only as the issue states it (1,000
    members on PostgreSQL); otherwise `time_met` is None (reported, not judged)."""
    row = next((row for row in rows if row["name"] == "cohort_progress"), None)
    if row is None:
        return None
    judged = vendor == PROGRESS_VENDOR and members == PROGRESS_MEMBERS
    return {
        "members": members,
        "database_vendor": vendor,
        "median_ms": row["median_ms"],
        "p95_ms": row["p95_ms"],
        "max_ms": PROGRESS_MAX_MS,
        "time_met": row["median_ms"] <= PROGRESS_MAX_MS if judged else None,
        "queries_max": row["queries_max"],
        "max_queries": PROGRESS_MAX_QUERIES,
        "queries_met": row["queries_max"] <= PROGRESS_MAX_QUERIES,
    }


def targets(comparisons: list[dict], progress: dict | None) -> list[dict]:
    """Every target of this run, one per line: what, the value, the limit, met (True, False, or
    None when not judged in this run)."""
    out = []
    for item in comparisons:
        if item["max_ratio"] is not None:
            out.append({
                "target": f"{item['page']} time",
                "value": None if item["ratio"] is None else f"{item['ratio']:.2f}x",
                "limit": f"<= {item['max_ratio']:g}x {item['baseline']}",
                "met": item["ratio_met"],
            })  # fmt: skip
        if item["max_queries"] is not None:
            out.append({
                "target": f"{item['page']} queries",
                "value": f"{item['queries_max']:g}",
                "limit": f"<= {item['max_queries']}",
                "met": item["queries_met"],
            })  # fmt: skip
    if progress:
        out.append({
            "target": "cohort_progress time",
            "value": f"{progress['median_ms']:.0f} ms median ({progress['members']:,} members, "
                     f"{progress['database_vendor']})",
            "limit": f"<= {PROGRESS_MAX_MS} ms with {PROGRESS_MEMBERS:,} members on PostgreSQL",
            "met": progress["time_met"],
        })  # fmt: skip
        out.append({
            "target": "cohort_progress queries",
            "value": f"{progress['queries_max']:g}",
            "limit": f"<= {PROGRESS_MAX_QUERIES}",
            "met": progress["queries_met"],
        })  # fmt: skip
    return out


def verdict(met: bool | None) -> str:
    return "not judged" if met is None else "met" if met else "MISSED"


def summary_lines(items: list[dict]) -> list[str]:
    """The targets as lines, then one line saying how many are met."""
    lines = [
        f"  {item['target']}: {item['value']} [target {item['limit']}: {verdict(item['met'])}]"
        for item in items
    ]
    judged = [item for item in items if item["met"] is not None]
    met = [item for item in judged if item["met"]]
    missed = [item["target"] for item in judged if not item["met"]]
    text = f"Targets met: {len(met)} of {len(judged)}"
    if missed:
        text += f"; MISSED: {', '.join(missed)}"
    if len(judged) < len(items):
        text += f" ({len(items) - len(judged)} not judged in this run)"
    return [*lines, text]


def comparison_lines(comparisons: list[dict]) -> list[str]:
    lines = []
    for item in comparisons:
        ratio = "n/a" if item["ratio"] is None else f"{item['ratio']:.2f}x"
        text = (
            f"{item['page']}: median {item['page_median_ms']:.2f} ms = {ratio} "
            f"{item['baseline']} ({item['baseline_median_ms']:.2f} ms)"
        )
        if item["max_ratio"] is not None and item["ratio"] is not None:
            text += f" [target ≤ {item['max_ratio']:g}x: {verdict(item['ratio_met'])}]"
        text += f"; {item['queries_max']:g} queries"
        if item["max_queries"] is not None:
            text += f" [target ≤ {item['max_queries']}: {verdict(item['queries_met'])}]"
        lines.append(text)
    return lines


def extra_scenarios() -> list[Scenario]:
    """BENCH_EXTRA_SCENARIOS="name=/url/[=email],…": more pages for this run only (to try a
    page, or to check that a broken one fails the run)."""
    extra = []
    for item in os.environ.get("BENCH_EXTRA_SCENARIOS", "").split(","):
        if not item.strip():
            continue
        parts = item.strip().split("=")
        if len(parts) not in (2, 3) or not parts[1].startswith("/"):
            sys.exit(
                f"bench: BENCH_EXTRA_SCENARIOS: {item!r} is not name=/url/ or name=/url/=email."
            )
        extra.append(Scenario(parts[0], parts[1], user=parts[2] if len(parts) == 3 else None))
    return extra


def main() -> int:
    apply_quick_defaults(QUICK_DEFAULTS)
    iterations = env_int("BENCH_ITERATIONS", 200, minimum=1)
    warmup = env_int("BENCH_WARMUP", 5)
    people = env_int("BENCH_USERS", 10_000)
    members = env_int("BENCH_COHORT_MEMBERS", 1000)
    every = SCENARIOS + extra_scenarios()
    wanted = {name.strip() for name in os.environ.get("BENCH_SCENARIOS", "").split(",")} - {""}
    if unknown := wanted - {s.name for s in every}:
        sys.exit(f"bench: no scenario called {', '.join(sorted(unknown))}.")
    if quick() and wanted:
        sys.exit("bench: BENCH_QUICK runs every scenario; unset BENCH_SCENARIOS.")
    # A compared page is always measured with its baseline, in the same run.
    wanted |= {c.baseline for c in COMPARISONS if c.page in wanted}
    scenarios = [s for s in every if not wanted or s.name in wanted]

    setup_django()
    ensure_database()
    from django.db import connection

    mode = " (quick)" if quick() else ""
    print(f"Preparing the {connection.vendor} database{mode} ({people:,} people)…", flush=True)
    seeding = prepare_database(people, members)
    print(
        f"Ready in {seeding['seconds']} s ({seeding['created']:,} people created now).", flush=True
    )

    names = ", ".join(scenario.name for scenario in scenarios)
    print(f"Measuring {names}: {iterations} requests each, interleaved…", flush=True)
    with stage("pages"):
        rows, failures = measure(scenarios, iterations, warmup)

    comparisons = compare(rows, judge_time=not quick())
    progress = judge_progress(rows, connection.vendor, seeding["cohort_members"])
    all_targets = targets(comparisons, progress)
    reminders = None
    if not wanted:
        print("Sending a session reminder to a cohort of every bench person…", flush=True)
        with stage("reminders"):
            reminders = bench_reminders(people)
        if reminders["second_run_sent"]:
            failures["reminders"] = (
                f"the second run sent {reminders['second_run_sent']} reminders again (must be 0)"
            )
    result = {
        "meta": {**metadata(iterations, warmup, people, seeding), "quick": quick()},
        "scenarios": rows,
        "comparisons": comparisons,
        "progress": progress,
        "targets": all_targets,
        "targets_met": sum(1 for item in all_targets if item["met"]),
        "targets_judged": sum(1 for item in all_targets if item["met"] is not None),
        "failures": failures,
        "reminders": reminders,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    output = RESULTS_DIR / ("quick-latest.json" if quick() else "latest.json")
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    meta = result["meta"]
    print()
    print(
        f"{meta['database_vendor']} {meta['database_version']} · {meta['users']:,} users · "
        f"Django {meta['django']} · Python {meta['python']} · "
        f"commit {(meta['git_commit'] or 'unknown')[:10]}{mode}"
    )
    if rows:
        print(table(rows))
    if comparisons:
        print("\nSame run, page against a plain Wagtail page (targets reported, not enforced):")
        for line in comparison_lines(comparisons):
            print(f"  {line}")
    if progress:
        print(f"\nProgress matrix, {progress['members']:,} members: median "
              f"{progress['median_ms']} ms, p95 {progress['p95_ms']} ms, "
              f"{progress['queries_max']:g} queries [target ≤ {PROGRESS_MAX_MS} ms with "
              f"{PROGRESS_MEMBERS:,} members on PostgreSQL: "
              f"{verdict(progress['time_met'])}]")  # fmt: skip
    if reminders:
        print(f"Reminders: {reminders['sent']:,} sent to {reminders['members']:,} members in "
              f"{reminders['seconds']} s ({reminders['per_second']}/s, batches of "
              f"{reminders['batch']}, console backend); run again: {reminders['second_run_sent']} "
              f"sent in {reminders['second_run_seconds']} s")  # fmt: skip
    if all_targets:
        print("\nTargets (reported, never enforced):")
        print("\n".join(summary_lines(all_targets)))
    print(f"\nWritten to {output.relative_to(ROOT)}")
    if failures:
        print(f"\nFAILED: {len(failures)} scenario(s) errored or answered anything but 200:")
        for name, why in failures.items():
            print(f"  {name}: {why}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
