"""The H5P store works on any Django storage (`storages["h5p"]`), never through a path of its own:
another folder, memory, and a real S3 object store (SeaweedFS). Real sample packages are
imported, played through the H5P origin, weighed, reviewed, precompressed and swept; a refused
package leaves nothing behind; the local H5P root is never touched."""

import brotli
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError

from courses.h5p import origin, store
from courses.h5p.files import walk
from courses.h5p.review import library_files
from courses.h5p.weight import activity_weight, player_size, weight_forget
from courses.h5p.xapi import player_launch
from courses.models import H5PActivity, H5PLibrary
from tests.conftest import h5p_sample
from tests.helpers import h5p_get

pytestmark = pytest.mark.django_db

BACKENDS = {
    "another-folder": lambda tmp_path: {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "elsewhere"), "base_url": None},
    },
    "memory": lambda tmp_path: {"BACKEND": "django.core.files.storage.InMemoryStorage"},
}


@pytest.fixture(params=sorted(BACKENDS))
def h5p_storage(request, settings, tmp_path):
    """storages["h5p"] swapped for another backend; the local H5P root must stay untouched."""
    settings.ACOMPANA_H5P_ROOT = tmp_path / "h5p-root-never-used"
    settings.STORAGES = {**settings.STORAGES, "h5p": BACKENDS[request.param](tmp_path)}
    origin._transfer_size.cache_clear()
    yield storages["h5p"]
    origin._transfer_size.cache_clear()
    assert not settings.ACOMPANA_H5P_ROOT.exists()


def _import(name: str) -> H5PActivity:
    call_command("import_h5p", str(h5p_sample(name)))
    activity = H5PActivity.objects.latest("pk")
    assert activity.status == H5PActivity.Status.READY, activity.errors
    activity.libraries.update(status=H5PLibrary.Status.APPROVED)
    return activity


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _stored(storage, name: str) -> bytes:
    with storage.open(name, "rb") as opened:
        return opened.read()


