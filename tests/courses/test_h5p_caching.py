"""The H5P origin serves light and cacheable: exact, shared library URLs (immutable), content at a
signed per-person URL kept by the browser, the player page never cached, compressed copies made
at extraction and picked by Accept-Encoding, validators answering 304. Packages built here."""

import gzip
import hashlib
import json
import re
from pathlib import Path

import brotli
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from courses.h5p import origin, store
from courses.h5p.compression import accepted_encodings, is_sibling
from courses.h5p.xapi import player_launch
from courses.models import H5PLibrary
from courses.services import h5p_activity_create
from tests.h5p_factory import package

pytestmark = pytest.mark.django_db
H5P_HOST = "h5p.testserver"
BIG_JS = b"H5P.Test.words = [" + b",".join(b'"word %d"' % i for i in range(3000)) + b"];\n"
BIG_JSON = json.dumps({"items": [{"text": f"item {i}", "done": False} for i in range(800)]})
IMMUTABLE = "public, max-age=31536000, immutable"


def _package() -> bytes:
    return package([("H5P.Test-1.0/big.js", BIG_JS), ("content/big.json", BIG_JSON.encode())])


def make_activity(*, approve=True, title="Una prueba", data=None):
    created = h5p_activity_create(
        package=ContentFile(data or _package(), name="test.h5p"), title=title, language="es"
    )
    activity = store.activity_extract(activity_id=created.pk)
    assert activity.status == "ready", activity.errors
    if approve:
        activity.libraries.update(status=H5PLibrary.Status.APPROVED)
    return activity


@pytest.fixture
def activity():
    return make_activity()


@pytest.fixture
def library(activity):
    return activity.libraries.get()


def _get(client, path, **extra):
    return client.get(path, HTTP_HOST=H5P_HOST, **extra)


