"""H5P uploads: real packages are accepted; hostile archives are refused with nothing written."""

import io
import os
import stat
import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from courses import tasks
from courses.h5p import store
from courses.h5p.services import h5p_library_review
from courses.h5p.validator import Limits, validate
from courses.models import H5PActivity, H5PLibrary
from courses.tasks import h5p_sweep
from tests.h5p_factory import H5P_JSON, LIBRARY, H5PPackage, package
from tests.helpers import h5p_upload

__all__ = ["H5P_JSON", "LIBRARY", "SAMPLES", "package"]  # other tests import them from here

# shared/ sits beside the repository, on developers' machines and in CI alike.
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "h5p-samples"


@pytest.fixture
def samples(h5p_samples):
    """For the few tests about the real packages themselves; every other test builds its own."""
    return h5p_samples


def symlink(info):
    info.external_attr = (stat.S_IFLNK | 0o777) << 16


HOSTILE = {
    "zip slip": ([("content/../../evil.json", b"{}")], "outside the package"),
    "absolute path": ([("/etc/cron.d/evil.json", b"{}")], "absolute path"),
    "backslash path": ([("content\\evil.json", b"{}")], "backslashes"),
    "symlink": ([("content/link.json", b"/etc/passwd", symlink)], "symbolic link"),
    "php in content": ([("content/shell.php", b"<?php system($_GET['c']);")], ".php"),
    "html in content": ([("content/page.html", b"<script>alert(1)</script>")], ".html"),
    "js in content": ([("content/evil.js", b"fetch('/')")], ".js files are not allowed"),
    "svg in content": ([("content/images/x.svg", b"<svg onload='alert(1)'/>")], ".svg"),
    # (Names starting with "." or "_" are skipped, never extracted, as H5P does: see
    # test_h5p_validator_rules.py.)
    "file without extension": ([("content/README", b"hello")], "no file extension"),
    "duplicate entry": ([("content/content.json", b"{}")], "more than once"),
    # One file validated, another written: every path has exactly one spelling.
    "dot segment": ([("content/./content.json", b'{"evil": 1}')], "irregular path"),
    "empty segment": ([("H5P.Test-1.0//evil.js", b"x")], "irregular path"),
    "unicode duplicate": (
        [("content/caf\u00e9.json", b"{}"), ("content/cafe\u0301.json", b"{}")],
        "more than once",
    ),
    "case duplicate": ([("content/CONTENT.json", b"{}")], "more than once"),
    "folder holding data": ([("content/dir.json/", b"data")], "folder that holds data"),
    "file and folder": ([("H5P.Test-1.0/test.js/x.js", b"x")], "both a file and a folder"),
    "very long name": ([("content/" + "a" * 300 + ".json", b"{}")], "too long"),
    "control character": ([("content/a\x1b[31m.json", b"{}")], "control characters"),
}


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_archives_are_refused_with_a_reason(case):
    extra, reason = HOSTILE[case]
    result = validate(io.BytesIO(package(extra)))
    assert not result.ok
    assert any(reason in error for error in result.errors), result.errors


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = [("content/zeros.json", b"0" * (20 * 1024 * 1024))]
    result = validate(io.BytesIO(package(bomb)))
    assert any("compressed suspiciously well" in e for e in result.errors)
    assert any("more than 16 MB" in e for e in result.errors)


def test_too_many_files_are_refused():
    many = [(f"content/f{i}.txt", b"") for i in range(12_000)]
    result = validate(io.BytesIO(package(many)))
    assert result.errors == ["The package holds 12004 files; at most 3000 are allowed."]


def test_limits_are_settings(settings):
    settings.ACOMPANA_H5P_LIMITS = {"max_files": 3}
    assert Limits.from_settings().max_files == 3
    assert not validate(io.BytesIO(package())).ok


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"without": ["h5p.json"]}, "no h5p.json"),
        ({"without": ["content/content.json"]}, "no content/content.json"),
        ({"h5p": {"title": "no main library"}}, "mainLibrary"),
        ({"without": ["H5P.Test-1.0/library.json"]}, "has no library.json"),
        ({"folder": "H5P.Other-1.0"}, "its name must be “H5P.Test-1.0”"),
    ],
)
def test_missing_or_malformed_metadata_is_refused(kwargs, reason):
    result = validate(io.BytesIO(package(**kwargs)))
    assert any(reason in e for e in result.errors), result.errors


@pytest.mark.parametrize(
    ("machine_name", "version"),
    [("H5P.T\u0435st", 1), ("H5P.Test\n", 1), ("H5P.Test", True), ("H5P.Test", "0.9")],
)
def test_library_names_and_versions_are_strict(machine_name, version):
    library = {**LIBRARY, "machineName": machine_name, "majorVersion": version}
    h5p = {**H5P_JSON, "mainLibrary": machine_name, "preloadedDependencies": [
        {"machineName": machine_name, "majorVersion": version, "minorVersion": 0}]}  # fmt: skip
    result = validate(io.BytesIO(package(h5p=h5p, library=library, folder=f"{machine_name}-1.0")))
    assert not result.ok


