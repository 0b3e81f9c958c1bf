"""Malformed archives: encrypted entries and compression methods other than stored and deflated
are refused with a reason; any unexpected error while reading or extracting refuses the package
with a reason; nothing stays "being prepared" for ever; the admin never shows a 500."""

import io
import json
import struct
import zipfile
from datetime import timedelta
from functools import partial

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from courses import tasks
from courses.h5p import store, validator
from courses.h5p.validator import validate
from courses.models import H5PActivity, H5PLibrary
from tests.conftest import login_with_mfa
from tests.h5p_factory import H5P_JSON, LIBRARY, package
from tests.helpers import h5p_upload

pytestmark = pytest.mark.django_db

LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"


def patched(data: bytes, name: str, *, flags: int | None = None, method: int | None = None):
    """`data` with the general-purpose flags or the compression method of entry `name` changed
    in both its local and its central directory header."""
    data = bytearray(data)
    for signature, name_length_at, name_at, flags_at, method_at in (
        (LOCAL, 26, 30, 6, 8), (CENTRAL, 28, 46, 8, 10),
    ):  # fmt: skip
        start = 0
        while (start := data.find(signature, start)) != -1:
            (length,) = struct.unpack_from("<H", data, start + name_length_at)
            if bytes(data[start + name_at : start + name_at + length]) == name.encode():
                if flags is not None:
                    old = struct.unpack_from("<H", data, start + flags_at)[0]
                    struct.pack_into("<H", data, start + flags_at, old | flags)
                if method is not None:
                    struct.pack_into("<H", data, start + method_at, method)
            start += 4
    return bytes(data)


