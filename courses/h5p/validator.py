"""Validate an uploaded .h5p package before anything of it is written anywhere.

The archive is read as a stream of entries: every entry's real size is counted while it is read,
never trusted from its header, so a zip bomb is stopped at the limit. Every problem found is
reported, in words a trainer understands, so that one upload tells them everything to fix.
"""

import json
import logging
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# H5P's own list of allowed file types (h5p-php-library, H5P_DEFAULT_WHITELIST), less "swf":
# Flash is dead and was a classic way to smuggle scripts.
CONTENT_EXTENSIONS = frozenset(
    [
        "json",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "bmp",
        "tif",
        "tiff",
        "svg",
        "eot",
        "ttf",
        "woff",
        "woff2",
        "otf",
        "webm",
        "mp4",
        "ogg",
        "mp3",
        "m4a",
        "wav",
        "txt",
        "pdf",
        "rtf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "xml",
        "csv",
        "diff",
        "patch",
        "md",
        "textile",
        "vtt",
        "webvtt",
        "gltf",
        "glb",
    ]
)
# Scripts and styles belong to libraries only (H5P_DEFAULT_LIBRARY_WHITELIST_EXTRAS).
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css"}
# SVG can carry scripts; in content (which authors upload) it is refused. Library SVGs are fonts
# and icons from the library store, reviewed before they are used.
REFUSED_IN_CONTENT = frozenset({"svg", "js", "css"})
# Harmless files that real packages carry at their root: tolerated, never extracted.
ROOT_EXTRAS = frozenset({"txt", "json", "md"})
# ASCII only: a look-alike letter (a Cyrillic "e" in "H5P.Test") must not pass for a real library.
MACHINE_NAME = re.compile(r"[A-Za-z0-9._\-]{1,127}")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
# What H5P tools write. Other methods (bzip2, lzma, and the ones zipfile cannot read) take paths
# through zipfile and its decompressors that nothing here needs; encryption hides content.
COMPRESSION_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
ENCRYPTED_FLAG = 0x1


@dataclass(frozen=True)
class Limits:
    max_files: int = 3000
    max_total_bytes: int = 64 * 1024 * 1024
    max_file_bytes: int = 16 * 1024 * 1024
    max_ratio: int = 100

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(**getattr(settings, "ACOMPANA_H5P_LIMITS", {}))


@dataclass(frozen=True)
class LibraryRef:
    machine_name: str
    major: int
    minor: int

    @property
    def folder(self) -> str:
        return f"{self.machine_name}-{self.major}.{self.minor}"

    def __str__(self):
        return f"{self.machine_name} {self.major}.{self.minor}"


@dataclass
class PackageLibrary:
    ref: LibraryRef
    patch: int
    title: str
    data: dict
    files: dict[str, str] = field(default_factory=dict)  # path inside the folder -> zip name
    dependencies: list[LibraryRef] = field(default_factory=list)


