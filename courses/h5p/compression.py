"""Compressed copies of H5P files, made once and served by what the browser accepts.

Library and content files never change once extracted (a library folder is named by the hash of
its files; a content folder belongs to one activity for good), so each compressible file gets its
siblings `<file>.br` and `<file>.gz` when it is written (`write_siblings`, called by the store for
every file it extracts, right after the file; `manage.py h5p_precompress` does the same for a
store filled before). Siblings live in the same storage as their files (storages["h5p"]).
A sibling is kept only when it is clearly smaller than the file. The H5P origin picks `br`, then
`gzip`, by the request's `Accept-Encoding`; a sibling is never served under its own name, and the
store's records (the files of a library, what the review screen lists) never include one.

The pinned player's few files (node_modules) are compressed once per process, in memory.
"""

import os
import posixpath
import threading
from pathlib import Path

import brotli
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.files.storage import Storage
from whitenoise.compress import Compressor

from .files import opened_meta, put, stored_meta, walk

# Text formats worth compressing. Fonts in woff/woff2, images, audio and video are compressed
# already; office documents and PDFs are left as they are.
COMPRESSIBLE = frozenset(
    {"js", "css", "json", "svg", "txt", "vtt", "webvtt", "xml", "csv", "md", "eot", "ttf", "otf"}
)
# Suffix of each sibling, by the Content-Encoding it is served with, in order of preference.
ENCODINGS = {"br": ".br", "gzip": ".gz"}
SIBLING_SUFFIXES = tuple(ENCODINGS.values())

_compressor = Compressor(quiet=True)


def is_sibling(name: str) -> bool:
    """Whether a file name is that of a compressed sibling (never a file of a package: H5P
    allows no .br or .gz file)."""
    return name.lower().endswith(SIBLING_SUFFIXES)


def compressible(name: str) -> bool:
    return name.rsplit(".", 1)[-1].lower() in COMPRESSIBLE and "." in name


def _brotli_quality() -> int:
    return getattr(settings, "ACOMPANA_H5P_BROTLI_QUALITY", 11)


def compress(data: bytes) -> dict[str, bytes]:
    """The encodings worth keeping for `data`: each only when at most 95% of its size."""
    found = {}
    for encoding, packed in (
        ("br", brotli.compress(data, quality=_brotli_quality())),
        ("gzip", _compressor.compress_gzip(data)),
    ):
        if _compressor.is_compressed_effectively(encoding, "", len(data), packed):
            found[encoding] = packed
    return found


def fresh(sibling_mtime_ns: int, file_mtime_ns: int) -> bool:
    """Whether a sibling was made from the file as it is now: written after it (an object store
    stamps each object when written; `precompress_file` gives a local sibling its file's own
    mtime). A sibling left from an older version of the file is older than the file."""
    return sibling_mtime_ns >= file_mtime_ns


def sibling_name(name: str, encoding: str) -> str:
    return name + ENCODINGS[encoding]


def write_siblings(storage: Storage, name: str, data: bytes, *, replacing: bool = False) -> bool:
    """Write the siblings of the stored file `name` (whose bytes are `data`), after it. When
    `replacing` older siblings, one no longer worth keeping is removed (a new file has none:
    nothing to ask the storage). Returns whether any was written."""
    if not compressible(posixpath.basename(name)):
        return False
    found = compress(data)
    for encoding in ENCODINGS:
        if encoding in found:
            put(storage, sibling_name(name, encoding), found[encoding])
        elif replacing:
            storage.delete(sibling_name(name, encoding))
    return bool(found)


def precompress_file(storage: Storage, name: str) -> bool:
    """Write the siblings of one stored file. Returns whether anything was written: False when
    fresh siblings are there already (idempotent) or the file is not worth compressing."""
    if not compressible(posixpath.basename(name)) or is_sibling(name):
        return False
    try:
        opened = storage.open(name, "rb")
    except (OSError, SuspiciousOperation):
        return False
    with opened:
        _size, mtime_ns = opened_meta(storage, name, opened)
        # Siblings are written together, and a file whose compression was not worth it has
        # none: one fresh sibling means done before.
        for encoding in ENCODINGS:
            meta = stored_meta(storage, sibling_name(name, encoding))
            if meta is not None and fresh(meta[1], mtime_ns):
                return False
        data = opened.read()
    written = write_siblings(storage, name, data, replacing=True)
    for encoding in ENCODINGS:
        _local_mtime(storage, sibling_name(name, encoding), name)
    return written


def _local_mtime(storage: Storage, sibling: str, name: str) -> None:
    """On a local store, give a sibling its file's own mtime, as siblings always had (so that a
    file stamped ahead of the clock still has fresh siblings). An object store stamps objects
    itself and has no file system paths: nothing to do there."""
    try:
        sibling_path, file_path = storage.path(sibling), storage.path(name)
        stat = os.stat(file_path)
        if os.path.isfile(sibling_path):
            os.utime(sibling_path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    except (NotImplementedError, OSError, SuspiciousOperation):
        pass


def precompress_tree(storage: Storage, folder: str) -> int:
    """Precompress every compressible file below the stored `folder`; the number of files
    compressed."""
    return sum(
        1 for name in walk(storage, folder)
        if not is_sibling(name) and precompress_file(storage, name)
    )  # fmt: skip


def accepted_encodings(accept_encoding: str) -> list[str]:
    """The encodings of ours the request accepts, best first: by q-value, then br before gzip
    (`Accept-Encoding: gzip;q=1.0, br;q=0.5` gets gzip; `br;q=0` refuses brotli)."""
    weights: dict[str, float] = {}
    wildcard = None
    for part in accept_encoding.split(","):
        token, *params = [piece.strip() for piece in part.split(";")]
        token = token.lower()
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if token == "*":
            wildcard = quality
        elif token in ("br", "gzip", "x-gzip"):
            token = "gzip" if token == "x-gzip" else token
            weights[token] = max(quality, weights.get(token, 0.0))
    if wildcard is not None:
        for encoding in ENCODINGS:
            weights.setdefault(encoding, wildcard)
    order = list(ENCODINGS)
    usable = [encoding for encoding in order if weights.get(encoding, 0.0) > 0]
    return sorted(usable, key=lambda encoding: (-weights[encoding], order.index(encoding)))


_memory: dict[tuple[str, int, int], dict[str, bytes]] = {}
_memory_lock = threading.Lock()


def compressed_in_memory(path: Path, stat: os.stat_result) -> dict[str, bytes]:
    """The compressed forms of one of the player's files, made once per process (and again only
    if the file changes)."""
    if not compressible(path.name):
        return {}
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _memory_lock:
        if key in _memory:
            return _memory[key]
    # Compressed outside the lock: brotli at quality 11 takes a while for the player's bundle,
    # and requests for the other files must not wait behind it. Two requests racing for the
    # same file both compress it once; either result is the same.
    found = compress(path.read_bytes())
    with _memory_lock:
        for old in [k for k in _memory if k[0] == key[0] and k != key]:
            del _memory[old]
        return _memory.setdefault(key, found)
