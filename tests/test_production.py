"""Production settings, the compose file, and a smoke test of the real production processes.

Every test here runs Django in a subprocess with an environment of its own (production settings,
never the test settings of this process), so none of them uses the test database.
"""

import contextlib
import http.client
import json
import os
import re
import runpy
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery

from tests.conftest import skip_or_fail
from tests.servers import Processes, free_port, fresh_database

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
        DJANGO_DEFAULT_FROM_EMAIL="Acompaña <no-reply@localhost>",
        DJANGO_SERVER_EMAIL="Acompaña <errors@localhost>",
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


# --- Placeholders: .env.example copied unchanged never runs ------------------------------------
def _env_example():
    """.env.example's NAME=value lines (its placeholders), as docker-compose reads them."""
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            values[name] = value
    return values


# Every variable whose .env.example value would be wrong in real life: a published secret key or
# password, or an address at the reserved example.org.
PLACEHOLDERS = [
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "EMAIL_URL",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_DEFAULT_FROM_EMAIL",
    "WAGTAILADMIN_BASE_URL",
    "H5P_ORIGIN",
    "ACOMPANA_S3_SECRET_ACCESS_KEY",
]


def _named_placeholders(stderr):
    found = re.search(r"still hold a placeholder of \.env\.example \(.*?\): ([A-Z0-9_, ]+)\.",
                      stderr)  # fmt: skip
    return set(found.group(1).split(", ")) if found else set()


