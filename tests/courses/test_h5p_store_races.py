"""Imports that meet: library folders are shared, extraction runs once per activity.

A library folder is named by the hash of its files, so every import bringing the same files
writes the same folder: a failed import must not delete it (another import may be writing it,
its row not committed yet); the sweep removes it once no committed row names it. A task may be
delivered twice: the second run of an extraction does nothing, and never deletes the files of
the activity the first run made ready."""

import os
import threading
import time as clock
from datetime import timedelta

import pytest
from django.db import connection, connections

from courses.h5p import store
from courses.h5p.files import h5p_storage, walk
from courses.models import H5PActivity, H5PLibrary
from tests.conftest import skip_or_fail
from tests.h5p_factory import package
from tests.helpers import h5p_upload

LIBRARY_FILES = ("library.json", "test.js")


def _upload(data: bytes | None = None) -> H5PActivity:
    return h5p_upload(data or package(), in_background=False)


def _stored(name: str) -> bytes:
    with h5p_storage().open(name, "rb") as opened:
        return opened.read()


def _snapshot() -> dict[str, tuple[bytes, int]]:
    """Every stored file but the uploads: its bytes and mtime (ns)."""
    storage = h5p_storage()
    return {
        name: (_stored(name), os.stat(storage.path(name)).st_mtime_ns)
        for name in walk(storage, "")
        if not name.startswith("uploads/")
    }


def _plays(activity: H5PActivity) -> None:
    """Ready, with every file of its content and libraries where the origin reads them."""
    activity.refresh_from_db()
    assert activity.status == H5PActivity.Status.READY, activity.errors
    assert _stored(f"content/{activity.uuid}/content.json")
    libraries = list(activity.libraries.all())
    assert libraries
    for library in libraries:
        for entry in library.files:
            assert _stored(f"libraries/{library.folder}/{entry['path']}"), entry


def _age(folder, seconds: int = 2 * 3600) -> None:
    """Every file and folder below `folder` (a local path) as if written `seconds` ago."""
    old = clock.time() - seconds
    for root, folders, files in os.walk(folder):
        for name in [*folders, *files]:
            os.utime(os.path.join(root, name), (old, old))
    os.utime(folder, (old, old))


# --- (a) A failed import never deletes a library folder -----------------------------------------
def _full_disk_on_library(monkeypatch):
    """The disk fills up while this import writes the library folder (after its first file)."""
    real, calls = store.put, []

    def put(storage, name, data):
        if name.startswith("libraries/"):
            calls.append(name)
            if len(calls) > 1:
                raise OSError(28, "No space left on device")
        real(storage, name, data)

    monkeypatch.setattr(store, "put", put)


def _broken_after_its_row(monkeypatch):
    """Fails after this import wrote the library and inserted its row (rolled back)."""

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(store, "sub_content_ids", broken)


FAILURES = {"while writing the library": _full_disk_on_library,
            "after inserting its row": _broken_after_its_row}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_import_leaves_the_library_folder_another_import_is_writing(failure):
    """B has written library folder L and not inserted its row yet when A, bringing the same
    library, fails: B then commits an activity that must still find every file of L."""
    a, b = _upload(), _upload()
    real_write, seen = store._write, []

    def write(archive, files, folder, limits):
        written = real_write(archive, files, folder, limits)
        if folder.startswith("libraries/") and not seen:
            seen.append(folder)  # B, between writing L and inserting L's row: A runs and fails
            with pytest.MonkeyPatch.context() as patch:
                FAILURES[failure](patch)
                failed = store.activity_extract(activity_id=a.pk)
            assert failed.status == H5PActivity.Status.FAILED
        return written

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store, "_write", write)
        store.activity_extract(activity_id=b.pk)
    assert seen
    _plays(b)
    library = b.libraries.get()
    assert seen == [f"libraries/{library.folder}"]
    assert _stored(f"libraries/{library.folder}/test.js") == b"H5P.Test = function () {};"
    assert not list(walk(h5p_storage(), f"content/{a.uuid}"))  # A's own content: gone
    assert H5PLibrary.objects.count() == 1


@pytest.mark.django_db
def test_a_failed_import_leaves_its_library_folder_to_the_sweep(monkeypatch):
    """Alone, a failed import's library folder stays (it cannot know no one else writes it):
    the sweep removes it once nothing changed in it for the grace, and no row names it."""
    _broken_after_its_row(monkeypatch)
    activity = store.activity_extract(activity_id=_upload().pk)
    assert activity.status == H5PActivity.Status.FAILED
    folders = h5p_storage().listdir("libraries")[0]
    assert len(folders) == 1 and not H5PLibrary.objects.exists()
    assert not list(walk(h5p_storage(), "content"))
    assert store.store_sweep() == []  # fresh: maybe an import still writing it
    assert store.store_sweep(older_than=timedelta(0)) == [f"libraries/{folders[0]}"]
    assert not list(walk(h5p_storage(), "libraries"))


@pytest.mark.django_db
def test_the_sweep_judges_a_folder_by_its_newest_file_not_its_own_mtime():
    """A local folder's mtime does not change when a file in a subfolder is written: an import
    rewriting an old leftover folder (no row yet) writes there, and the folder must stay."""
    store.activity_extract(activity_id=_upload().pk)
    orphan = store.libraries_root() / "H5P.Orphan-1.0.0-0123456789abcdef"
    (orphan / "js").mkdir(parents=True)
    (orphan / "library.json").write_text("{}")
    (orphan / "js" / "orphan.js").write_text("x")
    _age(orphan)
    (orphan / "js" / "orphan.js").write_text("rewritten just now")
    assert store.store_sweep() == []
    assert (orphan / "js" / "orphan.js").exists()
    _age(orphan)
    assert store.store_sweep() == ["libraries/H5P.Orphan-1.0.0-0123456789abcdef"]
    assert not orphan.exists()


