"""Backups of a whole installation, and their restore into an empty one.

A backup is a folder:

    manifest.json        written last: a folder without it is an unfinished backup
    database.dump        pg_dump's custom format (one consistent snapshot of the database)
    files/media/...      public media (image renditions, avatars): storages["default"]'s public
                         folders (training.storage.PUBLIC_FOLDERS)
    files/private/...    storages["private"]: documents, original images, certificate PDFs,
                         exports, data downloads
    files/h5p/...        storages["h5p"]: the H5P store

The manifest holds the time, the code's git commit (when known), the applied migrations, and
each file's storage, name, size and SHA-256 (the dump's too).

Consistency: pg_dump reads the whole database in one transaction (a single snapshot), so the
dump is consistent however busy the site is. The files are copied AFTER the dump: every file is
saved before the row that names it is committed, so every file the dump refers to exists when
the copy starts. A file made after the snapshot may be copied too (harmless: no row names it);
one deleted between the dump and its copy (a retention job, a person deleting their data) is
missing from the backup, which is what the database will say soon anyway.

Files are walked with `Storage.listdir()` and copied in chunks (never a whole file in memory),
from local folders or an S3 bucket alike; restore writes them into whatever storages the
settings name, so restoring a backup of a local installation into one with
ACOMPANA_STORAGE=s3 moves it to object storage.

Only PostgreSQL is supported: the embedded SQLite file (`make run`) is for development (copy
db.sqlite3 and the folders while the server is stopped).
"""

import contextlib
import datetime
import hashlib
import json
import os
import posixpath
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import storages
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from training.storage import PUBLIC_FOLDERS, MediaStorage

FORMAT = 1
MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"
CHUNK = 1024 * 1024
# Folder in the backup -> (storage alias, top folders walked; "" is the whole storage).
STORAGES = {
    "media": ("default", tuple(sorted(PUBLIC_FOLDERS))),
    "private": ("private", ("",)),
    "h5p": ("h5p", ("",)),
}


NO_CLIENT = (
    "{program} is not installed: install the PostgreSQL client tools of the server's major "
    "version or newer (Debian: postgresql-client)."
)


class BackupError(Exception):
    """What went wrong, for the operator: the command prints it as it is."""


# --- Files ----------------------------------------------------------------------------------------
def storage(section):
    return storages[STORAGES[section][0]]


def walk(storage_, top=""):
    """Every file name under `top` in `storage_`, depth first, sorted."""
    try:
        directories, files = storage_.listdir(top)
    except FileNotFoundError:  # a local folder not made yet
        return
    for name in sorted(files):
        yield posixpath.join(top, name) if top else name
    for directory in sorted(directories):
        yield from walk(storage_, posixpath.join(top, directory) if top else directory)


def stored_names(section):
    storage_ = storage(section)
    for top in STORAGES[section][1]:
        yield from walk(storage_, top)


def _backend(storage_, name):
    """The storage that really holds `name` (MediaStorage routes public names apart)."""
    if isinstance(storage_, MediaStorage):
        storage_ = storage_.storage_for(name)
    return getattr(storage_, "target", storage_)  # training.storage.StorageAlias


def open_stream(storage_, name):
    """A binary file object reading `name` in chunks. django-storages' S3File downloads the
    whole object into memory first (AWS_S3_MAX_MEMORY_SIZE=0), so an S3 object is read from
    boto3's streaming body instead."""
    backend = _backend(storage_, name)
    if hasattr(backend, "bucket") and hasattr(backend, "_normalize_name"):
        from storages.utils import clean_name  # noqa: PLC0415 — only with S3

        key = backend._normalize_name(clean_name(name))
        return backend.bucket.Object(key).get()["Body"]
    return storage_.open(name, "rb")


def copy_out(source, destination: Path) -> tuple[int, str]:
    """Copy the binary file object `source` to `destination` in chunks: (size, sha256)."""
    digest, size = hashlib.sha256(), 0
    destination.parent.mkdir(parents=True, exist_ok=True)
    with destination.open("wb") as out:
        while chunk := source.read(CHUNK):
            out.write(chunk)
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def file_digest(stream) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def has_files(section) -> bool:
    return next(iter(stored_names(section)), None) is not None