def _import_production_settings(env):
    """What every production process does first (gunicorn's workers, celery, manage.py)."""
    return subprocess.run(
        [PYTHON, "-c", "import training.settings.production"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("name", PLACEHOLDERS)
def test_production_refuses_a_placeholder_of_env_example_and_names_it(tmp_path, name):
    placeholder = _env_example()[name]
    env = production_env(tmp_path, **{name: placeholder})

    for result in (manage(env, "check", "--deploy"), _import_production_settings(env)):
        assert result.returncode != 0, result.stdout + result.stderr
        assert "ImproperlyConfigured" in result.stderr, result.stderr
        assert _named_placeholders(result.stderr) == {name}, result.stderr
        assert placeholder not in result.stderr  # named, never echoed (it may be a secret)


def test_env_example_as_it_is_names_every_placeholder(tmp_path):
    env = production_env(tmp_path)
    env.update(_env_example())
    env["DJANGO_MEDIA_ROOT"] = str(tmp_path / "media")
    result = manage(env, "check", "--deploy")
    assert result.returncode != 0, result.stdout + result.stderr
    assert _named_placeholders(result.stderr) == set(PLACEHOLDERS), result.stderr


def test_check_deploy_passes_with_real_values(tmp_path):
    domain = "helpline.ngo"  # never contacted: check --deploy reads the settings only
    env = production_env(
        tmp_path,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS=f"acompana.{domain}",
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://acompana.{domain}",
        DATABASE_URL=f"postgres://acompana:{secrets.token_urlsafe(24)}@db:5432/acompana",
        EMAIL_URL=f"smtp+tls://acompana:{secrets.token_urlsafe(16)}@smtp.{domain}:587",
        DJANGO_DEFAULT_FROM_EMAIL=f"Acompaña <no-reply@{domain}>",
        DJANGO_SERVER_EMAIL=f"Acompaña <errors@{domain}>",
        DJANGO_ADMINS=f"ops@{domain}",
        WAGTAILADMIN_BASE_URL=f"https://acompana.{domain}",
        ACOMPANA_PLATFORM_ORIGIN=f"https://acompana.{domain}",
        H5P_ORIGIN=f"https://h5p.{domain}",
    )
    result = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "no issues" in output, output


# --- The image ----------------------------------------------------------------------------------
def test_the_image_build_loads_the_production_settings(tmp_path):
    """The Dockerfile's collectstatic step runs with build-only values: every required one."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    build = re.search(r"^RUN (DJANGO_SECRET_KEY=.*?)sh -c", dockerfile, re.S | re.M)
    assert build, "the Dockerfile's build step with its build-only values"
    values = dict(re.findall(r"([A-Z][A-Z0-9_]*)=(\S+)", build.group(1)))
    # DJANGO_MEDIA_ROOT is an ENV of the image.
    assert set(REQUIRED) - {"DJANGO_MEDIA_ROOT"} <= set(values), sorted(values)
    env = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    env.update(values, DJANGO_SETTINGS_MODULE="training.settings.production",
               DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
               DJANGO_STATIC_ROOT=str(tmp_path / "static"))  # fmt: skip
    result = manage(env, "check")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_image_starts_gunicorn_with_its_config():
    dockerfile = (ROOT / "Dockerfile").read_text()
    command = re.search(r"^CMD (\[.*?\])\s*$", dockerfile, re.S | re.M).group(1)
    args = json.loads(command.replace("\\\n", " "))
    assert args[:3] == ["gunicorn", "--config", "/app/gunicorn.conf.py"], args
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["logger_class"] == "training.logs.AccessLogger"
    assert config["accesslog"] == "-"


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
    readme = (ROOT / "README.md").read_text()
    undocumented = sorted(name for name in names if f"`{name}`" not in readme)
    assert not undocumented, f"README.md's configuration table does not explain {undocumented}"


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


def _forget_queue(queue):
    """Remove what kombu keeps in Redis about the test's one-off queue."""
    with contextlib.suppress(redis.RedisError), redis.Redis.from_url(SMOKE_BROKER) as client:
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.zrem("_kombu.binding_deadlines", queue)


def _fresh_database():
    return fresh_database("acompana_smoke")


@pytest.mark.integration
def test_production_smoke(tmp_path, monkeypatch):
    if not _reachable("127.0.0.1", 5432):
        skip_or_fail("PostgreSQL does not answer on 127.0.0.1:5432")
    if not _reachable(REDIS_HOST, REDIS_PORT):
        skip_or_fail(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT}")

    # Celery prefers the CELERY_BROKER_URL environment variable to a broker given in code; the
    # client below must publish to the smoke test's broker, not to the one CI exported.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    port = free_port()
    queue = f"smoke-{secrets.token_hex(6)}"
    processes = Processes(tmp_path)
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
            assert processes.wait("collectstatic", timeout=120) == 0, processes.logs()
            processes.start(
                "gunicorn",
                [
                    str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
                    "training.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "2",
                    "--graceful-timeout", "3",
                ],
                env,
            )  # fmt: skip
            assert processes.wait("migrate", timeout=180) == 0, processes.logs()
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
            # The platform's Content-Security-Policy, with production's H5P_ORIGIN in frame-src.
            # django-csp orders directives by a set (it varies between processes): parse them.
            policy = dict(
                part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";")
            )
            assert policy["script-src"] == "'self'", policy
            assert "https://h5p.localhost" in headers["Content-Security-Policy"], headers

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
                assert isinstance(value, int), value  # expired sessions removed
                result.forget()
            finally:
                client.close()
        finally:
            processes.stop_all()
            _forget_queue(queue)


# --- Logs carry no secrets: the real gunicorn with its config -----------------------------------
def _get(port, path, headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@pytest.mark.integration
def test_gunicorn_logs_each_request_without_its_secret(tmp_path):
    """One server, one request per kind of secret in a URL; then the whole output is read.

    The database is never reached (on purpose, nothing listens on its port): platform requests
    over plain HTTP are redirected to https, and H5P launches that are not ours are refused, before
    anything asks it. That keeps the test quick and independent of PostgreSQL.
    """
    port, nowhere = free_port(), free_port()
    env = production_env(
        tmp_path, DATABASE_URL=f"postgres://acompana:x@127.0.0.1:{nowhere}/acompana"
    )
    secret = {name: f"{name}{secrets.token_hex(12)}" for name in (
        "calendar", "reset", "confirm", "invitation", "encoded", "api", "bearer", "referer",
        "launch", "content",
    )}  # fmt: skip
    secret["code"] = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26))
    activity = uuid.uuid4()
    platform = {"Host": HOST}
    h5p = {"Host": "h5p.localhost", "X-Forwarded-Proto": "https"}
    requests = [
        (f"/calendar/{secret['calendar']}.ics", platform, 301,
         '"GET /calendar/[redacted] HTTP/1.1" 301'),
        (f"/accounts/password/reset/key/7-{secret['reset']}/", platform, 301,
         '"GET /accounts/password/reset/key/[redacted]/ HTTP/1.1" 301'),
        (f"/accounts/confirm-email/{secret['confirm']}/", platform, 301,
         '"GET /accounts/confirm-email/[redacted]/ HTTP/1.1" 301'),
        (f"/cohorts/invitations/{secret['invitation']}/", platform, 301,
         '"GET /cohorts/invitations/[redacted]/ HTTP/1.1" 301'),
        (f"/verify/{secret['code']}/", platform, 301, '"GET /verify/[redacted]/ HTTP/1.1" 301'),
        (f"/accounts/login/?next=%2Fcalendar%2F{secret['encoded']}.ics", platform, 301,
         '"GET /accounts/login/?next=/calendar/[redacted] HTTP/1.1" 301'),
        (f"/api/v1/responders/?limit=5&token={secret['api']}",
         {**platform, "Authorization": f"Bearer {secret['bearer']}"}, 301,
         '"GET /api/v1/responders/?limit=5&token=[redacted] HTTP/1.1" 301'),
        ("/dashboard/", {**platform, "Referer": f"https://{HOST}/calendar/{secret['referer']}.ics"},
         301, f'"GET /dashboard/ HTTP/1.1" 301 0 "https://{HOST}/calendar/[redacted]"'),
        (f"/h5p/play/{activity}/{secret['launch']}/", h5p, 404,
         f'"GET /h5p/play/{activity}/[redacted]/ HTTP/1.1" 404'),
        (f"/h5p/play/{activity}/{secret['content']}/content/images/a.png", h5p, 404,
         f'"GET /h5p/play/{activity}/[redacted]/content/images/a.png HTTP/1.1" 404'),
    ]  # fmt: skip
    processes = Processes(tmp_path)
    try:
        processes.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
                "training.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                "--graceful-timeout", "3",
            ],
            env,
        )  # fmt: skip
        deadline = time.monotonic() + 40
        while not _reachable("127.0.0.1", port):
            assert processes.started["gunicorn"][0].poll() is None, processes.logs()
            assert time.monotonic() < deadline, f"gunicorn never listened\n{processes.logs()}"
            time.sleep(0.2)
        for path, headers, status, _line in requests:
            assert _get(port, path, headers) == status, f"{path}\n{processes.logs()}"
    finally:
        processes.stop_all()

    output = (tmp_path / "gunicorn.log").read_text()
    for name, value in secret.items():
        assert value not in output, f"the {name} secret is in the log:\n{output}"
    for _path, _headers, _status, line in requests:
        assert line in output, f"no access line {line!r} in:\n{output}"
    # Django's own warning for the refused launch names the path, redacted too.
    assert f"Not Found: /h5p/play/{activity}/[redacted]/" in output, output
