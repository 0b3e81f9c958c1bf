"""The validator is at least as strict as H5P's own (H5PValidator) and Lumi's PackageValidator.

One test (or one parametrized case) per rule, each with a package built by tests/h5p_factory.py:
no outside files needed.
"""

import json
import os
import socket
import socketserver
import struct
import threading
import time
from functools import partial
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from courses.h5p import store, validator
from courses.h5p.validator import PLAYER_CORE_API, StoredLibrary, validate
from courses.models import H5PActivity, H5PLibrary
from tests.h5p_factory import EICAR, ELF, EXE, HELPER, JPEG, MAIN, MP3, PNG, WOFF2, H5PPackage
from tests.helpers import h5p_upload


def errors_of(pkg: H5PPackage, **kwargs) -> list[str]:
    return validate(pkg.stream(), **kwargs).errors


def refused_with(pkg: H5PPackage, *fragments: str, **kwargs) -> list[str]:
    errors = errors_of(pkg, **kwargs)
    for fragment in fragments:
        assert any(fragment in error for error in errors), (fragment, errors)
    return errors


def test_the_minimal_package_is_valid():
    assert errors_of(H5PPackage.minimal()) == []


# --- Language files and semantics -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"semantics": [', "H5P.Test-1.0/language/fr.json is not valid JSON"),
        (b"\xff\xfe not utf-8", "H5P.Test-1.0/language/fr.json is not valid JSON"),
        (b'["semantics"]', "H5P.Test-1.0/language/fr.json does not contain a JSON object"),
    ],
)
def test_every_language_file_parses_as_a_json_object(data, reason):
    refused_with(H5PPackage.minimal().set(f"{MAIN}/language/fr.json", data), reason)


def test_a_broken_language_file_in_a_nested_folder_or_with_a_wrong_name_is_refused():
    pkg = H5PPackage.minimal().set(f"{MAIN}/language/fr_FR.json", b"{}")
    refused_with(pkg, "H5P.Test-1.0/language/fr_FR.json: a language file is named after")
    pkg = H5PPackage.minimal().set(f"{HELPER}/language/extra/de.json", b"{}")
    refused_with(pkg, "H5P.Helper-1.0/language/extra/de.json")


def test_a_long_language_file_name_is_checked_quickly():
    # H5P's pattern, (-?[a-z]+){1,7}, backtracks for ever on this in a naive regex engine.
    pkg = H5PPackage.minimal().set(f"{MAIN}/language/{'a' * 200}!.json", b"{}")
    started = time.monotonic()
    refused_with(pkg, "a language file is named after")
    assert time.monotonic() - started < 2


def test_valid_language_codes_pass():
    pkg = H5PPackage.minimal()
    for code in ("pt-br", "zh-hans", "nb", "sma"):
        pkg.set_json(f"{MAIN}/language/{code}.json", {"semantics": []})
    assert errors_of(pkg) == []


def test_semantics_json_must_parse():
    pkg = H5PPackage.minimal().set(f"{MAIN}/semantics.json", b"[{")
    refused_with(pkg, "H5P.Test-1.0/semantics.json is not valid JSON")


# --- preloadedJs / preloadedCss -------------------------------------------------------------------
def test_every_preloaded_script_and_style_is_in_the_package():
    pkg = H5PPackage.minimal().drop(f"{MAIN}/scripts/test.js", f"{HELPER}/helper.js")
    pkg.edit_library(preloadedCss=[{"path": "styles/test.css"}, {"path": "styles/gone.css"}])
    errors = refused_with(
        pkg,
        "H5P.Test-1.0 lists “scripts/test.js” in preloadedJs, but the file is not there.",
        "H5P.Test-1.0 lists “styles/gone.css” in preloadedCss",
        "H5P.Helper-1.0 lists “helper.js” in preloadedJs",
    )
    assert len(errors) == 3, errors


def test_paths_are_matched_exactly():
    pkg = H5PPackage.minimal().edit_library(preloadedJs=[{"path": "Scripts/Test.js"}])
    refused_with(pkg, "lists “Scripts/Test.js” in preloadedJs")


def _store_copy(files, data=None):
    helper = H5PPackage.minimal().library(HELPER)
    copy = StoredLibrary(data or helper, frozenset(files))
    return lambda ref: copy if ref.machine_name == "H5P.Helper" else None


