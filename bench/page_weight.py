"""Page weight on a slow phone link: the demo H5P module against the quiz module, in Chromium.

Serves the demo like production would (gunicorn, `DEBUG = False`, WhiteNoise with hashed static
names: bench/page_weight_settings.py), the platform at http://localhost:PORT and the H5P origin at
http://127.0.0.1:PORT. Chromium (Playwright) signs in as the demo volunteer, then, throttled to
400 kbps down and up with 400 ms latency (CDP `Network.emulateNetworkConditions`), opens

- the practice module with two H5P exercises (`practice-with-interactive-exercises`), and
- the quiz module (`listening-without-judgement`),

each on a first visit (a fresh browser context: empty cache, signed-in cookies only) and a repeat
visit (a new tab in the same context). For each visit: bytes transferred (encoded, as received),
requests (from the network and from the cache), and the time from navigation start until both
players said they are ready (`acompana:h5p:ready`, from each frame to the page) — for the quiz
module, the load event. Targets (issue 17): repeat visit ≤ 60 KiB, first visit ≤ 700 KiB, both
players ready on a first visit ≤ 15 s. They are printed as "met" or "MISSED" and written to
bench/results/page_weight-latest.json and a copy named after the run's time; a missed target does
not fail the run. `BENCH_QUICK=1`: first visits only. See bench/README.md, "Page weight".
"""

import json
import os
import shutil
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    LoggedProcess,
    apply_quick_defaults,
    ensure_postgres,
    git,
    migrate_and_seed,
    python_path,
    quick,
    skip_or_fail,
    stage,
)
from bench.common import setup_django as common_setup_django  # noqa: E402

SETTINGS_MODULE = "bench.page_weight_settings"
WORKER_TMP = "/dev/shm"  # noqa: S108 (gunicorn's heartbeat files, as in the Dockerfile)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

VOLUNTEER = "volunteer@example.org"
COURSE_SLUG = "feminist-accompaniment"
H5P_MODULE = ("h5p_module", f"/courses/{COURSE_SLUG}/practice-with-interactive-exercises/")
QUIZ_MODULE = ("quiz_module", f"/courses/{COURSE_SLUG}/listening-without-judgement/")

# A slow 3G phone link (the issue's): 400 kbps each way, 400 ms latency.
KBPS = 400
LATENCY_MS = 400
THROUGHPUT = KBPS * 1000 / 8  # bytes a second

# From the issue: repeat visit ≤ 60 KiB, first visit ≤ 700 KiB, both players ready ≤ 15 s.
TARGET_REPEAT_KIB = 60
TARGET_FIRST_KIB = 700
TARGET_READY_S = 15

# How long to wait for the players, and for the network to go quiet after them.
READY_TIMEOUT_S = 240
QUIET_S = 2.0
QUIET_TIMEOUT_S = 90
# BENCH_QUICK: a page whose players never start fails in about two minutes rather than ten.
QUICK_READY_TIMEOUT_S = 90
QUICK_QUIET_TIMEOUT_S = 20

# In the page (top frame only): when each player frame says it is ready, in milliseconds since
# the navigation started (performance.now()).
INIT_SCRIPT = """
(() => {
  if (window.top !== window) { return; }
  const bench = { ready: [] };
  Object.defineProperty(window, "__benchPageWeight", { value: bench });
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (data && typeof data === "object" && data.type === "acompana:h5p:ready") {
      bench.ready.push({ origin: event.origin, ms: performance.now() });
    }
  }, true);
})();
"""

READY_COUNT = "() => (window.__benchPageWeight ? window.__benchPageWeight.ready.length : 0)"
LOAD_END = "() => (performance.getEntriesByType('navigation')[0] || {}).loadEventEnd || 0"

# A reader scrolls: each exercise is brought into view in turn (two animation frames apart, so
# that an IntersectionObserver sees each one), right after DOMContentLoaded.
SCROLL_SCRIPT = """
async () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
  const sections = Array.from(document.querySelectorAll("section[data-h5p]"));
  for (const section of sections) {
    section.scrollIntoView({ block: "center" });
    await frame();
    await frame();
  }
  return sections.length;
}
"""


