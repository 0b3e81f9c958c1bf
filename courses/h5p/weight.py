"""How much an H5P activity downloads when it starts, and what kind of exercise it is: what the
module page's low-bandwidth card tells before anyone taps "Start exercise".

The estimate is what a first visit transfers: every preloaded JS and CSS file of the activity's
libraries, every file of its content, and the player itself (h5p-standalone's bundles and
stylesheet, and our relay). Each file counts at the size it travels: its precompressed `.br`
sibling (written at extraction, courses/h5p/store.py) when there is one, else the file. Images
and media a content type loads later (the next slide's picture) are counted too: the card says
"about", and a volunteer on a slow link is better served by an estimate on the high side.

Cached by activity uuid (an activity's files never change under its uuid).
"""

import functools
import gzip
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from ..models import H5PActivity, H5PLibrary
from .store import content_root, libraries_root

WEIGHT_SECONDS = 60 * 60 * 24
# Files of the pinned player every frame loads (below settings.H5P_PLAYER_DIR), and the relay.
PLAYER_FILES = ("main.bundle.js", "frame.bundle.js", "styles/h5p.css")
RELAY = Path(settings.BASE_DIR) / "static" / "h5p" / "player-relay.js"
COMPRESSED_SUFFIX = ".br"


@dataclass(frozen=True)
class Weight:
    bytes: int  # to download on a first visit, about
    type_title: str  # the main library's own title ("Question Set"), or "" when not known

    @property
    def kilobytes(self) -> int:
        """Rounded up: never "0 KB"."""
        return max(1, -(-self.bytes // 1024))


def transfer_size(path: Path) -> int:
    """The bytes `path` travels as: its `.br` sibling's size when there is one, else its own
    (0 when missing: a file the store lost is not downloaded either)."""
    for candidate in (path.with_name(path.name + COMPRESSED_SUFFIX), path):
        try:
            return candidate.stat().st_size
        except OSError:
            continue
    return 0


def _compressed(data: bytes) -> int:
    try:
        import brotli
    except ImportError:  # pragma: no cover - brotli is a dependency; gzip is close enough
        return len(gzip.compress(data, compresslevel=9))
    return len(brotli.compress(data))


@functools.cache
def _player_size(player_dir: str) -> int:
    """The player's files as served compressed: measured once per process."""
    total = 0
    for path in [*(Path(player_dir) / name for name in PLAYER_FILES), RELAY]:
        try:
            total += _compressed(path.read_bytes())
        except OSError:
            continue
    return total


def player_size() -> int:
    return _player_size(str(settings.H5P_PLAYER_DIR))


def _library_size(library: H5PLibrary) -> int:
    folder = libraries_root() / library.folder
    paths = [
        *(item.get("path") for item in library.metadata.get("preloadedJs") or ()),
        *(item.get("path") for item in library.metadata.get("preloadedCss") or ()),
    ]
    total = 0
    for relative in paths:
        if not isinstance(relative, str) or not relative:
            continue
        path = (folder / relative).resolve()
        if path.is_relative_to(folder.resolve()):
            total += transfer_size(path)
    return total


def _content_size(activity: H5PActivity) -> int:
    folder = content_root() / str(activity.uuid)
    if not folder.is_dir():
        return 0
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and not path.name.endswith((".br", ".gz")):
            total += transfer_size(path)
    return total


def type_title(activity: H5PActivity, libraries: list[H5PLibrary]) -> str:
    """The main library's title as its author named it ("Question Set"), from the stored row of
    the version the activity uses."""
    name, _space, version = activity.main_library.partition(" ")
    major, _dot, minor = version.partition(".")
    for library in libraries:
        if (
            library.machine_name == name
            and str(library.major_version) == major
            and str(library.minor_version) == minor
        ):
            return library.title
    return next((library.title for library in libraries if library.machine_name == name), "")


def _key(activity_uuid) -> str:
    return f"h5p-weight:1:{activity_uuid}"


def activity_weight(activity: H5PActivity) -> Weight:
    """About how many bytes starting `activity` downloads, and its type's title (cached)."""
    cached = cache.get(_key(activity.uuid))
    if cached is not None:
        return Weight(*cached)
    libraries = list(activity.libraries.all())
    total = player_size() + _content_size(activity) + sum(_library_size(lib) for lib in libraries)
    weight = Weight(total, type_title(activity, libraries))
    cache.set(_key(activity.uuid), (weight.bytes, weight.type_title), WEIGHT_SECONDS)
    return weight


def weight_forget(activity_uuid) -> None:
    cache.delete(_key(activity_uuid))