def test_a_library_the_package_relies_on_must_hold_its_files_in_the_store():
    bare = H5PPackage.minimal().drop_library(HELPER)
    assert errors_of(bare, store_library=_store_copy({"library.json", "helper.js"})) == []
    refused_with(
        bare,
        "the platform's copy of H5P.Helper 1.0 lists “helper.js” in preloadedJs, but the file is "
        "not there.",
        store_library=_store_copy({"library.json"}),
    )
    refused_with(bare, "needs the library H5P.Helper 1.0", store_library=lambda ref: None)


def test_the_dependencies_of_a_stored_library_must_be_there_too():
    helper = {**H5PPackage.minimal().library(HELPER),
              "preloadedDependencies": [{"machineName": "H5P.Gone", "majorVersion": 1,
                                         "minorVersion": 0}]}  # fmt: skip
    bare = H5PPackage.minimal().drop_library(HELPER)
    store_library = _store_copy({"library.json", "helper.js"}, helper)
    refused_with(bare, "needs the library H5P.Gone 1.0", store_library=store_library)


def test_editor_libraries_must_be_there_too_as_in_h5p_core():
    pkg = H5PPackage.minimal().edit_library(
        editorDependencies=[{"machineName": "H5PEditor.Gone", "majorVersion": 1, "minorVersion": 2}]
    )
    refused_with(pkg, "needs the library H5PEditor.Gone 1.2")
    pkg.add_library("H5PEditor.Gone", 1, 2, dependency_of=None)
    assert errors_of(pkg) == []


_upload = partial(h5p_upload, title="T", name="t.h5p")


@pytest.mark.django_db
def test_the_store_gives_the_validator_its_copy_of_a_library():
    first = store.activity_extract(activity_id=_upload(H5PPackage.minimal().build()).pk)
    assert first.status == "ready", first.errors
    bare = H5PPackage.minimal().drop_library(HELPER)
    assert store.activity_extract(activity_id=_upload(bare.build()).pk).status == "ready"
    helper = H5PLibrary.objects.get(machine_name="H5P.Helper")
    helper.files = [entry for entry in helper.files if entry["path"] != "helper.js"]
    helper.save()
    refused = store.activity_extract(activity_id=_upload(bare.build()).pk)
    assert refused.status == "failed"
    assert any("the platform's copy of H5P.Helper 1.0 lists “helper.js”" in e
               for e in refused.errors), refused.errors  # fmt: skip


# --- coreApi --------------------------------------------------------------------------------------
def test_the_player_core_version_is_the_one_of_the_pinned_player():
    # PLAYER_CORE_API was read from h5p-standalone 3.8.2: a new player needs a new look at it.
    root = Path(__file__).resolve().parents[2]
    pinned = json.loads((root / "package.json").read_text())["dependencies"]["h5p-standalone"]
    assert pinned.lstrip("=^~") == "3.8.2"
    assert PLAYER_CORE_API == (1, 27)


@pytest.mark.parametrize(
    ("core", "ok"),
    [
        ({"majorVersion": 1, "minorVersion": 27}, True),
        ({"majorVersion": 1, "minorVersion": 19}, True),
        ({"majorVersion": "1", "minorVersion": "24"}, True),
        ({"majorVersion": 1, "minorVersion": 28}, False),
        ({"majorVersion": 2, "minorVersion": 0}, False),
    ],
)
def test_a_library_needing_a_newer_h5p_core_than_the_player_is_refused(core, ok):
    errors = errors_of(H5PPackage.minimal().edit_library(HELPER, coreApi=core))
    if ok:
        assert errors == []
    else:
        assert errors == [
            f"{HELPER}/library.json needs H5P core {core['majorVersion']}.{core['minorVersion']} "
            "or newer; the platform's player has 1.27. Use an older version of this content "
            "type, or ask an administrator to update the player."
        ]