def test_malformed_json_is_refused():
    broken = package(
        [("H5P.Test-1.0/library.json", b"{not json")], without=["H5P.Test-1.0/library.json"]
    )
    assert any("not valid JSON" in e for e in validate(io.BytesIO(broken)).errors)


def test_a_dependency_nobody_provides_is_refused():
    h5p = {**H5P_JSON, "preloadedDependencies": [
        *H5P_JSON["preloadedDependencies"],
        {"machineName": "H5P.Missing", "majorVersion": 2, "minorVersion": 1}]}  # fmt: skip
    result = validate(io.BytesIO(package(h5p=h5p)))
    assert any("needs the library H5P.Missing 2.1" in e for e in result.errors)


def test_harmless_extras_at_the_root_are_tolerated():
    result = validate(
        io.BytesIO(package([("H5P_CONTENT_HERE.txt", b"hi"), ("h5p-pr.json", b"{}")]))
    )
    assert result.ok, result.errors


@pytest.mark.parametrize(
    ("sample", "main", "ok"),
    [
        ("truefalse.h5p", "H5P.TrueFalse 1.6", True),
        ("questionset-multichoice.h5p", "H5P.QuestionSet 1.20", True),
        ("MUST-REJECT-svg-with-script.h5p", None, False),
    ],
)
def test_the_real_sample_packages(samples, sample, main, ok):
    result = validate(samples / sample)
    assert result.ok is ok, result.errors
    if ok:
        assert str(result.main_library) == main
    else:
        assert result.errors == ["“content/images/xss.svg”: .svg files are not allowed in content."]


# --- Extraction and the library store ------------------------------------------------------------
def _files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_packages_are_extracted_and_share_the_library_store():
    data = H5PPackage.minimal().build()
    first = store.activity_extract(activity_id=h5p_upload(data).pk)
    assert first.status == "ready", first.errors
    assert (store.content_root() / str(first.uuid) / "content.json").exists()
    assert (store.content_root() / str(first.uuid) / "images" / "photo.png").exists()
    assert first.libraries.filter(machine_name="H5P.Test").exists()
    stored = H5PLibrary.objects.count()
    assert stored == 2
    again = store.activity_extract(activity_id=h5p_upload(data).pk)
    assert again.status == "ready"
    assert H5PLibrary.objects.count() == stored  # stored once, shared
    assert set(H5PLibrary.objects.values_list("status", flat=True)) == {"pending"}


@pytest.mark.django_db
def test_the_real_samples_are_extracted_and_share_the_library_store(samples):
    first = store.activity_extract(
        activity_id=h5p_upload((samples / "truefalse.h5p").read_bytes()).pk
    )
    assert first.status == "ready", first.errors
    assert first.libraries.filter(machine_name="H5P.TrueFalse").exists()
    stored = H5PLibrary.objects.count()
    second = h5p_upload((samples / "questionset-multichoice.h5p").read_bytes())
    assert store.activity_extract(activity_id=second.pk).status == "ready"
    assert H5PLibrary.objects.count() > stored  # FontAwesome, JoubelUI… are shared
    again = store.activity_extract(
        activity_id=h5p_upload((samples / "truefalse.h5p").read_bytes()).pk
    )
    assert again.status == "ready"


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_refused_upload_leaves_nothing_behind(case):
    activity = store.activity_extract(activity_id=h5p_upload(package(HOSTILE[case][0])).pk)
    assert activity.status == "failed" and activity.errors
    assert not activity.package
    assert _files_under(store.h5p_root()) == []
    assert not H5PLibrary.objects.exists()


@pytest.mark.django_db
def test_the_svg_sample_is_refused_with_nothing_written(samples):
    activity = h5p_upload((samples / "MUST-REJECT-svg-with-script.h5p").read_bytes())
    activity = store.activity_extract(activity_id=activity.pk)
    assert activity.status == "failed"
    assert "xss.svg" in activity.errors[0]
    assert _files_under(store.h5p_root()) == []


@pytest.mark.django_db
def test_a_package_without_its_libraries_works_when_the_store_has_them():
    store.activity_extract(activity_id=h5p_upload(package()).pk)
    bare = package(without=["H5P.Test-1.0/library.json", "H5P.Test-1.0/test.js"])
    activity = store.activity_extract(activity_id=h5p_upload(bare).pk)
    assert activity.status == "ready", activity.errors
    assert [str(lib) for lib in activity.libraries.all()] == ["H5P.Test 1.0.2"]


@pytest.mark.django_db
def test_a_library_that_differs_from_the_approved_version_is_refused(administrator):
    store.activity_extract(activity_id=h5p_upload(package()).pk)
    h5p_library_review(library=H5PLibrary.objects.get(), user=administrator, approve=True)
    tampered = package([("H5P.Test-1.0/extra.js", b"steal()")])
    activity = store.activity_extract(activity_id=h5p_upload(tampered).pk)
    assert activity.status == "failed"
    assert "differ from the version an administrator approved" in activity.errors[0]
    assert H5PLibrary.objects.count() == 1


