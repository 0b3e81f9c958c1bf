"""The H5P origin serves light and cacheable: exact, shared library URLs (immutable), content at a
signed per-person URL kept by the browser, the player page never cached, compressed copies made
at extraction and picked by Accept-Encoding, validators answering 304. Packages built here."""

import gzip
import hashlib
import json
import os
import re
import threading
from datetime import timedelta
from pathlib import Path

import brotli
import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from courses.h5p import compression, origin, store
from courses.h5p.compression import accepted_encodings, is_sibling
from courses.h5p.review import library_files
from courses.h5p.services import h5p_activity_create
from courses.h5p.xapi import player_launch
from courses.models import H5PLibrary
from tests.h5p_factory import H5P_JSON, LIBRARY, package
from tests.helpers import h5p_get

pytestmark = pytest.mark.django_db
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


def _body(response) -> bytes:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content)
    return response.content


def _player(client, activity, user):
    launch = player_launch(user=user, module_id=1, activity_uuid=activity.uuid, preview=True)
    return h5p_get(client, f"/h5p/play/{activity.uuid}/{launch}/")


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
    assert '<html lang="es" dir="ltr">' in html
    assert "<title>Una prueba</title>" in html
    assert 'id="h5p-container" lang="es"' in html
    version = json.loads((Path(origin.settings.H5P_PLAYER_DIR).parent / "package.json").read_text())
    assert f'src="/h5p/player/{version["version"]}/main.bundle.js"' in html
    digest = hashlib.sha256(origin.RELAY.read_bytes()).hexdigest()[:12]
    assert f'src="/h5p/player-relay.{digest}.js"' in html
    token = origin.content_token(activity.uuid, administrator.pk)
    assert f'data-content="/h5p/content/{activity.uuid}/{token}"' in html
    # An activity in Arabic: its page reads right to left.
    activity.language = "ar"
    activity.save(update_fields=["language"])
    html = _player(client, activity, administrator).content.decode()
    assert '<html lang="ar" dir="rtl">' in html