@pytest.mark.django_db
def test_the_sweep_keeps_a_legacy_library_folder_its_row_names():
    """Versions stored before candidates had folders of their own live in "<name>-<version>"."""
    activity = store.activity_extract(activity_id=_upload().pk)
    library = activity.libraries.get()
    legacy = store.libraries_root() / f"{library.machine_name}-{library.version}"
    (store.libraries_root() / library.folder).rename(legacy)
    library.folder_name = ""
    library.save()
    _age(store.h5p_root())
    assert store.store_sweep() == []
    assert (legacy / "library.json").exists()


# --- (b) Extraction runs once per activity --------------------------------------------------------
@pytest.mark.django_db
def test_a_second_run_of_a_ready_activity_changes_nothing():
    """A second delivery of the task that read the activity as "being prepared" before the
    first run made it ready: it writes nothing, deletes nothing, saves nothing."""
    stale = _upload()
    ready = store.activity_extract(activity_id=stale.pk)
    assert stale.status == H5PActivity.Status.PENDING and ready.status == "ready"
    before, row = _snapshot(), H5PActivity.objects.get(pk=stale.pk)
    clock.sleep(0.01)
    again = store._extract(stale)
    assert again.status == H5PActivity.Status.READY
    assert _snapshot() == before
    after = H5PActivity.objects.get(pk=stale.pk)
    assert after.updated_at == row.updated_at
    assert list(after.libraries.all()) == list(row.libraries.all())
    _plays(after)


@pytest.mark.django_db
@pytest.mark.parametrize("why", ["refused", "broken"])
def test_a_second_run_that_fails_never_deletes_a_ready_activity(monkeypatch, why):
    """The second run fails (the virus scanner is down, a library was rejected meanwhile): it
    must not delete the ready activity's content, nor refuse it, nor delete its upload."""
    stale = _upload()
    store.activity_extract(activity_id=stale.pk)
    before = _snapshot()

    def validate(*args, **kwargs):
        if why == "refused":
            raise store.ExtractionRefused(["The virus scanner did not answer."])
        raise RuntimeError("clamd went away")

    monkeypatch.setattr(store, "validate", validate)
    again = store._extract(stale)
    assert again.status == H5PActivity.Status.READY
    assert _snapshot() == before
    activity = H5PActivity.objects.get(pk=stale.pk)
    assert activity.errors == [] and activity.package
    assert h5p_storage().exists(activity.package.name)
    _plays(activity)


@pytest.mark.django_db
def test_refusing_an_activity_never_touches_a_ready_one():
    """The task's own refusal (retries used up) and the stuck sweep leave a ready activity."""
    activity = store.activity_extract(activity_id=_upload().pk)
    before = _snapshot()
    assert store.activity_fail(activity_id=activity.pk, reason="x").status == "ready"
    assert _snapshot() == before
    _plays(activity)


# --- Real concurrency (PostgreSQL) ----------------------------------------------------------------
def _in_threads(*targets):
    """Run each target in its own thread (its own database connection); their exceptions."""
    errors = []

    def run(target):
        try:
            target()
        except BaseException as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a run never finished"
    return errors


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_runs_of_one_extraction_make_it_ready_once(monkeypatch):
    if connection.vendor != "postgresql":
        skip_or_fail("row locks need PostgreSQL: set DATABASE_URL")
    activity = _upload()
    real_validate, real_write = store.validate, store._write
    barrier = threading.Barrier(2)
    content_writes, results = [], []

    def validate(*args, **kwargs):
        checked = real_validate(*args, **kwargs)
        barrier.wait(timeout=20)  # both saw it "being prepared", both checked the package
        return checked

    def write(archive, files, folder, limits):
        if folder.startswith("content/"):
            content_writes.append(threading.get_ident())
        written = real_write(archive, files, folder, limits)
        clock.sleep(0.2)  # the other run waits meanwhile, or (unlocked) writes too
        return written

    monkeypatch.setattr(store, "validate", validate)
    monkeypatch.setattr(store, "_write", write)

    def extract():
        results.append(store.activity_extract(activity_id=activity.pk).status)

    assert _in_threads(extract, extract) == []
    assert results == ["ready", "ready"]
    assert len(content_writes) == 1  # one run wrote the content; the other found it ready
    assert H5PActivity.objects.filter(status="ready").count() == 1
    assert H5PLibrary.objects.count() == 1
    _plays(activity)


@pytest.mark.django_db(transaction=True)
def test_the_sweep_never_deletes_what_a_running_import_writes(monkeypatch):
    """An import has written its library and content (no rows committed yet) when the sweep runs
    with no grace at all: the locks the import holds keep both; it then commits them."""
    if connection.vendor != "postgresql":
        skip_or_fail("advisory and row locks need PostgreSQL: set DATABASE_URL")
    activity = _upload()
    real_save = H5PActivity.save
    written, go_on, swept = threading.Event(), threading.Event(), []

    def save(self, *args, **kwargs):
        if self.pk == activity.pk and self.status == H5PActivity.Status.READY:
            written.set()  # every file written, nothing committed
            assert go_on.wait(timeout=20)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(H5PActivity, "save", save)

    def extract():
        store.activity_extract(activity_id=activity.pk)

    def sweep():
        assert written.wait(timeout=20)
        try:
            swept.extend(store.store_sweep(older_than=timedelta(0)))
        finally:
            go_on.set()

    assert _in_threads(extract, sweep) == []
    assert swept == []
    _plays(activity)