# --- library.json and h5p.json schema -------------------------------------------------------------
LIBRARY_CASES = {
    "no title": ({"_remove": ["title"]}, "lacks the required field “title”"),
    "title too long": ({"title": "x" * 256}, "“title” must be a text of at most 255"),
    "title on two lines": ({"title": "a\nb"}, "“title” must be a text"),
    "no runnable": ({"_remove": ["runnable"]}, "lacks the required field “runnable”"),
    "runnable 2": ({"runnable": 2}, "“runnable” must be 0 or 1"),
    "runnable true": ({"runnable": True}, "“runnable” must be 0 or 1"),
    "no patchVersion": ({"_remove": ["patchVersion"]}, "required field “patchVersion”"),
    "six-digit version": ({"patchVersion": 123456}, "“patchVersion” must be a whole number"),
    "negative version": ({"patchVersion": -1}, "“patchVersion” must be a whole number"),
    "license": ({"license": "GPL-3.0"}, "“license” must be one of"),
    "author too long": ({"author": "a" * 256}, "“author” must be"),
    "embed type": ({"embedTypes": ["object"]}, "“embedTypes[0]” must be one of"),
    "embed types not a list": ({"embedTypes": "iframe"}, "“embedTypes” must be a list"),
    "fullscreen": ({"fullscreen": "yes"}, "“fullscreen” must be 0 or 1"),
    "width": ({"w": 12345}, "“w” must be a whole number of at most 4 digits"),
    "metadata settings": ({"metadataSettings": {"disable": 0}},
                          "required field “metadataSettings.disableExtraTitleField”"),
    "core api not numbers": ({"coreApi": {"majorVersion": "one", "minorVersion": 0}},
                             "“coreApi.majorVersion” must be a whole number"),
    "core api half": ({"coreApi": {"majorVersion": 1}}, "field “coreApi.minorVersion”"),
    "core api empty": ({"coreApi": {}}, "field “coreApi.majorVersion”"),
    "script outside the library": ({"preloadedJs": [{"path": "../H5P.Helper-1.0/helper.js"}]},
                                   "“preloadedJs[0].path” must be a path inside the library"),
    "absolute script": ({"preloadedJs": [{"path": "/scripts/test.js"}]}, "preloadedJs[0].path"),
    "script not .js": ({"preloadedJs": [{"path": "styles/test.css"}]}, "ending in .js"),
    "style not .css": ({"preloadedCss": [{"path": "scripts/test.js"}]}, "ending in .css"),
    "script without path": ({"preloadedJs": [{"file": "x.js"}]},
                            "lacks the required field “preloadedJs[0].path”"),
    "preloaded not a list": ({"preloadedJs": {"path": "scripts/test.js"}}, "must be a list"),
    "dependency name": ({"preloadedDependencies": [{"machineName": "H5P Helper",
                                                    "majorVersion": 1, "minorVersion": 0}]},
                        "“preloadedDependencies[0].machineName” must be a library name"),
    "dependency version": ({"dynamicDependencies": [{"machineName": "H5P.X", "majorVersion": 1,
                                                     "minorVersion": "1.5"}]},
                           "“dynamicDependencies[0].minorVersion”"),
    "drop css": ({"dropLibraryCss": [{"name": "x"}]}, "“dropLibraryCss[0].machineName”"),
}  # fmt: skip


@pytest.mark.parametrize("case", LIBRARY_CASES)
def test_library_json_follows_the_schema(case):
    changes, reason = LIBRARY_CASES[case]
    refused_with(H5PPackage.minimal().edit_library(**changes), f"{MAIN}/library.json", reason)


H5P_CASES = {
    "no title": ({"_remove": ["title"]}, "h5p.json lacks the required field “title”"),
    "no language": ({"_remove": ["language"]}, "required field “language”"),
    "language": ({"language": "en_GB"}, "“language” must be a language code"),
    "no embed types": ({"_remove": ["embedTypes"]}, "required field “embedTypes”"),
    "embed type": ({"embedTypes": ["frame"]}, "“embedTypes[0]” must be one of"),
    "main library": ({"mainLibrary": "1Test"}, "“mainLibrary” must be a library name"),
    "dependencies not a list": ({"preloadedDependencies": "H5P.Test"},
                                "“preloadedDependencies” must be a list"),
    "license": ({"license": "cc-by"}, "“license” must be one of"),
    "license version": ({"licenseVersion": "5.0"}, "“licenseVersion” must be one of"),
    "source": ({"source": "javascript:alert(1)"}, "“source” must be a web address"),
    "authors": ({"authors": [{"name": "Ana"}]}, "required field “authors[0].role”"),
    "author role": ({"authors": [{"name": "Ana", "role": "Co author"}]}, "“authors[0].role”"),
    "years": ({"yearsFrom": "20201"}, "“yearsFrom” must be a whole number of at most 4"),
    "changes": ({"changes": [{"date": "yesterday", "author": "Ana", "log": "x"}]},
                "“changes[0].date” must be a date"),
    "extras too long": ({"licenseExtras": "x" * 5001}, "“licenseExtras” must be a text"),
    "not an object": (None, "h5p.json does not contain a JSON object"),
}  # fmt: skip