def test_the_player_page_is_compressed_when_the_browser_accepts_it(client, activity, administrator):
    launch = player_launch(user=administrator, module_id=1, activity_uuid=activity.uuid,
                           preview=True)  # fmt: skip
    response = h5p_get(client, f"/h5p/play/{activity.uuid}/{launch}/", HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"h5p-manifest" in gzip.decompress(response.content)


@pytest.mark.parametrize("accept", ["gzip;q=0", "gzip;q=0, br", "br", "identity"])
def test_the_player_page_is_not_compressed_when_gzip_is_refused(
    client, activity, administrator, accept
):
    """Django's GZipMiddleware looks only for the word "gzip"; `gzip;q=0` refuses it."""
    launch = player_launch(user=administrator, module_id=1, activity_uuid=activity.uuid,
                           preview=True)  # fmt: skip
    response = h5p_get(client, f"/h5p/play/{activity.uuid}/{launch}/", HTTP_ACCEPT_ENCODING=accept)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert b"h5p-manifest" in response.content
    assert "Accept-Encoding" in response["Vary"]


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


def _preloads(html: str) -> list[tuple[str, str, bool]]:
    """Each `<link rel="preload">` of the page: (as, href, crossorigin)."""
    found = []
    for tag in re.findall(r'<link rel="preload"[^>]*>', html):
        kind = re.search(r'as="(\w+)"', tag)[1]
        found.append((kind, re.search(r'href="([^"]+)"', tag)[1], " crossorigin" in tag))
    return found


def test_the_player_page_preloads_exactly_what_the_player_will_load(client, administrator):
    """Every script and style sheet of the libraries reachable from h5p.json, at the URL the
    player builds ("<librariesPath>/<machineName>-<major>.<minor>/<path>" with the manifest's
    references), content.json in the mode of the player's fetch (CORS, same-origin
    credentials: `crossorigin`), and frame.bundle.js; nothing of a library the content does not
    use (an editor's), so nothing is preloaded and then left unused or fetched twice."""

    helper = {
        "title": "Helper",
        "machineName": "H5P.Helper",
        "majorVersion": 2,
        "minorVersion": 3,
        "patchVersion": 4,
        "runnable": 0,
        "preloadedJs": [{"path": "helper.js"}],
        "preloadedCss": [{"path": "helper.css"}],
    }
    editor = {
        "title": "Editor",
        "machineName": "H5PEditor.Test",
        "majorVersion": 1,
        "minorVersion": 0,
        "patchVersion": 0,
        "runnable": 0,
        "preloadedJs": [{"path": "editor.js"}],
    }
    main = {**LIBRARY, "preloadedCss": [{"path": "test.css"}], "preloadedDependencies": [
        {"machineName": "H5P.Helper", "majorVersion": 2, "minorVersion": 3}]}  # fmt: skip
    data = package(
        [("H5P.Helper-2.3/library.json", json.dumps(helper).encode()),
         ("H5P.Helper-2.3/helper.js", b"H5P.Helper = {};"),
         ("H5P.Helper-2.3/helper.css", b".h5p-helper { color: red; }"),
         ("H5PEditor.Test-1.0/library.json", json.dumps(editor).encode()),
         ("H5PEditor.Test-1.0/editor.js", b"H5PEditor.Test = {};"),
         ("H5P.Test-1.0/test.css", b".h5p-test { color: blue; }")],
        library=main, h5p=H5P_JSON,
    )  # fmt: skip
    activity = make_activity(data=data)
    response = _player(client, activity, administrator)
    html = response.content.decode()
    manifest = _manifest(html)

    # What h5p-standalone will ask for, computed as it does from the manifest.
    def folder(reference):
        return f"{reference['machineName']}-{reference['majorVersion']}.{reference['minorVersion']}"

    expected = {"script": set(), "style": set()}
    pending = [folder(ref) for ref in manifest["h5p"]["preloadedDependencies"]]
    seen = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        described = manifest["libraries"][name]
        pending += [folder(ref) for ref in described["preloadedDependencies"]]
        for kind, key in (("script", "preloadedJs"), ("style", "preloadedCss")):
            expected[kind] |= {f"/h5p/libraries/{name}/{f['path']}" for f in described[key]}
    assert len(expected["script"]) == 2 and len(expected["style"]) == 2
    assert all("H5PEditor" not in url for urls in expected.values() for url in urls)

    preloads = _preloads(html)
    hrefs = [href for _kind, href, _cors in preloads]
    assert len(hrefs) == len(set(hrefs)), "a URL preloaded twice"
    token = origin.content_token(activity.uuid, administrator.pk)
    content = ("fetch", f"/h5p/content/{activity.uuid}/{token}/content.json", True)
    assert content in preloads
    assert ("script", f"/h5p/player/{origin.player_version()}/frame.bundle.js", False) in preloads
    libraries = [p for p in preloads if p[1].startswith("/h5p/libraries/")]
    assert {href for kind, href, _ in libraries if kind == "script"} == expected["script"]
    assert {href for kind, href, _ in libraries if kind == "style"} == expected["style"]
    assert not any(cors for _kind, _href, cors in libraries)  # like the player's own tags
    for _kind, href, _cors in libraries:  # each is a file the origin serves
        assert h5p_get(client, href).status_code == 200


def test_preloads_skip_libraries_the_content_does_not_reach():
    """A library of the activity that no dependency reaches (an editor's) is not preloaded, nor
    a reference the manifest could not rewrite (the player finds that one at run time)."""

    def library(name, js, dependencies=()):
        return {"machineName": name, "majorVersion": 1, "minorVersion": 0,
                "preloadedJs": [{"path": js}], "preloadedCss": [],
                "preloadedDependencies": list(dependencies)}  # fmt: skip

    def ref(folder):
        name, version = folder.split("-", 1)
        major, minor = version.split(".", 1)
        return {"machineName": name, "majorVersion": major, "minorVersion": minor}

    main, helper, editor = "H5P.Main-1.0.0-aa", "H5P.Helper-1.0.0-bb", "H5PEditor.Main-1.0.0-cc"
    manifest = {
        "h5p": {"preloadedDependencies": [ref(main)]},
        "libraries": {
            main: library("H5P.Main", "main.js", [ref(helper), {"machineName": "H5P.Gone",
                                                               "majorVersion": 1,
                                                               "minorVersion": 2}]),
            helper: library("H5P.Helper", "helper.js", [ref(main)]),  # a cycle is fine
            editor: library("H5PEditor.Main", "editor.js", [ref(main)]),
        },
    }  # fmt: skip
    preloads = origin.player_preloads(manifest, "/h5p/libraries")
    assert sorted(preloads["scripts"]) == [
        f"/h5p/libraries/{helper}/helper.js", f"/h5p/libraries/{main}/main.js"
    ]  # fmt: skip
    assert preloads["styles"] == []


def test_preloads_put_the_largest_files_first(client, administrator):
    helper = {"title": "Helper", "machineName": "H5P.Helper", "majorVersion": 2,
              "minorVersion": 3, "patchVersion": 4, "runnable": 0,
              "preloadedJs": [{"path": "helper.js"}]}  # fmt: skip
    main = {**LIBRARY, "preloadedJs": [{"path": "test.js"}, {"path": "big.js"}],
            "preloadedDependencies": [
                {"machineName": "H5P.Helper", "majorVersion": 2, "minorVersion": 3}]}  # fmt: skip
    data = package(
        [("H5P.Helper-2.3/library.json", json.dumps(helper).encode()),
         ("H5P.Helper-2.3/helper.js", b"H5P.Helper = {};"),
         ("H5P.Test-1.0/big.js", BIG_JS)],
        library=main, h5p=H5P_JSON,
    )  # fmt: skip
    activity = make_activity(data=data)
    html = _player(client, activity, administrator).content.decode()
    scripts = [href for kind, href, _ in _preloads(html)
               if kind == "script" and href.startswith("/h5p/libraries/")]  # fmt: skip
    assert scripts[0].endswith("/big.js") and len(scripts) == 3


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
    response = h5p_get(client, url)
    assert response.status_code == 200
    assert response["Cache-Control"] == IMMUTABLE
    assert response["ETag"].startswith('"') and response["Last-Modified"]
    assert "Accept-Encoding" in response["Vary"]
    assert response["Content-Type"] == "application/json"
    assert "Set-Cookie" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]

    again = h5p_get(client, url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == IMMUTABLE and again["ETag"] == response["ETag"]
    assert not again.content
    since = h5p_get(client, url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert since.status_code == 304
    assert h5p_get(client, url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


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
    response = h5p_get(client, url, HTTP_ACCEPT_ENCODING=accept)
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
    plain = h5p_get(client, url)["ETag"]
    brotli_tag = h5p_get(client, url, HTTP_ACCEPT_ENCODING="br")["ETag"]
    assert plain != brotli_tag
    # A brotli ETag does not validate the plain file, and the other way round.
    assert h5p_get(client, url, HTTP_IF_NONE_MATCH=brotli_tag).status_code == 200
    assert (
        h5p_get(client, url, HTTP_IF_NONE_MATCH=brotli_tag, HTTP_ACCEPT_ENCODING="br").status_code
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
        assert h5p_get(client, url, HTTP_ACCEPT_ENCODING="br").status_code == 404, url
    # The library's record of its files is the package's, without the siblings.
    assert not any(is_sibling(file["path"]) for file in library.files)
    assert {file["path"] for file in library.files} == {"library.json", "test.js", "big.js"}


def test_a_sibling_left_from_another_version_of_the_file_is_not_served(client, library, settings):
    """A sibling is served only when it was made from the file as it is now (same mtime, as
    precompress_file sets it); otherwise the file itself goes out, uncompressed."""

    big = Path(settings.ACOMPANA_H5P_ROOT) / "libraries" / library.folder_name / "big.js"
    url = f"/h5p/libraries/{library.folder_name}/big.js"
    changed = BIG_JS.replace(b"word", b"term")
    big.write_bytes(changed)
    stat = big.stat()
    os.utime(big, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    for accept in ("br", "gzip", "gzip, deflate, br"):
        response = h5p_get(client, url, HTTP_ACCEPT_ENCODING=accept)
        assert response.status_code == 200
        assert "Content-Encoding" not in response, accept
        assert _body(response) == changed
        assert not response["ETag"].endswith(('-br"', '-gzip"'))
    # Made again (h5p_precompress), they are served again.
    call_command("h5p_precompress")
    response = h5p_get(client, url, HTTP_ACCEPT_ENCODING="br")
    assert response["Content-Encoding"] == "br"
    assert brotli.decompress(_body(response)) == changed


def test_the_review_and_the_sweep_ignore_siblings(library, settings):
    library.files = []  # a version stored before files were recorded: read from the store
    assert {file["path"] for file in library_files(library)} == {
        "library.json", "test.js", "big.js"}  # fmt: skip

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
        assert h5p_get(client, url).status_code == 404, url
    library.status = H5PLibrary.Status.APPROVED
    library.save()
    assert h5p_get(client, f"/h5p/libraries/{library.folder_name}/library.json").status_code == 200
    library.status = H5PLibrary.Status.REJECTED
    library.save()
    assert h5p_get(client, f"/h5p/libraries/{library.folder_name}/library.json").status_code == 404


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
    assert h5p_get(client, f"/h5p/libraries/{folder}/library.json").status_code == 404


@pytest.mark.parametrize(
    "relative",
    ["../../content/x/content.json", "%2e%2e/%2e%2e/settings.py", "..%2f..%2flibrary.json",
     "a%00b.js"],
)  # fmt: skip
def test_paths_outside_a_library_are_not_served(client, library, relative):
    client.raise_request_exception = False
    assert h5p_get(client, f"/h5p/libraries/{library.folder_name}/{relative}").status_code == 404


def test_the_major_minor_url_is_the_highest_approved_patch_for_an_hour(client, library):
    response = h5p_get(client, "/h5p/libraries/H5P.Test-1.0/big.js", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["ETag"] and response["Last-Modified"]
    assert gzip.decompress(_body(response)) == BIG_JS


# --- Content -----------------------------------------------------------------------------------
def test_content_at_its_token_url_is_private_and_immutable(client, activity, administrator):
    token = origin.content_token(activity.uuid, administrator.pk)
    assert token == origin.content_token(activity.uuid, administrator.pk)  # same all period
    url = f"/h5p/content/{activity.uuid}/{token}/content.json"
    response = h5p_get(client, url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert json.loads(_body(response)) == {"question": "<p>Is this fine?</p>"}
    assert h5p_get(client, url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    big = h5p_get(
        client, f"/h5p/content/{activity.uuid}/{token}/big.json", HTTP_ACCEPT_ENCODING="br"
    )
    assert big["Content-Encoding"] == "br"
    assert brotli.decompress(_body(big)).decode() == BIG_JSON


def test_a_content_token_serves_only_its_activity_person_and_period(
    client, activity, administrator, volunteer
):
    other = make_activity(title="Other")
    period = origin.content_period()
    good = origin.content_token(activity.uuid, administrator.pk)
    _, person, signature = good.split("-", 2)
    theirs = origin.content_token(activity.uuid, volunteer.pk).split("-", 2)[1]

    def status(activity_uuid, token):
        return h5p_get(client, f"/h5p/content/{activity_uuid}/{token}/content.json").status_code

    assert status(activity.uuid, good) == 200
    assert status(other.uuid, good) == 404  # another activity
    assert status(activity.uuid, f"{period}-{theirs}-{signature}") == 404  # another person
    assert status(activity.uuid, f"{period + 1}-{person}-{signature}") == 404  # another period
    flipped = f"{int(person, 16) ^ 1:016x}"
    assert status(activity.uuid, f"{period}-{flipped}-{signature}") == 404  # person tampered
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


def test_a_content_token_does_not_show_who_the_learner_is(activity, administrator, volunteer):
    """Code of a package runs on the H5P origin and can read its own URL: the token names the
    person only masked with the secret key, differently for every activity and period, and the
    check still finds them (to refuse an account no longer active)."""
    other = make_activity(title="Other")
    period = origin.content_period()
    people = {}
    for user in (administrator, volunteer):
        for activity_uuid in (activity.uuid, other.uuid):
            for when in (period, period - 1):
                token = origin.content_token(activity_uuid, user.pk, when)
                parts = token.split("-", 2)
                assert parts[0] == str(when)
                assert str(user.pk) not in (parts[0], parts[1].lstrip("0"))
                assert not token.startswith(f"{user.pk}-")
                assert origin.content_token_check(token, activity_uuid) == user.pk
                people[(user.pk, activity_uuid, when)] = parts[1]
    # The masked id is not the same from one activity or period to the next (nothing to link).
    assert len(set(people.values())) == len(people)


# --- Player and relay --------------------------------------------------------------------------
def test_the_player_and_relay_have_versioned_immutable_urls(client, settings):
    if not (Path(settings.H5P_PLAYER_DIR) / "main.bundle.js").exists():
        pytest.fail("h5p-standalone is not installed: run `make` (npm ci)")
    version = origin.player_version()
    response = h5p_get(client, f"/h5p/player/{version}/main.bundle.js", HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200
    assert response["Cache-Control"] == IMMUTABLE
    assert response["Content-Encoding"] == "br"
    original = (Path(settings.H5P_PLAYER_DIR) / "main.bundle.js").read_bytes()
    assert brotli.decompress(response.content) == original
    assert h5p_get(client, "/h5p/player/0.0.1/main.bundle.js").status_code == 404
    # The unversioned URLs of older tabs: a few minutes.
    assert h5p_get(client, "/h5p/player/main.bundle.js")["Cache-Control"] == "public, max-age=300"
    digest = origin.relay_digest()
    relay = h5p_get(client, f"/h5p/player-relay.{digest}.js", HTTP_ACCEPT_ENCODING="gzip")
    assert relay["Cache-Control"] == IMMUTABLE
    assert gzip.decompress(relay.content) == origin.RELAY.read_bytes()
    assert h5p_get(client, "/h5p/player-relay.000000000000.js").status_code == 404
    assert h5p_get(client, "/h5p/player-relay.js").status_code == 200


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


def test_player_files_are_compressed_without_holding_up_other_requests(tmp_path, monkeypatch):
    """Brotli at quality 11 on the player's bundle takes a while after a deploy: requests for
    the other files do not wait behind it (compressed outside the process-wide lock)."""

    slow, quick = tmp_path / "slow.js", tmp_path / "quick.js"
    slow.write_bytes(BIG_JS)
    quick.write_bytes(BIG_JS + b"// quick\n")
    started, release = threading.Event(), threading.Event()
    real = compression.compress

    def compress(data):
        if data == BIG_JS:
            started.set()
            assert release.wait(10)
        return real(data)

    monkeypatch.setattr(compression, "compress", compress)
    monkeypatch.setattr(compression, "_memory", {})
    results = {}
    first = threading.Thread(
        target=lambda: results.update(slow=compression.compressed_in_memory(slow, slow.stat()))
    )
    first.start()
    try:
        assert started.wait(10)
        second = threading.Thread(
            target=lambda: results.update(
                quick=compression.compressed_in_memory(quick, quick.stat())
            )
        )
        second.start()
        second.join(5)
        assert not second.is_alive(), "waited behind another file's compression"
        assert brotli.decompress(results["quick"]["br"]) == quick.read_bytes()
    finally:
        release.set()
        first.join(10)
    assert gzip.decompress(results["slow"]["gzip"]) == BIG_JS
    # Made once: asked again, the same bytes without compressing anything.
    monkeypatch.setattr(compression, "compress", lambda data: pytest.fail("compressed again"))
    assert compression.compressed_in_memory(slow, slow.stat()) is results["slow"]


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