def skip(reason: str) -> int:
    """Nothing to measure here: say why, and let `make bench` go on. In CI (`CI` set, as for the
    tests) what is missing is a failure."""
    return skip_or_fail("bench page weight", reason)


def visit_failures(visits: list[dict]) -> list[str]:
    """What fails a quick run: a page that did not answer 200, a response in error (4xx or 5xx,
    a failed load), players that never said they were ready."""
    problems = []
    for v in visits:
        where = f"{v['page']} ({v['visit']} visit)"
        if v.get("document_status") != 200:
            problems.append(f"{where}: the page answered {v.get('document_status')}")
        bad = {
            status: n
            for status, n in v["statuses"].items()
            if not status.isdigit() or int(status) >= 400
        }
        if bad:
            problems.append(f"{where}: responses {bad}")
        if v["players"] and v["players_ready"] < v["players"]:
            problems.append(f"{where}: {v['players_ready']} of {v['players']} players ready")
    return problems


# --- Preparing ------------------------------------------------------------------------------------
def free_port() -> int:
    wanted = os.environ.get("BENCH_PAGE_WEIGHT_PORT", "").strip()
    if wanted:
        return int(wanted)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setup_django(port: int) -> None:
    common_setup_django(
        SETTINGS_MODULE,
        {
            "ACOMPANA_PLATFORM_ORIGIN": f"http://localhost:{port}",
            "H5P_ORIGIN": f"http://127.0.0.1:{port}",
        },
    )


def ensure_database() -> None:
    """A PostgreSQL database named by BENCH_DATABASE_URL is created when missing."""
    ensure_postgres("bench page weight")


def prepare() -> dict:
    """Migrate, seed the demo, precompress the H5P store when the command exists, collect the
    static files (hashed names and compressed siblings, as in production)."""
    from django.conf import settings
    from django.core.management import call_command, get_commands

    started = time.perf_counter()
    seeded = migrate_and_seed()
    # The store's backfill of compressed siblings (idempotent), as a deployment would run it.
    precompress = "h5p_precompress" in get_commands()
    if precompress:
        with stage("h5p_precompress"):
            call_command("h5p_precompress", stdout=StringIO())
    collected = static_fingerprint()
    marker = Path(settings.STATIC_ROOT) / ".bench-collected"
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    fresh = manifest.is_file() and marker.is_file() and marker.read_text() == collected
    if not fresh:
        # Post-processing (hashing, gzip and Brotli) takes seconds even when nothing changed.
        with stage("collectstatic"):
            call_command("collectstatic", interactive=False, verbosity=0)
        marker.write_text(collected)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "h5p_precompress": precompress,
        "seeded": seeded,
        "collectstatic": not fresh,
    }


