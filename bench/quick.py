"""`make bench-quick` (CI): the four bench scripts with BENCH_QUICK=1, one after another, then a
timing summary.

The database is prepared once: every script gets the same new BENCH_PREPARED_TOKEN, and the first
one to migrate and seed records it in the database (bench/common.py, `migrate_and_seed`), so the
others skip `migrate` and `seed_demo`. Every script runs even when an earlier one failed; the
exit status is 1 when any failed. Each script's wall time and CPU time (its own and its
children's: gunicorn, Chromium, the Celery worker; not PostgreSQL's or Redis's) are printed at
the end, with the stages the scripts timed (BENCH_TIMINGS_FILE).
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ["run", "page_weight", "ingest", "certification"]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    with tempfile.NamedTemporaryFile(prefix="bench-quick-timings-", suffix=".jsonl") as timings:
        env = {
            **os.environ,
            "BENCH_QUICK": "1",
            "BENCH_PREPARED_TOKEN": uuid.uuid4().hex,
            "BENCH_TIMINGS_FILE": timings.name,
        }
        results = []
        for script in SCRIPTS:
            print(f"\n=== bench/{script}.py (quick) ===", flush=True)
            wall, cpu = time.perf_counter(), children_cpu()
            code = subprocess.call([sys.executable, str(ROOT / "bench" / f"{script}.py")], env=env)
            results.append((script, code, time.perf_counter() - wall, children_cpu() - cpu))
        stages = [json.loads(line) for line in Path(timings.name).read_text().splitlines() if line]

    print("\n=== make bench-quick: timings (wall s / CPU s of the script and its children) ===")
    for script, code, wall, cpu in results:
        status = "ok" if code == 0 else f"FAILED (exit status {code})"
        print(f"{script:<14} {wall:7.1f} s  {cpu:7.1f} s CPU  {status}")
        for item in stages:
            if item["script"] == script:
                name, wall_s, cpu_s = item["stage"], item["wall_s"], item["cpu_s"]
                print(f"    {name:<22} {wall_s:7.1f} s  {cpu_s:7.1f} s CPU")
    total_wall = sum(r[2] for r in results)
    total_cpu = sum(r[3] for r in results)
    print(f"{'total':<14} {total_wall:7.1f} s  {total_cpu:7.1f} s CPU (PostgreSQL's not counted)")
    failed = [script for script, code, _wall, _cpu in results if code]
    if failed:
        print(f"\nFAILED: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
