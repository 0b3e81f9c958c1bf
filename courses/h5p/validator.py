"""Validate an uploaded .h5p package before anything of it is written anywhere.

The archive is read as a stream of entries: every entry's real size is counted while it is read,
never trusted from its header, so a zip bomb is stopped at the limit. Every problem found is
reported, in words a trainer understands, so that one upload tells them everything to fix.
"""

import json
import logging
import re
import stat
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext as _

from . import clamav

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

# The H5P core API our player provides, for libraries' `coreApi` requirements. h5p-standalone
# 3.8.2 (pinned in package.json) bundles H5P core's JavaScript and styles (dist/frame.bundle.js,
# dist/styles/h5p.css) from h5p-php-library; its script set (h5p-tooltip.js, request-queue.js in
# the bundle), its h5p-table/h5p-tooltip styles and the "update h5p core vendor library to match
# upstream" of its 3.8.0 changelog match the h5p-php-library whose `H5PCore::$coreApi` is 1.27
# (h5p.classes.php). Raise this only with a player that bundles a newer core.
PLAYER_CORE_API = (1, 27)

# Files whose extension promises an image, a sound, a video or a font must be that *kind* of file:
# their first bytes are checked with `filetype` (an executable, the EICAR test string, a script or
# a web page renamed .jpg is refused). The kind is checked, not the exact format: a PNG saved as
# .jpg, AAC in .m4a or .mp3, or a WebM sound in .ogg plays all the same, and is what real packages
# carry. Formats filetype does not know are checked here: SVG is text (UTF-8 or UTF-16) holding an
# <svg> element; EOT carries "LP" at byte 34; TrueType/OpenType start with one of the sfnt tags
# (filetype knows only one of them); MP3 without an ID3 tag starts with a frame sync. An empty
# file is accepted, as H5P's own validator does: it is harmless, nothing can run from it.
MEDIA_KINDS = {
    **dict.fromkeys(("png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "svg"), "image"),
    **dict.fromkeys(("ttf", "otf", "woff", "woff2", "eot"), "font"),
    **dict.fromkeys(("mp3", "m4a", "wav"), "audio"),
    **dict.fromkeys(("ogg", "mp4", "webm"), "media"),
}
# What filetype answers (its MIME type) for each kind.
KIND_MIME_PREFIXES = {
    "image": ("image/",),
    "font": ("application/font-", "font/"),
    "audio": ("audio/", "video/"),  # a sound in an MP4/WebM container is named video/* by filetype
    "media": ("audio/", "video/"),
}
SFNT_TAGS = (b"\x00\x01\x00\x00", b"true", b"typ1", b"OTTO", b"ttcf", b"wOFF", b"wOF2")


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


@dataclass(frozen=True)
class StoredLibrary:
    """The store's copy of a library a package relies on without bringing it."""

    data: dict  # its library.json
    files: frozenset[str]  # every file path inside its folder


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
    store_library: Callable[[LibraryRef], StoredLibrary | None] | None = None,
    virus_scan: bool = True,
) -> Package:
    """Check a package (a path or a binary file object). Nothing is written anywhere.

    `store_has(ref)` says whether the platform's library store already holds a library that
    the package may rely on without bringing it; `store_library(ref)`, when given, replaces it
    and returns the store's copy (its library.json and file list, checked like the package's
    own libraries), or None. `virus_scan=False` leaves out the ClamAV scan (for a first look
    whose package is validated again, with the scan, before extraction).
    """
    limits = limits or Limits.from_settings()
    errors: list[str] = []
    package = Package({}, {}, LibraryRef("", 0, 0), [], {}, {}, errors)
    if store_library is None:

        def store_library(ref):
            return StoredLibrary({}, frozenset()) if store_has(ref) else None

    try:
        _validate(source, limits, errors, package, store_library, virus_scan)
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


def _validate(source, limits, errors, package, store_library, virus_scan) -> None:
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
        kind_errors: list[str] = []
        usable: set[str] = set()
        # Only an archive that cannot be read safely (a zip bomb, a lying or damaged entry, an
        # encrypted one) stops here; otherwise every check runs, so that one upload lists
        # everything to fix.
        if _check_entries(archive, infos, limits, errors, package, kind_errors, usable):
            return
        _check_structure(archive, limits, errors, package, store_library, usable)
        errors.extend(kind_errors)
        if virus_scan:
            _scan_for_viruses(archive, [i for i in infos if i.filename in usable], limits, errors)


def skipped(name: str) -> bool:
    """Whether an entry is left out, as H5P's own validator does (h5p-php-library,
    H5PValidator::isValidPackage): any file or folder whose name starts with "." or "_" (macOS's
    __MACOSX/ and ._ files, an editor's language/.en.json, .htaccess) is neither checked as part
    of a library or the content nor extracted. Its path and size are checked all the same."""
    return any(part.startswith((".", "_")) for part in name.rstrip("/").split("/"))


def _check_entries(archive, infos, limits, errors, package, kind_errors, usable) -> bool:
    """Check every entry's path, size and type; fill `usable` with the names the structure
    check may read. True when the archive cannot be read safely (nothing more is checked)."""
    fatal = False
    seen: set[str] = set()
    files: set[str] = set()
    declared_total = 0
    for info in infos:
        name = info.filename
        refusal = _path_refusal(info, name)
        if refusal is not None:
            message, refused_for_good = refusal
            errors.append(message)
            fatal = fatal or refused_for_good
            continue
        segments = (name[:-1] if info.is_dir() else name).split("/")
        key = unicodedata.normalize("NFC", "/".join(segments)).casefold()
        if key in seen:
            errors.append(_("“%(name)s” appears more than once.") % {"name": name})
            continue
        seen.add(key)
        if _is_symlink(info):
            errors.append(_("“%(name)s” is a symbolic link.") % {"name": name})
            continue
        if info.is_dir():
            if info.file_size:
                errors.append(_("“%(name)s” is a folder that holds data.") % {"name": name})
            continue
        files.add(key)
        declared_total += info.file_size
        fatal = _check_size(info, name, limits, errors) or fatal
        if skipped(name):
            continue  # never extracted (H5P's rule)
        usable.add(name)
        _check_place(name, tuple(segments), package, errors)
    _check_files_and_folders(files, errors)
    if declared_total > limits.max_total_bytes:
        errors.append(
            _("The package unpacks to more than %(limit)s MB.")
            % {"limit": limits.max_total_bytes // (1024 * 1024)}
        )
        fatal = True
    # Real sizes, not the headers': a lying entry is caught here.
    if not fatal:
        return _check_real_sizes(archive, infos, limits, errors, kind_errors, usable)
    return fatal


def _path_refusal(info, name: str) -> tuple[str, bool] | None:
    """Why an entry's name or header is refused, and whether the archive cannot be read safely
    then (encrypted, compressed another way); None when the path is sound."""
    if CONTROL_CHARACTERS.search(name):
        shown = name.encode("unicode_escape").decode("ascii")  # never raw escapes on a screen
        return _("“%(name)s” has control characters in its name.") % {"name": shown}, False
    if info.flag_bits & ENCRYPTED_FLAG:
        return _("“%(name)s” is encrypted: a package cannot hold encrypted files.") % {
            "name": name}, True  # fmt: skip
    if info.compress_type not in COMPRESSION_METHODS:
        return (
            _("“%(name)s” is compressed with a method the platform does not accept (only "
              "“stored” and “deflated”, which H5P tools use).") % {"name": name},
            True,
        )  # fmt: skip
    if "\\" in name:
        return _("“%(name)s” uses backslashes in its path.") % {"name": name}, False
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return _("“%(name)s” has an absolute path.") % {"name": name}, False
    segments = (name[:-1] if info.is_dir() else name).split("/")
    if ".." in segments:
        return _("“%(name)s” points outside the package (“..”).") % {"name": name}, False
    # One spelling per path: no empty or "." segments, nothing extraction would read apart.
    if any(segment in ("", ".") for segment in segments):
        return _("“%(name)s” has an irregular path.") % {"name": name}, False
    if any(len(segment.encode()) > 255 for segment in segments):
        return _("“%(name)s” has a name that is too long.") % {"name": name}, False
    return None


def _check_size(info, name: str, limits, errors) -> bool:
    """A file's declared size and compression ratio; True when either is over the limits."""
    fatal = False
    if info.file_size > limits.max_file_bytes:
        errors.append(
            _("“%(name)s” unpacks to more than %(limit)s MB.")
            % {"name": name, "limit": limits.max_file_bytes // (1024 * 1024)}
        )
        fatal = True
    if info.compress_size and info.file_size / info.compress_size > limits.max_ratio:
        errors.append(
            _("“%(name)s” is compressed suspiciously well (over %(ratio)s to 1).")
            % {"name": name, "ratio": limits.max_ratio}
        )
        fatal = True
    return fatal


def _check_place(name: str, parts: tuple, package, errors) -> None:
    """Whether a file may be where it is, by its extension: the root holds h5p.json (and a few
    extras), content/ the content's files (recorded in `package`), the rest libraries' files."""
    extension = _extension(name)
    if len(parts) == 1:
        if name != "h5p.json" and extension not in ROOT_EXTRAS:
            errors.append(_("“%(name)s” is not allowed at the root of a package.") % {"name": name})
        return
    if not extension:
        errors.append(_("“%(name)s” has no file extension.") % {"name": name})
    elif parts[0] == "content":
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


def _check_files_and_folders(files: set[str], errors) -> None:
    """No path is both a file and a folder (`files`: every file's normalised path)."""
    for key in files:
        prefix = key.rsplit("/", 1)[0] if "/" in key else ""
        while prefix:
            if prefix in files:
                errors.append(_("“%(name)s” is both a file and a folder.") % {"name": prefix})
            prefix = prefix.rsplit("/", 1)[0] if "/" in prefix else ""


def _check_real_sizes(archive, infos, limits, errors, kind_errors, usable) -> bool:
    """Read every file (never more than the limits) and check what its first bytes say it is;
    True when a file is larger than it claims, damaged, or the whole is over the limit."""
    real_total = 0
    for info in infos:
        if info.is_dir():
            continue
        try:
            data = read_entry(archive, info, limits.max_file_bytes)
        except PackageTooLarge:
            errors.append(_("“%(name)s” is larger than it claims.") % {"name": info.filename})
            return True
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
            errors.append(_("“%(name)s” is damaged.") % {"name": info.filename})
            return True
        real_total += len(data)
        if info.filename in usable and (problem := _kind_problem(info.filename, data)):
            kind_errors.append(problem)
        if real_total > limits.max_total_bytes:
            errors.append(
                _("The package unpacks to more than %(limit)s MB.")
                % {"limit": limits.max_total_bytes // (1024 * 1024)}
            )
            return True
    return False


# --- What a file's first bytes say it is ----------------------------------------------------------
def _is_svg(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"  # the byte order mark says which
    elif b"\0" in data:
        return False
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return "<svg" in text.lower()


def _is_mpeg_audio(data: bytes) -> bool:
    # An MPEG audio frame header: 11 bits of sync, and a layer other than "reserved".
    return len(data) > 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and data[1] & 0x06 != 0


def _is_kind(kind: str, extension: str, data: bytes) -> bool:
    if not data:
        return True  # empty: harmless, and H5P accepts it
    if extension == "svg":
        return _is_svg(data)
    guess = filetype.guess(data[:8192])
    if guess is not None:
        # filetype names EOT application/octet-stream.
        return guess.mime.startswith(KIND_MIME_PREFIXES[kind]) or (
            kind == "font" and guess.extension == "eot"
        )
    if kind == "font":
        return data[:4] in SFNT_TAGS or (len(data) > 36 and data[34:36] == b"LP")
    if kind in ("audio", "media"):
        return _is_mpeg_audio(data)
    return False


def _kind_problem(name: str, data: bytes) -> str | None:
    """Why a file is not the kind of file its extension promises, or None."""
    extension = _extension(name)
    kind = MEDIA_KINDS.get(extension)
    if kind is None or _is_kind(kind, extension, data):
        return None
    described = {
        "image": _("an image"),
        "font": _("a font"),
        "audio": _("a sound file"),
        "media": _("a sound or video file"),
    }[kind]
    return _("“%(name)s” is not really %(kind)s: its content does not match its .%(ext)s "
             "extension.") % {"name": name, "kind": described, "ext": extension}  # fmt: skip


# --- Virus scan (optional) ------------------------------------------------------------------------
def scanner_unavailable_reason() -> str:
    return _("The package could not be checked for viruses right now. Please try again later; "
             "if this keeps happening, tell an administrator.")  # fmt: skip


def scanner_limit_reason(name: str) -> str:
    return _("The package could not be checked for viruses: “%(name)s” is larger than the virus "
             "scanner accepts. Trying again will not help; an administrator must raise the "
             "scanner's limit (StreamMaxLength in clamd.conf).") % {"name": name}  # fmt: skip


def _scan_for_viruses(archive, infos, limits, errors) -> None:
    """Every file through clamd when ACOMPANA_CLAMAV names it. A scanner that cannot answer
    refuses the package: nothing unscanned is ever extracted."""
    address = getattr(settings, "ACOMPANA_CLAMAV", "")
    if not address:
        return
    deadline = time.monotonic() + clamav.PACKAGE_SECONDS
    for info in infos:
        if info.is_dir():
            continue
        data = read_entry(archive, info, limits.max_file_bytes)
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0:
                raise clamav.ScannerUnavailable("the package took too long to scan")
            found = clamav.scan(data, address, timeout=min(clamav.TIMEOUT_SECONDS, remaining))
        except clamav.ScannerLimit as error:
            logger.error("ClamAV (%s) refused %s as too large: %s", address, info.filename, error)
            errors.append(scanner_limit_reason(info.filename))
            return
        except clamav.ScannerUnavailable as error:
            logger.error("ClamAV (%s) could not scan an H5P package: %s", address, error)
            errors.append(scanner_unavailable_reason())
            return
        if found:
            errors.append(
                _("“%(name)s” contains a virus or other malware (%(signature)s).")
                % {"name": info.filename, "signature": found}
            )


# --- h5p.json and library.json, as H5P's own validator reads them ---------------------------------
# Each field's rule mirrors h5pRequired/h5pOptional and libraryRequired/libraryOptional of
# H5PValidator (h5p-php-library, h5p.classes.php) and the JSON schemas of Lumi's PackageValidator
# (h5p-nodejs-library). A rule returns None when the value is fine, else what it should be.
MAIN_LIBRARY = re.compile(r"[$A-Za-z_][0-9A-Za-z_.$]{1,254}")
LANGUAGE_CODE = re.compile(r"[-a-zA-Z]{1,10}")
ASSET_SEGMENT = re.compile(r"[A-Za-z0-9_\- .]+")
# H5P's `/^(-?[a-z]+){1,7}\.json$/i`, written without nested repetition (no backtracking blow-up).
LANGUAGE_FILE = re.compile(r"-?[a-zA-Z]+(?:-[a-zA-Z]+){0,6}\.json")
CONTENT_LICENSES = ("CC BY", "CC BY-SA", "CC BY-ND", "CC BY-NC", "CC BY-NC-SA", "CC BY-NC-ND",
                    "CC0 1.0", "GNU GPL", "PD", "ODC PDDL", "CC PDM", "U", "C")  # fmt: skip
LIBRARY_LICENSES = ("cc-by", "cc-by-sa", "cc-by-nd", "cc-by-nc", "cc-by-nc-sa", "cc-by-nc-nd",
                    "pd", "cr", "MIT", "GPL1", "GPL2", "GPL3", "MPL", "MPL2")  # fmt: skip


def _text(maximum: int | None = 255, *, minimum: int = 1, lines: bool = False):
    def rule(value):
        if (
            isinstance(value, str)
            and minimum <= len(value) <= (maximum or len(value))
            and (lines or "\n" not in value)
        ):
            return None
        if maximum is None:
            return _("a text on one line")
        if lines:
            return _("a text of at most %(max)s characters") % {"max": maximum}
        return _("a text of at most %(max)s characters, on one line") % {"max": maximum}

    return rule


def _pattern(regex: re.Pattern, described):
    def rule(value):
        return None if isinstance(value, str) and regex.fullmatch(value) else described()

    return rule


def _number(digits: int):
    def rule(value):
        text = value if isinstance(value, str) else str(value) if isinstance(value, int) else ""
        if isinstance(value, bool) or not (text.isascii() and text.isdigit()) or len(text) > digits:
            return _("a whole number of at most %(digits)s digits") % {"digits": digits}
        return None

    return rule


def _flag(value):
    if isinstance(value, bool) or value not in (0, 1, "0", "1"):
        return _("0 or 1")
    return None


def _choice(*choices):
    def rule(value):
        if isinstance(value, str) and value in choices:
            return None
        return _("one of: %(choices)s") % {"choices": ", ".join(f"“{c}”" for c in choices)}

    return rule


def _asset(extension: str):
    def rule(value):
        segments = value.split("/") if isinstance(value, str) else []
        if (
            segments
            and all(ASSET_SEGMENT.fullmatch(s) and s not in (".", "..") for s in segments)
            and value.lower().endswith(f".{extension}")
        ):
            return None
        return _("a path inside the library (letters, digits, spaces, “.”, “_” and “-”, "
                 "folders separated by “/”) ending in .%(ext)s") % {"ext": extension}  # fmt: skip

    return rule


REF = {
    "machineName": _pattern(
        MACHINE_NAME, lambda: _("a library name (letters, digits, “.”, “_” and “-”)")
    ),
    "majorVersion": _number(5),
    "minorVersion": _number(5),
}
CORE_API = {"majorVersion": _number(5), "minorVersion": _number(5)}
H5P_REQUIRED = {
    "title": _text(),
    "language": _pattern(LANGUAGE_CODE, lambda: _("a language code (letters and “-”, at most 10)")),
    "preloadedDependencies": [REF],
    "mainLibrary": _pattern(
        MAIN_LIBRARY, lambda: _("a library name starting with a letter, “_” or “$”")
    ),
    "embedTypes": ("list", _choice("iframe", "div")),
}
H5P_OPTIONAL = {
    "contentType": _text(),
    "dynamicDependencies": [REF],
    "author": _text(),
    "authors": [
        {"name": _text(), "role": _pattern(re.compile(r"\w+", re.ASCII), lambda: _("a word"))}
    ],
    "source": _pattern(
        re.compile(r"https?://.+"), lambda: _("a web address starting with http:// or https://")
    ),
    "license": _choice(*CONTENT_LICENSES),
    "licenseVersion": _choice("1.0", "2.0", "2.5", "3.0", "4.0"),
    "licenseExtras": _text(5000, lines=True),
    "yearsFrom": _number(4),
    "yearsTo": _number(4),
    "changes": [
        {
            "date": _pattern(
                re.compile(r"[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{1,2}:[0-9]{2}:[0-9]{2}"),
                lambda: _("a date and time like “05-12-26 14:30:00”"),
            ),
            "author": _text(),
            "log": _text(5000, lines=True),
        }
    ],
    "authorComments": _text(5000, lines=True),
    "a11yTitle": _text(255, minimum=0, lines=True),
    "w": _number(4),
    "h": _number(4),
    "metaKeywords": _text(None),
    "metaDescription": _text(None),
}
LIBRARY_REQUIRED = {
    "title": _text(),
    "majorVersion": _number(5),
    "minorVersion": _number(5),
    "patchVersion": _number(5),
    "machineName": REF["machineName"],
    "runnable": _flag,
}
LIBRARY_OPTIONAL = {
    "author": _text(),
    "license": _choice(*LIBRARY_LICENSES),
    "description": _text(None),
    "metadataSettings": {"disable": _flag, "disableExtraTitleField": _flag},
    "dynamicDependencies": [REF],
    "preloadedDependencies": [REF],
    "editorDependencies": [REF],
    "preloadedJs": [{"path": _asset("js")}],
    "preloadedCss": [{"path": _asset("css")}],
    "dropLibraryCss": [{"machineName": REF["machineName"]}],
    "w": _number(4),
    "h": _number(4),
    "embedTypes": ("list", _choice("iframe", "div")),
    "fullscreen": _flag,
    "coreApi": CORE_API,
}


def _check_value(value, rule, where: str, field_name: str, errors: list[str]) -> None:
    def wrong(expected):
        errors.append(_("%(file)s: “%(field)s” must be %(expected)s.")
                      % {"file": where, "field": field_name, "expected": expected})  # fmt: skip

    if isinstance(rule, dict):  # an object with required fields
        if not isinstance(value, dict):
            wrong(_("a group of fields (a JSON object)"))
            return
        _check_fields(value, rule, {}, where, errors, prefix=f"{field_name}.")
    elif isinstance(rule, list | tuple):  # [object rule] or (…, value rule): a list of them
        if not isinstance(value, list):
            wrong(_("a list"))
            return
        item_rule = rule[0] if isinstance(rule, list) else rule[1]
        for index, item in enumerate(value):
            _check_value(item, item_rule, where, f"{field_name}[{index}]", errors)
    elif (expected := rule(value)) is not None:
        wrong(expected)


def _check_fields(data: dict, required: dict, optional: dict, where: str, errors: list[str],
                  prefix: str = "") -> None:  # fmt: skip
    for name, rule in required.items():
        if name not in data:
            errors.append(_("%(file)s lacks the required field “%(field)s”.")
                          % {"file": where, "field": prefix + name})  # fmt: skip
        else:
            _check_value(data[name], rule, where, prefix + name, errors)
    for name, rule in optional.items():
        if name in data:
            _check_value(data[name], rule, where, prefix + name, errors)


def _core_api_problem(data: dict, where: str) -> str | None:
    """A library that needs a newer H5P core than our player has (H5PValidator's
    isValidH5pData: a missing or empty coreApi means 1.0)."""
    core = data.get("coreApi")
    if not isinstance(core, dict) or not core:
        return None
    try:
        needed = (_version(core.get("majorVersion")), _version(core.get("minorVersion")))
    except (TypeError, ValueError):
        return None  # reported by the schema
    if needed <= PLAYER_CORE_API:
        return None
    return _("%(library)s needs H5P core %(needed)s or newer; the platform's player has "
             "%(current)s. Use an older version of this content type, or ask an administrator to "
             "update the player.") % {
        "library": where,
        "needed": "{}.{}".format(*needed),
        "current": "{}.{}".format(*PLAYER_CORE_API),
    }  # fmt: skip


def _missing_assets(data: dict, files, where: str) -> list[str]:
    """Every preloadedJs/preloadedCss path that is not among `files`."""
    problems = []
    for key in ("preloadedJs", "preloadedCss"):
        entries = data.get(key)
        for entry in entries if isinstance(entries, list) else []:
            path = entry.get("path") if isinstance(entry, dict) else None
            if isinstance(path, str) and path not in files:
                problems.append(
                    _("%(library)s lists “%(file)s” in %(field)s, but the file is not there.")
                    % {"library": where, "file": path, "field": key}
                )
    return problems


def dependencies_of(data: dict, where: str) -> list[LibraryRef]:
    """What a library needs to play: its preloaded and dynamic dependencies (as H5P core's
    findLibraryDependencies follows them for viewing)."""
    return _refs(data, ("preloadedDependencies", "dynamicDependencies"), where)


def _refs(data: dict, keys, where: str) -> list[LibraryRef]:
    """The dependency references of a library.json (the broken ones are reported by the schema
    check, not again here)."""
    refs = []
    for key in keys:
        raw = data.get(key)
        for item in raw if isinstance(raw, list) else []:
            if (ref := _ref(item, where, [])) is not None:
                refs.append(ref)
    return refs


def _check_structure(archive, limits, errors, package, store_library, usable):
    names = {info.filename: info for info in archive.infolist() if info.filename in usable}
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
    if h5p is not None:
        _check_h5p_json(h5p, package, errors)

    # Library folders: every top-level folder other than content/. Every problem of every
    # library is reported, not only the first.
    folders: dict[str, dict[str, str]] = {}
    for name in names:
        parts = name.split("/")
        if len(parts) > 1 and parts[0] != "content" and not name.endswith("/"):
            folders.setdefault(parts[0], {})["/".join(parts[1:])] = name
    for folder, files in sorted(folders.items()):
        _check_library(archive, limits, errors, package, names, folder, files)
    if h5p is None or not package.main_library.machine_name:
        return

    _check_needed_libraries(package, store_library, errors)


def _check_h5p_json(h5p: dict, package, errors) -> None:
    """h5p.json's fields, its dependencies, and the main library among them."""
    package.h5p = h5p
    _check_fields(h5p, H5P_REQUIRED, H5P_OPTIONAL, "h5p.json", errors)
    package.dependencies = _refs(h5p, ["preloadedDependencies"], "h5p.json")
    main = [ref for ref in package.dependencies if ref.machine_name == h5p.get("mainLibrary")]
    if main:
        package.main_library = main[0]
    elif isinstance(h5p.get("mainLibrary"), str):
        errors.append(
            _("h5p.json names %(library)s as its main library but does not depend on it.")
            % {"library": h5p["mainLibrary"]}
        )


def _check_needed_libraries(package, store_library, errors) -> None:
    # Every library needed to play the content, and every editor library they name (as
    # H5PValidator's getMissingLibraries), is in the package or in the store; the store's copies
    # must hold the files their library.json lists.
    needed, queue, editors = set(), list(package.dependencies), set()
    stored: dict[LibraryRef, StoredLibrary] = {}
    while queue:
        ref = queue.pop()
        if ref in needed:
            continue
        needed.add(ref)
        if ref in package.libraries:
            data = package.libraries[ref].data
        elif (copy := store_library(ref)) is not None:
            stored[ref] = copy
            data = copy.data
        else:
            continue
        queue.extend(dependencies_of(data, str(ref)))
        editors.update(_refs(data, ("editorDependencies",), str(ref)))
    for ref in sorted(needed | editors, key=str):
        if ref in package.libraries:
            continue
        if ref not in stored and (ref in needed or store_library(ref) is None):
            errors.append(
                _("The package needs the library %(library)s, which it does not include and "
                  "the platform does not have yet.") % {"library": ref}
            )  # fmt: skip
        elif ref in stored and stored[ref].data:
            where = _("the platform's copy of %(library)s") % {"library": ref}
            errors.extend(_missing_assets(stored[ref].data, stored[ref].files, where))


def _check_library(archive, limits, errors, package, names, folder, files):
    where = f"{folder}/library.json"
    if "library.json" not in files:
        errors.append(_("The library folder “%(folder)s” has no library.json.") % {
            "folder": folder})  # fmt: skip
        return
    data = _json(archive, names[files["library.json"]], limits, errors, where)
    # semantics.json and language files parse (H5PValidator's getLibraryData).
    if "semantics.json" in files:
        try:
            json.loads(read_entry(archive, names[files["semantics.json"]],
                                  limits.max_file_bytes).decode("utf-8"))  # fmt: skip
        except (UnicodeDecodeError, ValueError, PackageTooLarge):
            errors.append(_("%(file)s is not valid JSON.") % {"file": f"{folder}/semantics.json"})
    for path in sorted(p for p in files if p.startswith("language/")):
        label = f"{folder}/{path}"
        if not LANGUAGE_FILE.fullmatch(path.removeprefix("language/")):
            errors.append(
                _("%(file)s: a language file is named after its language code, like "
                  "“fr.json” or “pt-br.json”.") % {"file": label}
            )  # fmt: skip
            continue
        _json(archive, names[files[path]], limits, errors, label)
    if data is None:
        return
    schema_errors: list[str] = []
    _check_fields(data, LIBRARY_REQUIRED, LIBRARY_OPTIONAL, where, schema_errors)
    errors.extend(schema_errors)
    if (problem := _core_api_problem(data, where)) is not None:
        errors.append(problem)
    errors.extend(_missing_assets(data, files, folder))
    ref = _ref(data, where, [] if schema_errors else errors)
    if ref is None:
        return
    try:
        patch = _version(data.get("patchVersion", 0))
    except (TypeError, ValueError):
        return  # reported by the schema
    if folder != ref.folder:
        errors.append(
            _("The library folder “%(folder)s” holds %(library)s: its name must be “%(expected)s”.")
            % {"folder": folder, "library": ref, "expected": ref.folder}
        )
        return
    library = PackageLibrary(ref=ref, patch=patch, title=str(data.get("title", ref)),
                             data=data, files=files)  # fmt: skip
    library.dependencies = dependencies_of(data, where)
    package.libraries[ref] = library