@dataclass
class Package:
    h5p: dict
    content: dict
    main_library: LibraryRef
    dependencies: list[LibraryRef]
    libraries: dict[LibraryRef, PackageLibrary]
    content_files: dict[str, str]  # path below content/ -> zip name
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class PackageTooLarge(Exception):
    pass


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _extension(name: str) -> str:
    last = name.rsplit("/", 1)[-1]
    return last.rsplit(".", 1)[-1].lower() if "." in last.lstrip(".") else ""


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read one entry, counting real bytes: a lying header cannot get past `limit`."""
    chunks, size = [], 0
    with archive.open(info) as stream:
        while chunk := stream.read(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise PackageTooLarge
            chunks.append(chunk)
    return b"".join(chunks)


def _version(value) -> int:
    """A version number: an integer, or a string of digits (real packages use both)."""
    if isinstance(value, bool) or not (
        isinstance(value, int) or (isinstance(value, str) and value.isascii() and value.isdigit())
    ):
        raise ValueError(value)
    return int(value)


def _ref(raw, where: str, errors: list[str]) -> LibraryRef | None:
    try:
        ref = LibraryRef(
            str(raw["machineName"]), _version(raw["majorVersion"]), _version(raw["minorVersion"])
        )
    except (KeyError, TypeError, ValueError):
        errors.append(_("%(where)s names a library without a valid name and version.") % {
            "where": where})  # fmt: skip
        return None
    if not MACHINE_NAME.fullmatch(ref.machine_name):
        errors.append(_("%(where)s names a library with an invalid name.") % {"where": where})
        return None
    return ref


def _json(archive, info, limits, errors, label) -> dict | None:
    try:
        data = json.loads(read_entry(archive, info, limits.max_file_bytes).decode("utf-8"))
    except PackageTooLarge:
        errors.append(_("%(file)s is larger than allowed.") % {"file": label})
        return None
    except (UnicodeDecodeError, ValueError):
        errors.append(_("%(file)s is not valid JSON.") % {"file": label})
        return None
    if not isinstance(data, dict):
        errors.append(_("%(file)s does not contain a JSON object.") % {"file": label})
        return None
    return data


def validate(
    source,
    *,
    limits: Limits | None = None,
    store_has: Callable[[LibraryRef], bool] = lambda ref: False,
) -> Package:
    """Check a package (a path or a binary file object). Nothing is written anywhere.

    `store_has(ref)` says whether the platform's library store already holds a library that
    the package may rely on without bringing it.
    """
    limits = limits or Limits.from_settings()
    errors: list[str] = []
    package = Package({}, {}, LibraryRef("", 0, 0), [], {}, {}, errors)
    try:
        _validate(source, limits, errors, package, store_has)
    except DatabaseError:
        raise  # the platform's problem, not the package's: the caller retries
    except Exception:
        # Whatever else a malformed archive makes zipfile (or a decompressor) raise refuses the
        # package with a reason; it never leaves it half-checked.
        logger.exception("An H5P package could not be read")
        errors.append(unreadable_reason())
    return package


def unreadable_reason() -> str:
    return _("The package could not be read: it may be damaged, or made with an unusual tool. "
             "Export it again and upload the new file.")  # fmt: skip


def _validate(source, limits, errors, package, store_has) -> None:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        errors.append(_("This file is not an H5P package: it cannot be opened as a zip archive."))
        return
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_files:
            errors.append(
                _("The package holds %(count)s files; at most %(limit)s are allowed.")
                % {"count": len(infos), "limit": limits.max_files}
            )
            return
        _check_entries(archive, infos, limits, errors, package)
        if errors:
            return
        _check_structure(archive, limits, errors, package, store_has)


def _check_entries(archive, infos, limits, errors, package):
    seen: set[str] = set()
    files: set[str] = set()
    declared_total = 0
    for info in infos:
        name = info.filename
        if CONTROL_CHARACTERS.search(name):
            shown = name.encode("unicode_escape").decode("ascii")  # never raw escapes on a screen
            errors.append(_("“%(name)s” has control characters in its name.") % {"name": shown})
            continue
        if info.flag_bits & ENCRYPTED_FLAG:
            errors.append(_("“%(name)s” is encrypted: a package cannot hold encrypted files.")
                          % {"name": name})  # fmt: skip
            continue
        if info.compress_type not in COMPRESSION_METHODS:
            errors.append(
                _("“%(name)s” is compressed with a method the platform does not accept (only "
                  "“stored” and “deflated”, which H5P tools use).") % {"name": name}
            )  # fmt: skip
            continue
        if "\\" in name:
            errors.append(_("“%(name)s” uses backslashes in its path.") % {"name": name})
            continue
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
            errors.append(_("“%(name)s” has an absolute path.") % {"name": name})
            continue
        segments = (name[:-1] if info.is_dir() else name).split("/")
        if ".." in segments:
            errors.append(_("“%(name)s” points outside the package (“..”).") % {"name": name})
            continue
        # One spelling per path: no empty or "." segments, nothing extraction would read apart.
        if any(segment in ("", ".") for segment in segments):
            errors.append(_("“%(name)s” has an irregular path.") % {"name": name})
            continue
        if any(len(segment.encode()) > 255 for segment in segments):
            errors.append(_("“%(name)s” has a name that is too long.") % {"name": name})
            continue
        key = unicodedata.normalize("NFC", "/".join(segments)).casefold()
        if key in seen:
            errors.append(_("“%(name)s” appears more than once.") % {"name": name})
            continue
        seen.add(key)
        if _is_symlink(info):
            errors.append(_("“%(name)s” is a symbolic link.") % {"name": name})
            continue
        if info.is_dir() and info.file_size:
            errors.append(_("“%(name)s” is a folder that holds data.") % {"name": name})
            continue
        if not info.is_dir():
            files.add(key)
        if info.is_dir():
            continue
        declared_total += info.file_size
        if info.file_size > limits.max_file_bytes:
            errors.append(
                _("“%(name)s” unpacks to more than %(limit)s MB.")
                % {"name": name, "limit": limits.max_file_bytes // (1024 * 1024)}
            )
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
            errors.append(
                _("“%(name)s” is compressed suspiciously well (over %(ratio)s to 1).")
                % {"name": name, "ratio": limits.max_ratio}
            )
        parts = tuple(segments)
        if any(part.startswith(".") for part in parts):
            if len(parts) == 1:
                continue  # a hidden file at the root is never extracted
            errors.append(_("“%(name)s” is a hidden file.") % {"name": name})
            continue
        extension = _extension(name)
        top = parts[0]
        if len(parts) == 1:
            if name != "h5p.json" and extension not in ROOT_EXTRAS:
                errors.append(
                    _("“%(name)s” is not allowed at the root of a package.") % {"name": name}
                )
            continue
        if not extension:
            errors.append(_("“%(name)s” has no file extension.") % {"name": name})
        elif top == "content":
            if extension in REFUSED_IN_CONTENT:
                errors.append(
                    _("“%(name)s”: .%(ext)s files are not allowed in content.")
                    % {"name": name, "ext": extension}
                )
            elif extension not in CONTENT_EXTENSIONS:
                errors.append(
                    _("“%(name)s”: .%(ext)s files are not allowed in H5P packages.")
                    % {"name": name, "ext": extension}
                )
            else:
                package.content_files["/".join(parts[1:])] = name
        elif extension not in LIBRARY_EXTENSIONS:
            errors.append(
                _("“%(name)s”: .%(ext)s files are not allowed in H5P packages.")
                % {"name": name, "ext": extension}
            )
    for key in files:
        prefix = key.rsplit("/", 1)[0] if "/" in key else ""
        while prefix:
            if prefix in files:
                errors.append(_("“%(name)s” is both a file and a folder.") % {"name": prefix})
            prefix = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
    if declared_total > limits.max_total_bytes:
        errors.append(
            _("The package unpacks to more than %(limit)s MB.")
            % {"limit": limits.max_total_bytes // (1024 * 1024)}
        )
    # Real sizes, not the headers': a lying entry is caught here.
    if not errors:
        real_total = 0
        for info in infos:
            if info.is_dir():
                continue
            try:
                real_total += len(read_entry(archive, info, limits.max_file_bytes))
            except PackageTooLarge:
                errors.append(_("“%(name)s” is larger than it claims.") % {"name": info.filename})
                return
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
                errors.append(_("“%(name)s” is damaged.") % {"name": info.filename})
                return
            if real_total > limits.max_total_bytes:
                errors.append(
                    _("The package unpacks to more than %(limit)s MB.")
                    % {"limit": limits.max_total_bytes // (1024 * 1024)}
                )
                return


def _check_structure(archive, limits, errors, package, store_has):
    names = {info.filename: info for info in archive.infolist()}
    if "h5p.json" not in names:
        errors.append(_("The package has no h5p.json."))
        return
    h5p = _json(archive, names["h5p.json"], limits, errors, "h5p.json")
    if "content/content.json" not in names:
        errors.append(_("The package has no content/content.json."))
    else:
        content = _json(archive, names["content/content.json"], limits, errors,
                        "content/content.json")  # fmt: skip
        package.content = content or {}
    if h5p is None:
        return
    package.h5p = h5p
    if not isinstance(h5p.get("mainLibrary"), str) or not isinstance(
        h5p.get("preloadedDependencies"), list
    ):
        errors.append(_("h5p.json must name its mainLibrary and list its preloadedDependencies."))
        return
    dependencies = [
        ref for raw in h5p["preloadedDependencies"]
        if (ref := _ref(raw, "h5p.json", errors)) is not None
    ]  # fmt: skip
    package.dependencies = dependencies
    main = [ref for ref in dependencies if ref.machine_name == h5p["mainLibrary"]]
    if not main:
        errors.append(
            _("h5p.json names %(library)s as its main library but does not depend on it.")
            % {"library": h5p["mainLibrary"]}
        )
        return
    package.main_library = main[0]

    # Library folders: every top-level folder other than content/.
    folders: dict[str, dict[str, str]] = {}
    for name in names:
        parts = name.split("/")
        if len(parts) > 1 and parts[0] != "content" and not name.endswith("/"):
            folders.setdefault(parts[0], {})["/".join(parts[1:])] = name
    for folder, files in sorted(folders.items()):
        if "library.json" not in files:
            errors.append(_("The library folder “%(folder)s” has no library.json.") % {
                "folder": folder})  # fmt: skip
            continue
        data = _json(archive, names[files["library.json"]], limits, errors,
                     f"{folder}/library.json")  # fmt: skip
        if data is None:
            continue
        ref = _ref(data, f"{folder}/library.json", errors)
        if ref is None:
            continue
        try:
            patch = _version(data.get("patchVersion", 0))
        except (TypeError, ValueError):
            errors.append(_("%(file)s has an invalid patchVersion.") % {
                "file": f"{folder}/library.json"})  # fmt: skip
            continue
        if folder != ref.folder:
            errors.append(
                _(
                    "The library folder “%(folder)s” holds %(library)s: "
                    "its name must be “%(expected)s”."
                )
                % {"folder": folder, "library": ref, "expected": ref.folder}
            )
            continue
        library = PackageLibrary(ref=ref, patch=patch, title=str(data.get("title", ref)),
                                 data=data, files=files)  # fmt: skip
        for key in ("preloadedDependencies", "dynamicDependencies"):
            for raw in data.get(key) or []:
                dep = _ref(raw, f"{folder}/library.json", errors)
                if dep is not None:
                    library.dependencies.append(dep)
        package.libraries[ref] = library

    # Every library needed to play the content is in the package or in the store.
    needed, queue = set(), list(dependencies)
    while queue:
        ref = queue.pop()
        if ref in needed:
            continue
        needed.add(ref)
        if ref in package.libraries:
            queue.extend(package.libraries[ref].dependencies)
    for ref in sorted(needed, key=str):
        if ref not in package.libraries and not store_has(ref):
            errors.append(
                _("The package needs the library %(library)s, which it does not include and "
                  "the platform does not have yet.") % {"library": ref}
            )  # fmt: skip
