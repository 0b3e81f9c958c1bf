"""`make bench`: seed 10,000 people, then time pages and count their SQL queries.

Each scenario is requested a few times to warm up, then BENCH_ITERATIONS times through Django's
test client (the whole middleware stack, no network). The results are printed as a table and
written to bench/results/latest.json, with the comparisons in COMPARISONS (a page's median
against a plain Wagtail page's, measured in the same run). See bench/README.md.

To measure a new page, append one `Scenario` to SCENARIOS below.
"""

import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"


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
    page's queries per request. Targets are reported, never enforced: a benchmark, not a test."""

    page: str
    baseline: str
    max_ratio: float | None = None
    max_queries: int | None = None


# Both sides signed in as the same person, so that the difference is the page itself.
COMPARISONS = [
    Comparison("module_page", "plain_page_signed_in", max_ratio=2, max_queries=15),
    Comparison("course_page", "plain_page_signed_in"),
]

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


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw.strip() else default
    except ValueError:
        sys.exit(f"bench: {name} must be a whole number, not {raw!r}.")
    if value < minimum:
        sys.exit(f"bench: {name} must be at least {minimum}, not {value}.")
    return value


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training.settings.bench")
    sys.path.insert(0, str(ROOT))
    # The benchmark serves no static files, so it does not run collectstatic first.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    import django

    django.setup()


def prepare_database(people: int) -> dict:
    """Migrate, load the demo data and make sure the benchmark's people exist."""
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    created = seed_people(people)
    seed_cohort(env_int("BENCH_COHORT_MEMBERS", 1000))
    return {"created": created, "seconds": round(time.perf_counter() - started, 2)}


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


def seed_cohort(members: int) -> None:
    """A cohort taking the three demo courses, trained by the demo trainer, with the first
    `members` bench people as members (their course enrolments are not needed here)."""
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
    if created:
        for order, course in enumerate(CoursePage.objects.live().order_by("path")):
            CohortCourse.objects.create(cohort=cohort, course=course, sort_order=order)
        cohort.trainers.add(User.objects.get(email="trainer@example.org"))
    have = cohort.memberships.count()
    if have < members:
        people = User.objects.filter(email__startswith=BENCH_EMAIL_PREFIX).order_by("email")
        Membership.objects.bulk_create(
            [Membership(cohort=cohort, user_id=pk, source="csv")
             for pk in people.values_list("pk", flat=True)[have:members]],
            ignore_conflicts=True, batch_size=1000,
        )  # fmt: skip


def bench_reminders(members: int) -> dict:
    """Schedule and send the 1-hour reminder of a session to a cohort of `members` people with
    the console email backend (its output kept in memory), then clean up."""
    from datetime import date, timedelta

    from django.test import override_settings
    from django.utils import timezone

    from cohorts import notify
    from cohorts.models import Cohort, LiveSession, Membership, NotificationLog
    from training.models import User

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


def fetch(client, scenario: Scenario):
    response = client.get(scenario.url)
    if response.status_code != 200:
        where = response.get("Location", "")
        sys.exit(
            f"bench: {scenario.name}: GET {scenario.url} answered {response.status_code}"
            f"{f' (to {where})' if where else ''}; every scenario must answer 200."
        )
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
            sys.exit(f"bench: {scenario.name}: nobody has the email {scenario.user}.")
        if user.requires_mfa:
            # Trainers' pages need a second factor passed in the session, as the tests do.
            from tests.conftest import login_with_mfa

            login_with_mfa(client, user)
        else:
            client.force_login(user)
    return client