def static_fingerprint() -> str:
    """What collectstatic would collect (every source file's path, size and modification time)
    and how: when it matches the last collection's, collecting again would change nothing."""
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    entries = []
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            prefix = getattr(storage, "prefix", None) or ""
            entries.append(f"{prefix}/{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    text = "\n".join([repr(settings.STORAGES["staticfiles"]), *sorted(entries)])
    return hashlib.sha256(text.encode()).hexdigest()


def demo_facts() -> dict:
    from wagtail.models import Locale

    from courses.models import CoursePage, ModulePage
    from training.models import User

    course = CoursePage.objects.live().filter(slug=COURSE_SLUG, locale=Locale.get_default()).first()
    module = (
        course
        and ModulePage.objects.live()
        .child_of(course)
        .filter(slug=urlsplit(H5P_MODULE[1]).path.rstrip("/").rsplit("/", 1)[-1])
        .first()
    )
    if module is None:
        return {}
    blocks = [a for a in module.activities if a.kind.block_type == "h5p"]
    user = User.objects.get(email=VOLUNTEER)
    return {
        "players": len(blocks),
        "low_bandwidth": bool(getattr(user, "low_bandwidth", False)),
        "language": user.preferred_language or "en",
    }


def gunicorn_command(port: int, threads: int) -> list[str]:
    tmp = WORKER_TMP if Path(WORKER_TMP).is_dir() else tempfile.gettempdir()
    return [
        sys.executable, "-m", "gunicorn", "training.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--worker-class", "gthread", "--threads", str(threads),
        "--worker-tmp-dir", tmp,
        "--keep-alive", "30",
        "--graceful-timeout", "15",
        "--log-level", "warning",
    ]  # fmt: skip


# --- The server -----------------------------------------------------------------------------------
class Server(LoggedProcess):
    """gunicorn (one worker, a few threads) in its own process, its log kept for failures."""

    def __init__(self, port: int, threads: int):
        self.port = port
        self.threads = threads
        super().__init__(
            "page-weight-gunicorn",
            gunicorn_command(port, threads),
            {"DJANGO_SETTINGS_MODULE": SETTINGS_MODULE, "PYTHONPATH": python_path()},
        )

    def wait_healthy(self, timeout: float = 60) -> None:
        super().wait_healthy(self.port, timeout, host=f"localhost:{self.port}")


# --- The browser ----------------------------------------------------------------------------------
class Recorder:
    """Every request of one tab, its frames included, from the tab's DevTools Network domain."""

    def __init__(self, session):
        self.requests: dict[str, dict] = {}
        self.last_event = time.monotonic()
        for event, handler in [
            ("Network.requestWillBeSent", self.sent),
            ("Network.requestServedFromCache", self.from_cache),
            ("Network.responseReceived", self.received),
            ("Network.loadingFinished", self.finished),
            ("Network.loadingFailed", self.failed),
        ]:
            session.on(event, handler)

    def _request(self, request_id: str) -> dict:
        return self.requests.setdefault(request_id, {"url": "", "done": False, "bytes": 0})

    def sent(self, event):
        self.last_event = time.monotonic()
        url = event["request"]["url"]
        if url.startswith(("data:", "blob:")):
            return
        request = self._request(event["requestId"])
        # A redirect reuses the id: the earlier response counts as its own request.
        if request["url"] and event.get("redirectResponse"):
            redirected = dict(request, done=True, status=event["redirectResponse"].get("status"))
            redirected["bytes"] = event["redirectResponse"].get("encodedDataLength", 0)
            self.requests[f"{event['requestId']}:{len(self.requests)}"] = redirected
        request.update(url=url, frame=event.get("frameId"), type=event.get("type"))

    def from_cache(self, event):
        if event["requestId"] in self.requests:
            self.requests[event["requestId"]]["cache"] = True

    def received(self, event):
        self.last_event = time.monotonic()
        if event["requestId"] not in self.requests:
            return
        response = event["response"]
        request = self.requests[event["requestId"]]
        request["status"] = response.get("status")
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            request["cache"] = True
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        request["encoding"] = headers.get("content-encoding", "")

    def finished(self, event):
        self.last_event = time.monotonic()
        if event["requestId"] in self.requests:
            request = self.requests[event["requestId"]]
            request["done"] = True
            request["bytes"] = int(event.get("encodedDataLength") or 0)

    def failed(self, event):
        self.last_event = time.monotonic()
        if event["requestId"] in self.requests:
            request = self.requests[event["requestId"]]
            request["done"] = True
            request["failed"] = event.get("errorText") or "failed"

    def pending(self) -> int:
        return sum(1 for request in self.requests.values() if not request["done"])

    def summary(self, origins: dict[str, str]) -> dict:
        requests = [r for r in self.requests.values() if r["url"]]
        by_origin: dict[str, dict] = {}
        for request in requests:
            parts = urlsplit(request["url"])
            origin = f"{parts.scheme}://{parts.netloc}"
            name = next((k for k, v in origins.items() if v == origin), origin)
            entry = by_origin.setdefault(name, {"bytes": 0, "requests": 0, "from_cache": 0})
            entry["bytes"] += request["bytes"]
            entry["requests"] += 1
            entry["from_cache"] += bool(request.get("cache"))
        statuses: dict[str, int] = {}
        for request in requests:
            key = str(request.get("status") or request.get("failed") or "unfinished")
            statuses[key] = statuses.get(key, 0) + 1
        total = sum(r["bytes"] for r in requests)
        compressed = [r for r in requests if r.get("encoding") in ("br", "gzip", "zstd", "deflate")]
        heaviest = sorted(requests, key=lambda r: r["bytes"], reverse=True)[:8]
        return {
            "bytes": total,
            "kib": round(total / 1024, 1),
            "requests": len(requests),
            "from_network": sum(1 for r in requests if not r.get("cache")),
            "from_cache": sum(1 for r in requests if r.get("cache")),
            "compressed_responses": len(compressed),
            "statuses": dict(sorted(statuses.items())),
            "by_origin": by_origin,
            "heaviest": [
                {"url": redact(r["url"]), "bytes": r["bytes"], "encoding": r.get("encoding", "")}
                for r in heaviest
            ],
        }


def redact(url: str) -> str:
    """Launch tokens are secrets for an hour: keep them out of the results."""
    parts = urlsplit(url)
    segments = parts.path.split("/")
    if len(segments) > 4 and segments[1] == "h5p" and segments[2] in ("play", "content"):
        segments[4] = "[launch]"
    return f"{parts.scheme}://{parts.netloc}{'/'.join(segments)}"


def visit(context, base: str, path: str, origins: dict, players: int) -> dict:
    """Open `path` in a new tab of `context`, throttled; count its requests until the players are
    ready (or, without players, the load event) and the network has been quiet a while."""
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": THROUGHPUT,
            "uploadThroughput": THROUGHPUT,
            "connectionType": "cellular3g",
        },
    )
    recorder = Recorder(session)
    started = time.monotonic()
    response = page.goto(base + path, wait_until="domcontentloaded", timeout=READY_TIMEOUT_S * 1000)
    document_status = response.status if response else None
    scrolled = page.evaluate(SCROLL_SCRIPT) if players else 0
    ready_ms = None
    if players:
        # Polled from here: the page's CSP forbids the eval that wait_for_function's would need.
        deadline = time.monotonic() + READY_TIMEOUT_S
        while page.evaluate(READY_COUNT) < players:
            if time.monotonic() > deadline:
                print(f"  the players were not all ready within {READY_TIMEOUT_S} s", flush=True)
                break
            page.wait_for_timeout(100)
    else:
        page.wait_for_load_state("load", timeout=READY_TIMEOUT_S * 1000)
    timing = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType("navigation")[0] || {};
          const bench = window.__benchPageWeight || { ready: [] };
          return { dcl: nav.domContentLoadedEventEnd || null, load: nav.loadEventEnd || null,
                   ready: bench.ready.map((r) => r.ms) };
        }"""
    )
    ready = timing["ready"]
    if players and len(ready) >= players:
        ready_ms = sorted(ready)[players - 1]
    elif not players:
        for _ in range(50):  # loadEventEnd is set just after the load event's handlers
            if timing["load"]:
                break
            page.wait_for_timeout(100)
            timing["load"] = page.evaluate(LOAD_END)
        ready_ms = timing["load"]
    # Let what the players still fetch arrive (images, fonts): until nothing is in flight for a
    # while, or QUIET_TIMEOUT_S.
    deadline = time.monotonic() + QUIET_TIMEOUT_S
    while time.monotonic() < deadline:
        if recorder.pending() == 0 and time.monotonic() - recorder.last_event >= QUIET_S:
            break
        page.wait_for_timeout(200)
    elapsed = time.monotonic() - started
    summary = recorder.summary(origins)
    page.close()
    frame_requests = summary["by_origin"].get("h5p", {}).get("requests", 0)
    return {
        **summary,
        "document_status": document_status,
        "players": players,
        "players_ready": len(ready),
        "scrolled_to_exercises": scrolled,
        "ready_ms": round(ready_ms) if ready_ms is not None else None,
        "dom_content_loaded_ms": round(timing["dcl"]) if timing.get("dcl") else None,
        "load_ms": round(timing["load"]) if timing.get("load") else None,
        "ready_each_ms": [round(ms) for ms in sorted(ready)],
        "measured_seconds": round(elapsed, 1),
        "frame_requests_seen": frame_requests,
        # At 400 kbps the bytes alone take this long: a visit much faster than that was not
        # throttled (a frame in another process would be).
        "seconds_at_link_speed": round(summary["bytes"] / THROUGHPUT, 1),
    }


def sign_in(browser, base: str) -> dict:
    """The demo volunteer's signed-in cookies, from a throwaway context (its cache is dropped)."""
    from training.demo import DEMO_PASSWORD

    context = browser.new_context(locale="en-GB", viewport={"width": 412, "height": 915})
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_login", VOLUNTEER)
    page.fill("#id_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url, timeout=30_000)
    state = context.storage_state()
    context.close()
    return state


def run_browser(port: int, quick: bool, players: int) -> tuple[list[dict], str]:
    from playwright.sync_api import sync_playwright

    base = f"http://localhost:{port}"
    origins = {"platform": base, "h5p": f"http://127.0.0.1:{port}"}
    results = []
    with sync_playwright() as playwright:
        # Site isolation off: the cross-site H5P frames run in the page's own renderer, so the
        # page's DevTools session throttles and sees their requests too (checked below).
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-site-isolation-trials",
                "--disable-features=IsolateOrigins,site-per-process",
            ],
        )
        version = browser.version
        state = sign_in(browser, base)
        for name, path in (H5P_MODULE, QUIZ_MODULE):
            expected = players if name == H5P_MODULE[0] else 0
            # A phone: a narrow viewport, so that the second exercise starts below the fold.
            context = browser.new_context(
                storage_state=state, locale="en-GB", viewport={"width": 412, "height": 915}
            )
            context.add_init_script(INIT_SCRIPT)
            for kind in ("first",) if quick else ("first", "repeat"):
                print(f"  {name}, {kind} visit…", flush=True)
                result = visit(context, base, path, origins, expected)
                results.append({"page": name, "path": path, "visit": kind, **result})
            context.close()
        browser.close()
    return results, version


