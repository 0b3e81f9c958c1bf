"""The H5P store's files, reached only through `storages["h5p"]`.

The store is a Django storage (settings.STORAGES["h5p"]): the local H5P root in development, a
prefix of the object store's bucket when several machines share it. Names are POSIX paths below
the store: `uploads/…` (packages as uploaded), `libraries/<folder>/…`, `content/<uuid>/…`. Nothing
here (nor in the rest of the H5P code) uses a file system path of a stored file, so every backend
works: a storage has no folders of its own (an object store has only names), so a "folder" is a
prefix, listed with `listdir` and removed file by file.
"""

import posixpath
from collections.abc import Iterator
from datetime import datetime

from django.core.exceptions import SuspiciousOperation
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

# In training.storage, shared with the public media view (compression.py imports it from here).
from training.storage import opened_meta

LIBRARIES = "libraries"
CONTENT = "content"


def h5p_storage() -> Storage:
    return storages["h5p"]


def library_name(folder: str, relative: str = "") -> str:
    return posixpath.join(LIBRARIES, folder, relative) if relative else f"{LIBRARIES}/{folder}"


def content_name(activity_uuid, relative: str = "") -> str:
    folder = f"{CONTENT}/{activity_uuid}"
    return posixpath.join(folder, relative) if relative else folder


def clean_relative(relative: str) -> str | None:
    """`relative` normalised, when it names something strictly inside a folder; None for an
    absolute name, a way out (".."), a NUL byte, a backslash or nothing at all."""
    if not isinstance(relative, str) or not relative or "\x00" in relative or "\\" in relative:
        return None
    if relative.startswith("/"):
        return None
    normal = posixpath.normpath(relative)
    if normal in (".", "..") or normal.startswith("../"):
        return None
    return normal


def put(storage: Storage, name: str, data: bytes) -> None:
    """Write `data` under exactly `name`, replacing what is there (a storage that does not
    overwrite would save it under another name: removed, and written again)."""
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        storage.delete(saved)
        storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # written meanwhile by someone else: theirs stays (the same bytes)
            storage.delete(saved)


def listdir(storage: Storage, folder: str) -> tuple[list[str], list[str]]:
    """The folders and files directly in `folder`; nothing when it does not exist."""
    try:
        return storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return [], []


def walk(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name below `folder` (storage names), depth first."""
    folders, files = listdir(storage, folder)
    for name in sorted(files):
        yield posixpath.join(folder, name)
    for name in sorted(folders):
        yield from walk(storage, posixpath.join(folder, name))


def delete_tree(storage: Storage, folder: str) -> int:
    """Delete every file below `folder` (and, on a local store, its now empty folders); the
    number of files deleted. Missing files are not an error."""
    if not any(listdir(storage, folder)):
        return 0
    deleted = 0
    for name in list(walk(storage, folder)):
        storage.delete(name)
        deleted += 1
    _remove_empty_folders(storage, folder)
    return deleted


def _remove_empty_folders(storage: Storage, folder: str) -> None:
    """A local store keeps empty folders behind; an object store has none. Deleting a folder by
    its name works on FileSystemStorage (it removes an empty directory) and is harmless
    elsewhere."""
    folders, files = listdir(storage, folder)
    if files:
        return
    for name in folders:
        _remove_empty_folders(storage, posixpath.join(folder, name))
    try:
        if not any(listdir(storage, folder)):
            storage.delete(folder)
    except (OSError, SuspiciousOperation):
        pass


def open_stored(storage: Storage, name: str):
    """The stored file `name` opened for reading, or None when there is none (or it is a
    folder, or outside the store)."""
    try:
        return storage.open(name, "rb")
    except (OSError, SuspiciousOperation, ValueError):
        return None
    except Exception as error:
        if _not_found(error):
            return None
        raise


def stored_meta(storage: Storage, name: str) -> tuple[int, int] | None:
    """(size, mtime in ns) of a stored file, or None when there is none."""
    opened = open_stored(storage, name)
    if opened is None:
        return None
    with opened:
        return opened_meta(storage, name, opened)


def modified_time(storage: Storage, name: str) -> datetime | None:
    try:
        return storage.get_modified_time(name)
    except (OSError, NotImplementedError, SuspiciousOperation, ValueError):
        return None
    except Exception as error:  # an object store's own error for a missing key
        if _not_found(error):
            return None
        raise


def size(storage: Storage, name: str) -> int | None:
    try:
        return storage.size(name)
    except (OSError, SuspiciousOperation, ValueError):
        return None
    except Exception as error:
        if _not_found(error):
            return None
        raise


def _not_found(error: Exception) -> bool:
    """A boto ClientError for a missing key (404), without importing boto here."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return False
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status == 404 or response.get("Error", {}).get("Code") in ("404", "NoSuchKey")
