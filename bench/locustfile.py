"""The load of `make loadtest`: Locust users, run headless by bench/loadtest.py in a process of
their own (`python bench/locustfile.py PLAN.json RESULTS.json`).

The plan (written by bench/loadtest.py) holds the server's address, the signed-in sessions it
created for each simulated person, the quiz's answers, the H5P launch tokens and the steps. For
each number of users (10, 50, 200…) two steps run, each in a fresh Locust environment:

- "mix": the realistic mix below, spawned, warmed up, then measured for PLAN["seconds"].
- "isolated": the same number of users reading one page only, the plain page or the module
  page, switched in slices (plain, module, module, plain — or the reverse order on every other
  level), so that whatever drifts on the machine hits both pages alike. After a switch nothing
  is measured until every user has had an answer to a request of the new page (no request of
  the other page is left in the server's queue). These steps measure each page's own capacity:
  the issue's throughput and p95 targets are judged on them.

Each step records every request of its measured window itself (exact percentiles, not Locust's
rounded buckets) and the CPU seconds of the server, PostgreSQL, Redis, the Celery worker and
this process. Every request carries an `X-Loadtest: <step>|<m or w>|<page>` header, which
gunicorn writes in its access log with the request's time in the worker (bench/loadtest.py reads
it: the service time, which queueing cannot hide). After each step the server's queue is drained
(a /healthz request waits behind whatever is left) before the next one starts. Every response is
checked: the status it must have (200, or 303 to the module for a quiz answer), anything else —
a redirect to the login page included — is an error. Each step also returns the id of every
write sent and of every write answered as a success (the quiz's submission_id, the statement's
id): bench/loadtest.py looks each answered one up in the database.

Who does what in the mix (FastHttpUser, no think time for the readers; see bench/README.md):
- ModuleReader and PlainReader: equal weights, so as many people read the module page as the
  plain page (/about/), each one request after another.
- QuizTaker: answers the module's quiz (the form POST with its CSRF token), follows the 303.
- H5PLearner: posts xAPI statements of the demo's QuestionSet, as the module page does.
- Trainer: opens the cohort's progress matrix (a session with its second factor passed).
In the isolated steps: PageReader, reading the page of the current slice, no think time.
The readers (ModuleReader, PlainReader, PageReader) sign in as PLAN["readers"], the quiz takers
and H5P learners as PLAN["writers"], other volunteers: the module page a reader is served never
carries the attempts and statements the writers pile up during the run.
"""

import json
import os
import sys
import time
import uuid
from collections import defaultdict
from http.cookiejar import Cookie, DefaultCookiePolicy
from itertools import count
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode, urlsplit
from urllib.request import urlopen

import gevent
from locust import FastHttpUser, between, constant, task
from locust.env import Environment

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import child_pids, machine_cpu, postgres_backend_pids, process_cpu_seconds
from ingest import CYCLE, statement

PLAN: dict = {}
# The step being run ("mix-10", "isolated-50"…), and in isolated steps the page being read and
# a number that changes with it.
STEP = {"key": "", "page": "plain", "epoch": 0}
SETTLED: set[int] = set()  # PageReaders that had an answer to a request of the current page
STARTED: set[int] = set()  # users whose first checks are done


# --- Recording ------------------------------------------------------------------------------------
class Recorder:
    """Every request's outcome by name; latencies only inside the measured window."""

    def __init__(self):
        self.measuring = False
        self.latencies = defaultdict(list)  # name -> ms, successes in the window
        self.failures = defaultdict(int)  # name -> failures in the window
        self.all_ok = defaultdict(int)  # name -> successes, warm-up included
        self.all_failures = defaultdict(int)  # name -> failures, warm-up included
        self.samples = {}  # a few distinct failure messages
        # The client-generated id of every write sent (quiz: submission_id; H5P: the statement
        # id), and of those answered as a success, warm-up included: bench/loadtest.py checks
        # each answered one is in the database (a write sent but not answered, failed or still
        # in flight when the step stopped, may or may not be stored).
        self.sent = {"quiz": [], "statements": []}
        self.answered = {"quiz": [], "statements": []}

    def on_request(self, name, response_time, exception, **_kwargs):
        if exception is None:
            self.all_ok[name] += 1
            if self.measuring:
                self.latencies[name].append(response_time)
        else:
            self.all_failures[name] += 1
            if self.measuring:
                self.failures[name] += 1
            message = f"{name}: {exception}"[:300]
            if len(self.samples) < 8:
                self.samples.setdefault(message, 0)
            if message in self.samples:
                self.samples[message] += 1


