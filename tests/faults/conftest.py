"""Real processes for the fault tests: Redis and PostgreSQL of their own (on free ports, their
data in a temporary folder: the machine's own services are never stopped), gunicorn and Celery
workers with the production settings.

The web and worker processes use the test database of this session (tests that start them use
`transactional_db`, so what the test writes is committed and visible to them), except the
PostgreSQL restart test, which copies it into a server of its own.
"""

import contextlib
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from tests.conftest import skip_or_fail
from tests.servers import ROOT, Processes, free_port, wait_http
from tests.test_production import production_env as smoke_production_env

BIN = Path(sys.executable).parent
PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
PG_BIN = Path("/usr/lib/postgresql/15/bin")
HOST = "localhost"


# --- Redis of our own ----------------------------------------------------------------------------
class RedisServer:
    """redis-server on a free port, its append-only file in `directory`: stopped and started
    again, it keeps what it held (as a production Redis with persistence does)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = None
        self.starts = 0

    def url(self, db=0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            skip_or_fail("redis-server is not installed")
        self.starts += 1
        log = (self.directory / f"redis-{self.starts}.log").open("w")
        self.process = subprocess.Popen(
            [
                binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir",
                str(self.directory), "--appendonly", "yes", "--appendfsync", "always",
                "--save", "", "--protected-mode", "no",
            ],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        (self.directory / f"redis-{self.starts}.log").read_text()
                    ) from None
                time.sleep(0.1)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)
        self.process = None

    def client(self, db=0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, socket_connect_timeout=2)


@pytest.fixture
def redis_server():
    directory = Path(tempfile.mkdtemp(prefix="acompana-redis-"))
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


# --- PostgreSQL of our own -----------------------------------------------------------------------
class PostgresServer:
    """A PostgreSQL cluster (initdb) on a free port, in a folder of its own, run as the
    `postgres` user when this runs as root (PostgreSQL refuses root)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.data = self.directory / "data"
        self.port = free_port()
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                skip_or_fail("running as root without a postgres user to run PostgreSQL as")

    def _run(self, *args, check=True, timeout=60):
        if self.user is not None:
            args = ["runuser", "-u", "postgres", "--", *args]
        return subprocess.run(
            args, capture_output=True, text=True, check=check, timeout=timeout, cwd=self.directory
        )

    def init(self):
        if not (PG_BIN / "initdb").exists():
            skip_or_fail(f"PostgreSQL's initdb is not in {PG_BIN}")
        if self.user is not None:
            os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--no-sync", "-E", "UTF8", "--locale=C",
        )  # fmt: skip

    def start(self):
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "pg.log"),
            "-w", "-t", "30", "start", "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off",
        )  # fmt: skip

    def stop(self, mode="fast"):
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                  check=False)  # fmt: skip

    def url(self, name="acompana") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def log(self) -> str:
        path = self.directory / "pg.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@pytest.fixture
def postgres_server():
    directory = Path(tempfile.mkdtemp(prefix="acompana-pg-"))
    server = PostgresServer(directory)
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.stop(mode="immediate")
        shutil.rmtree(directory, ignore_errors=True)


def copy_test_database(server: PostgresServer, name="acompana"):
    """The session's test database (with what the test committed) copied into `server`."""
    settings = connection.settings_dict
    source = (
        f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    )
    with psycopg.connect(server.url("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    dump = subprocess.run(
        [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", source],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    subprocess.run(
        [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", server.url(name)],
        input=dump.stdout, capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    return server.url(name)


def session_database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        skip_or_fail("the fault tests need PostgreSQL: set DATABASE_URL")
    return f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"


# --- The production processes ---------------------------------------------------------------------
def production_env(tmp_path, static_root, **overrides) -> dict:
    """The smoke test's production environment (tests/test_production.py), as the fault tests
    run it: the test's own secret key (sessions the test stores, signed_in_cookies, are the
    server's too), persistent connections, plain HTTP, their static files and folders, and the
    broker they give for results as well."""
    values = {
        "DJANGO_SECRET_KEY": django_settings.SECRET_KEY,
        "CONN_MAX_AGE": "60",
        "DJANGO_SECURE_SSL_REDIRECT": "False",
        "DJANGO_STATIC_ROOT": str(static_root),
        "ACOMPANA_PRIVATE_ROOT": str(tmp_path / "private"),
        "ACOMPANA_H5P_ROOT": str(tmp_path / "h5p"),
        "WEB_CONCURRENCY": "2",
    }
    if "CELERY_BROKER_URL" in overrides:
        values["CELERY_RESULT_BACKEND"] = overrides["CELERY_BROKER_URL"]
    values.update(overrides)
    return smoke_production_env(tmp_path, **values)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """The collected static files production's WhiteNoise needs, once for the session."""
    root = tmp_path_factory.mktemp("static")
    env = production_env(
        root, root, DATABASE_URL="postgres://nobody@127.0.0.1:1/none",
        CELERY_BROKER_URL="redis://127.0.0.1:1/0", REDIS_CACHE_URL="redis://127.0.0.1:1/1",
    )  # fmt: skip
    result = subprocess.run(
        [PYTHON, MANAGE, "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return root


def start_web(processes: Processes, env: dict, name="web") -> int:
    """gunicorn with the project's config on a free port; returns the port once it answers."""
    port = free_port()
    process = processes.start(
        name,
        [
            str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
            "training.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--graceful-timeout", "3", "--timeout", "30",
        ],
        env,
    )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/favicon.ico", timeout=60, process=process)
    except (RuntimeError, TimeoutError) as error:
        pytest.fail(f"gunicorn did not start: {error}\n{processes.logs()}")
    return port


def start_worker(processes: Processes, env: dict, name="worker", *, app="training",
                 pool="prefork") -> subprocess.Popen:  # fmt: skip
    return processes.start(
        name,
        [
            str(BIN / "celery"), "-A", app, "worker", "--loglevel=info", "--pool", pool,
            "--concurrency", "1", "-n", f"{name}-{secrets.token_hex(3)}@%h",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ],
        env,
    )  # fmt: skip


def fetch(port, path, *, method="GET", data=None, headers=None, cookies=None, timeout=15):
    """One request as the TLS proxy would pass it; returns (status, headers, body text)."""
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.headers, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def signed_in_cookies(user) -> dict:
    """A session for `user` stored the way the site stores them (cached_db: in the database,
    which the server reads when its cache does not have it)."""
    from django.conf import settings  # noqa: PLC0415
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: PLC0415
    from django.contrib.sessions.backends.db import SessionStore  # noqa: PLC0415

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return {settings.SESSION_COOKIE_NAME: session.session_key}


def wait_for(condition, *, timeout, interval=0.3, message="", processes=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"{message or 'condition'} not met in {timeout} s\n"
                f"{processes.logs(60) if processes else ''}")  # fmt: skip


@pytest.fixture
def processes():
    directory = Path(tempfile.mkdtemp(prefix="acompana-faults-"))
    started = Processes(directory)
    try:
        yield started
    finally:
        started.stop_all(grace=5)
        shutil.rmtree(directory, ignore_errors=True)


def kill_group(process: subprocess.Popen):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
