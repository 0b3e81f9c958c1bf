"""Two web nodes, one worker, behind the proxy, on one machine (issue 20).

Every process runs with the production settings and the files in one private S3 bucket: a real
SeaweedFS, a fresh PostgreSQL database (migrated once), Redis databases of this test's own, two
gunicorns ("node 0" and "node 1"), one Celery worker, and the real Caddy from deploy/Caddyfile in
front of both gunicorns. Nothing is shared between the nodes but what production shares: the
database, Redis and the bucket. Proved through real HTTP:

- a session made on one node is valid on the other (and through Caddy, which takes them in
  turn): sessions live in the database (behind the shared cache);
- a certificate's PDF rendered by the worker is downloaded through a web node, byte for byte the
  object in the bucket;
- an H5P package imported by a process of node 0 plays through node 1 and through Caddy on the
  H5P host: the player page and a library file from the bucket, with their caching headers.

The processes are started once for the module (about a minute, mostly migrations).
"""

import contextlib
import http.client
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import brotli
import pytest
import redis
import yaml

from courses.h5p.origin import IMMUTABLE
from tests.conftest import h5p_sample, skip_or_fail
from tests.servers import Processes, S3Server, free_port, seaweedfs
from tests.test_production import (
    BIN,
    MANAGE,
    PYTHON,
    ROOT,
    _docker_compose,
    _fresh_database,
    _reachable,
    manage,
    production_env,
)
from tests.test_proxy import (
    CADDYFILE,
    CLIENT,
    H5P,
    PLATFORM,
    _request,
    _wait,
    _wait_listening,
    caddy_binary,
    caddy_env,
)

pytestmark = pytest.mark.integration

# Redis databases nothing else uses (12, 13: the smoke test; 14: the test settings; 5: the
# cache tests; 3, 4, 11, 13: the benchmarks; 9, 10: the load test). Emptied before and after.
REDIS_URL = "redis://127.0.0.1:6379"
BROKER, CACHE = f"{REDIS_URL}/6", f"{REDIS_URL}/7"

EMAIL, PASSWORD = "rosa.multinode@example.org", secrets.token_urlsafe(16)
NAME = "Rosa Multinode"

# Run by `manage.py shell` with the nodes' environment: a learner who can sign in, and a
# certificate issued to her. Its PDF is queued (the outbox, then the broker) for the worker.
SETUP = """
import json
from allauth.account.models import EmailAddress
from certificates import services
from certificates.models import Track
from training.models import User

learner = User.objects.create_user(email=EMAIL, password=PASSWORD, display_name=NAME)
EmailAddress.objects.create(user=learner, email=EMAIL, verified=True, primary=True)
track = Track.objects.create(slug="multinode", title="Listening skills",
                             approval=Track.Approval.AUTOMATIC)
certificate, _created = services.certificate_issue(user=learner, track=track, period=1)
print("RESULT " + json.dumps({"code": certificate.code}))
"""

# After the import: its libraries approved (nothing plays before) and an editor's preview
# launch, as the module page would make it.
H5P_SETUP = """
import json
from courses.h5p.xapi import player_launch
from courses.models import H5PActivity, H5PLibrary
from training.models import User

activity = H5PActivity.objects.get()
activity.libraries.update(status=H5PLibrary.Status.APPROVED)
editor = User.objects.create_superuser(email="editor.multinode@example.org",
                                       password=None, display_name="Editor")
main = activity.libraries.get(machine_name=activity.main_library.split()[0])
print("RESULT " + json.dumps({
    "uuid": str(activity.uuid),
    "status": activity.status,
    "launch": player_launch(user=editor, module_id=1, activity_uuid=activity.uuid, preview=True),
    "folder": main.folder,
    "scripts": [entry["path"] for entry in main.metadata.get("preloadedJs", [])],
}))
"""