RECORDER = Recorder()


# --- Users ----------------------------------------------------------------------------------------
def cookie(name: str, value: str, host: str) -> Cookie:
    return Cookie(
        version=0, name=name, value=value, port=None, port_specified=False, domain=host,
        domain_specified=False, domain_initial_dot=False, path="/", path_specified=True,
        secure=True, expires=None, discard=True, comment=None, comment_url=None, rest={},
    )  # fmt: skip


PEOPLE = count()


class Person(FastHttpUser):
    """Signed in with a session bench/loadtest.py created; every request goes as if through
    the TLS proxy production sits behind (X-Forwarded-Proto: https)."""

    abstract = True
    accounts_key = "readers"
    counter = count()

    def on_start(self):
        accounts = PLAN[self.accounts_key]
        self.account = accounts[next(type(self).counter) % len(accounts)]
        host = urlsplit(self.host).hostname
        jar = self.client.cookiejar
        # Production's cookies are Secure; the client talks plain HTTP to gunicorn as the TLS
        # proxy does (X-Forwarded-Proto: https below), so it must send them over HTTP too.
        jar.set_policy(DefaultCookiePolicy(secure_protocols=("http", "https")))
        jar.set_cookie(cookie(PLAN["session_cookie"], self.account["session"], host))
        jar.set_cookie(cookie(PLAN["csrf_cookie"], self.account["csrf"], host))
        self.headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
            "Accept-Language": self.account.get("language") or "en",
        }
        self.origin = "https://" + urlsplit(self.host).netloc
        self.id = next(PEOPLE)
        # Signed in? (Once, not measured: a signed-out session would be sent to the login page.)
        self.get("/dashboard/", "setup: signed in")
        STARTED.add(self.id)

    @staticmethod
    def tagged(headers: dict, name: str) -> dict:
        """The headers, with the tag gunicorn's access log writes (step, measured or not, page)."""
        phase = "m" if RECORDER.measuring else "w"
        return {**headers, "X-Loadtest": f"{STEP['key']}|{phase}|{name}"}

    def get(self, path: str, name: str, expect_text: str | None = None):
        with self.client.get(
            path, name=name, headers=self.tagged(self.headers, name), allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200:
                where = response.headers.get("Location", "")
                response.failure(f"answered {response.status_code} {where}".strip())
            elif expect_text and expect_text not in (response.text or ""):
                response.failure(f"200 without {expect_text!r}")
            return response


class ModuleReader(Person):
    """Reads the module page, again and again."""

    weight = 3
    wait_time = constant(0)

    @task
    def module_page(self):
        self.get(PLAN["module_url"], "module page")


class PlainReader(Person):
    """Reads the plain Wagtail page, again and again: the yardstick, under the same load."""

    weight = 3
    wait_time = constant(0)

    @task
    def plain_page(self):
        self.get(PLAN["plain_url"], "plain page")


WRITERS = count()  # quiz takers and H5P learners, in turn, each a writer of its own


class QuizTaker(Person):
    """Answers the module's quiz through its form (right answers: a pass, so attempts never run
    out), then follows the 303 back to the module page, as a browser does."""

    accounts_key = "writers"
    counter = WRITERS
    weight = 1
    wait_time = between(0.5, 1.5)

    def on_start(self):
        super().on_start()
        # The copy in this person's language: its form action, answers and address.
        quiz = self.quiz = PLAN["quiz"][self.account["language"]]
        self.answers = quiz["answers"]
        # The form the person sees must hold the fields posted: checked once, not measured.
        page = self.get(PLAN["module_url"], "setup: quiz form")
        text = page.text or ""
        missing = [
            field for field in [*self.answers, "submission_id"] if f'name="{field}"' not in text
        ]
        if quiz["path"] not in text:
            missing.append(quiz["path"])
        if page.status_code == 200 and missing:
            RECORDER.on_request(
                "setup: quiz form", 0, Exception(f"the form lacks {', '.join(missing)}")
            )

    @task
    def answer_quiz(self):
        submission_id = str(uuid.uuid4())
        pairs = [("csrfmiddlewaretoken", self.account["csrf"]), ("submission_id", submission_id)]
        pairs += [(field, value) for field, values in self.answers.items() for value in values]
        headers = {
            **self.tagged(self.headers, "quiz answer (POST)"),
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": self.origin,
            "Referer": self.origin + PLAN["module_url"],
        }
        RECORDER.sent["quiz"].append(submission_id)
        with self.client.post(
            self.quiz["path"], data=urlencode(pairs), name="quiz answer (POST)",
            headers=headers, allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            where = response.headers.get("Location", "")
            if response.status_code != 303 or not where.startswith(self.quiz["page_url"]):
                response.failure(f"answered {response.status_code} {where}".strip())
                return
            RECORDER.answered["quiz"].append(submission_id)
        self.get(where.split("#")[0], "quiz: module page after answer")


class H5PLearner(Person):
    """Posts the statements an H5P question set sends: attempted, interacted, answered…"""

    accounts_key = "writers"
    counter = WRITERS
    weight = 2
    wait_time = between(0.2, 0.8)

    def on_start(self):
        super().on_start()
        self.number = 0
        xapi = PLAN["xapi"]
        self.target = SimpleNamespace(iri=xapi["iri"], main_library=xapi["main_library"])
        self.json_headers = {
            **self.headers,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Origin": self.origin,
            "X-CSRFToken": self.account["csrf"],
        }

    @task
    def post_statement(self):
        xapi = PLAN["xapi"]
        kind = CYCLE[self.number % len(CYCLE)]
        sub = xapi["sub_content_ids"][self.number % len(xapi["sub_content_ids"])]
        self.number += 1
        body = {"token": self.account["token"], "statement": statement(kind, self.target, sub)}
        RECORDER.sent["statements"].append(body["statement"]["id"])
        with self.client.post(
            xapi["path"], data=json.dumps(body), name="H5P statement (POST)",
            headers=self.tagged(self.json_headers, "H5P statement (POST)"),
            allow_redirects=False, catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}: {(response.text or '')[:120]}")
            else:
                RECORDER.answered["statements"].append(body["statement"]["id"])


class Trainer(Person):
    """Opens the progress matrix of the cohort (signed in with a second factor)."""

    weight = 1
    wait_time = between(1, 3)
    accounts_key = "trainers"
    counter = count()

    @task
    def progress_matrix(self):
        self.get(PLAN["matrix_url"], "progress matrix")


USER_CLASSES = [ModuleReader, PlainReader, QuizTaker, H5PLearner, Trainer]


class PageReader(Person):
    """Isolated steps: reads the page of the current slice (STEP["page"]), again and again."""

    wait_time = constant(0)

    @task
    def read(self):
        epoch, page = STEP["epoch"], STEP["page"]
        self.get(PLAN[f"{page}_url"], f"{page} page")
        if STEP["epoch"] == epoch:
            SETTLED.add(self.id)


# --- Running the steps ----------------------------------------------------------------------------
def percentile(values: list[float], pct: float) -> float | None:
    """Nearest rank, on sorted values."""
    if not values:
        return None
    rank = max(1, round(pct / 100 * len(values) + 0.4999))
    return values[min(rank, len(values)) - 1]


def cpu_groups() -> dict[str, list[int]]:
    pids = PLAN["pids"]
    groups = {
        "gunicorn_workers": child_pids(pids["gunicorn"]),
        "postgres_backends": postgres_backend_pids(PLAN["database"]),
        "redis": [pids["redis"]] if pids.get("redis") else [],
    }
    if pids.get("celery"):
        groups["celery_worker"] = [pids["celery"], *child_pids(pids["celery"])]
    groups["load_generator"] = [os.getpid()]
    return groups


def cpu_snapshot() -> dict[str, dict[int, float]]:
    """CPU seconds of each process of each group, now (processes already gone are left out)."""
    return {
        name: {pid: process_cpu_seconds([pid]) for pid in pids if Path(f"/proc/{pid}").exists()}
        for name, pids in cpu_groups().items()
    }


class Window:
    """CPU seconds by group and of the whole machine, over one or several measured slices."""

    def __init__(self):
        self.seconds = 0.0
        self.cpu: dict[str, float] = defaultdict(float)
        self.busy = self.total = 0

    def __enter__(self):
        self._cpu, self._machine, self._began = cpu_snapshot(), machine_cpu(), time.monotonic()
        RECORDER.measuring = True
        return self

    def __exit__(self, *exc_info):
        RECORDER.measuring = False
        self.seconds += time.monotonic() - self._began
        end, machine = cpu_snapshot(), machine_cpu()
        # Per process: PostgreSQL's backends come and go (CONN_MAX_AGE), a new one counts whole
        # (it started in the window), one gone by the end is left out (its last seconds lost).
        for name, pids in end.items():
            self.cpu[f"{name}_seconds"] += sum(
                seconds - self._cpu.get(name, {}).get(pid, 0.0) for pid, seconds in pids.items()
            )
        if self._machine and machine:
            self.busy += machine[0] - self._machine[0]
            self.total += machine[1] - self._machine[1]

    def summary(self) -> dict:
        cpu = {name: round(seconds, 2) for name, seconds in self.cpu.items()}
        if self.total:
            tick = os.sysconf("SC_CLK_TCK")
            busy = self.busy / tick
            cpu["other_seconds"] = round(max(0.0, busy - sum(self.cpu.values())), 2)
            cpu["machine_busy_seconds"] = round(busy, 2)
            cpu["machine_busy_percent"] = round(100 * self.busy / self.total, 1)
        cpu["window_seconds"] = round(self.seconds, 1)
        cpu["cores"] = os.cpu_count()
        return cpu


def page_stats(name: str, seconds: float) -> dict:
    values = sorted(RECORDER.latencies[name])
    return {
        "requests": len(values) + RECORDER.failures[name],
        "ok": len(values),
        "errors": RECORDER.failures[name],
        "seconds": round(seconds, 1),
        "throughput_per_second": round(len(values) / seconds, 2) if seconds else None,
        "p50_ms": _round(percentile(values, 50)),
        "p95_ms": _round(percentile(values, 95)),
        "p99_ms": _round(percentile(values, 99)),
        "mean_ms": _round(sum(values) / len(values)) if values else None,
        "max_ms": _round(values[-1]) if values else None,
    }


def begin(key: str, user_classes: list, users: int):
    """A fresh Locust environment for one step, its users spawned (their checks done or not)."""
    for cls in user_classes:
        cls.counter = count()  # each step starts from the first accounts again
    RECORDER.__init__()  # a clean slate for each step
    STARTED.clear()
    STEP["key"] = key
    env = Environment(user_classes=user_classes, host=PLAN["base_url"])
    env.events.request.add_listener(RECORDER.on_request)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=PLAN["spawn_rate"])
    if runner.spawning_greenlet is not None:
        runner.spawning_greenlet.join()
    return env, runner


def finish(env, runner) -> float:
    """Stops the users, then waits for the server's queue to empty: a /healthz request, sent
    after everything else, is answered once what the users left behind has been served."""
    runner.quit()
    env.events.request.remove_listener(RECORDER.on_request)
    began = time.monotonic()
    try:
        with urlopen(PLAN["base_url"] + "/healthz", timeout=300) as response:  # noqa: S310
            response.read()
    except OSError as error:
        RECORDER.on_request("drain: /healthz", 0, error)
    return round(time.monotonic() - began, 1)


def outcome(step: dict) -> dict:
    return {
        **step,
        "ok_including_warmup": dict(RECORDER.all_ok),
        "errors_including_warmup": dict(RECORDER.all_failures),
        "error_samples": dict(RECORDER.samples),
        # Taken out of the results by bench/loadtest.py once checked against the database.
        "write_ids": {"sent": RECORDER.sent, "answered": RECORDER.answered},
    }


def run_mix(users: int) -> dict:
    """The realistic mix, warmed up, then measured."""
    started = time.monotonic()
    env, runner = begin(f"mix-{users}", USER_CLASSES, users)
    began = time.monotonic()  # the warm-up begins once every user has done its first checks
    while len(STARTED) < users and time.monotonic() - began < PLAN["settle_max"]:
        gevent.sleep(0.1)
    gevent.sleep(PLAN["warmup"])
    spread = dict(runner.user_classes_count)
    window = Window()
    with window:
        gevent.sleep(PLAN["seconds"])
    drained = finish(env, runner)
    # The users' one-off checks ("setup: …") may fall in the window under load: not pages.
    names = set(RECORDER.latencies) | set(RECORDER.failures)
    pages = {
        name: page_stats(name, window.seconds)
        for name in sorted(names)
        if not name.startswith("setup:")
    }
    return outcome({
        "kind": "mix", "key": STEP["key"], "users": users, "user_classes": spread,
        "seconds": round(window.seconds, 1), "drain_seconds": drained,
        "step_seconds": round(time.monotonic() - started, 1), "pages": pages,
        "cpu": window.summary(),
    })  # fmt: skip


def settle(users: int, minimum: float) -> dict:
    """Waits until every user has had an answer to a request of the current page (then no
    request of the previous page is left in the server's queue), at least `minimum` seconds
    and at most PLAN["settle_max"]."""
    began = time.monotonic()
    gevent.sleep(minimum)
    while len(SETTLED) < users and time.monotonic() - began < PLAN["settle_max"]:
        gevent.sleep(0.1)
    return {"seconds": round(time.monotonic() - began, 1), "settled": len(SETTLED) >= users}


def run_isolated(users: int, order: list[str]) -> dict:
    """`users` people reading one page only, the page switched slice after slice (`order`,
    e.g. plain, module, module, plain: each page's slices average out a steady drift)."""
    started = time.monotonic()
    SETTLED.clear()
    STEP.update(page=order[0], epoch=STEP["epoch"] + 1)
    env, runner = begin(f"isolated-{users}", [PageReader], users)
    slice_seconds = PLAN["isolated_seconds"] / order.count(order[0])
    windows = {page: Window() for page in dict.fromkeys(order)}
    slices, settles = [], []
    for number, page in enumerate(order):
        if number == 0 or page != order[number - 1]:
            if number:
                SETTLED.clear()
                STEP.update(page=page, epoch=STEP["epoch"] + 1)
            settles.append({"page": page, **settle(users, PLAN["warmup"] if number == 0 else 1)})
        before = len(RECORDER.latencies[f"{page} page"])
        seconds_before = windows[page].seconds
        with windows[page]:
            gevent.sleep(slice_seconds)
        seconds = windows[page].seconds - seconds_before
        answered = len(RECORDER.latencies[f"{page} page"]) - before
        slices.append({
            "page": f"{page} page", "seconds": round(seconds, 1), "ok": answered,
            "throughput_per_second": round(answered / seconds, 2),
        })  # fmt: skip
    drained = finish(env, runner)
    pages = {f"{page} page": page_stats(f"{page} page", w.seconds) for page, w in windows.items()}
    for page, window in windows.items():
        pages[f"{page} page"]["cpu"] = window.summary()
    return outcome({
        "kind": "isolated", "key": f"isolated-{users}", "users": users,
        "user_classes": {"PageReader": users}, "order": [f"{page} page" for page in order],
        "slices": slices, "settles": settles, "drain_seconds": drained,
        "step_seconds": round(time.monotonic() - started, 1), "pages": pages,
    })  # fmt: skip


def _round(value):
    return None if value is None else round(value, 1)


def report(step: dict) -> None:
    errors = sum(step["errors_including_warmup"].values())
    if step["kind"] == "mix":
        what = f"{sum(p['ok'] for p in step['pages'].values()):,} requests answered"
    else:
        what = ", ".join(
            f"{name} {page['throughput_per_second']}/s" for name, page in step["pages"].items()
        )
    print(f"  {step['key']}: {what}, {errors} errors ({step['step_seconds']} s)", flush=True)


def main() -> int:
    plan_path, out_path = sys.argv[1:3]
    PLAN.update(json.loads(Path(plan_path).read_text(encoding="utf-8")))
    steps = []
    for level, users in enumerate(PLAN["steps"]):
        print(
            f"  {users} users: the mix ({PLAN['warmup']} s warm-up, {PLAN['seconds']} s measured)…",
            flush=True,
        )
        steps.append(run_mix(users))
        report(steps[-1])
        if PLAN["isolated_seconds"]:
            # plain, module, module, plain; the other way round on every other level.
            first, second = ("plain", "module") if level % 2 == 0 else ("module", "plain")
            order = [first, second, second, first]
            print(
                f"  {users} users: each page alone, {PLAN['isolated_seconds']} s each, in "
                f"slices {', '.join(order)}…",
                flush=True,
            )
            steps.append(run_isolated(users, order))
            report(steps[-1])
    Path(out_path).write_text(json.dumps({"steps": steps}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
