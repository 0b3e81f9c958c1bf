"""The library store and extraction of H5P activities.

Libraries are stored once per machine name, full version and set of files, under
`<H5P root>/libraries/<Name>-<major>.<minor>.<patch>-<hash>/`, with the size and SHA-256 of each
file. A version waiting for review may receive other files from a later upload: they become a
second candidate (the first upload cannot squat a library), which the review screen shows beside
the first. An approved version is never replaced: a package that brings other files under it is
refused (the author publishes a new patch version). Content goes to
`<H5P root>/content/<activity uuid>/`.

The store is the storage `storages["h5p"]` (files.py): a local folder or an object store, reached
only through the storage's API. The package is checked from the upload, then each file is written
from the archive under its final name (with its compressed siblings), inside the import's
transaction: a content folder belongs to one activity, a library folder is named by the hash of
its files (writing it again writes the same bytes), so nothing is renamed into place.

Imports run side by side (and a task may be delivered twice), so:
- an activity is extracted by one run at a time: the run locks the activity's row for the whole
  transaction that writes, and does nothing when the activity is no longer being prepared (a
  run that finds it ready never touches its files);
- a library folder is shared by every import that brings the same files, so a failed import
  never deletes one (another import may be writing it, its row not committed yet): it deletes
  only its own content folder. The sweep removes library folders no committed row names, once
  nothing in them changed for an hour, under a lock (PostgreSQL) that an import writing that
  folder holds until it commits.
"""

import hashlib
import json
import logging
import posixpath
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import H5PActivity, H5PLibrary
from .compression import write_siblings
from .files import (
    CONTENT,
    LIBRARIES,
    clean_relative,
    content_name,
    delete_tree,
    h5p_storage,
    library_name,
    listdir,
    modified_time,
    put,
    walk,
)
from .validator import (
    LibraryRef,
    Limits,
    Package,
    PackageLibrary,
    StoredLibrary,
    dependencies_of,
    read_entry,
    validate,
)

logger = logging.getLogger(__name__)


def h5p_root() -> Path:
    """Where the local storage (training.storage.H5PFileSystemStorage) keeps the store: for
    tests and local tools only. The code reaches stored files through `h5p_storage()`."""
    return Path(settings.ACOMPANA_H5P_ROOT)


def libraries_root() -> Path:
    return h5p_root() / "libraries"


def content_root() -> Path:
    return h5p_root() / "content"


def store_has(ref: LibraryRef) -> bool:
    """Whether the store holds some version of this library that is not rejected."""
    return (
        H5PLibrary.objects.filter(
            machine_name=ref.machine_name, major_version=ref.major, minor_version=ref.minor
        )
        .exclude(status=H5PLibrary.Status.REJECTED)
        .exists()
    )


def stored_library(ref: LibraryRef) -> StoredLibrary | None:
    """The store's copy a package without this library would get (its library.json and file
    list, which the validator checks), or None."""
    library = best_library(ref)
    if library is None:
        return None
    return StoredLibrary(library.metadata or {}, frozenset(f["path"] for f in library.files))


def best_library(ref: LibraryRef) -> H5PLibrary | None:
    """The version a package without its own copy gets: the highest approved patch, or, while
    none is approved, the highest one waiting for review, its latest upload (never a rejected
    one)."""
    versions = H5PLibrary.objects.filter(
        machine_name=ref.machine_name, major_version=ref.major, minor_version=ref.minor
    ).exclude(status=H5PLibrary.Status.REJECTED)
    return (
        versions.filter(status=H5PLibrary.Status.APPROVED).order_by("-patch_version").first()
        or versions.order_by("-patch_version", "-created_at", "-pk").first()
    )