@pytest.mark.parametrize("case", H5P_CASES)
def test_h5p_json_follows_the_schema(case):
    changes, reason = H5P_CASES[case]
    pkg = H5PPackage.minimal()
    if changes is None:
        pkg.set_json("h5p.json", ["not", "an", "object"])
    else:
        pkg.edit_h5p(**changes)
    refused_with(pkg, reason)


def test_what_real_packages_carry_passes():
    pkg = H5PPackage.minimal().edit_h5p(
        language="und", license="ODC PDDL", licenseVersion="4.0", defaultLanguage="en",
        authors=[{"name": "I am The Author", "role": "Author"}], extraTitle="x", yearsFrom=2019,
        source="https://example.org/x", a11yTitle="", changes=[],
        preloadedDependencies=[{"machineName": "H5P.Test", "majorVersion": "1",
                                "minorVersion": "0"}, {"machineName": "H5P.Helper",
                                                       "majorVersion": "1", "minorVersion": "0"}],
    )  # fmt: skip
    pkg.edit_library(
        contentType="question", fullscreen=0, embedTypes=["iframe"],
        metadataSettings={"disable": 0, "disableExtraTitleField": 1}, license="pd",
        addTo={"content": {"types": [{"text": {"regex": "/x/"}}]}},
        description="Test your users.\u00a0Nicely.",
    )  # fmt: skip
    assert errors_of(pkg) == []


# --- All errors of all libraries at once ----------------------------------------------------------
def test_every_problem_of_every_library_is_reported_together():
    pkg = H5PPackage.minimal().edit_h5p(license="nope")
    pkg.edit_library(runnable=5, coreApi={"majorVersion": 9, "minorVersion": 0})
    pkg.set(f"{MAIN}/language/fr.json", b"{broken")
    pkg.edit_library(HELPER, _remove=["title"], preloadedCss=[{"path": "gone.css"}])
    pkg.set(f"{HELPER}/language/de.json", b"[]")
    third = pkg.add_library("H5P.Third")
    pkg.drop(f"{third}/lib.js")
    pkg.set("content/images/photo.png", EXE)
    errors = errors_of(pkg)
    expected = [
        "h5p.json: “license” must be",
        f"{MAIN}/library.json: “runnable” must be 0 or 1",
        f"{MAIN}/library.json needs H5P core 9.0",
        f"{MAIN}/language/fr.json is not valid JSON",
        f"{HELPER}/library.json lacks the required field “title”",
        f"{HELPER} lists “gone.css” in preloadedCss",
        f"{HELPER}/language/de.json does not contain a JSON object",
        "H5P.Third-1.0 lists “lib.js” in preloadedJs",
        "“content/images/photo.png” is not really an image",
    ]
    for fragment in expected:
        assert any(fragment in error for error in errors), (fragment, errors)
    assert len(errors) == len(expected), errors