# --- Database -------------------------------------------------------------------------------------
def _database(alias=DEFAULT_DB_ALIAS):
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError(
            f"The database is {connection.vendor}: backup and restore need PostgreSQL "
            "(DATABASE_URL=postgres://...). With the embedded SQLite file (make run), stop the "
            "server and copy db.sqlite3 and the media, private and h5p-store folders instead."
        )
    return connection


def _pg(program, connection, arguments, *, database_option=False):
    """Run pg_dump or pg_restore against `connection`'s database (its DATABASES settings)."""
    settings_dict = connection.settings_dict
    options = settings_dict.get("OPTIONS", {})
    args = [shutil.which(program) or program]
    if settings_dict.get("USER"):
        args += ["-U", settings_dict["USER"]]
    if settings_dict.get("HOST"):
        args += ["-h", settings_dict["HOST"]]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    args += arguments
    name = settings_dict.get("NAME")
    if name:
        args += [f"--dbname={name}"] if database_option else [name]
    env = dict(os.environ)
    for key, variable in (("PASSWORD", "PGPASSWORD"),):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    for option, variable in (
        ("service", "PGSERVICE"), ("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY"), ("passfile", "PGPASSFILE"),
    ):  # fmt: skip
        if options.get(option):
            env[variable] = str(options[option])
    try:
        result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as error:
        raise BackupError(NO_CLIENT.format(program=program)) from error
    if result.returncode != 0:
        raise BackupError(f"{program} failed ({result.returncode}):\n{result.stderr.strip()}")
    return result


def applied_migrations(connection) -> dict[str, list[str]]:
    applied = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 — git from PATH, if any
            cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=10, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def _pg_dump_version() -> str:
    try:
        result = subprocess.run(  # noqa: S603 — pg_dump from PATH
            [shutil.which("pg_dump") or "pg_dump", "--version"],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
    except FileNotFoundError as error:
        raise BackupError(NO_CLIENT.format(program="pg_dump")) from error
    return result.stdout.strip()


# --- Backup ---------------------------------------------------------------------------------------
def backup(directory, *, log=print) -> dict:
    """Write a backup into `directory` (new or empty); return its manifest."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise BackupError(f"{directory} is not empty: give a new folder for each backup.")
    connection = _database()
    directory.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    migrations = applied_migrations(connection)
    connection.ensure_connection()
    server_version = connection.pg_version
    version = _pg_dump_version()
    # One snapshot of the whole database: pg_dump runs in one repeatable-read transaction.
    _pg("pg_dump", connection, ["--format=custom", f"--file={directory / DUMP}"])
    with (directory / DUMP).open("rb") as dump:
        dump_size, dump_sha = file_digest(dump)
    log(f"Database dumped ({dump_size} bytes, {version}).")
    # Then the files, so that every file the dump names is there already.
    files, totals = [], {}
    for section in STORAGES:
        storage_ = storage(section)
        count = size = 0
        for name in stored_names(section):
            with contextlib.closing(open_stream(storage_, name)) as source:
                file_size, sha = copy_out(source, _archive_path(directory, section, name))
            files.append({"storage": section, "name": name, "size": file_size, "sha256": sha})
            count, size = count + 1, size + file_size
        totals[section] = {"files": count, "bytes": size}
        log(f"Files of {section}: {count} ({size} bytes).")
    manifest = {
        "format": FORMAT,
        "created": started.isoformat(),
        "finished": datetime.datetime.now(datetime.UTC).isoformat(),
        "git_commit": git_commit(),
        "database": {
            "engine": "postgresql",
            "file": DUMP,
            "size": dump_size,
            "sha256": dump_sha,
            "pg_dump": version,
            "server_version": server_version,
        },
        "migrations": migrations,
        "storages": totals,
        "files": files,
    }
    # Last: a folder with a manifest is a complete backup.
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def _archive_path(directory: Path, section, name) -> Path:
    base = (directory / FILES / section).resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base) or path == base:
        raise BackupError(f"Refusing the file name {name!r} of {section}: it leaves its folder.")
    return path


# --- Restore --------------------------------------------------------------------------------------
@dataclass
class Progress:
    """What a restore has done so far, said when it stops half way."""

    database: bool = False
    files: dict = field(default_factory=dict)

    def summary(self) -> str:
        restored = ", ".join(f"{section}: {count}" for section, count in self.files.items())
        database = "restored" if self.database else "not restored"
        return f"Database {database}; files restored: {restored or 'none'}."


def read_manifest(directory) -> dict:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{path} is missing: {directory} is not a backup, or an unfinished one.")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r} (expected {FORMAT}).")
    return manifest


def verify_archive(directory, manifest):
    """Every file of the backup is there with its size and checksum, before anything is touched."""
    directory = Path(directory)
    entries = [("database", DUMP, directory / DUMP, manifest["database"])]
    entries += [
        (entry["storage"], entry["name"], _archive_path(directory, entry["storage"], entry["name"]),
         entry)
        for entry in manifest["files"]
    ]  # fmt: skip
    for section, name, path, entry in entries:
        if not path.is_file():
            raise BackupError(f"The backup has lost {section}/{name}.")
        with path.open("rb") as stream:
            size, sha = file_digest(stream)
        if (size, sha) != (entry["size"], entry["sha256"]):
            raise BackupError(f"{section}/{name} in the backup does not match its checksum.")


def target_problems(connection) -> list[str]:
    """Why the configured installation is not empty (nothing when it is)."""
    problems = []
    tables = connection.introspection.table_names()
    if tables:
        problems.append(f"the database has {len(tables)} tables")
    for section in STORAGES:
        if has_files(section):
            problems.append(f"the {section} storage holds files")
    return problems


def check_migrations(manifest):
    """The code must know every migration the backup's database has."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known
    ]
    if unknown:
        raise BackupError(
            "The backup was made by newer code (these migrations are unknown here: "
            f"{', '.join(unknown[:5])}{'…' if len(unknown) > 5 else ''}): restore it with the "
            "release that made it, or a newer one."
        )


