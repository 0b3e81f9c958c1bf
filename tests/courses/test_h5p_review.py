"""H5P review means something: only approved libraries play, on every URL of the H5P origin; a
version waiting for review cannot be squatted by the first upload; the review screen shows the
files, their sizes and hashes, the other uploads of the version and the diff against the closest
approved version; an approved version is never replaced."""

import hashlib
import json

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses.h5p import review, store
from courses.h5p.services import H5PReviewError, h5p_activity_create, h5p_library_review
from courses.h5p.xapi import player_launch
from courses.models import H5PActivity, H5PLibrary
from tests.h5p_factory import LIBRARY, H5PPackage, package
from tests.helpers import H5P_HOST

pytestmark = pytest.mark.django_db
GENUINE_JS = b"H5P.Test = function () {};"


def _extract(data: bytes, title="Test") -> H5PActivity:
    made = h5p_activity_create(package=ContentFile(data, name="test.h5p"), title=title,
                               language="en")  # fmt: skip
    activity = store.activity_extract(activity_id=made.pk)
    return activity


def _variant(js: bytes = GENUINE_JS, *, patch=2, extra=()) -> bytes:
    """The test package with its library's script replaced (another set of files)."""
    return package(
        [("H5P.Test-1.0/test.js", js), *extra], without=["H5P.Test-1.0/test.js"],
        library={**LIBRARY, "patchVersion": patch},
    )  # fmt: skip


def _urls(activity, administrator) -> dict[str, str]:
    launch = player_launch(user=administrator, module_id=1, activity_uuid=activity.uuid,
                           preview=True)  # fmt: skip
    base = f"/h5p/play/{activity.uuid}/{launch}"
    return {
        "player": f"{base}/",
        "h5p.json": f"{base}/h5p.json",
        "content": f"{base}/content/content.json",
        "library": f"/h5p/play/{activity.uuid}/libraries/H5P.Test-1.0/library.json",
    }


def _statuses(client, urls) -> dict[str, int]:
    return {name: client.get(url, HTTP_HOST=H5P_HOST).status_code for name, url in urls.items()}


# --- Only approved libraries play ---------------------------------------------------------------
def test_an_activity_whose_libraries_wait_for_review_plays_on_no_url(client, administrator):
    activity = _extract(H5PPackage.minimal().build())  # two libraries: H5P.Test and its helper
    assert activity.status == "ready"
    urls = _urls(activity, administrator)
    assert set(_statuses(client, urls).values()) == {404}

    libraries = list(activity.libraries.all())
    for library in libraries[:-1]:  # all approved but one: still nothing plays
        h5p_library_review(library=library, user=administrator, approve=True)
    assert set(_statuses(client, urls).values()) == {404}

    h5p_library_review(library=libraries[-1], user=administrator, approve=True)
    assert set(_statuses(client, urls).values()) == {200}


# --- Candidates: a version waiting for review cannot be squatted ---------------------------------
def test_a_later_upload_brings_other_files_under_a_waiting_version_as_a_candidate():
    squatter = _extract(_variant(b"H5P.Test = function () { steal(); };"))
    genuine = _extract(_variant())
    assert (squatter.status, genuine.status) == ("ready", "ready")  # the later one is not refused
    first, second = (squatter.libraries.get(), genuine.libraries.get())
    assert first != second and first.version == second.version == "1.0.2"
    assert first.files_hash != second.files_hash
    # Each set of files has a folder of its own: the later upload never overwrote the first.
    root = store.libraries_root()
    assert (root / first.folder / "test.js").read_bytes().endswith(b"steal(); };")
    assert (root / second.folder / "test.js").read_bytes() == GENUINE_JS
    # A package without its own copy gets the latest upload while none is approved.
    bare = _extract(package(without=["H5P.Test-1.0/library.json", "H5P.Test-1.0/test.js"]))
    assert list(bare.libraries.all()) == [second]
    # The same files again reuse their candidate.
    assert _extract(_variant()).libraries.get() == second
    assert H5PLibrary.objects.count() == 2


def test_each_candidate_records_its_files_with_sizes_and_hashes():
    library = _extract(_variant()).libraries.get()
    files = {entry["path"]: entry for entry in library.files}
    assert files["test.js"] == {"path": "test.js", "size": len(GENUINE_JS),
                                "sha256": hashlib.sha256(GENUINE_JS).hexdigest()}  # fmt: skip
    assert set(files) == {"library.json", "test.js"}


def test_approving_one_candidate_rejects_the_others_waiting(client, administrator):
    squatter = _extract(_variant(b"steal();"))
    genuine = _extract(_variant())
    bad, good = squatter.libraries.get(), genuine.libraries.get()
    h5p_library_review(library=good, user=administrator, approve=True)
    bad.refresh_from_db()
    assert (bad.status, bad.reviewed_by) == ("rejected", administrator)
    assert list(H5PActivity.objects.playable()) == [genuine]
    with pytest.raises(H5PReviewError):
        h5p_library_review(library=bad, user=administrator, approve=True)


def test_an_approved_version_is_never_replaced_by_an_upload(administrator):
    approved = _extract(_variant()).libraries.get()
    h5p_library_review(library=approved, user=administrator, approve=True)
    other = _extract(_variant(b"steal();"))
    assert other.status == "failed"
    assert "An approved version is never replaced" in other.errors[0]
    assert list(H5PLibrary.objects.all()) == [approved]
    assert (store.libraries_root() / approved.folder / "test.js").read_bytes() == GENUINE_JS
    # The approved files themselves are welcome.
    assert _extract(_variant()).libraries.get() == approved


