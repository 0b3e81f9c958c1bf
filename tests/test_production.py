"""Production settings, the compose file, and a smoke test of the real production processes.

Every test here runs Django in a subprocess with an environment of its own (production settings,
never the test settings of this process), so none of them uses the test database.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
# The virtual environment running these tests also holds gunicorn and celery.
BIN = Path(sys.executable).parent
PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")

# production.py names each of these when it is missing or empty.
REQUIRED = [
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_CACHE_URL",
    "EMAIL_URL",
    "DJANGO_DEFAULT_FROM_EMAIL",
    "DJANGO_MEDIA_ROOT",
    "WAGTAILADMIN_BASE_URL",
    "H5P_ORIGIN",
]
# Read by the settings but deliberately not passed by docker-compose.yml: baked into the image
# (DJANGO_STATIC_ROOT) or overridden by production.py whatever their value.
NOT_IN_COMPOSE = {"DJANGO_STATIC_ROOT", "DJANGO_DEBUG", "CELERY_TASK_ALWAYS_EAGER"}

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
SMOKE_BROKER = f"redis://{REDIS_HOST}:{REDIS_PORT}/12"
SMOKE_CACHE = f"redis://{REDIS_HOST}:{REDIS_PORT}/13"
HOST = "localhost"


def production_env(tmp_path, **overrides):
    """A complete production environment, and nothing inherited but PATH, HOME and locale.

    Every optional variable is set too, so that neither the caller's shell (CI exports
    DATABASE_URL) nor a developer's .env file (base.py reads it without overwriting) changes
    what these tests see.
    """
    env = {
        name: os.environ[name]
        for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
        if name in os.environ
    }
    env.update(
        DJANGO_SETTINGS_MODULE="training.settings.production",
        PYTHONUNBUFFERED="1",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=f"{HOST},127.0.0.1",
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        DATABASE_URL="postgres://acompana:not-a-password@127.0.0.1:5432/acompana",
        CONN_MAX_AGE="0",
        CELERY_BROKER_URL=SMOKE_BROKER,
        CELERY_RESULT_BACKEND=SMOKE_BROKER,
        REDIS_CACHE_URL=SMOKE_CACHE,
        EMAIL_URL="consolemail://",
        DJANGO_DEFAULT_FROM_EMAIL="Acompaña <no-reply@example.org>",
        DJANGO_SERVER_EMAIL="Acompaña <errors@example.org>",
        DJANGO_ADMINS="",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        WAGTAILADMIN_BASE_URL=f"https://{HOST}",
        H5P_ORIGIN="https://h5p.localhost",
        DJANGO_SECURE_SSL_REDIRECT="True",
        DJANGO_SECURE_HSTS_SECONDS="31536000",
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="True",
        DJANGO_SECURE_HSTS_PRELOAD="True",
        DJANGO_LOG_LEVEL="INFO",
        ACOMPANA_LANGUAGES="en,es",
        ACOMPANA_ORGANISATION="Acompaña",
    )
    env.update(overrides)
    return env


def manage(env, *args, timeout=60):
    return subprocess.run(
        [PYTHON, MANAGE, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def dotenv_sets(name):
    """Whether the developer's .env (read by base.py for missing variables) sets `name`."""
    dotenv = ROOT / ".env"
    if not dotenv.exists():
        return False
    pattern = re.compile(rf"^\s*(export\s+)?{re.escape(name)}\s*=")
    return any(pattern.match(line) for line in dotenv.read_text().splitlines())


# --- Settings -----------------------------------------------------------------------------------


