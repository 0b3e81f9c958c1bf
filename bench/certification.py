"""Certification benchmarks (`make bench`): certificate PDFs, and exports of a 100,000-person
responder pool, on PostgreSQL (`acompana_bench`, created if missing; settings
bench/ingest_settings.py).

1. PDFs: BENCH_PDF_COUNT (200) certificates rendered one after another in this process (one
   core), through the same code the Celery task runs (`render_certificate`: context, WeasyPrint,
   storage, database). Median and p95 per PDF, and PDFs a second. Target: at least 10 a second.
2. CSV: the coordinator's export of BENCH_POOL_SIZE (100,000) pool members, requested through
   Django's full request path (middleware, session, MFA check, view). Time to the first byte and
   to the last, and memory growth while streaming (tracemalloc peak, and the process's resident
   memory sampled while streaming). Targets: first byte within 1 s, growth under 50 MB.
3. XLSX: the same export built by a real Celery worker (a separate process, Redis broker
   database 13): time from the request to the file being ready. Target: within 60 s.

Results go to bench/results/certification-latest.json; targets are reported, never enforced.
BENCH_QUICK=1 (`make bench-quick`): 5 PDFs and a pool of 500 on the quick database
(bench/common.py), results in quick-certification-latest.json; a PDF or an export that fails
fails the run (exit status 1).
"""

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from datetime import date, timedelta
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SETTINGS_MODULE = "bench.ingest_settings"
PREFIX = "bench-pool-"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import already_prepared, apply_quick_defaults, quick, stage  # noqa: E402
from bench.common import env_int as common_env_int  # noqa: E402
from bench.common import setup_django as common_setup_django  # noqa: E402

QUICK_DEFAULTS = {"BENCH_PDF_COUNT": "5", "BENCH_POOL_SIZE": "500"}


def broker() -> str:
    return os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")


def env_int(name: str, default: int) -> int:
    return common_env_int(name, default, who="bench certification")


def setup_django() -> None:
    os.environ.setdefault("ACOMPANA_PRIVATE_ROOT", str(ROOT / "bench" / "private"))
    common_setup_django(
        SETTINGS_MODULE, {"CELERY_BROKER_URL": broker(), "CELERY_RESULT_BACKEND": broker()}
    )


def expect(condition, message: str) -> None:
    if not condition:
        sys.exit(f"bench certification: {message}")


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def bench_track():
    from certificates.models import Track

    track, _ = Track.objects.get_or_create(
        slug="bench-track", defaults={"title": "Peer supporter — benchmark track"}
    )
    return track


# --- 1. PDFs ------------------------------------------------------------------------------------
def bench_pdfs(count: int) -> dict:
    from certificates import tasks
    from certificates.models import Certificate
    from training.models import User

    track = bench_track()
    Certificate.objects.filter(track=track, user__email__startswith=f"{PREFIX}pdf").delete()
    users = []
    for number in range(count):
        user, _ = User.objects.get_or_create(
            email=f"{PREFIX}pdf-{number:04d}@example.org",
            defaults={"display_name": f"María José Núñez {number}"},
        )
        users.append(user)
    today = date.today()
    certificates = [
        Certificate.objects.create(
            user=user, track=track, period=1, name_on_certificate=user.display_name,
            language="es" if number % 2 else "en", valid_from=today,
            expires_on=today + timedelta(days=730),
        )
        for number, user in enumerate(users)
    ]  # fmt: skip
    tasks.render_certificate.apply(args=[certificates[0].pk])  # warm-up: fonts, templates
    Certificate.objects.filter(pk=certificates[0].pk).update(pdf_fingerprint="")
    timings = []
    cpu_start = time.process_time()
    wall_start = time.perf_counter()
    for certificate in certificates:
        started = time.perf_counter()
        outcome = tasks.render_certificate.apply(args=[certificate.pk]).get()
        timings.append((time.perf_counter() - started) * 1000)
        expect(outcome == "rendered", f"render_certificate returned {outcome!r}")
    wall = time.perf_counter() - wall_start
    cpu = time.process_time() - cpu_start
    sizes = [c.pdf.size for c in Certificate.objects.filter(pk__in=[c.pk for c in certificates])]
    return {
        "count": count,
        "median_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(timings, 95), 1),
        "per_second": round(count / wall, 1),
        "per_cpu_second": round(count / cpu, 1),
        "median_bytes": int(statistics.median(sizes)),
        "target_per_second": 10,
        "met": count / wall >= 10,
    }