@dataclass
class Cluster:
    https_port: int
    nodes: list[int]
    s3: S3Server
    processes: Processes
    directory: Path
    env: dict
    certificate: str
    h5p: dict

    def get(self, via, path, *, host=PLATFORM, headers=None):
        return self.request(via, "GET", path, host=host, headers=headers)

    def request(self, via, method, path, *, host=PLATFORM, headers=None, body=None):
        """`via` "caddy" (HTTPS, from CLIENT) or a node's number: plain HTTP to that gunicorn
        with what Caddy would add (the same Host, X-Forwarded-For/-Proto)."""
        if via == "caddy":
            status, response_headers, content = _request(
                self.https_port, method, path, host=host, headers=headers, body=body
            )
            assert status is not None, content
            return status, response_headers, content
        connection = http.client.HTTPConnection("127.0.0.1", self.nodes[via], timeout=30)
        try:
            connection.request(method, path, body=body, headers={
                "Host": f"{host}:{self.https_port}", "X-Forwarded-Proto": "https",
                "X-Forwarded-For": CLIENT, **(headers or {}),
            })  # fmt: skip
            response = connection.getresponse()
            return response.status, response.headers, response.read()
        finally:
            connection.close()

    def stored(self, key: str) -> bytes:
        return self.s3.client().get_object(Bucket=self.s3.bucket, Key=key)["Body"].read()

    def keys(self, prefix: str) -> list[str]:
        listed = self.s3.client().list_objects_v2(Bucket=self.s3.bucket, Prefix=prefix)
        return [entry["Key"] for entry in listed.get("Contents", [])]


def _flush_redis():
    for url in (BROKER, CACHE):
        with redis.Redis.from_url(url) as client:
            client.flushdb()