def library_manifest(
    archive: zipfile.ZipFile, library: PackageLibrary, limits: Limits
) -> tuple[str, list[dict]]:
    """The hash of a library's files (over each path and its SHA-256), and each file's path,
    size and SHA-256, as the review screen shows them."""
    digest, files = hashlib.sha256(), []
    for path in sorted(library.files):
        data = read_entry(archive, archive.getinfo(library.files[path]), limits.max_file_bytes)
        file_digest = hashlib.sha256(data)
        digest.update(path.encode() + b"\0" + file_digest.digest())
        files.append({"path": path, "size": len(data), "sha256": file_digest.hexdigest()})
    return digest.hexdigest(), files


def _write(archive, files: dict[str, str], folder: str, limits: Limits) -> dict[str, bytes]:
    """Write each file of the archive below the stored `folder`, each followed by its .br/.gz
    siblings for the H5P origin to serve. Returns what was written, by relative path."""
    storage, written = h5p_storage(), {}
    for relative, name in files.items():
        # The validator already refused "..", absolute paths and links; check once more.
        if clean_relative(relative) != relative:
            raise ValueError(f"refusing to write outside {folder}: {relative}")
        data = read_entry(archive, archive.getinfo(name), limits.max_file_bytes)
        stored = posixpath.join(folder, relative)
        put(storage, stored, data)
        write_siblings(storage, stored, data)
        written[relative] = data
    return written