# --- Reporting ------------------------------------------------------------------------------------
def judge(visits: list[dict]) -> dict:
    def find(kind):
        return next((v for v in visits if v["page"] == H5P_MODULE[0] and v["visit"] == kind), None)

    first, repeat = find("first"), find("repeat")
    targets = {}
    if repeat:
        targets["repeat_visit_kib"] = {
            "limit": TARGET_REPEAT_KIB, "value": repeat["kib"],
            "met": repeat["kib"] <= TARGET_REPEAT_KIB,
        }  # fmt: skip
    if first:
        targets["first_visit_kib"] = {
            "limit": TARGET_FIRST_KIB, "value": first["kib"],
            "met": first["kib"] <= TARGET_FIRST_KIB,
        }  # fmt: skip
        seconds = first["ready_ms"] / 1000 if first["ready_ms"] is not None else None
        targets["first_visit_players_ready_s"] = {
            "limit": TARGET_READY_S,
            "value": round(seconds, 1) if seconds is not None else None,
            "met": seconds is not None and seconds <= TARGET_READY_S,
        }
    return targets


def table(visits: list[dict]) -> list[str]:
    header = ["page", "visit", "KiB", "requests", "network", "cache", "ready s", "load s"]
    rows = [header]
    for v in visits:
        rows.append(
            [
                v["page"],
                v["visit"],
                f"{v['kib']:,.1f}",
                str(v["requests"]),
                str(v["from_network"]),
                str(v["from_cache"]),
                "—" if v["ready_ms"] is None else f"{v['ready_ms'] / 1000:.1f}",
                "—" if v["load_ms"] is None else f"{v['load_ms'] / 1000:.1f}",
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for number, row in enumerate(rows):
        cells = [row[0].ljust(widths[0]), row[1].ljust(widths[1])]
        cells += [cell.rjust(width) for cell, width in zip(row[2:], widths[2:], strict=True)]
        lines.append("  ".join(cells))
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return lines


def main() -> int:
    global READY_TIMEOUT_S, QUIET_TIMEOUT_S  # the quick run waits less
    apply_quick_defaults({})
    quick_mode = quick()
    if quick_mode:
        READY_TIMEOUT_S, QUIET_TIMEOUT_S = QUICK_READY_TIMEOUT_S, QUICK_QUIET_TIMEOUT_S
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        return skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium).")
    port = free_port()
    setup_django(port)
    from django.conf import settings
    from django.db import connection

    from courses import demo_data

    samples = Path(settings.ACOMPANA_DEMO_H5P_DIR)
    missing = [f for f, _t in demo_data.load().H5P_SAMPLES.values() if not (samples / f).is_file()]
    if missing:
        return skip(
            f"the H5P samples are not in {samples} (missing: {', '.join(missing)}); the demo's "
            "H5P module needs them."
        )
    ensure_database()
    print(f"Preparing the database {settings.DATABASES['default']['NAME']}…", flush=True)
    seeding = prepare()
    facts = demo_facts()
    if not facts.get("players"):
        return skip("seed_demo made no H5P module (practice-with-interactive-exercises).")
    threads = int(os.environ.get("BENCH_PAGE_WEIGHT_THREADS", "4"))
    server = Server(port, threads)
    try:
        with stage("gunicorn start"):
            server.wait_healthy()
        print(
            f"Ready in {seeding['seconds']} s. gunicorn (1 worker, {threads} threads) on port "
            f"{port}; Chromium at {KBPS} kbps, {LATENCY_MS} ms"
            f"{' (quick: first visits only)' if quick_mode else ''}…",
            flush=True,
        )
        with stage("browser visits"):
            visits, chromium = run_browser(port, quick_mode, facts["players"])
    finally:
        server_log = server.stop()

    for v in visits:
        if v["page"] == H5P_MODULE[0] and not v["frame_requests_seen"] and v["visit"] == "first":
            print(
                "WARNING: no request of the H5P frames was seen: throttling and counts miss them."
            )
    status = git("status", "--porcelain", "--untracked-files=no")
    now = datetime.now(UTC)
    result = {
        "meta": {
            "timestamp": now.isoformat(timespec="seconds"),
            "git_commit": git("rev-parse", "HEAD"),
            "git_dirty": None if status is None else bool(status),
            "quick": quick_mode,
            "chromium": chromium,
            "throttling": {"kbps_down": KBPS, "kbps_up": KBPS, "latency_ms": LATENCY_MS},
            "server": f"gunicorn, 1 worker, {threads} threads, DEBUG off, WhiteNoise",
            "database_vendor": connection.vendor,
            "settings": SETTINGS_MODULE,
            "seeding_seconds": seeding["seconds"],
            "h5p_precompress_run": seeding["h5p_precompress"],
            "volunteer": {"email": VOLUNTEER, **{k: v for k, v in facts.items() if k != "players"}},
            "scrolled": "each exercise is scrolled into view right after DOMContentLoaded",
            "repeat_visit": "a new tab in the same browser context (its HTTP cache kept)",
        },
        "visits": visits,
        "targets": judge(visits),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    prefix = "quick-" if quick_mode else ""
    output = RESULTS_DIR / f"{prefix}page_weight-latest.json"
    output.write_text(text, encoding="utf-8")
    copy = RESULTS_DIR / f"{prefix}page_weight-{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    copy.write_text(text, encoding="utf-8")

    print()
    print(
        f"Page weight at {KBPS} kbps / {LATENCY_MS} ms (Chromium {chromium}); "
        f"ready: both players said ready (H5P module) or the load event (quiz module)."
    )
    print("\n".join(table(visits)))
    print()
    for name, target in result["targets"].items():
        verdict = "met" if target["met"] else "MISSED"
        print(f"  {name}: {target['value']} (limit {target['limit']}) {verdict}")
    if any(s.startswith("5") for v in visits for s in v["statuses"]) and server_log:
        print(f"\ngunicorn's last lines:\n{server_log}")
    print(f"\nWritten to {output.relative_to(ROOT)} and {copy.relative_to(ROOT)}")
    problems = visit_failures(visits)
    if problems:
        print("\n" + ("FAILED" if quick_mode else "Problems (fail the quick run)") + ":")
        print("\n".join(f"  {problem}" for problem in problems))
        return 1 if quick_mode else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