def _shell(env, script, **values):
    """Run `script` with `values` defined, in `manage.py shell`; what it printed after RESULT."""
    prelude = "".join(f"{name} = {value!r}\n" for name, value in values.items())
    result = manage(env, "shell", "-c", prelude + script, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(r"^RESULT (.*)$", result.stdout, re.M)
    assert found, result.stdout + result.stderr
    return json.loads(found.group(1))


def _start_node(processes, index, port, env):
    processes.start(
        f"node{index}",
        [
            str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
            "training.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--graceful-timeout", "3",
        ],
        env,
    )  # fmt: skip


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not _reachable("127.0.0.1", 5432):
        skip_or_fail("PostgreSQL does not answer on 127.0.0.1:5432")
    if not _reachable("127.0.0.1", 6379):
        skip_or_fail("Redis does not answer on 127.0.0.1:6379")
    caddy = caddy_binary()
    package = h5p_sample("truefalse.h5p")
    directory = tmp_path_factory.mktemp("multinode")
    with seaweedfs(directory / "seaweedfs") as s3, _fresh_database() as database_url:
        _flush_redis()
        https_port, http_port = free_port(), free_port()
        nodes = [free_port(), free_port()]
        env = production_env(
            directory,
            DATABASE_URL=database_url,
            CELERY_BROKER_URL=BROKER,
            CELERY_RESULT_BACKEND=BROKER,
            REDIS_CACHE_URL=CACHE,
            DJANGO_ALLOWED_HOSTS=PLATFORM,
            DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{PLATFORM}:{https_port}",
            WAGTAILADMIN_BASE_URL=f"https://{PLATFORM}:{https_port}",
            H5P_ORIGIN=f"https://{H5P}:{https_port}",
            DJANGO_STATIC_ROOT=str(directory / "files" / "static"),
            ACOMPANA_STORAGE="s3",
            ACOMPANA_S3_ENDPOINT_URL=s3.endpoint_url,
            ACOMPANA_S3_BUCKET=s3.bucket,
            ACOMPANA_S3_ACCESS_KEY_ID=s3.access_key,
            ACOMPANA_S3_SECRET_ACCESS_KEY=s3.secret_key,
            ACOMPANA_S3_REGION="us-east-1",
            # Never written: every file is in the bucket (checked at the end).
            DJANGO_MEDIA_ROOT=str(directory / "local" / "media"),
            ACOMPANA_PRIVATE_ROOT=str(directory / "local" / "private"),
            ACOMPANA_H5P_ROOT=str(directory / "local" / "h5p"),
        )
        # The long-running processes (the helpers of tests/test_proxy.py check that every one
        # still runs) and, apart, those that run once.
        processes, once = Processes(directory), Processes(directory)
        try:
            # As the compose file's migrate service: once, before the nodes and the worker.
            once.start("migrate", [PYTHON, MANAGE, "migrate", "--no-input", "-v1"], env)
            once.start("collectstatic", [PYTHON, MANAGE, "collectstatic", "--noinput"], env)
            assert once.wait("collectstatic", timeout=60) == 0, once.logs()
            assert once.wait("migrate", timeout=90) == 0, once.logs()
            for index, port in enumerate(nodes):
                _start_node(processes, index, port, env)
            processes.start(
                "worker",
                [
                    str(BIN / "celery"), "-A", "training", "worker", "--loglevel=info",
                    "-n", f"multinode-{secrets.token_hex(4)}@%h", "--pool", "solo",
                    "--concurrency", "1", "--without-gossip", "--without-mingle",
                    "--without-heartbeat",
                ],
                env,
            )  # fmt: skip
            # Meanwhile: the data, written by processes of the nodes' own environment.
            certificate = _shell(env, SETUP, EMAIL=EMAIL, PASSWORD=PASSWORD, NAME=NAME)["code"]
            imported = manage(env, "import_h5p", str(package), timeout=120)
            assert imported.returncode == 0, imported.stdout + imported.stderr
            h5p = _shell(env, H5P_SETUP)
            for port in nodes:  # before Caddy: a refused connection takes a node out
                _wait_listening(port, processes)
            processes.start(
                "caddy",
                [caddy, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
                caddy_env(
                    directory,
                    ACOMPANA_SITE_ADDRESS=PLATFORM,
                    H5P_SITE_ADDRESS=H5P,
                    ACOMPANA_UPSTREAMS_MODE="list",
                    ACOMPANA_UPSTREAMS=" ".join(f"127.0.0.1:{port}" for port in nodes),
                    ACOMPANA_PROXY_FILES=str(directory / "files"),
                    CADDY_HTTPS_PORT=str(https_port),
                    CADDY_HTTP_PORT=str(http_port),
                    CADDY_ADMIN="off",
                ),
            )
            _wait(https_port, processes)
            yield Cluster(https_port, nodes, s3, processes, directory, env, certificate, h5p)
        finally:
            processes.stop_all()
            once.stop_all()
            with contextlib.suppress(redis.RedisError):
                _flush_redis()
    assert not (directory / "local").exists(), "a file was written outside the bucket"


def _cookies(headers) -> dict:
    found = {}
    for cookie in headers.get_all("Set-Cookie") or []:
        name, _sep, rest = cookie.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def _cookie_header(cookies: dict) -> dict:
    return {"Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items())}


def _sign_in(cluster, via) -> dict:
    """The learner signs in with her password through `via`: the cookies she then holds."""
    status, headers, body = cluster.get(via, "/accounts/login/")
    assert status == 200, (status, body[:500], cluster.processes.logs())
    cookies = _cookies(headers)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = urlencode({"csrfmiddlewaretoken": token, "login": EMAIL, "password": PASSWORD})
    status, headers, body = cluster.request(via, "POST", "/accounts/login/", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": f"https://{PLATFORM}:{cluster.https_port}",
        "Referer": f"https://{PLATFORM}:{cluster.https_port}/accounts/login/",
        **_cookie_header(cookies),
    })  # fmt: skip
    assert status == 302, (status, body[:2000], cluster.processes.logs())
    assert headers["Location"].endswith("/dashboard/"), headers["Location"]
    cookies.update(_cookies(headers))
    assert "acompana_session" in cookies, headers.get_all("Set-Cookie")
    return cookies


def _dashboard(cluster, via, cookies):
    return cluster.get(via, "/dashboard/", headers=_cookie_header(cookies))


def test_a_session_made_on_one_node_is_valid_on_the_other(cluster):
    status, headers, _body = cluster.get(1, "/dashboard/")
    assert status == 302 and "/accounts/login/" in headers["Location"]  # not signed in

    cookies = _sign_in(cluster, 0)
    for via in (1, 0, "caddy", "caddy", "caddy", "caddy"):  # Caddy: each node twice
        status, _headers, body = _dashboard(cluster, via, cookies)
        assert status == 200, (via, status, body[:500])
        assert NAME.encode() in body, via

    # And the other way round: signed in through Caddy (either node), then at each node.
    cookies = _sign_in(cluster, "caddy")
    for via in (0, 1):
        status, _headers, body = _dashboard(cluster, via, cookies)
        assert status == 200 and NAME.encode() in body, (via, status)

    # Signing out on node 1 ends the session everywhere.
    status, _headers, body = cluster.get(0, "/accounts/logout/", headers=_cookie_header(cookies))
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    status, _headers, _body = cluster.request(
        1, "POST", "/accounts/logout/", body=urlencode({"csrfmiddlewaretoken": token}),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Origin": f"https://{PLATFORM}:{cluster.https_port}",
                 **_cookie_header(cookies)},
    )  # fmt: skip
    assert status == 302, status
    for via in (0, "caddy"):
        status, _headers, _body = _dashboard(cluster, via, cookies)
        assert status == 302, (via, status)


def test_a_pdf_rendered_by_the_worker_is_downloaded_through_the_web_nodes(cluster):
    cookies = _sign_in(cluster, 0)
    path = f"/certification/certificates/{cluster.certificate}/pdf/"
    deadline = time.monotonic() + 90
    while True:  # 404 while the worker prepares it
        status, headers, body = cluster.get(1, path, headers=_cookie_header(cookies))
        if status == 200 or time.monotonic() > deadline:
            break
        assert status == 404, (status, body[:500])
        time.sleep(0.5)
    assert status == 200, f"no PDF after 90 s\n{cluster.processes.logs()}"
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Cache-Control"] == "private, no-store"
    assert body.startswith(b"%PDF")

    # The worker made it (no web node renders: production never runs tasks in-process) ...
    worker_log = (cluster.directory / "worker.log").read_text()
    assert re.search(r"certificates\.tasks\.render_certificate\[[^\]]+\] succeeded", worker_log), (
        worker_log[-3000:]
    )
    for index in range(len(cluster.nodes)):
        assert "render_certificate" not in (cluster.directory / f"node{index}.log").read_text()
    # ... into the bucket, which is what both nodes and Caddy hand out.
    keys = cluster.keys("private/certificates/")
    assert len(keys) == 1 and cluster.certificate in keys[0], keys
    stored = cluster.stored(keys[0])
    assert body == stored
    for via in (0, "caddy", "caddy"):
        status, _headers, again = cluster.get(via, path, headers=_cookie_header(cookies))
        assert status == 200 and again == stored, (via, status)


def test_an_h5p_package_imported_on_one_node_plays_through_the_other(cluster):
    h5p = cluster.h5p
    assert h5p["status"] == "ready", h5p
    assert cluster.keys(f"h5p/content/{h5p['uuid']}/"), "the content is not in the bucket"
    play = f"/h5p/play/{h5p['uuid']}/{h5p['launch']}/"
    libraries = f"/h5p/libraries/{h5p['folder']}/"
    script = next(
        path for path in h5p["scripts"] if cluster.keys(f"h5p/libraries/{h5p['folder']}/{path}.br")
    )
    plain = cluster.stored(f"h5p/libraries/{h5p['folder']}/{script}")

    for via in (1, "caddy", "caddy"):
        status, headers, page = cluster.get(via, play, host=H5P)
        assert status == 200, (via, status, page[:500], cluster.processes.logs())
        assert headers["Cache-Control"] == "no-store"
        assert (libraries + script).encode() in page  # preloaded, from the manifest

        status, headers, body = cluster.get(
            via, libraries + script, host=H5P, headers={"Accept-Encoding": "br"}
        )
        assert status == 200, (via, status, body[:300])
        assert headers["Cache-Control"] == IMMUTABLE
        assert headers["Content-Encoding"] == "br"
        assert headers["Cross-Origin-Resource-Policy"] == "same-origin"
        assert brotli.decompress(body) == plain
        status, headers, body = cluster.get(via, libraries + script, host=H5P)
        assert status == 200 and body == plain and "Content-Encoding" not in headers, via
        etag = headers["ETag"]
        status, _headers, _body = cluster.get(
            via, libraries + script, host=H5P, headers={"If-None-Match": etag}
        )
        assert status == 304, (via, status)

    # The platform's host has no /h5p/: the package's files never come from there.
    status, _headers, _body = cluster.get("caddy", libraries + script)
    assert status == 404


# --- The compose file scales the web service -----------------------------------------------------
def test_the_compose_file_lets_web_and_workers_scale():
    """`docker-compose up --scale web=3`: nothing fixes a container's name or a host port, and
    the proxy finds every web container by the service's name and port (deploy/Caddyfile)."""
    result = _docker_compose("config", env_file=ROOT / ".env.example")
    assert result.returncode == 0, result.stdout + result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    for name in ("web", "worker"):
        assert "container_name" not in services[name], name
        assert "ports" not in services[name], name
    assert [str(port) for port in services["web"]["expose"]] == ["8000"]
    assert services["proxy"]["environment"]["ACOMPANA_UPSTREAMS_MODE"] == "dns"
    caddyfile = CADDYFILE.read_text()
    assert re.search(r"^\(upstreams-dns\) \{\n\tdynamic a web 8000 \{", caddyfile, re.M)
    assert "import upstreams-{$ACOMPANA_UPSTREAMS_MODE:dns}" in caddyfile
