"""gunicorn.conf.py: threaded workers, so that a slow client holds a thread, not a process.

The proxy streams request bodies through as they arrive. With gunicorn's sync worker, an upload
on a slow link held the whole worker process (every other request waited behind it) and was
killed when it took longer than `timeout`. The real gunicorn below, with the production settings,
shows neither happens any more.
"""

import runpy
import socket
import time
import types

import pytest
from gunicorn.config import Config

from tests.servers import Processes, free_port
from tests.test_production import BIN, HOST, ROOT, production_env

CONFIG = ROOT / "gunicorn.conf.py"


def _loaded(monkeypatch, **env):
    """gunicorn.conf.py's values with these environment variables, applied to gunicorn's own
    Config as gunicorn does (a name that is no gunicorn setting fails here)."""
    for name in ("GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    values = runpy.run_path(str(CONFIG))
    config = Config()
    for name, value in values.items():
        if name.startswith("_") or isinstance(value, types.ModuleType):
            continue
        assert name in config.settings, f"{name} is not a gunicorn setting"
        config.set(name, value)
    return config


def test_workers_are_threaded_with_four_threads_by_default(monkeypatch):
    config = _loaded(monkeypatch)
    assert config.worker_class_str == "gthread"
    assert config.threads == 4
    assert config.timeout == 30


def test_threads_and_timeout_come_from_the_environment(monkeypatch):
    config = _loaded(monkeypatch, GUNICORN_THREADS="8", GUNICORN_TIMEOUT="90")
    assert config.worker_class_str == "gthread"
    assert config.threads == 8
    assert config.timeout == 90


@pytest.mark.parametrize("value", ["0", "-2", "four", "1.5"])
def test_a_wrong_number_of_threads_is_refused_by_name(monkeypatch, value):
    with pytest.raises(RuntimeError, match="GUNICORN_THREADS"):
        _loaded(monkeypatch, GUNICORN_THREADS=value)


def test_the_rest_of_the_config_is_kept(monkeypatch):
    config = _loaded(monkeypatch)
    assert config.logger_class.__module__ == "training.logs"
    assert config.accesslog == "-"
    assert "%({x-request-id}o)s" in config.access_log_format
    values = runpy.run_path(str(CONFIG))
    for hook in ("on_starting", "child_exit", "on_exit"):
        assert callable(values[hook]), hook


# --- The real gunicorn: a slow upload ------------------------------------------------------------
def _listening(port) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def _status_line(sock) -> bytes:
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n", 1)[0]


@pytest.mark.integration
def test_a_slow_upload_outlives_the_timeout_and_blocks_nobody(tmp_path):
    """One worker process, two threads, a 2-second timeout. JSON is posted a few bytes at a
    time for three times the timeout; meanwhile another request is answered at once. Its last
    bytes hold a NUL, refused with a 400 (training.inputs) only once Django has read the whole
    body: so the upload was read to its end, by a worker that was never killed.

    The database is never reached (nothing listens on its port), as in test_production.py's log
    test: a plain-HTTP request is redirected to https first, and the NUL is refused before any
    view runs."""
    port, nowhere = free_port(), free_port()
    env = production_env(
        tmp_path,
        DATABASE_URL=f"postgres://acompana:x@127.0.0.1:{nowhere}/acompana",
        GUNICORN_THREADS="2",
        GUNICORN_TIMEOUT="2",
    )
    timeout = 2
    processes = Processes(tmp_path)
    try:
        processes.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"), "--config", str(CONFIG), "training.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", "1", "--graceful-timeout", "3",
            ],
            env,
        )  # fmt: skip
        deadline = time.monotonic() + 40
        while not _listening(port):
            assert processes.started["gunicorn"][0].poll() is None, processes.logs()
            assert time.monotonic() < deadline, f"gunicorn never listened\n{processes.logs()}"
            time.sleep(0.2)

        body = b'{"note": "' + b"x" * 94 + b'\\u0000"}'
        pieces = [body[i : i + 9] for i in range(0, len(body), 9)]  # 13 pieces, about 0.5 s apart
        pause = 3 * timeout / len(pieces)
        with socket.create_connection(("127.0.0.1", port), timeout=20) as slow:
            slow.sendall(
                b"POST /accounts/login/ HTTP/1.1\r\n"
                + f"Host: {HOST}\r\nX-Forwarded-Proto: https\r\n".encode()
                + b"Content-Type: application/json\r\n"
                + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            )
            started = time.monotonic()
            other = None
            for number, piece in enumerate(pieces):
                slow.sendall(piece)
                time.sleep(pause)
                if number == len(pieces) // 2:  # past the timeout already
                    asked = time.monotonic()
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as quick:
                        quick.sendall(
                            f"GET /dashboard/ HTTP/1.1\r\nHost: {HOST}\r\n"
                            "Connection: close\r\n\r\n".encode()
                        )
                        other = (_status_line(quick), time.monotonic() - asked)
            status = _status_line(slow)
            took = time.monotonic() - started
    finally:
        processes.stop_all()
    log = (tmp_path / "gunicorn.log").read_text()

    # Answered while the upload went on (plain HTTP: redirected to https).
    assert other is not None
    assert other[0] == b"HTTP/1.1 301 Moved Permanently", f"{other}\n{log}"
    assert other[1] < 1, f"the other request waited {other[1]:.1f} s\n{log}"
    # The upload, read to its last byte, longer than the timeout.
    assert status == b"HTTP/1.1 400 Bad Request", f"{status!r} after {took:.1f} s\n{log}"
    assert took > 2 * timeout, took
    # One worker all along: never timed out, never replaced.
    assert "WORKER TIMEOUT" not in log, log
    assert log.count("Booting worker") == 1, log
    assert "Using worker: gthread" in log, log
    assert '"POST /accounts/login/ HTTP/1.1" 400' in log, log