def test_rejected_files_stay_refused_but_other_files_may_be_proposed(administrator):
    rejected = _extract(_variant(b"steal();")).libraries.get()
    h5p_library_review(library=rejected, user=administrator, approve=False)
    again = _extract(_variant(b"steal();"))
    assert again.status == "failed" and "rejected by an administrator" in again.errors[0]
    genuine = _extract(_variant())
    assert genuine.status == "ready"
    assert genuine.libraries.get().status == "pending"


# --- The review screen --------------------------------------------------------------------------
def _review(client, library) -> str:
    response = client.get(reverse("h5p_libraries:edit", args=[library.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_review_screen_shows_both_uploads_of_a_version_with_sizes_and_hashes(
    administrator_client,
):
    squatter = _extract(_variant(b"steal();", extra=[("H5P.Test-1.0/more.js", b"x")]))
    genuine = _extract(_variant())
    bad, good = squatter.libraries.get(), genuine.libraries.get()
    page = _review(administrator_client, good)
    assert "Another upload brought different files under H5P.Test 1.0.2" in page
    # This upload's files, sizes and hashes…
    assert hashlib.sha256(GENUINE_JS).hexdigest() in page
    assert f"{len(GENUINE_JS)}" in page
    # …and the other's, with what differs.
    assert hashlib.sha256(b"steal();").hexdigest() in page
    assert "more.js" in page and bad.files_hash in page and good.files_hash in page
    assert "-steal();" in page and f"+{GENUINE_JS.decode()}" in page
    listing = administrator_client.get(reverse("h5p_libraries:index")).content.decode()
    assert "1 other upload brought different files under this version" in listing


def test_the_review_screen_diffs_against_the_closest_approved_version(
    administrator_client, administrator
):
    older = _extract(_variant(b"old();", patch=1)).libraries.get()
    closest = _extract(_variant(patch=2, extra=[("H5P.Test-1.0/gone.js", b"x")])).libraries.get()
    newer = _extract(_variant(b"newer();", patch=9)).libraries.get()
    for library in (older, closest, newer):
        h5p_library_review(library=library, user=administrator, approve=True)
    changed = GENUINE_JS + b"\nH5P.Test.prototype.attach = function () { fetch('/x'); };"
    candidate = _extract(_variant(changed, patch=3, extra=[("H5P.Test-1.0/new.css", b"a{}")]))
    candidate = candidate.libraries.get()
    assert review.closest_approved(candidate) == closest
    page = _review(administrator_client, candidate)
    assert "Against H5P.Test 1.0.2 (Approved)" in page
    assert "Files added: 1; removed: 1; changed: 2; unchanged: 0." in page  # library.json too
    assert "new.css" in page and "gone.js" in page
    assert "+H5P.Test.prototype.attach = function () { fetch(&#x27;/x&#x27;); };" in page


def test_the_review_screen_shows_file_contents_as_escaped_text_only(
    administrator_client, administrator
):
    h5p_library_review(library=_extract(_variant()).libraries.get(), user=administrator,
                       approve=True)  # fmt: skip
    hostile = b'</pre><script>alert("owned")</script><img src=x onerror=alert(1)>'
    candidate = _extract(_variant(hostile, patch=3)).libraries.get()
    page = _review(administrator_client, candidate)
    assert "<script>alert(" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in page
    # Nothing of the library is served from the platform's host.
    assert "/h5p/play/" not in page and candidate.folder not in page


def test_text_diffs_are_capped(administrator):
    base = _extract(_variant(b"\n".join(b"line %d" % i for i in range(5000)))).libraries.get()
    h5p_library_review(library=base, user=administrator, approve=True)
    other = b"\n".join(b"LINE %d" % i for i in range(5000)) + b"\n" + b"x" * 5000
    candidate = _extract(_variant(other, patch=3)).libraries.get()
    comparison = review.compare(base, candidate)
    diff = next(changed for changed in comparison.changed if changed.path == "test.js")
    assert diff.truncated and len(diff.diff) == review.DIFF_MAX_LINES
    assert all(len(line) <= review.DIFF_MAX_LINE_CHARS + 2 for line in diff.diff)


def test_approving_while_other_files_are_approved_is_refused_with_a_reason(
    administrator_client, administrator
):
    first = _extract(_variant(b"one();")).libraries.get()
    second = _extract(_variant()).libraries.get()
    h5p_library_review(library=first, user=administrator, approve=True)
    response = administrator_client.post(reverse("h5p_libraries:edit", args=[second.pk]),
                                 {"status": "approved"})  # fmt: skip
    assert response.status_code == 200
    assert "are already approved. Reject them first." in response.content.decode()
    second.refresh_from_db()
    assert second.status == "rejected"  # rejected when the first was approved, and still


def test_library_json_of_each_candidate_is_kept(administrator):
    library = _extract(_variant()).libraries.get()
    assert library.metadata["machineName"] == "H5P.Test"
    assert json.loads((store.libraries_root() / library.folder / "library.json").read_text())


def _library_rows(start: int, count: int) -> None:
    """`count` library candidates, two per version (each version flagged in the list)."""
    H5PLibrary.objects.bulk_create(
        H5PLibrary(machine_name=f"H5P.Bulk{i // 2}", major_version=1, minor_version=0,
                   patch_version=0, title="Bulk", files_hash=f"{i:064x}")
        for i in range(start, start + count)
    )  # fmt: skip


def test_the_library_list_takes_the_same_queries_for_10_and_1000_rows(administrator_client):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = administrator_client.get(reverse("h5p_libraries:index"))
        assert response.status_code == 200
        assert "1 other upload brought different files" in response.content.decode()
        return len(captured)

    _library_rows(0, 10)
    small = queries()
    _library_rows(10, 990)
    assert queries() == small