# --- Files are what their extension says ----------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("content/images/photo.png", EXE, "an image"),
        ("content/images/photo.jpg", EICAR, "an image"),
        ("content/images/photo.jpeg", b"<html><script>alert(1)</script>", "an image"),
        ("content/audio/sound.mp3", b"#!/bin/sh\nrm -rf /\n", "a sound file"),
        ("content/audio/sound.m4a", EXE, "a sound file"),
        ("content/audio/sound.wav", EICAR, "a sound file"),
        ("content/video/clip.mp4", ELF, "a sound or video file"),
        ("content/video/clip.webm", PNG, "a sound or video file"),
        ("content/video/clip.ogg", b"OggZ", "a sound or video file"),
        ("H5P.Test-1.0/fonts/icons.woff", ELF, "a font"),
        ("H5P.Test-1.0/fonts/icons.ttf", EXE, "a font"),
        ("H5P.Test-1.0/fonts/icons.eot", b"\0" * 64, "a font"),
        ("H5P.Test-1.0/images/icon.svg", EXE, "an image"),
        ("H5P.Test-1.0/images/icon.svg", b"<html><script>x</script></html>", "an image"),
        ("content/images/photo.jpg", b"MZ" + PNG, "an image"),
        ("content/audio/sound.mp3", PNG, "a sound file"),  # another kind is not a sound
        ("content/audio/sound.m4a", b"<!DOCTYPE html><html>", "a sound file"),
        ("H5P.Test-1.0/fonts/icons.ttf", b"#!/bin/sh\n", "a font"),
        ("H5P.Test-1.0/fonts/icons.woff2", PNG, "a font"),
        ("H5P.Test-1.0/images/icon.svg", "<html><script>x</script>".encode("utf-16"), "an image"),
    ],
)
def test_a_file_that_is_not_what_its_extension_says_is_refused(name, data, kind):
    ext = name.rsplit(".", 1)[1]
    errors = errors_of(H5PPackage.minimal().set(name, data))
    assert errors == [
        f"“{name}” is not really {kind}: its content does not match its .{ext} extension."
    ]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("content/images/photo.png", PNG),
        ("content/images/photo.jpg", JPEG),
        ("content/images/photo.JPEG", JPEG),
        ("content/audio/sound.mp3", MP3),
        ("content/audio/frames.mp3", b"\xff\xe3\x18\xc4" + b"\0" * 64),  # MPEG 2.5, no ID3 tag
        ("content/video/clip.mp4", b"\0\0\0\x18ftypisom\0\0\0\0isomiso2" + b"\0" * 32),
        ("content/audio/sound.m4a", b"\0\0\0\x18ftypM4A \0\0\0\0M4A isom" + b"\0" * 32),
        ("content/audio/sound.wav", b"RIFF\x24\0\0\0WAVEfmt " + b"\0" * 32),
        ("content/audio/sound.ogg", b"OggS\0\x02" + b"\0" * 40),
        ("content/video/clip.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"),
        ("H5P.Test-1.0/fonts/icons.woff2", WOFF2),
        ("H5P.Test-1.0/fonts/icons.ttf", b"\0\x01\0\0\0" + b"\0" * 40),
        ("H5P.Test-1.0/fonts/icons.eot", b"\0" * 34 + b"LP" + b"\0" * 40),
        ("H5P.Test-1.0/images/icon.svg", b'<?xml version="1.0"?>\n<svg xmlns="x"/>'),
        ("H5P.Test-1.0/images/icon.svg", b"\xef\xbb\xbf<svg/>"),
        # The kind is checked, not the exact format: what real packages carry plays all the same.
        ("content/images/photo.jpg", PNG),  # a PNG saved as .jpg
        ("content/images/photo.gif", PNG),
        ("content/images/photo.jpg", b"RIFF\x24\0\0\0WEBPVP8 " + b"\0" * 32),  # WebP
        ("content/audio/sound.m4a", b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\0" * 32),  # AAC (ADTS)
        ("content/audio/sound.mp3", b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\0" * 32),
        ("content/audio/sound.mp3", b"\0\0\0\x18ftypM4A \0\0\0\0M4A isom" + b"\0" * 32),
        ("H5P.Test-1.0/fonts/icons.ttf", b"true\0\x0a\0\x80" + b"\0" * 40),  # Apple TrueType
        ("H5P.Test-1.0/fonts/icons.otf", b"OTTO\0\x0a\0\x80" + b"\0" * 40),
        (
            "H5P.Test-1.0/images/icon.svg",
            '<svg xmlns="http://www.w3.org/2000/svg"/>'.encode("utf-16"),
        ),
        ("H5P.Test-1.0/images/icon.svg", "\ufeff<svg/>".encode("utf-16-be")),
        # Empty: nothing can run from it, and H5P accepts it.
        ("content/images/empty.png", b""),
        ("content/audio/empty.mp3", b""),
        # Kinds filetype does not know, and no script can run from, are left as they are.
        ("content/captions/en.vtt", b"WEBVTT\n"),
        ("content/doc.pdf", b"%PDF-1.4"),
    ],
)
def test_genuine_files_of_each_kind_pass(name, data):
    assert errors_of(H5PPackage.minimal().set(name, data)) == []


# --- ClamAV ---------------------------------------------------------------------------------------
class _FakeClamd(socketserver.BaseRequestHandler):
    """Speaks clamd's INSTREAM: finds EICAR, else OK; records what it scanned."""

    scanned: list[bytes]

    def handle(self):
        stream = self.request.makefile("rb")
        assert stream.read(10) == b"zINSTREAM\0"
        data = b""
        while size := struct.unpack("!L", stream.read(4))[0]:
            data += stream.read(size)
        self.server.scanned.append(data)
        reply = b"stream: Eicar-Test-Signature FOUND\0" if EICAR in data else b"stream: OK\0"
        self.request.sendall(reply)