# --- The pool -----------------------------------------------------------------------------------
def seed_pool(size: int) -> float:
    from certificates.models import Certificate, PoolMember, _index
    from training.models import User

    started = time.perf_counter()
    track = bench_track()
    have = PoolMember.objects.filter(user__email__startswith=f"{PREFIX}m").count()
    if have >= size:
        return 0.0
    zones = ["America/Bogota", "Europe/Madrid", "Asia/Jakarta", "Africa/Nairobi", "Asia/Kolkata"]
    languages = [["es", "en"], ["fr"], ["id", "en"], ["sw", "en"], ["hi", "ur", "en"]]
    today = date.today()
    batch = 5000
    for start in range(have, size, batch):
        numbers = range(start, min(size, start + batch))
        users = User.objects.bulk_create([
            User(email=f"{PREFIX}m{n:06d}@example.org", display_name=f"Supporter {n}",
                 password="!")
            for n in numbers
        ])  # fmt: skip
        Certificate.objects.bulk_create([
            Certificate(user=u, track=track, period=1, name_on_certificate=u.display_name,
                        language="en", valid_from=today,
                        expires_on=today + timedelta(days=30 + n % 700))
            for n, u in zip(numbers, users, strict=True)
        ])  # fmt: skip
        members = []
        for n, user in zip(numbers, users, strict=True):
            codes = languages[n % 5]
            focus = ["harassment", "accompaniment"] if n % 2 else ["digital_security"]
            members.append(PoolMember(
                user=user, time_zone=zones[n % 5], region=f"Region {n % 40}",
                languages=[{"code": c, "level": "fluent"} for c in codes],
                language_index=_index(codes), focus_areas=focus, focus_index=_index(focus),
                channels=["chat"], hours_per_week=n % 10, share_phone=n % 3 == 0,
                share_languages=True, share_region=True, share_time_zone=True,
                share_focus_areas=True, share_channels=True, share_availability=True,
                contact_phone="+1 555 0100" if n % 3 == 0 else "",
            ))  # fmt: skip
        PoolMember.objects.bulk_create(members)
        print(f"  pool: {start + len(members):,} of {size:,}", flush=True)
    return round(time.perf_counter() - started, 1)


def coordinator_client():
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.test import Client

    from training.models import User
    from training.roles import Role
    from training.services import user_set_roles

    user, created = User.objects.get_or_create(
        email=f"{PREFIX}coordinator@example.org", defaults={"display_name": "Bench coordinator"}
    )
    if created or not user.has_role(Role.COORDINATOR):
        user_set_roles(user=user, roles=(Role.COORDINATOR,))
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    return client, user