def test_check_deploy_has_no_issues(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


@pytest.mark.parametrize("mode", ["unset", "empty"])
@pytest.mark.parametrize("name", REQUIRED)
def test_start_up_fails_without_a_required_variable(tmp_path, name, mode):
    env = production_env(tmp_path)
    if mode == "unset":
        if dotenv_sets(name):
            pytest.skip(f"{ROOT / '.env'} sets {name}, and base.py reads it for unset variables")
        del env[name]
    else:
        env[name] = ""
    result = manage(env, "check")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "ImproperlyConfigured" in result.stderr, result.stderr
    assert name in result.stderr, result.stderr


@pytest.mark.parametrize("suffix", ["", "/"])
def test_production_refuses_the_same_redis_database_for_cache_and_broker(tmp_path, suffix):
    env = production_env(
        tmp_path,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        REDIS_CACHE_URL=f"redis://127.0.0.1:6379/0{suffix}",
    )
    result = manage(env, "check")
    assert result.returncode != 0, result.stdout + result.stderr
    assert "REDIS_CACHE_URL and CELERY_BROKER_URL" in result.stderr, result.stderr


def _settings_variables():
    """Every environment variable that base.py and production.py read."""
    pattern = re.compile(r"""(?:\benv(?:\.\w+)?|_required)\(\s*["']([A-Z][A-Z0-9_]*)["']""")
    names = set()
    for module in ("base.py", "production.py"):
        names.update(pattern.findall((ROOT / "training" / "settings" / module).read_text()))
    return names


def test_env_example_and_compose_file_cover_every_setting():
    names = _settings_variables()
    assert set(REQUIRED) <= names
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in names if not re.search(rf"^#?{name}=", example, re.M))
    assert not missing, f".env.example does not document {missing}"
    unset = sorted(name for name in REQUIRED if not re.search(rf"^{name}=.", example, re.M))
    assert not unset, f".env.example must give the required {unset} a placeholder value"
    compose = (ROOT / "docker-compose.yml").read_text()
    not_passed = sorted(
        name for name in names - NOT_IN_COMPOSE if not re.search(rf"^\s+{name}:", compose, re.M)
    )
    assert not not_passed, f"docker-compose.yml does not pass {not_passed} to the containers"


# --- Compose file ---------------------------------------------------------------------------------