@pytest.mark.django_db
def test_extraction_runs_twice_safely():
    activity = h5p_upload(package())
    store.activity_extract(activity_id=activity.pk)
    files = sorted(_files_under(store.h5p_root()))
    assert store.activity_extract(activity_id=activity.pk).status == "ready"
    assert sorted(_files_under(store.h5p_root())) == files


def _package_file(tmp_path, pkg: H5PPackage, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(pkg.build())
    return str(path)


@pytest.mark.django_db
def test_import_h5p_reports_each_file_and_fails_when_one_is_refused(capsys, tmp_path):
    good = _package_file(tmp_path, H5PPackage.minimal().edit_h5p(title="Hello World"), "ok.h5p")
    evil = H5PPackage.minimal().set("content/images/xss.svg", b"<svg onload='alert(1)'/>")
    paths = [good, _package_file(tmp_path, evil, "evil.h5p")]
    with pytest.raises(CommandError, match="1 of 2 packages refused"):
        call_command("import_h5p", *paths)
    output = capsys.readouterr().out
    assert "✓" in output and "Hello World" in output
    assert "✗" in output and "xss.svg" in output
    call_command("import_h5p", good)
    assert H5PActivity.objects.filter(status="ready").count() == 2


@pytest.mark.django_db
def test_a_bare_package_uses_an_approved_library_over_a_newer_pending_one(administrator):
    store.activity_extract(activity_id=h5p_upload(package()).pk)
    approved = H5PLibrary.objects.get()
    h5p_library_review(library=approved, user=administrator, approve=True)
    newer = {**LIBRARY, "patchVersion": 99}
    store.activity_extract(activity_id=h5p_upload(package([("H5P.Test-1.0/evil.js", b"x")],
                                                       library=newer)).pk)  # fmt: skip
    bare = package(without=["H5P.Test-1.0/library.json", "H5P.Test-1.0/test.js"])
    activity = store.activity_extract(activity_id=h5p_upload(bare).pk)
    assert list(activity.libraries.all()) == [approved]


@pytest.mark.django_db
def test_a_database_error_is_retried_not_turned_into_a_refusal(monkeypatch):
    activity = h5p_upload(package())

    def broken(*args, **kwargs):
        raise OperationalError("database restarting")

    monkeypatch.setattr(store, "_store_library", broken)
    with pytest.raises(OperationalError):
        store.activity_extract(activity_id=activity.pk)
    activity.refresh_from_db()
    assert activity.status == "pending" and activity.package
    monkeypatch.undo()
    assert store.activity_extract(activity_id=activity.pk).status == "ready"


@pytest.mark.django_db
def test_a_refused_activity_stays_refused_with_its_reasons():
    activity = store.activity_extract(activity_id=h5p_upload(package(HOSTILE["zip slip"][0])).pk)
    reasons = list(activity.errors)
    assert store.activity_extract(activity_id=activity.pk).errors == reasons


@pytest.mark.django_db
def test_import_h5p_unpacks_once_and_reports_a_bad_language(capsys, monkeypatch, tmp_path):
    queued = []
    monkeypatch.setattr(tasks.h5p_extract, "delay_on_commit", lambda *a: queued.append(a))
    path = _package_file(tmp_path, H5PPackage.minimal(), "test.h5p")
    call_command("import_h5p", path)
    assert queued == []  # unpacked by the command itself, not also queued
    with pytest.raises(CommandError):
        call_command("import_h5p", "--language", "xx", path)
    assert "xx" in capsys.readouterr().out
    assert H5PActivity.objects.count() == 1


@pytest.mark.django_db
def test_the_sweep_removes_leftovers_and_keeps_what_is_in_use():
    ready = store.activity_extract(activity_id=h5p_upload(package()).pk)
    library_folder = store.libraries_root() / H5PLibrary.objects.get().folder
    leftovers = [
        store.content_root() / ".partial-interrupted",
        store.libraries_root() / ".partial-interrupted",
        store.libraries_root() / "H5P.Orphan-1.0.0",
        store.content_root() / "00000000-0000-0000-0000-000000000000",
    ]
    fresh = store.content_root() / ".partial-still-running"
    for folder in [*leftovers, fresh]:
        folder.mkdir(parents=True)
        (folder / "file.txt").write_text("x")
    old = clock.time() - 2 * 3600
    for folder in [*leftovers, store.content_root() / str(ready.uuid), library_folder]:
        for path in [*folder.rglob("*"), folder]:  # the sweep looks at every file's mtime too
            os.utime(path, (old, old))
    assert h5p_sweep.delay().get() == len(leftovers)
    assert not any(folder.exists() for folder in leftovers)
    assert fresh.exists()  # too recent: maybe an extraction in progress
    assert (store.content_root() / str(ready.uuid)).exists() and library_folder.exists()
    assert store.store_sweep(older_than=timedelta(0)) == ["content/.partial-still-running"]