def compressed_with(method: int) -> bytes:
    """The small valid test package, every entry compressed with `method` (a real archive)."""
    entries = {
        "h5p.json": json.dumps(H5P_JSON).encode(),
        "content/content.json": b'{"question": "<p>Is this fine?</p>"}',
        "H5P.Test-1.0/library.json": json.dumps(LIBRARY).encode(),
        "H5P.Test-1.0/test.js": b"H5P.Test = function () {};",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def truncated_central_directory() -> bytes:
    data = package()
    start = data.find(CENTRAL)
    end_of_directory = data.rfind(b"PK\x05\x06")
    return data[: start + 20] + data[end_of_directory:]  # the directory cut short, its end kept


MALFORMED = {
    "encrypted entry": (
        lambda: patched(package(), "content/content.json", flags=0x1), "is encrypted"),
    "bzip2 (method 12)": (lambda: compressed_with(zipfile.ZIP_BZIP2), "compressed with a method"),
    "lzma (method 14)": (lambda: compressed_with(zipfile.ZIP_LZMA), "compressed with a method"),
    "lzma header on deflated data": (
        lambda: patched(package(), "H5P.Test-1.0/test.js", method=14), "compressed with a method"),
    "unknown method (99, AES)": (
        lambda: patched(package(), "h5p.json", method=99), "compressed with a method"),
    "truncated central directory": (
        truncated_central_directory, "cannot be opened as a zip archive"),
}  # fmt: skip


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_archives_are_refused_with_a_reason(case):
    make, reason = MALFORMED[case]
    result = validate(io.BytesIO(make()))
    assert not result.ok
    assert any(reason in error for error in result.errors), result.errors


# Stored without queueing the extraction: each test extracts (or not) itself.
_upload = partial(h5p_upload, in_background=False)


def _nothing_left():
    root = store.h5p_root()
    return not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_upload_is_refused_and_leaves_nothing_behind(case):
    activity = store.activity_extract(activity_id=_upload(MALFORMED[case][0]()).pk)
    assert activity.status == "failed"
    assert any(MALFORMED[case][1] in error for error in activity.errors), activity.errors
    assert not activity.package and _nothing_left() and not H5PLibrary.objects.exists()


@pytest.mark.parametrize("error", [RuntimeError, TypeError, KeyError, NotImplementedError])
def test_an_unexpected_error_of_zipfile_refuses_the_package_with_a_reason(monkeypatch, error):
    def broken(*args, **kwargs):
        raise error("something zipfile never says")

    monkeypatch.setattr(zipfile.ZipFile, "infolist", broken)
    assert validate(io.BytesIO(package())).errors == [validator.unreadable_reason()]
    activity = store.activity_extract(activity_id=_upload(package()).pk)
    assert activity.status == "failed"
    assert activity.errors == [validator.unreadable_reason()]


def test_an_unexpected_error_while_extracting_refuses_the_package(monkeypatch):
    def broken(*args, **kwargs):
        raise LookupError("a surprise after validation")

    monkeypatch.setattr(store, "sub_content_ids", broken)
    activity = store.activity_extract(activity_id=_upload(package()).pk)
    assert activity.status == "failed"
    assert activity.errors == [store.unpack_failed_reason()]
    assert not H5PLibrary.objects.exists()
    assert not (store.content_root() / str(activity.uuid)).exists()
    # Its library folder is left to the sweep (another import may be writing the same one).
    store.store_sweep(older_than=timedelta(0))
    assert _nothing_left()


# --- The task and the sweep: nothing stays "being prepared" -------------------------------------
@pytest.mark.parametrize("error", [OperationalError("database gone"), MemoryError()])
def test_the_extraction_task_refuses_the_package_when_it_cannot_prepare_it(monkeypatch, error):
    activity = _upload(package())

    def broken(**kwargs):
        raise error

    monkeypatch.setattr(tasks, "activity_extract", broken)
    assert tasks.h5p_extract.delay(activity.pk).get() == "failed"
    activity.refresh_from_db()
    assert activity.status == "failed"
    assert activity.errors == [store.unpack_failed_reason()]


def test_the_sweep_refuses_uploads_stuck_being_prepared(settings):
    settings.ACOMPANA_H5P_PREPARE_MINUTES = 60
    stuck, fresh = _upload(package()), _upload(package())
    H5PActivity.objects.filter(pk=stuck.pk).update(
        updated_at=timezone.now() - timedelta(minutes=61)
    )
    tasks.h5p_sweep.delay().get()
    stuck.refresh_from_db()
    fresh.refresh_from_db()
    assert stuck.status == "failed" and "took too long" in stuck.errors[0]
    assert not stuck.package
    assert fresh.status == "pending"
    assert store.stuck_activities_fail(older_than=timedelta(0)) == [fresh.pk]


# --- The admin ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", MALFORMED)
def test_the_admin_shows_a_refused_malformed_upload_never_a_500(
    client, administrator, django_capture_on_commit_callbacks, case
):
    login_with_mfa(client, administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailsnippets_courses_h5pactivity:add"),
            {"title": "Malformed", "language": "en",
             "package": SimpleUploadedFile("bad.h5p", MALFORMED[case][0](),
                                           content_type="application/zip")},
        )  # fmt: skip
    assert response.status_code == 302
    listing = client.get(reverse("wagtailsnippets_courses_h5pactivity:list"))
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "Refused" in page and MALFORMED[case][1] in page
    activity = H5PActivity.objects.get()
    edit = client.get(reverse("wagtailsnippets_courses_h5pactivity:edit", args=[activity.pk]))
    assert edit.status_code == 200


def test_the_admin_survives_an_unexpected_error_in_the_upload_task(
    client, administrator, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("a surprise")

    monkeypatch.setattr(tasks, "activity_extract", broken)
    login_with_mfa(client, administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailsnippets_courses_h5pactivity:add"),
            {"title": "Surprise", "language": "en",
             "package": SimpleUploadedFile("ok.h5p", package(), content_type="application/zip")},
        )  # fmt: skip
    assert response.status_code == 302
    assert H5PActivity.objects.get().status == "failed"
    assert "could not be unpacked" in client.get(
        reverse("wagtailsnippets_courses_h5pactivity:list")).content.decode()  # fmt: skip


def test_the_real_samples_still_pass(h5p_samples):
    for name in ("truefalse.h5p", "questionset-multichoice.h5p"):
        assert validate(h5p_samples / name).ok