def _plays_through_the_origin(client, storage, activity, user):
    """The player page, a library script (brotli, from its sibling), content.json (at the
    person's content URL), validators, and the 404s."""
    launch = player_launch(user=user, module_id=1, activity_uuid=activity.uuid, preview=True)
    page = h5p_get(client, f"/h5p/play/{activity.uuid}/{launch}/")
    assert page.status_code == 200
    main = activity.libraries.get(machine_name=activity.main_library.split()[0])
    script = next(
        entry["path"] for entry in main.metadata["preloadedJs"]
        if storage.exists(f"libraries/{main.folder}/{entry['path']}.br")
    )  # fmt: skip
    url = f"/h5p/libraries/{main.folder}/{script}"
    plain = _stored(storage, f"libraries/{main.folder}/{script}")
    assert url in page.content.decode()  # preloaded, with sizes read from the storage

    response = h5p_get(client, url, HTTP_ACCEPT_ENCODING="br")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "br"
    assert response["Cache-Control"] == origin.IMMUTABLE
    assert response["Content-Type"] in ("text/javascript", "application/javascript")
    body = _body(response)
    assert int(response["Content-Length"]) == len(body)
    assert brotli.decompress(body) == plain
    again = h5p_get(client, url, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    identity = h5p_get(client, url)
    assert "Content-Encoding" not in identity and _body(identity) == plain

    token = origin.content_token(activity.uuid, user.pk)
    content = h5p_get(client, f"/h5p/content/{activity.uuid}/{token}/content.json")
    assert content.status_code == 200
    assert content["Cache-Control"] == origin.CONTENT_CACHE
    assert _body(content) == _stored(storage, f"content/{activity.uuid}/content.json")
    for missing in (
        f"/h5p/libraries/{main.folder}/{script}.br",  # a sibling by its own name
        f"/h5p/libraries/{main.folder}/../{main.folder}/{script}",
        f"/h5p/libraries/{main.folder}/nothing.js",
        f"/h5p/content/{activity.uuid}/{token}/%2e%2e/%2e%2e/uploads",
        f"/h5p/content/{activity.uuid}/{token}/",
    ):
        assert h5p_get(client, missing).status_code == 404, missing
    return url


def test_a_real_package_is_stored_played_weighed_and_reviewed_on_another_storage(
    client, h5p_storage, administrator
):
    activity = _import("questionset-multichoice.h5p")
    stored = set(walk(h5p_storage, ""))
    assert f"content/{activity.uuid}/content.json" in stored
    assert activity.package.name in stored  # the upload too
    for library in activity.libraries.all():
        assert {f"libraries/{library.folder}/{f['path']}" for f in library.files} <= stored
    assert any(name.endswith(".js.br") for name in stored)
    assert any(name.endswith(".js.gz") for name in stored)

    _plays_through_the_origin(client, h5p_storage, activity, administrator)

    weight_forget(activity.uuid)
    assert activity_weight(activity).bytes > player_size()

    library = activity.libraries.get(machine_name="H5P.MultiChoice")
    recorded = library.files
    library.files = []  # a version stored before files were recorded: read from the storage
    assert library_files(library) == sorted(recorded, key=lambda entry: entry["path"])


def test_precompressing_and_sweeping_work_on_another_storage(h5p_storage):
    activity = _import("truefalse.h5p")
    siblings = [name for name in walk(h5p_storage, "") if name.endswith((".br", ".gz"))]
    assert siblings
    for name in siblings:
        h5p_storage.delete(name)
    call_command("h5p_precompress")
    assert sorted(name for name in walk(h5p_storage, "") if name.endswith((".br", ".gz"))) == (
        sorted(siblings)
    )

    gone = "content/00000000-0000-0000-0000-000000000000"
    h5p_storage.save("libraries/H5P.Orphan-1.0.0/library.json", ContentFile(b"{}"))
    h5p_storage.save(f"{gone}/content.json", ContentFile(b"{}"))
    assert sorted(store.store_sweep(older_than=store.timedelta(0))) == [
        gone,
        "libraries/H5P.Orphan-1.0.0",
    ]
    assert h5p_storage.exists(f"content/{activity.uuid}/content.json")
    assert all(h5p_storage.exists(f"libraries/{lib.folder}/library.json")
               for lib in activity.libraries.all())  # fmt: skip


def test_a_refused_package_leaves_nothing_on_another_storage(h5p_storage):
    with pytest.raises(CommandError):
        call_command("import_h5p", str(h5p_sample("MUST-REJECT-svg-with-script.h5p")))
    assert list(walk(h5p_storage, "")) == []
    assert not H5PLibrary.objects.exists()


def test_a_failed_import_deletes_its_content_and_leaves_libraries_to_the_sweep(
    h5p_storage, monkeypatch
):
    """The files are written before the transaction commits: when it fails, its content goes.
    Its library folders stay (another import may be writing the same ones, its row not
    committed yet: test_h5p_store_races.py); the sweep removes them, as no row names them."""

    def broken(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(store, "sub_content_ids", broken)
    with pytest.raises(CommandError):
        call_command("import_h5p", str(h5p_sample("truefalse.h5p")))
    activity = H5PActivity.objects.get()
    assert activity.status == H5PActivity.Status.FAILED
    left = list(walk(h5p_storage, ""))
    assert left and all(name.startswith("libraries/") for name in left)
    assert not H5PLibrary.objects.exists()
    assert store.store_sweep(older_than=store.timedelta(0))
    assert list(walk(h5p_storage, "")) == []


# --- A real object store (SeaweedFS's S3 gateway) ----------------------------------------------
@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    from tests.servers import seaweedfs  # noqa: PLC0415 — only these tests start it

    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def s3(settings, s3_server, tmp_path):
    from training.storage import storages_setting  # noqa: PLC0415

    settings.ACOMPANA_STORAGE = "s3"
    settings.STORAGES = storages_setting("s3", s3=s3_server.storage_options())
    settings.ACOMPANA_H5P_ROOT = tmp_path / "h5p-root-never-used"
    origin._transfer_size.cache_clear()
    yield s3_server
    origin._transfer_size.cache_clear()
    assert not settings.ACOMPANA_H5P_ROOT.exists()


def _keys(server, prefix: str) -> set[str]:
    client, found = server.client(), set()
    for page in client.get_paginator("list_objects_v2").paginate(
        Bucket=server.bucket, Prefix=prefix
    ):
        found |= {entry["Key"] for entry in page.get("Contents", [])}
    return found


def test_a_real_package_is_stored_in_s3_and_played_through_the_origin(client, s3, administrator):
    activity = _import("truefalse.h5p")
    storage = storages["h5p"]
    keys = _keys(s3, "h5p/")
    assert f"h5p/content/{activity.uuid}/content.json" in keys
    assert f"h5p/{activity.package.name}" in keys
    assert any(key.endswith(".js.br") for key in keys)

    url = _plays_through_the_origin(client, storage, activity, administrator)
    # One file, one round trip each: the file's HEAD (open), its sibling's, the sibling's GET.
    sent = []
    events = storage.connection.meta.client.meta.events
    events.register("before-send.s3", lambda request, **kwargs: sent.append(request.method))
    assert brotli.decompress(_body(h5p_get(client, url, HTTP_ACCEPT_ENCODING="br")))
    assert sent == ["HEAD", "HEAD", "GET"]
    sent.clear()
    assert _body(h5p_get(client, url))
    assert sent == ["HEAD", "GET"]
    weight_forget(activity.uuid)
    assert activity_weight(activity).bytes > player_size()

    # A refused package leaves nothing in the bucket; the sweep removes what nobody refers to.
    with pytest.raises(CommandError):
        call_command("import_h5p", str(h5p_sample("MUST-REJECT-svg-with-script.h5p")))
    assert _keys(s3, "h5p/") == keys
    storage.save("libraries/H5P.Orphan-1.0.0/library.json", ContentFile(b"{}"))
    assert store.store_sweep(older_than=store.timedelta(0)) == ["libraries/H5P.Orphan-1.0.0"]
    assert _keys(s3, "h5p/") == keys