class ExtractionRefused(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def _library_lock(folder: str, *, wait: bool = True) -> bool:
    """A lock on a library folder (PostgreSQL advisory lock, held until the transaction ends):
    an import holds it while it writes the folder and until its row commits; the sweep takes it
    (without waiting) before it deletes the folder. Whether it is held; always so elsewhere
    (SQLite: one process, tasks run eagerly)."""
    if connection.vendor != "postgresql":
        return True
    digest = hashlib.sha256(f"acompana-h5p-library:{folder}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        return bool(cursor.fetchone()[0])


def _store_library(archive, library: PackageLibrary, limits, uploaded_by=None) -> H5PLibrary:
    """The stored candidate with exactly these files: reused when the store has it, stored
    (waiting for review) when new. Refused when an administrator approved other files under this
    version, or rejected these."""
    digest, files = library_manifest(archive, library, limits)
    version = {
        "machine_name": library.ref.machine_name,
        "major_version": library.ref.major,
        "minor_version": library.ref.minor,
        "patch_version": library.patch,
    }
    name = f"{library.ref.machine_name} {library.ref.major}.{library.ref.minor}.{library.patch}"
    approved = H5PLibrary.objects.filter(**version, status=H5PLibrary.Status.APPROVED).first()
    if approved is not None and approved.files_hash != digest:
        raise ExtractionRefused(
            [_("The package brings the library %(library)s with files that differ from the "
               "version an administrator approved. An approved version is never replaced: "
               "use a package with the approved library, or ask its author for a new patch "
               "version.") % {"library": name}]
        )  # fmt: skip
    existing = approved or H5PLibrary.objects.filter(**version, files_hash=digest).first()
    if existing is None:
        folder = f"{library.ref.machine_name}-{library.ref.major}.{library.ref.minor}."
        folder = f"{folder}{library.patch}-{digest[:16]}"
        target = library_name(folder)
        # Shared with any other import of these very files: written over with the same bytes,
        # never deleted by a failed import (the sweep removes it once no row names it). Held
        # until this transaction ends, so the sweep cannot delete it meanwhile.
        _library_lock(folder)
        _write(archive, library.files, target, limits)
        try:
            with transaction.atomic():
                existing = H5PLibrary.objects.create(
                    **version, title=library.title[:255], files_hash=digest, files=files,
                    folder_name=folder, metadata=library.data, uploaded_by=uploaded_by,
                )  # fmt: skip
        except IntegrityError:  # the same files stored meanwhile by another import
            # Its folder is this very one (named by the same hash), with the same bytes.
            existing = H5PLibrary.objects.get(**version, files_hash=digest)
        else:
            return existing
    if existing.status == H5PLibrary.Status.REJECTED:
        raise ExtractionRefused(
            [_("The library %(library)s was rejected by an administrator.") % {
                "library": existing}]
        )  # fmt: skip
    return existing


def _library_order(library: PackageLibrary) -> tuple:
    ref = library.ref
    return (ref.machine_name, ref.major, ref.minor, library.patch)


def _needed(package: Package) -> list[LibraryRef]:
    """Every library the content plays with: the package's own, and those it relies on in the
    store, whose own dependencies come from the store's copy (the one the activity will use)."""
    needed, queue = [], list(package.dependencies)
    while queue:
        ref = queue.pop(0)
        if ref in needed:
            continue
        needed.append(ref)
        if ref in package.libraries:
            queue.extend(package.libraries[ref].dependencies)
        elif (library := best_library(ref)) is not None:
            queue.extend(dependencies_of(library.metadata or {}, str(ref)))
    return needed


def activity_extract(*, activity_id: int) -> H5PActivity:
    """Validate and extract an uploaded activity, once: a ready or refused one is left as is.

    Safe when two runs meet (a task delivered twice): one extracts, under the lock of the
    activity's row; the other then finds it ready (or refused) and does nothing, its files
    untouched. Database errors propagate (the task retries them, then refuses); anything else
    refuses the package with a reason: an activity never stays "being prepared".
    """
    with transaction.atomic():
        activity = H5PActivity.objects.select_for_update().get(pk=activity_id)
        if activity.status != H5PActivity.Status.PENDING:
            return activity
    return _extract(activity)


def _extract(activity: H5PActivity) -> H5PActivity:
    limits = Limits.from_settings()
    target = content_name(activity.uuid)
    try:
        with activity.package.open("rb") as upload:
            # Checked (and scanned for viruses, which may take minutes) before any transaction
            # opens: no database connection waits idle in a transaction meanwhile.
            package = validate(upload, limits=limits, store_library=stored_library)
            if not package.ok:
                raise ExtractionRefused(package.errors)
            with transaction.atomic(), zipfile.ZipFile(upload) as archive:
                # Locked until this transaction ends: another run of this extraction waits here,
                # then finds it no longer being prepared and leaves it (and its files) alone.
                current = H5PActivity.objects.select_for_update().get(pk=activity.pk)
                if current.status != H5PActivity.Status.PENDING:
                    return current
                # Same order in every import: two imports never wait for each other's library.
                ordered = sorted(package.libraries.values(), key=_library_order)
                stored = [
                    _store_library(archive, library, limits, current.uploaded_by)
                    for library in ordered
                ]
                # Left by an interrupted extraction of this activity: written afresh.
                delete_tree(h5p_storage(), target)
                written = _write(archive, package.content_files, target, limits)
                by_ref = {
                    LibraryRef(s.machine_name, s.major_version, s.minor_version): s for s in stored
                }
                used = [by_ref.get(ref) or best_library(ref) for ref in _needed(package)]
                current.libraries.set([library for library in used if library])
                current.main_library = str(package.main_library)
                current.h5p_json = package.h5p
                current.sub_content_ids = sub_content_ids(written["content.json"])
                current.status = H5PActivity.Status.READY
                current.errors = []
                current.save()
                return current
    except ExtractionRefused as refused:
        return _fail(activity.pk, refused.errors) or activity
    except DatabaseError:
        # Retried by the task: what this run wrote of its content is written afresh then (or
        # deleted when the activity is refused). Libraries stay for the sweep to judge.
        _clean_pending(activity.pk)
        raise
    except Exception:
        # A damaged archive, a decompressor's own exception, a full disk: refused with a reason.
        logger.exception("H5P extraction of activity %s failed", activity.pk)
        return _fail(activity.pk, [unpack_failed_reason()]) or activity


def _fail(activity_id: int, errors: list[str]) -> H5PActivity | None:
    """Refuse the activity with `errors` and delete its content, under its row's lock, only while
    it is still being prepared: another run may have made it ready (or refused it) meanwhile,
    and that stays as it is, files and all."""
    with transaction.atomic():
        activity = H5PActivity.objects.select_for_update().filter(pk=activity_id).first()
        if activity is None or activity.status != H5PActivity.Status.PENDING:
            return activity
        _clean(content_name(activity.uuid))
        _refuse(activity, errors)
        return activity


def _clean_pending(activity_id: int) -> None:
    """After a database error: delete the content this run wrote, if the activity is still being
    prepared and the database answers (else the next run writes it afresh, or the sweep
    removes it)."""
    try:
        with transaction.atomic():
            activity = H5PActivity.objects.select_for_update().filter(pk=activity_id).first()
            if activity is not None and activity.status == H5PActivity.Status.PENDING:
                _clean(content_name(activity.uuid))
    except DatabaseError:
        logger.warning("H5P extraction of activity %s: content left for the sweep", activity_id)


def unpack_failed_reason() -> str:
    return _("The package could not be unpacked. Please check the file and try again.")


def activity_fail(*, activity_id: int, reason: str) -> H5PActivity | None:
    """Refuse an activity still being prepared, with `reason` (when its preparation failed for a
    reason of the platform's, or took too long). Does nothing to a ready or refused one."""
    return _fail(activity_id, [reason])


def stuck_activities_fail(*, older_than: timedelta | None = None) -> list[int]:
    """Refuse activities still "being prepared" long after their upload (a worker lost, a task
    dropped): ACOMPANA_H5P_PREPARE_MINUTES, well past the task's time limit and retries."""
    if older_than is None:
        older_than = timedelta(minutes=settings.ACOMPANA_H5P_PREPARE_MINUTES)
    cutoff = timezone.now() - older_than
    stuck = list(
        H5PActivity.objects.filter(status=H5PActivity.Status.PENDING, updated_at__lt=cutoff)
        .values_list("pk", flat=True)
    )  # fmt: skip
    reason = _("Preparing the package took too long and was stopped. Please upload it again.")
    for pk in stuck:
        activity_fail(activity_id=pk, reason=reason)
    return stuck


def sub_content_ids(content_json: bytes | str) -> list[str]:
    """Every `subContentId` in the content, at any depth: the parts statements may be about."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "subContentId" and isinstance(item, str) and len(item) <= 64:
                    found.add(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    if isinstance(content_json, bytes):
        content_json = content_json.decode("utf-8")
    walk(json.loads(content_json))
    return sorted(found)


def _clean(folder: str) -> None:
    """Delete the content folder of a failed import (the caller holds the activity's lock). Never
    a library folder: another import may be writing the same one, its row not committed yet;
    the sweep removes library folders no row names."""
    if not folder.startswith(f"{CONTENT}/"):
        raise ValueError(f"only an activity's content folder is cleaned, not {folder}")
    try:
        delete_tree(h5p_storage(), folder)
    except Exception:  # cleaning up must not hide why the import failed
        logger.exception("H5P store: could not delete %s", folder)


def _refuse(activity: H5PActivity, errors: list[str]) -> None:
    """Record why, and keep nothing of the package: not its files, not the upload."""
    activity.status = H5PActivity.Status.FAILED
    activity.errors = errors
    activity.libraries.clear()
    if activity.package:
        activity.package.delete(save=False)
    activity.save()


def store_sweep(*, older_than: timedelta = timedelta(hours=1)) -> list[str]:
    """Remove what no record refers to: files left by an interrupted extraction, content of
    activities that are gone or refused, library folders without a library row. Only folders
    where nothing changed for `older_than` (the folder's own mtime, where the storage has one,
    and every file's below it), so a running extraction is never touched; and each is judged
    again, just before it goes, under the lock an extraction writing it holds (the activity's
    row; the library folder's lock), against committed rows only: what an extraction writes
    meanwhile either holds that lock or commits a row that keeps the folder."""
    cutoff = timezone.now() - older_than
    storage = h5p_storage()
    # Kept at once, without reading their files' times (a request each, in an object store).
    ready = {
        str(u) for u in H5PActivity.objects.filter(status=H5PActivity.Status.READY)
        .values_list("uuid", flat=True)
    }  # fmt: skip
    fields = ("folder_name", "machine_name", "major_version", "minor_version", "patch_version")
    known_libraries = {library.folder for library in H5PLibrary.objects.only(*fields)}
    removed = []
    for name in sorted(listdir(storage, CONTENT)[0]):
        folder = f"{CONTENT}/{name}"
        if name in ready or not _older_than(storage, folder, cutoff):
            continue
        if _content_sweep(storage, folder, name):
            removed.append(folder)
    for name in sorted(listdir(storage, LIBRARIES)[0]):
        folder = f"{LIBRARIES}/{name}"
        if name in known_libraries or not _older_than(storage, folder, cutoff):
            continue
        if _library_sweep(storage, folder, name):
            removed.append(folder)
    return removed


def _content_sweep(storage, folder: str, name: str) -> bool:
    """Delete a content folder unless its activity is ready, or being extracted (its row
    locked: skipped, judged at the next sweep)."""
    with transaction.atomic():
        try:
            activity_uuid = uuid.UUID(name)
        except ValueError:  # not an activity's folder (a leftover of an older layout)
            activity_uuid = None
        if activity_uuid is not None:
            rows = H5PActivity.objects.filter(uuid=activity_uuid)
            activity = rows.select_for_update(skip_locked=True).first()
            if activity is None and rows.exists():
                return False  # being extracted right now
            if activity is not None and activity.status == H5PActivity.Status.READY:
                return False
        delete_tree(storage, folder)
        return True


def _library_sweep(storage, folder: str, name: str) -> bool:
    """Delete a library folder that no committed row names, unless an import is writing it."""
    with transaction.atomic():
        if not _library_lock(name, wait=False):
            return False  # an import is writing it: its row commits with it
        if any(library.folder == name for library in _libraries_named(name)):
            return False
        delete_tree(storage, folder)
        return True


def _libraries_named(folder: str):
    """The rows that may keep `folder`: by their folder name, or (stored before candidates had
    folders of their own) by name and version."""
    found = list(H5PLibrary.objects.filter(folder_name=folder))
    machine_name, _dash, version = folder.rpartition("-")
    if machine_name and version.count(".") == 2 and all(v.isdigit() for v in version.split(".")):
        major, minor, patch = (int(v) for v in version.split("."))
        found += H5PLibrary.objects.filter(
            folder_name="", machine_name=machine_name, major_version=major,
            minor_version=minor, patch_version=patch,
        )  # fmt: skip
    return found


def _older_than(storage, folder: str, cutoff) -> bool:
    """Whether nothing in `folder` changed since `cutoff`: its own mtime (a local folder's; an
    object store has no folders) and every file's below it. A folder's mtime alone is not
    enough: a file rewritten in a subfolder does not change it."""
    own = modified_time(storage, folder)
    if own is not None and _aware(own) > cutoff:
        return False
    for name in walk(storage, folder):
        changed = modified_time(storage, name)
        if changed is None or _aware(changed) > cutoff:
            return False
    return True


def _aware(moment):
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def unapproved_libraries_in(page) -> list[str]:
    """For each H5P block of a module page: why it cannot be published yet (or nothing)."""
    body = getattr(page, "body", None)
    if body is None:
        return []
    problems = []
    for child in body:
        if child.block_type != "h5p":
            continue
        activity = H5PActivity.objects.filter(uuid=child.value["activity"]).first()
        if activity is None or activity.status != H5PActivity.Status.READY:
            problems.append(_("An H5P activity in this module is not ready to play."))
            continue
        waiting = [
            str(library) for library in activity.libraries.exclude(
                status=H5PLibrary.Status.APPROVED
            )
        ]  # fmt: skip
        if waiting:
            problems.append(
                _("“%(title)s” uses libraries not approved yet: %(libraries)s.")
                % {"title": activity.title, "libraries": ", ".join(waiting)}
            )
    return problems
