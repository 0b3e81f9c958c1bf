"""The benchmark's own logic (bench/run.py, bench/common.py): counting queries in long runs,
failing on a scenario that does not answer 200, and the targets' summary."""

import json

import pytest
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.test.utils import CaptureQueriesContext

from bench import run
from bench.common import QueryCounter, already_prepared, mark_prepared, stage


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:Limit for query logging exceeded")
def test_the_counter_keeps_counting_past_django_s_query_log():
    """CaptureQueriesContext counts 0 once the 9,000-entry queries_log is full; the counter
    counts every statement however long the run."""
    with CaptureQueriesContext(connection) as captured, QueryCounter(connection) as counter:
        with connection.cursor() as cursor:
            for _ in range(9_100):
                cursor.execute("SELECT 1")
        lost = len(captured.captured_queries)
    assert lost < 9_100  # the log is full: this is what the bench used to report
    assert counter.count == 9_100

    with counter, connection.cursor() as cursor:  # reused: counts from 0 again
        cursor.execute("SELECT 1")
    assert counter.count == 1


def test_the_counter_leaves_out_transaction_control():
    counter = QueryCounter(connection).keep_statements()

    def execute(sql, params, many, context):
        return sql

    for sql in ("BEGIN", "COMMIT", "ROLLBACK", "SELECT 1", "SAVEPOINT s1", "commit;"):
        assert counter(execute, sql, None, False, {}) == sql
    assert counter.count == 2
    assert counter.statements == ["SELECT 1", "SAVEPOINT s1"]


def test_a_page_that_does_not_answer_200_fails_its_scenario():
    scenario = run.Scenario("broken", "/nowhere/")
    run.check_response(scenario, HttpResponse("ok"))
    with pytest.raises(run.ScenarioFailed, match="answered 302 \\(to /accounts/login/\\)"):
        run.check_response(scenario, HttpResponseRedirect("/accounts/login/"))
    with pytest.raises(run.ScenarioFailed, match="answered 404"):
        run.check_response(scenario, HttpResponse(status=404))

    class Exploding:
        def get(self, url):
            raise ZeroDivisionError("division by zero")

    with pytest.raises(run.ScenarioFailed, match="raised ZeroDivisionError"):
        run.fetch(Exploding(), scenario)


@pytest.mark.django_db
def test_a_broken_scenario_is_reported_and_the_others_measured():
    rows, failures = run.measure(
        [run.Scenario("broken", "/no-such-page-anywhere/"), run.Scenario("healthz", "/healthz")],
        iterations=2,
        warmup=0,
    )
    assert list(failures) == ["broken"]
    assert "/no-such-page-anywhere/" in failures["broken"]
    assert [row["name"] for row in rows] == ["healthz"]
    assert rows[0]["iterations"] == 2


def row(name, median_ms, queries):
    return {"name": name, "median_ms": median_ms, "p95_ms": median_ms, "queries_max": queries}


def test_targets_are_judged_and_summarised():
    rows = [
        row("plain_page_signed_in", 10.0, 5),
        row("module_page", 15.0, 12),  # 1.5x, 12 queries: met
        row("course_page", 20.0, 13),  # 2x and 13 queries: missed
        row("dashboard", 19.0, 15),
        row("catalog", 30.0, 8),  # no time target, queries met
        row("cohort_progress", 250.0, 11),
    ]
    comparisons = run.compare(rows)
    progress = run.judge_progress(rows, "postgresql", 1000)
    items = run.targets(comparisons, progress)
    met = {item["target"]: item["met"] for item in items}
    assert met == {
        "module_page time": True,
        "module_page queries": True,
        "course_page time": False,
        "course_page queries": False,
        "dashboard time": True,
        "dashboard queries": True,
        "catalog queries": True,
        "cohort_progress time": True,
        "cohort_progress queries": True,
    }
    lines = run.summary_lines(items)
    assert lines[-1] == "Targets met: 7 of 9; MISSED: course_page time, course_page queries"
    assert "  course_page time: 2.00x [target <= 1.6x plain_page_signed_in: MISSED]" in lines

    # Quick mode: the time ratios are reported, not judged; the query budgets are.
    quick = {
        item["target"]: item for item in run.targets(run.compare(rows, judge_time=False), None)
    }
    assert (
        quick["course_page time"]["met"] is None and quick["course_page time"]["value"] == "2.00x"
    )
    assert quick["course_page queries"]["met"] is False
    assert run.summary_lines(list(quick.values()))[-1] == (
        "Targets met: 3 of 4; MISSED: course_page queries (3 not judged in this run)"
    )

    # The matrix's time is judged only with 1,000 members on PostgreSQL.
    small = run.judge_progress(rows, "postgresql", 50)
    assert small["time_met"] is None
    assert run.summary_lines(run.targets([], small))[-1] == (
        "Targets met: 1 of 1 (1 not judged in this run)"
    )


@pytest.mark.django_db
def test_the_database_is_prepared_once_per_quick_run(monkeypatch):
    """bench/quick.py gives every script the same BENCH_PREPARED_TOKEN: once one has migrated
    and seeded, the next ones skip it; another run (another token), or none, prepares again."""
    monkeypatch.delenv("BENCH_PREPARED_TOKEN", raising=False)
    mark_prepared()  # without a token: nothing recorded
    assert not already_prepared()

    monkeypatch.setenv("BENCH_PREPARED_TOKEN", "run-1")
    assert not already_prepared()
    mark_prepared()
    assert already_prepared()

    monkeypatch.setenv("BENCH_PREPARED_TOKEN", "run-2")
    assert not already_prepared()
    monkeypatch.delenv("BENCH_PREPARED_TOKEN")
    assert not already_prepared()


def test_stages_are_timed_into_the_timings_file(tmp_path, monkeypatch):
    with stage("untimed"):  # no BENCH_TIMINGS_FILE: nothing written, nothing fails
        pass
    timings = tmp_path / "timings.jsonl"
    monkeypatch.setenv("BENCH_TIMINGS_FILE", str(timings))
    with stage("migrate"):
        pass
    with stage("seed_demo"):
        pass
    lines = [json.loads(line) for line in timings.read_text().splitlines()]
    assert [line["stage"] for line in lines] == ["migrate", "seed_demo"]
    assert all(line["wall_s"] >= 0 and line["cpu_s"] >= 0 for line in lines)