def measure(scenarios: list[Scenario], iterations: int, warmup: int) -> list[dict]:
    """Measure every scenario round-robin, one request each in turn.

    On a shared machine the speed drifts over seconds; interleaving makes the drift fall on
    every page alike, so the ratios between pages (module page against the plain page) mean
    something even when the absolute numbers move.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = [client_for(scenario) for scenario in scenarios]
    for scenario, client in zip(scenarios, clients, strict=True):
        for _ in range(warmup):
            fetch(client, scenario)

    gc.collect()  # Start from a clean heap: fewer outliers.
    timings = [[] for _ in scenarios]
    queries = [[] for _ in scenarios]
    for round_number in range(iterations):
        # Rotate who goes first, so that no page always follows the same one.
        for offset in range(len(scenarios)):
            i = (round_number + offset) % len(scenarios)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                fetch(clients[i], scenarios[i])
                elapsed = time.perf_counter() - started
            timings[i].append(elapsed * 1000)
            queries[i].append(len(captured.captured_queries))

    return [
        {
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
        }
        for scenario, times, counts in zip(scenarios, timings, queries, strict=True)
    ]


def git(*args: str) -> str | None:
    try:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip()


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


def compare(rows: list[dict]) -> list[dict]:
    """The comparisons whose two scenarios were measured in this run."""
    by_name = {row["name"]: row for row in rows}
    results = []
    for comparison in COMPARISONS:
        page, baseline = by_name.get(comparison.page), by_name.get(comparison.baseline)
        if page is None or baseline is None:
            continue
        ratio = page["median_ms"] / baseline["median_ms"] if baseline["median_ms"] else None
        ratio_met = (
            None if comparison.max_ratio is None or ratio is None else ratio <= comparison.max_ratio
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


def comparison_lines(comparisons: list[dict]) -> list[str]:
    def verdict(met):
        return "met" if met else "MISSED"

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


def main() -> int:
    iterations = env_int("BENCH_ITERATIONS", 200, minimum=1)
    warmup = env_int("BENCH_WARMUP", 5)
    people = env_int("BENCH_USERS", 10_000)
    wanted = {name.strip() for name in os.environ.get("BENCH_SCENARIOS", "").split(",")} - {""}
    if unknown := wanted - {s.name for s in SCENARIOS}:
        sys.exit(f"bench: no scenario called {', '.join(sorted(unknown))}.")
    # A compared page is always measured with its baseline, in the same run.
    wanted |= {c.baseline for c in COMPARISONS if c.page in wanted}
    scenarios = [s for s in SCENARIOS if not wanted or s.name in wanted]

    setup_django()
    from django.db import connection

    print(f"Preparing the {connection.vendor} database ({people:,} people)…", flush=True)
    seeding = prepare_database(people)
    print(
        f"Ready in {seeding['seconds']} s ({seeding['created']:,} people created now).", flush=True
    )

    names = ", ".join(scenario.name for scenario in scenarios)
    print(f"Measuring {names}: {iterations} requests each, interleaved…", flush=True)
    rows = measure(scenarios, iterations, warmup)

    comparisons = compare(rows)
    reminders = None
    if not wanted:
        print("Sending a session reminder to a cohort of every bench person…", flush=True)
        reminders = bench_reminders(people)
    result = {
        "meta": metadata(iterations, warmup, people, seeding),
        "scenarios": rows,
        "comparisons": comparisons,
        "reminders": reminders,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    output = RESULTS_DIR / "latest.json"
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    meta = result["meta"]
    print()
    print(
        f"{meta['database_vendor']} {meta['database_version']} · {meta['users']:,} users · "
        f"Django {meta['django']} · Python {meta['python']} · "
        f"commit {(meta['git_commit'] or 'unknown')[:10]}"
    )
    print(table(rows))
    if comparisons:
        print("\nSame run, page against a plain Wagtail page (targets reported, not enforced):")
        for line in comparison_lines(comparisons):
            print(f"  {line}")
    progress = next((row for row in rows if row["name"] == "cohort_progress"), None)
    if progress:
        verdict = "met" if progress["median_ms"] < 1000 else "MISSED"
        print(f"\nProgress matrix, {env_int('BENCH_COHORT_MEMBERS', 1000):,} members: median "
              f"{progress['median_ms']} ms, p95 {progress['p95_ms']} ms, "
              f"{progress['queries_median']:g} queries [target < 1000 ms: {verdict}]")  # fmt: skip
    if reminders:
        print(f"Reminders: {reminders['sent']:,} sent to {reminders['members']:,} members in "
              f"{reminders['seconds']} s ({reminders['per_second']}/s, batches of "
              f"{reminders['batch']}, console backend); run again: {reminders['second_run_sent']} "
              f"sent in {reminders['second_run_seconds']} s")  # fmt: skip
    print(f"\nWritten to {output.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