def restore(directory, *, force=False, log=print) -> Progress:
    """Restore the backup in `directory` into the configured database and storages."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    connection = _database()
    check_migrations(manifest)
    verify_archive(directory, manifest)
    log(f"Backup of {manifest['created']} verified: {len(manifest['files'])} files.")
    problems = target_problems(connection)
    if problems and not force:
        raise BackupError(
            "Restore goes into an empty installation, and this one is not: "
            f"{'; '.join(problems)}. Use a new database and empty storages, or --force to "
            "replace what they hold with the backup."
        )
    progress = Progress()
    try:
        connection.close()
        arguments = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        if force:
            arguments += ["--clean", "--if-exists"]
        _pg("pg_restore", connection, [*arguments, str(directory / DUMP)], database_option=True)
        progress.database = True
        log("Database restored.")
        for section in STORAGES:
            progress.files[section] = 0
        for entry in manifest["files"]:
            _restore_file(directory, entry, force=force)
            progress.files[entry["storage"]] += 1
        for section, count in progress.files.items():
            log(f"Files of {section}: {count} restored and checked.")
        # Nothing cached from before (a --force over another installation) outlives the restore.
        cache.clear()
    except Exception as error:
        raise BackupError(f"Restore stopped: {error}\n{progress.summary()}") from error
    finally:
        connection.close()
    return progress


def _restore_file(directory, entry, *, force):
    section, name = entry["storage"], entry["name"]
    storage_ = storage(section)
    if force and storage_.exists(name):
        storage_.delete(name)
    with _archive_path(directory, section, name).open("rb") as source:
        saved = storage_.save(name, File(source, name=name))
    if saved != name:
        raise BackupError(f"{section}/{name} was stored as {saved}.")
    with contextlib.closing(open_stream(storage_, name)) as stored:
        size, sha = file_digest(stored)
    if (size, sha) != (entry["size"], entry["sha256"]):
        raise BackupError(f"{section}/{name} does not match its checksum once stored.")