def _body(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def _player(client, activity, user):
    launch = player_launch(user=user, module_id=1, activity_uuid=activity.uuid, preview=True)
    return _get(client, f"/h5p/play/{activity.uuid}/{launch}/")


def _manifest(html: str) -> dict:
    found = re.search(r'<script id="h5p-manifest" type="application/json">(.*?)</script>', html)
    assert found, html
    return json.loads(found[1])


# --- The player page ---------------------------------------------------------------------------
def test_the_player_page_is_never_cached_and_names_its_language_and_title(
    client, activity, administrator
):
    response = _player(client, activity, administrator)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "<title>Una prueba</title>" in html
    assert 'id="h5p-container" lang="es"' in html
    version = json.loads((Path(origin.settings.H5P_PLAYER_DIR).parent / "package.json").read_text())
    assert f'src="/h5p/player/{version["version"]}/main.bundle.js"' in html
    digest = hashlib.sha256(origin.RELAY.read_bytes()).hexdigest()[:12]
    assert f'src="/h5p/player-relay.{digest}.js"' in html
    token = origin.content_token(activity.uuid, administrator.pk)
    assert f'data-content="/h5p/content/{activity.uuid}/{token}"' in html


def test_the_player_page_is_compressed_when_the_browser_accepts_it(client, activity, administrator):
    launch = player_launch(user=administrator, module_id=1, activity_uuid=activity.uuid,
                           preview=True)  # fmt: skip
    response = _get(client, f"/h5p/play/{activity.uuid}/{launch}/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"h5p-manifest" in gzip.decompress(response.content)


def test_the_manifest_names_the_exact_stored_folders(client, activity, library, administrator):
    manifest = _manifest(_player(client, activity, administrator).content.decode())
    assert library.folder_name == f"H5P.Test-1.0.2-{library.files_hash[:16]}"
    (reference,) = manifest["h5p"]["preloadedDependencies"]
    # What h5p-standalone builds: "<machineName>-<majorVersion>.<minorVersion>".
    built = f"{reference['machineName']}-{reference['majorVersion']}.{reference['minorVersion']}"
    assert built == library.folder_name
    assert manifest["h5p"]["title"] == "Una prueba"
    assert manifest["h5p"]["mainLibrary"] == "H5P.Test"
    described = manifest["libraries"][library.folder_name]
    # The library's own version stays: the player names the main library by it ("H5P.Test 1.0").
    assert (described["majorVersion"], described["minorVersion"]) == (1, 0)
    assert described["preloadedJs"] == [{"path": "test.js"}]
    assert manifest["directories"] == {"H5P.Test-1.0": library.folder_name}


def test_dependencies_between_libraries_are_rewritten_too(client, administrator):
    from tests.h5p_factory import H5P_JSON, LIBRARY

    helper = {"title": "Helper", "machineName": "H5P.Helper", "majorVersion": 2,
              "minorVersion": 3, "patchVersion": 4, "runnable": 0,
              "preloadedJs": [{"path": "helper.js"}]}  # fmt: skip
    main = {**LIBRARY, "preloadedDependencies": [
        {"machineName": "H5P.Helper", "majorVersion": 2, "minorVersion": 3}]}  # fmt: skip
    data = package(
        [("H5P.Helper-2.3/library.json", json.dumps(helper).encode()),
         ("H5P.Helper-2.3/helper.js", b"H5P.Helper = {};")],
        library=main, h5p=H5P_JSON,
    )  # fmt: skip
    activity = make_activity(data=data)
    manifest = _manifest(_player(client, activity, administrator).content.decode())
    stored = H5PLibrary.objects.get(machine_name="H5P.Helper")
    main_folder = H5PLibrary.objects.get(machine_name="H5P.Test").folder_name
    (reference,) = manifest["libraries"][main_folder]["preloadedDependencies"]
    assert f"H5P.Helper-{reference['majorVersion']}.{reference['minorVersion']}" == (
        stored.folder_name
    )
    assert stored.folder_name in manifest["libraries"]


def test_two_activities_sharing_a_library_get_the_same_urls(client, administrator):
    first, second = make_activity(title="One"), make_activity(title="Two")
    assert H5PLibrary.objects.count() == 1
    one = _manifest(_player(client, first, administrator).content.decode())
    two = _manifest(_player(client, second, administrator).content.decode())
    assert one["libraries"] == two["libraries"]
    assert one["h5p"]["preloadedDependencies"] == two["h5p"]["preloadedDependencies"]


# --- Library files -----------------------------------------------------------------------------
def test_library_files_at_their_exact_folder_are_immutable_with_validators(client, library):
    url = f"/h5p/libraries/{library.folder_name}/library.json"
    response = _get(client, url)
    assert response.status_code == 200
    assert response["Cache-Control"] == IMMUTABLE
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert "Accept-Encoding" in response["Vary"]
    assert response["Content-Type"] == "application/json"
    assert "Set-Cookie" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]

    again = _get(client, url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == IMMUTABLE and again["ETag"] == response["ETag"]
    assert not again.content
    since = _get(client, url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304
    assert _get(client, url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


@pytest.mark.parametrize(
    "accept, encoding",
    [
        ("gzip, deflate, br, zstd", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=1.0, br;q=0.5", "gzip"),
        ("identity", None),
        ("", None),
        ("*", "br"),
    ],
)
def test_compressed_copies_are_served_by_accept_encoding(client, library, accept, encoding):
    url = f"/h5p/libraries/{library.folder_name}/big.js"
    response = _get(client, url, HTTP_ACCEPT_ENCODING=accept)
    assert response.status_code == 200
    assert response.get("Content-Encoding") == encoding
    assert response["Content-Type"] in ("text/javascript", "application/javascript")
    assert "Accept-Encoding" in response["Vary"]
    body = _body(response)
    decoded = {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding](body)
    assert decoded == BIG_JS
    if encoding:
        assert len(body) < len(BIG_JS) / 2
        assert response["ETag"].endswith(f'-{encoding}"')


def test_each_encoding_has_its_own_etag(client, library):
    url = f"/h5p/libraries/{library.folder_name}/big.js"
    plain = _get(client, url)["ETag"]
    brotli_tag = _get(client, url, HTTP_ACCEPT_ENCODING="br")["ETag"]
    assert plain != brotli_tag
    # A brotli ETag does not validate the plain file, and the other way round.
    assert _get(client, url, HTTP_IF_NONE_MATCH=brotli_tag).status_code == 200
    assert (
        _get(client, url, HTTP_IF_NONE_MATCH=brotli_tag, HTTP_ACCEPT_ENCODING="br").status_code
        == 304
    )


def test_siblings_exist_on_disk_but_are_never_served_by_name(client, activity, library,
                                                             administrator, settings):  # fmt: skip
    folder = Path(settings.ACOMPANA_H5P_ROOT) / "libraries" / library.folder_name
    assert (folder / "big.js.br").is_file() and (folder / "big.js.gz").is_file()
    # Too small to be worth it: no sibling.
    assert not (folder / "test.js.br").exists()
    content_folder = Path(settings.ACOMPANA_H5P_ROOT) / "content" / str(activity.uuid)
    assert (content_folder / "big.json.br").is_file()
    token = origin.content_token(activity.uuid, administrator.pk)
    for url in (
        f"/h5p/libraries/{library.folder_name}/big.js.br",
        f"/h5p/libraries/{library.folder_name}/big.js.gz",
        "/h5p/libraries/H5P.Test-1.0/big.js.br",
        f"/h5p/content/{activity.uuid}/{token}/big.json.gz",
        f"/h5p/play/{activity.uuid}/libraries/H5P.Test-1.0/big.js.br",
    ):
        assert _get(client, url, HTTP_ACCEPT_ENCODING="br").status_code == 404, url
    # The library's record of its files is the package's, without the siblings.
    assert not any(is_sibling(file["path"]) for file in library.files)
    assert {file["path"] for file in library.files} == {"library.json", "test.js", "big.js"}


def test_the_review_and_the_sweep_ignore_siblings(library, settings):
    from courses.h5p.review import library_files

    library.files = []  # a version stored before files were recorded: read from the store
    assert {file["path"] for file in library_files(library)} == {
        "library.json", "test.js", "big.js"}  # fmt: skip
    from datetime import timedelta

    assert store.store_sweep(older_than=timedelta(0)) == []
    folder = Path(settings.ACOMPANA_H5P_ROOT) / "libraries" / library.folder_name
    assert (folder / "big.js.br").is_file()


def test_a_library_not_approved_is_not_served_at_any_url(client, settings):
    activity = make_activity(approve=False)
    library = activity.libraries.get()
    for url in (
        f"/h5p/libraries/{library.folder_name}/library.json",
        "/h5p/libraries/H5P.Test-1.0/library.json",
        f"/h5p/play/{activity.uuid}/libraries/H5P.Test-1.0/library.json",
    ):
        assert _get(client, url).status_code == 404, url
    library.status = H5PLibrary.Status.APPROVED
    library.save()
    assert _get(client, f"/h5p/libraries/{library.folder_name}/library.json").status_code == 200
    library.status = H5PLibrary.Status.REJECTED
    library.save()
    assert _get(client, f"/h5p/libraries/{library.folder_name}/library.json").status_code == 404


@pytest.mark.parametrize(
    "folder",
    [
        "H5P.Test-1.0.2-0000000000000000",  # a hash that is not the stored one
        "H5P.Test-1.0.2",  # the version without its hash: only for folders stored without one
        "H5P.Test-1.1",
        "H5P.Test",
        "..",
        "H5P.Test-1.0.2-{hash}/..",
    ],
)
def test_other_folders_are_not_served(client, library, folder):
    folder = folder.format(hash=library.files_hash[:16])
    assert _get(client, f"/h5p/libraries/{folder}/library.json").status_code == 404


@pytest.mark.parametrize(
    "relative",
    ["../../content/x/content.json", "%2e%2e/%2e%2e/settings.py", "..%2f..%2flibrary.json",
     "a%00b.js"],
)  # fmt: skip
def test_paths_outside_a_library_are_not_served(client, library, relative):
    client.raise_request_exception = False
    assert _get(client, f"/h5p/libraries/{library.folder_name}/{relative}").status_code == 404


def test_the_major_minor_url_is_the_highest_approved_patch_for_an_hour(client, library):
    response = _get(client, "/h5p/libraries/H5P.Test-1.0/big.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["ETag"] and response["Last-Modified"]
    assert gzip.decompress(_body(response)) == BIG_JS


# --- Content -----------------------------------------------------------------------------------
def test_content_at_its_token_url_is_private_and_immutable(client, activity, administrator):
    token = origin.content_token(activity.uuid, administrator.pk)
    assert token == origin.content_token(activity.uuid, administrator.pk)  # same all period
    url = f"/h5p/content/{activity.uuid}/{token}/content.json"
    response = _get(client, url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert json.loads(_body(response)) == {"question": "<p>Is this fine?</p>"}
    assert _get(client, url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    big = _get(client, f"/h5p/content/{activity.uuid}/{token}/big.json", HTTP_ACCEPT_ENCODING="br")
    assert big["Content-Encoding"] == "br"
    assert brotli.decompress(_body(big)).decode() == BIG_JSON


def test_a_content_token_serves_only_its_activity_person_and_period(
    client, activity, administrator, volunteer
):
    other = make_activity(title="Other")
    period = origin.content_period()
    good = origin.content_token(activity.uuid, administrator.pk)
    user, _, signature = good.split("-", 2)

    def status(activity_uuid, token):
        return _get(client, f"/h5p/content/{activity_uuid}/{token}/content.json").status_code

    assert status(activity.uuid, good) == 200
    assert status(other.uuid, good) == 404  # another activity
    assert status(activity.uuid, f"{volunteer.pk}-{period}-{signature}") == 404  # another person
    assert status(activity.uuid, f"{user}-{period + 1}-{signature}") == 404  # another period
    assert status(activity.uuid, good[:-2] + "xx") == 404  # forged
    previous = origin.content_token(activity.uuid, administrator.pk, period - 1)
    assert status(activity.uuid, previous) == 200  # opened just before the period ended
    expired = origin.content_token(activity.uuid, administrator.pk, period - 2)
    assert status(activity.uuid, expired) == 404
    assert status(activity.uuid, "nonsense") == 404
    # A person no longer active gets nothing, nor an activity that no longer plays.
    administrator.is_active = False
    administrator.save()
    assert status(activity.uuid, good) == 404
    assert status(other.uuid, origin.content_token(other.uuid, volunteer.pk)) == 200
    other.libraries.update(status=H5PLibrary.Status.REJECTED)
    assert status(other.uuid, origin.content_token(other.uuid, volunteer.pk)) == 404


# --- Player and relay --------------------------------------------------------------------------
def test_the_player_and_relay_have_versioned_immutable_urls(client, settings):
    if not (Path(settings.H5P_PLAYER_DIR) / "main.bundle.js").exists():
        pytest.fail("h5p-standalone is not installed: run `make` (npm ci)")
    version = origin.player_version()
    response = _get(client, f"/h5p/player/{version}/main.bundle.js", HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200
    assert response["Cache-Control"] == IMMUTABLE
    assert response["Content-Encoding"] == "br"
    original = (Path(settings.H5P_PLAYER_DIR) / "main.bundle.js").read_bytes()
    assert brotli.decompress(response.content) == original
    assert _get(client, "/h5p/player/0.0.1/main.bundle.js").status_code == 404
    # The unversioned URLs of older tabs: a few minutes.
    assert _get(client, "/h5p/player/main.bundle.js")["Cache-Control"] == "public, max-age=300"
    digest = origin.relay_digest()
    relay = _get(client, f"/h5p/player-relay.{digest}.js", HTTP_ACCEPT_ENCODING="gzip")
    assert relay["Cache-Control"] == IMMUTABLE
    assert gzip.decompress(relay.content) == origin.RELAY.read_bytes()
    assert _get(client, "/h5p/player-relay.000000000000.js").status_code == 404
    assert _get(client, "/h5p/player-relay.js").status_code == 200


# --- Compression -------------------------------------------------------------------------------
def test_precompressing_an_existing_store_is_idempotent(library, activity, settings, capsys):
    root = Path(settings.ACOMPANA_H5P_ROOT)
    siblings = sorted(p for p in root.rglob("*") if is_sibling(p.name))
    assert siblings
    for sibling in siblings:
        sibling.unlink()
    call_command("h5p_precompress")
    originals = {sibling.with_suffix("") for sibling in siblings}  # big.js, big.json, …
    assert {root / "libraries" / library.folder_name / "big.js",
            root / "content" / str(activity.uuid) / "big.json"} <= originals  # fmt: skip
    assert f"{len(originals)} files compressed." in capsys.readouterr().out
    assert sorted(p for p in root.rglob("*") if is_sibling(p.name)) == siblings
    before = {p: p.stat().st_mtime_ns for p in siblings}
    call_command("h5p_precompress")
    assert "0 files compressed." in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in siblings} == before
    big = root / "libraries" / library.folder_name / "big.js"
    assert brotli.decompress((big.parent / "big.js.br").read_bytes()) == big.read_bytes()
    assert gzip.decompress((big.parent / "big.js.gz").read_bytes()) == big.read_bytes()


@pytest.mark.parametrize(
    "header, expected",
    [
        ("gzip, deflate, br", ["br", "gzip"]),
        ("br;q=0.5, gzip", ["gzip", "br"]),
        ("BR;Q=0", []),
        ("x-gzip", ["gzip"]),
        ("*;q=0.1, gzip;q=0", ["br"]),
        ("deflate", []),
        ("gzip;q=nonsense", []),
    ],
)
def test_accept_encoding_is_read_with_its_q_values(header, expected):
    assert accepted_encodings(header) == expected