def rss_mb() -> float:
    """The process's resident memory now (Linux), in MB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


# --- 2. CSV -------------------------------------------------------------------------------------
def bench_csv(client) -> dict:
    import gc

    gc.collect()
    rss_before = rss_mb()
    rss_peak = rss_before
    tracemalloc.start()
    started = time.perf_counter()
    response = client.post("/pool/export.csv", {"availability": "any"})
    expect(response.status_code == 200, f"CSV export answered {response.status_code}")
    expect(response.streaming, "the CSV export is not streamed")
    chunks = iter(response.streaming_content)
    first = next(chunks)
    first_byte = time.perf_counter() - started
    size, lines = len(first), first.count(b"\n")
    for number, chunk in enumerate(chunks):
        size += len(chunk)
        lines += chunk.count(b"\n")
        if number % 50 == 0:
            rss_peak = max(rss_peak, rss_mb())
    total = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = max(rss_peak, rss_mb()) - rss_before
    return {
        "rows": lines - 1,
        "first_byte_ms": round(first_byte * 1000, 1),
        "total_s": round(total, 2),
        "megabytes": round(size / 1e6, 1),
        "python_peak_mb": round(peak / 1e6, 1),
        "rss_growth_mb": round(rss_growth, 1),
        "targets": "first byte < 1000 ms, growth < 50 MB",
        "met": first_byte < 1 and peak / 1e6 < 50 and rss_growth < 50,
    }


# --- 3. XLSX in a real worker -------------------------------------------------------------------
def bench_xlsx(client, user) -> dict:
    from celery import current_app

    from certificates.models import PoolExport

    current_app.conf.task_always_eager = False
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "training", "worker", "--pool=solo",
         "--concurrency=1", "--without-gossip", "--without-mingle", "--loglevel=WARNING",
         "-Q", "celery"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        from training.celery import app

        deadline = time.time() + 60
        while time.time() < deadline:
            if app.control.inspect(timeout=1).ping():
                break
        started = time.perf_counter()
        response = client.post("/pool/export/xlsx/", {"availability": "any"})
        expect(response.status_code == 302, f"XLSX export answered {response.status_code}")
        export = PoolExport.objects.filter(requested_by=user).latest("pk")
        progress = []
        while time.perf_counter() - started < 300:
            export.refresh_from_db()
            progress.append(export.done)
            if export.status in (PoolExport.Status.READY, PoolExport.Status.FAILED):
                break
            time.sleep(0.5)
        seconds = time.perf_counter() - started
        ready = export.status == PoolExport.Status.READY
        return {
            "rows": export.done,
            "seconds": round(seconds, 1),
            "megabytes": round(export.file.size / 1e6, 1) if ready else None,
            "progress_updates_seen": len(set(progress)),
            "status": export.status,
            "target_seconds": 60,
            "met": ready and seconds < 60,
        }
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def commit() -> str | None:
    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, text=True, capture_output=True)
    return done.stdout.strip() or None


def main() -> int:
    apply_quick_defaults(QUICK_DEFAULTS)
    setup_django()
    sys.path.insert(0, str(ROOT / "bench"))
    from ingest import ensure_services

    ensure_services()
    from django.core.management import call_command
    from django.db import connection

    from certificates.models import PoolExport

    if not already_prepared():  # an earlier script of `make bench-quick` migrated
        with stage("migrate"):
            call_command("migrate", interactive=False, verbosity=0, stdout=StringIO())
    size = env_int("BENCH_POOL_SIZE", 100_000)
    print(f"Certificate PDFs ({env_int('BENCH_PDF_COUNT', 200)}, one core)…", flush=True)
    with stage("PDFs"):
        pdfs = bench_pdfs(env_int("BENCH_PDF_COUNT", 200))
    print(f"Responder pool of {size:,} on PostgreSQL…", flush=True)
    with stage("pool"):
        seeded = seed_pool(size)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE certificates_poolmember")
            cursor.execute("VACUUM ANALYZE certificates_certificate")
    client, user = coordinator_client()
    print("CSV export, streamed…", flush=True)
    with stage("CSV"):
        csv_result = bench_csv(client)
    print("XLSX export in a Celery worker…", flush=True)
    with stage("XLSX (Celery worker)"):
        xlsx = bench_xlsx(client, user)
    result = {
        "meta": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "database": connection.vendor,
            "pool_size": size,
            "seeding_seconds": seeded,
            "commit": commit(),
        },
        "pdf": pdfs,
        "csv": csv_result,
        "xlsx": xlsx,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    output = RESULTS / f"{'quick-' if quick() else ''}certification-latest.json"
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    def verdict(met):
        return "met" if met else "MISSED"

    print(f"\nPDFs: {pdfs['count']} in one process: median {pdfs['median_ms']} ms, p95 "
          f"{pdfs['p95_ms']} ms, {pdfs['per_second']}/s ({pdfs['per_cpu_second']} per CPU "
          f"second), {pdfs['median_bytes']:,} bytes each [target ≥ 10/s per core: "
          f"{verdict(pdfs['met'])}]")  # fmt: skip
    print(f"CSV: {csv_result['rows']:,} rows, first byte {csv_result['first_byte_ms']} ms, all "
          f"in {csv_result['total_s']} s ({csv_result['megabytes']} MB); memory: Python peak "
          f"{csv_result['python_peak_mb']} MB, resident growth {csv_result['rss_growth_mb']} "
          f"MB [first byte < 1 s, growth < 50 MB: {verdict(csv_result['met'])}]")  # fmt: skip
    print(f"XLSX: {xlsx['rows']:,} rows built by a Celery worker in {xlsx['seconds']} s "
          f"({xlsx['megabytes']} MB, {xlsx['progress_updates_seen']} progress values seen) "
          f"[target < 60 s: {verdict(xlsx['met'])}]")  # fmt: skip
    print(f"\nWritten to {output.relative_to(ROOT)}")
    if xlsx["status"] != PoolExport.Status.READY:
        print(f"\nFAILED: the XLSX export ended {xlsx['status']!r}, not ready.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