class _UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(params=["unix", "tcp"])
def clamd(request, settings, tmp_path):
    if request.param == "unix":
        address = str(tmp_path / "clamd.sock")
        server = _UnixServer(address, _FakeClamd)
    else:
        server = _TCPServer(("127.0.0.1", 0), _FakeClamd)
        address = f"127.0.0.1:{server.server_address[1]}"
    server.scanned = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ACOMPANA_CLAMAV = address
    yield server
    server.shutdown()
    server.server_close()


def test_with_clamav_every_file_is_scanned_and_a_virus_is_refused_naming_its_file(clamd):
    pkg = H5PPackage.minimal()
    assert errors_of(pkg) == []
    assert len(clamd.scanned) == len(pkg.files)
    assert PNG in clamd.scanned
    pkg.set("content/notes.txt", b"hello " + EICAR)
    assert errors_of(pkg) == [
        "“content/notes.txt” contains a virus or other malware (Eicar-Test-Signature)."
    ]


def test_clamav_is_off_by_default(settings, monkeypatch):
    assert settings.ACOMPANA_CLAMAV == ""

    def never(*args, **kwargs):
        raise AssertionError("no scan without ACOMPANA_CLAMAV")

    monkeypatch.setattr(validator.clamav, "scan", never)
    assert errors_of(H5PPackage.minimal()) == []


def _free_address(tmp_path) -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"127.0.0.1:{port}"  # nobody listens there any more


@pytest.mark.parametrize("where", ["socket", "tcp", "nonsense"])
def test_an_unreachable_clamav_refuses_the_package_with_a_reason(settings, tmp_path, where):
    settings.ACOMPANA_CLAMAV = {
        "socket": str(tmp_path / "no-clamd.sock"),
        "tcp": _free_address(tmp_path),
        "nonsense": "clamav",
    }[where]
    assert errors_of(H5PPackage.minimal()) == [validator.scanner_unavailable_reason()]
    assert "could not be checked for viruses" in validator.scanner_unavailable_reason()


def test_a_clamav_error_answer_refuses_too(settings, tmp_path):
    class Limit(_FakeClamd):
        def handle(self):
            stream = self.request.makefile("rb")
            stream.read(10)
            while size := struct.unpack("!L", stream.read(4))[0]:
                stream.read(size)
            self.request.sendall(b"Can't allocate memory ERROR\0")

    address = str(tmp_path / "error.sock")
    server = _UnixServer(address, Limit)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ACOMPANA_CLAMAV = address
    try:
        assert errors_of(H5PPackage.minimal()) == [validator.scanner_unavailable_reason()]
    finally:
        server.shutdown()
        server.server_close()


def test_clamav_s_size_limit_is_reported_as_a_limit_not_as_try_again(settings, tmp_path):
    """clamd answers and hangs up when a stream passes its StreamMaxLength: a configuration
    limit that waiting will not lift."""

    class Limit(_FakeClamd):
        def handle(self):
            stream = self.request.makefile("rb")
            stream.read(10)
            received = 0
            while size := struct.unpack("!L", stream.read(4))[0]:
                received += len(stream.read(size))
                if received > 1024 * 1024:  # this clamd's StreamMaxLength
                    self.request.sendall(b"INSTREAM size limit exceeded. ERROR\0")
                    self.request.close()
                    return
            self.request.sendall(b"stream: OK\0")

    address = str(tmp_path / "limit.sock")
    server = _UnixServer(address, Limit)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ACOMPANA_CLAMAV = address
    pkg = H5PPackage.minimal().set("content/big.txt", os.urandom(4 * 1024 * 1024))
    try:
        errors = errors_of(pkg)
    finally:
        server.shutdown()
        server.server_close()
    assert errors == [validator.scanner_limit_reason("content/big.txt")]
    assert "try again" not in errors[0].lower()
    assert "StreamMaxLength" in errors[0] and "content/big.txt" in errors[0]


