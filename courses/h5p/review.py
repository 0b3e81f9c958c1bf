"""What an administrator needs to review a library candidate: its files (size, SHA-256), the
other candidates uploaded under the same name and version, and what changed against the closest
approved version of the library (files added, removed and changed, with a text diff of changed
text files, capped in size).

Files are read here and shown in the admin as escaped text, never served: nothing of a package
ever reaches the platform's host as a file.
"""

import difflib
import hashlib
import posixpath
from dataclasses import dataclass, field

from django.conf import settings

from ..models import H5PLibrary
from .compression import is_sibling
from .files import clean_relative, h5p_storage, library_name, open_stored, size, walk

# Files read as text for a diff; anything else is compared by hash only.
TEXT_EXTENSIONS = frozenset(
    {"js", "css", "json", "txt", "md", "svg", "xml", "csv", "vtt", "webvtt", "textile"}
)
DIFF_CONTEXT_LINES = 3
DIFF_MAX_LINES = 400  # per file
DIFF_MAX_LINE_CHARS = 300  # minified code is one long line: show its start
DIFF_MAX_TOTAL_CHARS = 200_000  # per comparison


def library_files(library: H5PLibrary) -> list[dict]:
    """Each file's path, size and SHA-256: as recorded at upload, or (for a version stored
    before these were recorded) read from the store."""
    if library.files:
        return library.files
    storage, folder = h5p_storage(), library_name(library.folder)
    files = []
    for name in sorted(walk(storage, folder)):
        if is_sibling(name):  # not .br/.gz copies
            continue
        opened = open_stored(storage, name)
        if opened is None:
            continue
        with opened:
            data = opened.read()
        files.append({"path": posixpath.relpath(name, folder), "size": len(data),
                      "sha256": hashlib.sha256(data).hexdigest()})  # fmt: skip
    return files


def _read(library: H5PLibrary, relative: str, limit: int) -> bytes | None:
    relative = clean_relative(relative)
    if relative is None:
        return None
    storage, name = h5p_storage(), library_name(library.folder, relative)
    found = size(storage, name)
    if found is None or found > limit:
        return None
    opened = open_stored(storage, name)
    if opened is None:
        return None
    with opened:
        return opened.read()


def candidates_of(library: H5PLibrary) -> list[H5PLibrary]:
    """The other candidates of the same name and version (other files), newest first."""
    return list(
        H5PLibrary.objects.filter(
            machine_name=library.machine_name, major_version=library.major_version,
            minor_version=library.minor_version, patch_version=library.patch_version,
        ).exclude(pk=library.pk).select_related("uploaded_by", "reviewed_by")
        .order_by("-created_at", "-pk")
    )  # fmt: skip


def closest_approved(library: H5PLibrary) -> H5PLibrary | None:
    """The approved version of the same library nearest to this one: the same version (other
    files), else the highest below it, else the lowest above it."""
    approved = list(
        H5PLibrary.objects.filter(
            machine_name=library.machine_name, status=H5PLibrary.Status.APPROVED
        ).exclude(pk=library.pk)
    )
    version = library.version_tuple
    same = [other for other in approved if other.version_tuple == version]
    below = [other for other in approved if other.version_tuple < version]
    above = [other for other in approved if other.version_tuple > version]
    if same:
        return same[0]
    if below:
        return max(below, key=lambda other: other.version_tuple)
    if above:
        return min(above, key=lambda other: other.version_tuple)
    return None


@dataclass
class ChangedFile:
    path: str
    old_size: int
    new_size: int
    diff: list[str] | None = None  # None: not a text file, or too large to compare
    truncated: bool = False


@dataclass
class Comparison:
    base: H5PLibrary
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[ChangedFile] = field(default_factory=list)
    unchanged: int = 0
    truncated: bool = False  # the whole comparison reached its size cap

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or self.changed)


def compare(base: H5PLibrary, library: H5PLibrary, *, base_files=None, files=None) -> Comparison:
    """What `library` adds, removes and changes against `base` (file lists already read may be
    passed: reading them may hash every file of an older library)."""
    old = {entry["path"]: entry for entry in base_files or library_files(base)}
    new = {entry["path"]: entry for entry in files or library_files(library)}
    comparison = Comparison(base=base)
    comparison.added = [new[path] for path in sorted(new.keys() - old.keys())]
    comparison.removed = [old[path] for path in sorted(old.keys() - new.keys())]
    budget = DIFF_MAX_TOTAL_CHARS
    limit = settings.ACOMPANA_H5P_REVIEW_DIFF_BYTES
    for path in sorted(old.keys() & new.keys()):
        if old[path]["sha256"] == new[path]["sha256"]:
            comparison.unchanged += 1
            continue
        changed = ChangedFile(path, old[path]["size"], new[path]["size"])
        comparison.changed.append(changed)
        extension = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        if extension not in TEXT_EXTENSIONS:
            continue
        if budget <= 0:
            comparison.truncated = True
            continue
        before, after = _read(base, path, limit), _read(library, path, limit)
        if before is None or after is None:
            continue
        changed.diff, changed.truncated, used = _diff(path, before, after, budget)
        budget -= used
        comparison.truncated = comparison.truncated or changed.truncated
    return comparison


def _diff(path: str, before: bytes, after: bytes, budget: int) -> tuple[list[str], bool, int]:
    lines = difflib.unified_diff(
        before.decode("utf-8", "replace").splitlines(),
        after.decode("utf-8", "replace").splitlines(),
        fromfile=f"a/{path}", tofile=f"b/{path}", n=DIFF_CONTEXT_LINES, lineterm="",
    )  # fmt: skip
    shown, used = [], 0
    for number, line in enumerate(lines):
        if number >= DIFF_MAX_LINES or used >= budget:
            return shown, True, used
        if len(line) > DIFF_MAX_LINE_CHARS:
            line = line[:DIFF_MAX_LINE_CHARS] + " …"
        shown.append(line)
        used += len(line) + 1
    return shown, False, used


@dataclass
class Review:
    library: H5PLibrary
    files: list[dict]
    candidates: list[tuple[H5PLibrary, list[dict], Comparison]]
    closest: Comparison | None


def library_review(library: H5PLibrary) -> Review:
    """Everything the review screen shows about one candidate."""
    files = library_files(library)
    others = []
    for other in candidates_of(library):
        other_files = library_files(other)
        others.append(
            (other, other_files, compare(other, library, base_files=other_files, files=files))
        )
    base = closest_approved(library)
    return Review(
        library=library, files=files, candidates=others,
        closest=compare(base, library, files=files) if base is not None else None,
    )  # fmt: skip