def _docker_compose(*args, env_file):
    executable = shutil.which("docker-compose")
    if executable is None:
        skip_or_fail("docker-compose is not installed (Debian: apt-get install docker-compose)")
    # Only PATH and HOME: variables of the caller's shell would take precedence over the file.
    env = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    return subprocess.run(
        [executable, "--env-file", str(env_file), "-f", str(ROOT / "docker-compose.yml"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_compose_file_is_valid():
    result = _docker_compose("config", "-q", env_file=ROOT / ".env.example")
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_refuses_to_start_without_the_secret_key(tmp_path):
    env_file = tmp_path / "env"
    lines = (ROOT / ".env.example").read_text().splitlines()
    env_file.write_text("\n".join(x for x in lines if not x.startswith("DJANGO_SECRET_KEY=")))
    result = _docker_compose("config", "-q", env_file=env_file)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "DJANGO_SECRET_KEY" in result.stderr, result.stderr


# --- Smoke test: the real production processes ----------------------------------------------------


def _reachable(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def _fetch(port, path, *, https=True, timeout=10):
    """GET through the would-be TLS proxy: Host is an allowed host, X-Forwarded-Proto https."""
    headers = {"Host": HOST}
    if https:
        headers["X-Forwarded-Proto"] = "https"
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read().decode(errors="replace")


class _Processes:
    """Background processes in their own process groups, with their output in log files."""

    def __init__(self, directory):
        self.directory = directory
        self.started = {}

    def start(self, name, args, env):
        log = (self.directory / f"{name}.log").open("w")
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.started[name] = (process, log)
        return process

    def wait(self, name, timeout):
        process, _log = self.started[name]
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def logs(self, lines=40):
        parts = []
        for name, (_process, log) in self.started.items():
            log.flush()
            text = (self.directory / f"{name}.log").read_text(errors="replace").splitlines()
            parts.append(f"--- {name} (last {lines} lines) ---\n" + "\n".join(text[-lines:]))
        return "\n".join(parts)

    def stop_all(self):
        for process, _log in self.started.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process, log in self.started.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            log.close()


def _forget_queue(queue):
    """Remove what kombu keeps in Redis about the test's one-off queue."""
    import redis

    with contextlib.suppress(redis.RedisError), redis.Redis.from_url(SMOKE_BROKER) as client:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.zrem("_kombu.binding_deadlines", queue)


@contextlib.contextmanager
def _fresh_database():
    import psycopg
    from psycopg import sql

    name = f"acompana_smoke_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        skip_or_fail(f"cannot connect to PostgreSQL as {PG_ADMIN_URL}: {error}")
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield f"postgres://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.mark.integration
def test_production_smoke(tmp_path, monkeypatch):
    if not _reachable("127.0.0.1", 5432):
        skip_or_fail("PostgreSQL does not answer on 127.0.0.1:5432")
    if not _reachable(REDIS_HOST, REDIS_PORT):
        skip_or_fail(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}")

    from celery import Celery

    # Celery prefers the CELERY_BROKER_URL environment variable to a broker given in code; the
    # client below must publish to the smoke test's broker, not to the one CI exported.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    port = _free_port()
    queue = f"smoke-{secrets.token_hex(6)}"
    processes = _Processes(tmp_path)
    with _fresh_database() as database_url:
        env = production_env(tmp_path, DATABASE_URL=database_url)
        try:
            # Migrations take most of the time: collect static files and start the worker
            # meanwhile. Gunicorn needs the static files (WhiteNoise reads them when it starts).
            processes.start("migrate", [PYTHON, MANAGE, "migrate", "--no-input", "-v1"], env)
            processes.start("collectstatic", [PYTHON, MANAGE, "collectstatic", "--noinput"], env)
            processes.start(
                "worker",
                [
                    str(BIN / "celery"), "-A", "training", "worker", "--loglevel=info",
                    "-Q", queue, "-n", f"{queue}@%h", "--pool", "solo", "--concurrency", "1",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ],
                env,
            )  # fmt: skip
            assert processes.wait("collectstatic", timeout=40) == 0, processes.logs()
            processes.start(
                "gunicorn",
                [
                    str(BIN / "gunicorn"), "training.wsgi:application",
                    "--bind", f"127.0.0.1:{port}", "--workers", "2",
                    "--graceful-timeout", "3", "--access-logfile", "-",
                ],
                env,
            )  # fmt: skip
            assert processes.wait("migrate", timeout=45) == 0, processes.logs()
            # Beat, as in the compose file: its schedule (CELERY_BEAT_SCHEDULE) in a file.
            beat_schedule = tmp_path / "beat-schedule"
            processes.start(
                "beat",
                [
                    str(BIN / "celery"), "-A", "training", "beat", "--loglevel=info",
                    "--schedule", str(beat_schedule),
                ],
                env,
            )  # fmt: skip

            deadline = time.monotonic() + 40
            status = None
            while time.monotonic() < deadline:
                gunicorn = processes.started["gunicorn"][0]
                assert gunicorn.poll() is None, f"gunicorn exited\n{processes.logs()}"
                with contextlib.suppress(OSError):
                    status, _headers, body = _fetch(port, "/healthz", timeout=3)
                    if status == 200:
                        break
                time.sleep(0.3)
            assert status == 200, f"/healthz never answered 200\n{processes.logs()}"

            status, _headers, body = _fetch(port, "/healthz")
            assert status == 200, body
            health = json.loads(body)
            assert health["database"] == "ok", health
            assert health["broker"] == "ok", health

            status, headers, body = _fetch(port, "/")
            assert status == 200, f"{status}\n{body[:2000]}\n{processes.logs()}"
            assert "Acompaña" in body
            assert headers["Strict-Transport-Security"].startswith("max-age=31536000")

            status, headers, body = _fetch(port, "/accounts/login/")
            assert status == 200, f"{status}\n{body[:2000]}\n{processes.logs()}"
            assert re.search(r"<input[^>]*type=\"password\"", body), body[:4000]
            cookies = headers.get_all("Set-Cookie") or []
            csrf = [cookie for cookie in cookies if cookie.startswith("acompana_csrftoken=")]
            assert csrf, cookies
            assert "secure" in csrf[0].lower(), csrf

            # Plain HTTP (no proxy header) is redirected to https; the health check is exempt.
            status, headers, _body = _fetch(port, "/", https=False)
            assert status == 301, status
            assert headers["Location"] == f"https://{HOST}/", headers["Location"]
            status, _headers, body = _fetch(port, "/healthz", https=False)
            assert status == 200, body

            # Beat started, read the schedule from the settings and keeps running.
            beat_deadline = time.monotonic() + 20
            beat_log = tmp_path / "beat.log"
            while time.monotonic() < beat_deadline and "beat: Starting" not in (
                beat_log.read_text()
            ):
                time.sleep(0.3)
            assert "beat: Starting" in beat_log.read_text(), processes.logs()
            assert processes.started["beat"][0].poll() is None, processes.logs()
            assert list(tmp_path.glob("beat-schedule*")), "beat wrote no schedule file"

            # The worker runs a real task from the broker and stores its result.
            client = Celery(
                "smoke", broker=SMOKE_BROKER, backend=SMOKE_BROKER, set_as_current=False
            )
            try:
                result = client.send_task("training.tasks.clear_expired_sessions", queue=queue)
                try:
                    value = result.get(timeout=60)
                except Exception as error:
                    pytest.fail(f"the worker did not run the task: {error!r}\n{processes.logs()}")
                assert value == "cleared", value
                result.forget()
            finally:
                client.close()
        finally:
            processes.stop_all()
            _forget_queue(queue)