def test_clamav_by_host_name_connects_over_ipv6_too(settings, monkeypatch):
    """A host name that resolves to an IPv6 address only (as a container's name may)."""
    try:
        server = _TCPServer(("::1", 0), _FakeClamd, bind_and_activate=False)
    except OSError:
        pytest.skip("no IPv6 here")
    server.socket.close()
    server.address_family = socket.AF_INET6
    server.socket = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    try:
        server.server_bind()
        server.server_activate()
    except OSError:
        server.server_close()
        pytest.skip("cannot listen on ::1 here")
    port = server.server_address[1]
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        if host == "clamd.test":
            return [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    server.scanned = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ACOMPANA_CLAMAV = f"clamd.test:{port}"
    try:
        assert errors_of(H5PPackage.minimal()) == []
    finally:
        server.shutdown()
        server.server_close()
    assert server.scanned


def test_a_package_that_takes_too_long_to_scan_is_refused(settings, monkeypatch):
    """A slow scanner cannot hold a worker for 3,000 files of 30 s: one deadline per package."""
    timeouts = []

    def slow(data, address, *, timeout):
        timeouts.append(timeout)
        time.sleep(0.05)

    settings.ACOMPANA_CLAMAV = "clamav:3310"
    monkeypatch.setattr(validator.clamav, "scan", slow)
    monkeypatch.setattr(validator.clamav, "PACKAGE_SECONDS", 0.12)
    assert errors_of(H5PPackage.minimal()) == [validator.scanner_unavailable_reason()]
    assert 1 < len(timeouts) < len(H5PPackage.minimal().files)
    assert all(timeout <= 0.12 for timeout in timeouts)


@pytest.mark.django_db
def test_the_virus_scan_runs_outside_any_transaction(settings, monkeypatch):
    """Scanning up to 3,000 files must not keep a database connection idle in a transaction."""

    outside = len(connection.atomic_blocks)  # the test's own transaction
    depths = []

    def scan(data, address, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return None

    settings.ACOMPANA_CLAMAV = "clamav:3310"
    monkeypatch.setattr(validator.clamav, "scan", scan)
    activity = store.activity_extract(activity_id=_upload(H5PPackage.minimal().build()).pk)
    assert activity.status == "ready", activity.errors
    assert depths and set(depths) == {outside}


@pytest.mark.django_db
def test_import_h5p_scans_each_file_once(settings, monkeypatch, tmp_path):
    scanned = []
    settings.ACOMPANA_CLAMAV = "clamav:3310"
    monkeypatch.setattr(validator.clamav, "scan", lambda data, address, **kw: scanned.append(data))
    pkg = H5PPackage.minimal()
    path = tmp_path / "test.h5p"
    path.write_bytes(pkg.build())
    call_command("import_h5p", str(path))
    assert H5PActivity.objects.get().status == "ready"
    assert len(scanned) == len(pkg.files)


@pytest.mark.django_db
def test_an_upload_is_never_left_being_prepared_when_clamav_is_down(settings, tmp_path):
    settings.ACOMPANA_CLAMAV = str(tmp_path / "no-clamd.sock")
    activity = store.activity_extract(activity_id=_upload(H5PPackage.minimal().build()).pk)
    assert activity.status == "failed"
    assert activity.errors == [validator.scanner_unavailable_reason()]
    assert not H5PLibrary.objects.exists()


# --- Files H5P leaves out -------------------------------------------------------------------------
def test_files_and_folders_starting_with_a_dot_or_underscore_are_skipped_as_h5p_does():
    """H5PValidator skips (and never extracts) any path segment starting with "." or "_": the
    editor's language/.en.json, a Mac's __MACOSX/ and ._ files."""
    pkg = H5PPackage.minimal()
    pkg.set(f"{MAIN}/language/.en.json", b'{"semantics": []}')
    pkg.set(f"{MAIN}/language/.broken.json", b"{not json")
    pkg.set(f"__MACOSX/{MAIN}/._library.json", b"\0\5\x16\7 Mac OS X resource fork")
    pkg.set("__MACOSX/._h5p.json", b"\0\5\x16\7")
    pkg.set("._h5p.json", b"\0\5\x16\7")
    pkg.set(f"{MAIN}/.htaccess", b"Options +ExecCGI")
    pkg.set("content/_notes/photo.jpg", b"not an image")  # never extracted, never checked
    result = validate(pkg.stream())
    assert result.errors == []
    assert not any(".en.json" in path for lib in result.libraries.values() for path in lib.files)
    assert all(not path.startswith("_") for path in result.content_files)


def test_a_preloaded_script_in_a_skipped_file_is_missing():
    pkg = H5PPackage.minimal().edit_library(preloadedJs=[{"path": "_scripts/test.js"}])
    pkg.set(f"{MAIN}/_scripts/test.js", b"H5P.Test = function () {};")
    refused_with(
        pkg, "H5P.Test-1.0 lists “_scripts/test.js” in preloadedJs, but the file is not there"
    )


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("__MACOSX/../../evil.json", "outside the package"),
        ("__MACOSX/a\x1b.json", "control characters"),
        ("/.hidden", "absolute path"),
    ],
)
def test_a_skipped_file_is_still_checked_for_dangerous_paths(name, reason):
    refused_with(H5PPackage.minimal().set(name, b"{}"), reason)


