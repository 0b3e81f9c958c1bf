"""Compressed copies of H5P files, made once and served by what the browser accepts.

Library and content files never change once extracted (a library folder is named by the hash of
its files; a content folder belongs to one activity for good), so each compressible file gets its
siblings `<file>.br` and `<file>.gz` when it is written (`precompress_tree`, called by the store
for every folder it extracts; `manage.py h5p_precompress` does the same for a store filled before).
A sibling is kept only when it is clearly smaller than the file. The H5P origin picks `br`, then
`gzip`, by the request's `Accept-Encoding`; a sibling is never served under its own name, and the
store's records (the files of a library, what the review screen lists) never include one.

The pinned player's few files (node_modules) are compressed once per process, in memory.
"""

import os
import threading
import uuid
from pathlib import Path

import brotli
from django.conf import settings
from whitenoise.compress import Compressor

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


def fresh(sibling: Path, stat: os.stat_result) -> bool:
    """Whether `sibling` was made from the file of `stat`: `precompress_file` gives each sibling
    its file's mtime (a sibling left from another version of the file has another)."""
    try:
        return sibling.stat().st_mtime_ns == stat.st_mtime_ns
    except OSError:
        return False


def precompress_file(path: Path) -> bool:
    """Write the siblings of one file (each replaced atomically, with the file's mtime). Returns
    whether anything was written: False when the siblings are there already (idempotent) or the
    file is not worth compressing."""
    if not compressible(path.name) or path.is_symlink() or not path.is_file():
        return False
    stat = path.stat()
    siblings = {encoding: path.with_name(path.name + suffix) for encoding, suffix in
                ENCODINGS.items()}  # fmt: skip
    # A sibling with the file's own mtime was made from it: done before (siblings are written
    # together, and a file whose compression was not worth it has none).
    if any(fresh(sibling, stat) for sibling in siblings.values()):
        return False
    found = compress(path.read_bytes())
    for encoding, sibling in siblings.items():
        if encoding not in found:
            sibling.unlink(missing_ok=True)
            continue
        partial = sibling.with_name(f".{sibling.name}.{uuid.uuid4().hex}.partial")
        partial.write_bytes(found[encoding])
        os.utime(partial, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        os.replace(partial, sibling)
    return bool(found)


def precompress_tree(root: Path) -> int:
    """Precompress every compressible file below `root`; the number of files compressed."""
    written = 0
    for folder, _folders, names in os.walk(root):
        for name in names:
            if not is_sibling(name) and precompress_file(Path(folder) / name):
                written += 1
    return written


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
