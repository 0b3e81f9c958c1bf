"""H5P packages built inside the tests: a valid minimal package, and mutators for hostile cases.

Validator and store tests need no outside files. `package()` is the small one-library package the
older tests use (kept byte for byte); `H5PPackage.minimal()` is a fuller one (two libraries, a
script, a style sheet, a language file, an image) that each test bends into one hostile case:

    pkg = H5PPackage.minimal()
    pkg.edit_library("H5P.Test-1.0", coreApi={"majorVersion": 9, "minorVersion": 0})
    result = validate(pkg.stream())
"""

import io
import json
import struct
import zipfile
import zlib
from collections.abc import Callable

# --- The small package of the older tests ---------------------------------------------------------
LIBRARY = {"title": "Test", "machineName": "H5P.Test", "majorVersion": 1, "minorVersion": 0,
           "patchVersion": 2, "runnable": 1, "preloadedJs": [{"path": "test.js"}]}  # fmt: skip
H5P_JSON = {"title": "A test", "language": "en", "mainLibrary": "H5P.Test", "embedTypes": ["div"],
            "preloadedDependencies": [{"machineName": "H5P.Test", "majorVersion": 1,
                                       "minorVersion": 0}]}  # fmt: skip


def package(extra=(), *, without=(), h5p=None, library=None, folder="H5P.Test-1.0") -> bytes:
    """A small valid package, plus `extra` (name, bytes[, ZipInfo tweak]) entries."""
    entries = {
        "h5p.json": json.dumps(h5p or H5P_JSON).encode(),
        "content/content.json": b'{"question": "<p>Is this fine?</p>"}',
        f"{folder}/library.json": json.dumps(library or LIBRARY).encode(),
        f"{folder}/test.js": b"H5P.Test = function () {};",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            if name not in without:
                archive.writestr(name, data)
        for item in extra:
            name, data = item[0], item[1]
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            if len(item) > 2:
                item[2](info)
            archive.writestr(info, data)
    return buffer.getvalue()


# --- File contents --------------------------------------------------------------------------------
def _png() -> bytes:
    """A real one-pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" + b"\x00" * 64
WOFF2 = b"wOF2\x00\x01\x00\x00" + b"\x00" * 40
# A Windows executable's first bytes ("MZ" header) and an ELF binary's.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
# The EICAR anti-virus test string, assembled here so that a scanner on a developer's machine does
# not quarantine this file: it is harmless, and every scanner reports it as a virus.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"


# --- The fuller package and its mutators ----------------------------------------------------------
MAIN = "H5P.Test-1.0"
HELPER = "H5P.Helper-1.0"


def _ref(machine_name: str, major: int = 1, minor: int = 0) -> dict:
    return {"machineName": machine_name, "majorVersion": major, "minorVersion": minor}


class H5PPackage:
    """An editable package: `files` maps each zip name to its bytes; `build()` zips them."""

    def __init__(self, files: dict[str, bytes] | None = None):
        self.files: dict[str, bytes] = dict(files or {})
        self.tweaks: dict[str, Callable[[zipfile.ZipInfo], None]] = {}

    @classmethod
    def minimal(cls) -> "H5PPackage":
        """A valid package: H5P.Test 1.0.2 (runnable; script, style, French strings) depending
        on H5P.Helper 1.0.0 (a script), content with one image."""
        pkg = cls()
        pkg.set_json("h5p.json", {
            "title": "A test", "language": "en", "mainLibrary": "H5P.Test",
            "embedTypes": ["iframe"], "license": "U",
            "preloadedDependencies": [_ref("H5P.Test"), _ref("H5P.Helper")],
        })  # fmt: skip
        pkg.set_json("content/content.json", {"question": "<p>Is this fine?</p>",
                                              "image": {"path": "images/photo.png"}})  # fmt: skip
        pkg.set("content/images/photo.png", PNG)
        pkg.set_json(f"{MAIN}/library.json", {
            "title": "Test", "machineName": "H5P.Test", "majorVersion": 1, "minorVersion": 0,
            "patchVersion": 2, "runnable": 1, "license": "MIT", "author": "Acompaña",
            "coreApi": {"majorVersion": 1, "minorVersion": 0},
            "preloadedJs": [{"path": "scripts/test.js"}],
            "preloadedCss": [{"path": "styles/test.css"}],
            "preloadedDependencies": [_ref("H5P.Helper")],
        })  # fmt: skip
        pkg.set(f"{MAIN}/scripts/test.js", b"H5P.Test = function () {};")
        pkg.set(f"{MAIN}/styles/test.css", b".h5p-test { color: #222; }")
        pkg.set_json(f"{MAIN}/language/fr.json", {"semantics": [{"label": "Question"}]})
        pkg.set_json(f"{HELPER}/library.json", {
            "title": "Helper", "machineName": "H5P.Helper", "majorVersion": 1,
            "minorVersion": 0, "patchVersion": 0, "runnable": 0,
            "preloadedJs": [{"path": "helper.js"}],
        })  # fmt: skip
        pkg.set(f"{HELPER}/helper.js", b"H5P.Helper = {};")
        return pkg

    # Files
    def set(self, name: str, data: bytes | str, tweak=None) -> "H5PPackage":
        self.files[name] = data.encode() if isinstance(data, str) else data
        if tweak is not None:
            self.tweaks[name] = tweak
        return self

    def set_json(self, name: str, data) -> "H5PPackage":
        return self.set(name, json.dumps(data, ensure_ascii=False).encode())

    def json(self, name: str):
        return json.loads(self.files[name])

    def drop(self, *names: str) -> "H5PPackage":
        for name in names:
            del self.files[name]
        return self

    def drop_library(self, folder: str) -> "H5PPackage":
        """Leave a library out (the package then relies on the store's copy)."""
        return self.drop(*[name for name in self.files if name.startswith(f"{folder}/")])

    # JSON documents
    def edit_json(self, name: str, _remove=(), **changes) -> "H5PPackage":
        """Set (or with `_remove`, delete) top-level fields of a JSON file."""
        data = self.json(name)
        data.update(changes)
        for key in _remove:
            data.pop(key, None)
        return self.set_json(name, data)

    def edit_h5p(self, _remove=(), **changes) -> "H5PPackage":
        return self.edit_json("h5p.json", _remove, **changes)

    def edit_library(self, folder: str = MAIN, _remove=(), **changes) -> "H5PPackage":
        return self.edit_json(f"{folder}/library.json", _remove, **changes)

    def library(self, folder: str = MAIN) -> dict:
        return self.json(f"{folder}/library.json")

    def add_library(self, machine_name: str, major: int = 1, minor: int = 0, *, patch: int = 0,
                    js: str = "lib.js", dependency_of: str | None = MAIN) -> str:  # fmt: skip
        """Add a library with one script; by default the main library depends on it."""
        folder = f"{machine_name}-{major}.{minor}"
        self.set_json(f"{folder}/library.json", {
            "title": machine_name, "machineName": machine_name, "majorVersion": major,
            "minorVersion": minor, "patchVersion": patch, "runnable": 0,
            "preloadedJs": [{"path": js}],
        })  # fmt: skip
        self.set(f"{folder}/{js}", b"/* " + machine_name.encode() + b" */")
        if dependency_of:
            data = self.library(dependency_of)
            data.setdefault("preloadedDependencies", []).append(_ref(machine_name, major, minor))
            self.set_json(f"{dependency_of}/library.json", data)
        return folder

    # Output
    def build(self) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.files.items():
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                if name in self.tweaks:
                    self.tweaks[name](info)
                archive.writestr(info, data)
        return buffer.getvalue()

    def stream(self) -> io.BytesIO:
        return io.BytesIO(self.build())