def test_a_zip_bomb_in_a_skipped_folder_is_still_refused():
    pkg = H5PPackage.minimal().set("__MACOSX/zeros.bin", b"0" * (20 * 1024 * 1024))
    refused_with(pkg, "compressed suspiciously well", "more than 16 MB")


@pytest.mark.django_db
def test_skipped_files_are_never_extracted(settings):
    pkg = H5PPackage.minimal()
    pkg.set(f"{MAIN}/language/.en.json", b'{"semantics": []}')
    pkg.set("__MACOSX/content/._content.json", b"\0\5\x16\7")
    pkg.set("content/.DS_Store", b"\0\0\0\1Bud1")
    activity = store.activity_extract(activity_id=_upload(pkg.build()).pk)
    assert activity.status == "ready", activity.errors
    library = H5PLibrary.objects.get(machine_name="H5P.Test")
    assert [f["path"] for f in library.files if f["path"].rsplit("/", 1)[-1][0] == "."] == []
    written = {p.name for p in (store.libraries_root() / library.folder).rglob("*")}
    written |= {p.name for p in (store.content_root() / str(activity.uuid)).rglob("*")}
    assert not {".en.json", "._content.json", ".DS_Store", "__MACOSX"} & written


# --- Every problem in one upload ------------------------------------------------------------------
def test_a_file_level_problem_does_not_hide_the_structure_problems():
    pkg = H5PPackage.minimal()
    pkg.set("content/shell.php", b"<?php system($_GET['c']);")  # a file-level problem
    pkg.set("content/images/fake.png", EXE)  # a file that is not what it says
    pkg.edit_library(runnable="yes")  # a schema problem
    pkg.drop(f"{HELPER}/helper.js")  # a missing script
    refused_with(
        pkg,
        "“content/shell.php”: .php files are not allowed",
        "“runnable” must be 0 or 1",
        "H5P.Helper-1.0 lists “helper.js” in preloadedJs, but the file is not there",
        "“content/images/fake.png” is not really an image",
    )


def test_a_damaged_archive_stops_the_checks_at_once():
    pkg = H5PPackage.minimal().set("content/zeros.json", b"0" * (20 * 1024 * 1024))
    pkg.edit_library(runnable="yes")
    errors = refused_with(pkg, "compressed suspiciously well")
    assert not any("runnable" in error for error in errors)


# --- Libraries the activity plays with ------------------------------------------------------------
@pytest.mark.django_db
def test_a_stored_library_s_own_dependencies_are_recorded_and_must_be_approved():
    """Test → Helper → Deep; the second package brings only Test: Deep comes from the store's
    copy of Helper, and the activity does not play until Deep is approved too."""
    first = H5PPackage.minimal()
    first.add_library("H5P.Deep", dependency_of=HELPER)
    assert store.activity_extract(activity_id=_upload(first.build()).pk).status == "ready"
    bare = H5PPackage.minimal().drop_library(HELPER)
    bare.edit_h5p(preloadedDependencies=[{"machineName": "H5P.Test", "majorVersion": 1,
                                          "minorVersion": 0}])  # fmt: skip
    activity = store.activity_extract(activity_id=_upload(bare.build()).pk)
    assert activity.status == "ready", activity.errors
    assert sorted(lib.machine_name for lib in activity.libraries.all()) == [
        "H5P.Deep", "H5P.Helper", "H5P.Test"
    ]  # fmt: skip
    H5PLibrary.objects.exclude(machine_name="H5P.Deep").update(status=H5PLibrary.Status.APPROVED)
    assert not H5PActivity.objects.playable().filter(pk=activity.pk).exists()
    H5PLibrary.objects.update(status=H5PLibrary.Status.APPROVED)
    assert H5PActivity.objects.playable().filter(pk=activity.pk).exists()


def test_one_pattern_for_library_names():
    assert not hasattr(validator, "LIBRARY_NAME")
    assert validator.REF["machineName"]("H5P.T\u0435st")  # a Cyrillic "e": refused
    assert validator.REF["machineName"]("H5P.Test") is None
