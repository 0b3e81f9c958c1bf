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
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

from ..models import H5PActivity, H5PLibrary
from .compression import ENCODINGS, compressed_in_memory, is_sibling
from .files import clean_relative, content_name, h5p_storage, listdir, size
from .origin import RELAY, _transfer_size

WEIGHT_SECONDS = 60 * 60 * 24
# Files of the pinned player every frame loads (below settings.H5P_PLAYER_DIR), and the relay.
PLAYER_FILES = ("main.bundle.js", "frame.bundle.js", "styles/h5p.css")


@dataclass(frozen=True)
class Weight:
    bytes: int  # to download on a first visit, about
    type_title: str  # the main library's own title ("Question Set"), or "" when not known

    @property
    def kilobytes(self) -> int:
        """Rounded up: never "0 KB"."""
        return max(1, -(-self.bytes // 1024))


def transfer_size(name, *, siblings: frozenset[str] | None = None) -> int:
    """The bytes a stored content file travels as: its brotli sibling's size when there is one,
    else its own (0 when missing: a file the store lost is not downloaded either). `siblings`:
    the names of its folder, when listed already (one request less for each file). Library
    files: origin._transfer_size, which the player page's preloads use too."""
    storage, name = h5p_storage(), str(name)
    compressed = name + ENCODINGS["br"]
    candidates = [compressed, name]
    if siblings is not None and compressed.rsplit("/", 1)[-1] not in siblings:
        candidates = [name]
    for candidate in candidates:
        found = size(storage, candidate)
        if found is not None:
            return found
    return 0


@functools.cache
def _player_size(player_dir: str) -> int:
    """The player's files as the H5P origin serves them (brotli, else gzip, else as they are):
    compressed once per process, and the same copies the origin serves from memory."""
    total = 0
    for path in [*(Path(player_dir) / name for name in PLAYER_FILES), RELAY]:
        try:
            stat = path.stat()
            found = compressed_in_memory(path, stat)
        except OSError:
            continue
        packed = found.get("br") or found.get("gzip")
        total += len(packed) if packed is not None else stat.st_size
    return total


def player_size() -> int:
    return _player_size(str(settings.H5P_PLAYER_DIR))


def _library_size(library: H5PLibrary) -> int:
    paths = [
        *(item.get("path") for item in library.metadata.get("preloadedJs") or ()),
        *(item.get("path") for item in library.metadata.get("preloadedCss") or ()),
    ]
    total = 0
    for relative in paths:
        if isinstance(relative, str) and clean_relative(relative) is not None:
            total += _transfer_size(library.folder, relative)
    return total


def _content_size(activity: H5PActivity) -> int:
    return _folder_size(h5p_storage(), content_name(activity.uuid))


def _folder_size(storage, folder: str) -> int:
    folders, files = listdir(storage, folder)
    names = frozenset(files)
    total = sum(
        transfer_size(f"{folder}/{name}", siblings=names) for name in files if not is_sibling(name)
    )
    return total + sum(_folder_size(storage, f"{folder}/{name}") for name in folders)


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


def _measure(activity: H5PActivity, libraries: list[H5PLibrary]) -> Weight:
    total = player_size() + _content_size(activity) + sum(_library_size(lib) for lib in libraries)
    weight = Weight(total, type_title(activity, libraries))
    cache.set(_key(activity.uuid), (weight.bytes, weight.type_title), WEIGHT_SECONDS)
    return weight


def activity_weight(activity: H5PActivity) -> Weight:
    """About how many bytes starting `activity` downloads, and its type's title (cached)."""
    cached = cache.get(_key(activity.uuid))
    if cached is not None:
        return Weight(*cached)
    return _measure(activity, list(activity.libraries.all()))


def activity_weights(activities) -> dict:
    """`activity_weight` of each activity, by uuid: those not cached yet in one query for all
    (a module page in low-bandwidth mode costs the same with one exercise or ten)."""
    activities = list(activities)
    cached = cache.get_many([_key(activity.uuid) for activity in activities])
    weights = {a.uuid: Weight(*cached[_key(a.uuid)]) for a in activities if _key(a.uuid) in cached}
    missing = [activity for activity in activities if activity.uuid not in weights]
    if missing:
        through = H5PActivity.libraries.through
        libraries = defaultdict(list)
        for link in through.objects.filter(
            h5pactivity_id__in=[activity.pk for activity in missing]
        ).select_related("h5plibrary"):
            libraries[link.h5pactivity_id].append(link.h5plibrary)
        for activity in missing:
            weights[activity.uuid] = _measure(activity, libraries[activity.pk])
    return weights


def weight_forget(activity_uuid) -> None:
    cache.delete(_key(activity_uuid))
