"""Documents and original images are private files; only image renditions are public.

A document in a collection restricted to signed-in people or to a group reaches nobody else by
any URL; original image files are never served; what /media/ serves is renditions.
"""

import importlib
import io
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from tests.conftest import login_with_mfa
from tests.test_production import MANAGE, PYTHON, ROOT, production_env
from training.factories import UserFactory
from training.storage import check_private_root_outside_media_root

SECRET = b"Safe house address: 12 Example Street. Shared with trainers only."

Document = get_document_model()
Image = get_image_model()


def body(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def png_bytes(width=20, height=20):
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def trainers_group(db):
    return Group.objects.create(name="Safety trainers")


def restricted_collection(name, restriction_type, groups=()):
    collection = Collection.get_first_root_node().add_child(name=name)
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=restriction_type
    )
    restriction.groups.set(groups)
    return collection


def make_document(collection, filename="safety-plan.txt"):
    document = Document(title="Safety plan", collection=collection)
    document.file.save(filename, ContentFile(SECRET), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


@pytest.fixture
def group_document(trainers_group):
    collection = restricted_collection(
        "Trainers only", CollectionViewRestriction.GROUPS, groups=[trainers_group]
    )
    return make_document(collection)


@pytest.fixture
def login_document(db):
    collection = restricted_collection("Signed-in people", CollectionViewRestriction.LOGIN)
    return make_document(collection, filename="members-guide.txt")


def every_url_for(document):
    name = Path(document.file.name).name
    return [
        document.url,
        reverse("wagtaildocs_serve", args=[document.pk, document.filename]),
        f"/documents/{document.pk}/",
        f"/documents/{document.pk}/other-name.txt",
        f"/media/{document.file.name}",
        f"/media/documents/{name}",
        f"/media/images/../documents/{name}",
        f"/media/images/..%2Fdocuments%2F{name}",
        f"/media/../private/documents/{name}",
        f"/private/documents/{name}",
        f"/documents/{name}",
    ]


def assert_not_served(client, document):
    for url in every_url_for(document):
        response = client.get(url)
        assert SECRET not in body(response), url
        assert response.status_code in (302, 403, 404), (url, response.status_code)


def test_document_files_are_kept_outside_the_media_root(settings, group_document):
    path = Path(group_document.file.path)
    assert path.read_bytes() == SECRET
    assert path.is_relative_to(Path(settings.ACOMPANA_PRIVATE_ROOT).resolve())
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_private_files_have_no_public_url(group_document):
    with pytest.raises(NotImplementedError):
        _ = group_document.file.url
    # Links in pages go to Wagtail's view, which checks the collection's privacy.
    assert group_document.url == f"/documents/{group_document.pk}/safety-plan.txt"


def test_an_anonymous_visitor_gets_no_restricted_document_by_any_url(
    client, group_document, login_document
):
    assert_not_served(client, group_document)
    assert_not_served(client, login_document)


def test_someone_outside_the_group_gets_no_group_document_by_any_url(client, group_document):
    client.force_login(UserFactory())
    assert_not_served(client, group_document)


def test_a_member_of_the_group_gets_the_document_through_the_serve_view(
    client, group_document, trainers_group
):
    member = UserFactory()
    member.groups.add(trainers_group)
    client.force_login(member)
    response = client.get(group_document.url)
    assert response.status_code == 200
    assert body(response) == SECRET
    # No shared cache (a proxy, a CDN) may keep it for the next person.
    assert "private" in response["Cache-Control"]
    # Still only through the view: the media folder has nothing to give even to a member.
    assert client.get(f"/media/{group_document.file.name}").status_code == 404


def test_a_signed_in_person_gets_a_document_restricted_to_signed_in_people(client, login_document):
    response = client.get(login_document.url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory())
    response = client.get(login_document.url)
    assert response.status_code == 200
    assert body(response) == SECRET


@pytest.fixture
def image(db):
    image = Image(title="Training room")
    image.file = ImageFile(io.BytesIO(png_bytes()), name="training-room.png")
    image._set_image_file_metadata()
    image.save()
    return image


def test_original_images_are_never_served_but_renditions_are(client, settings, image):
    original = Path(image.file.path)
    assert original.is_relative_to(Path(settings.ACOMPANA_PRIVATE_ROOT).resolve())
    assert image.file.name.startswith("original_images/")
    for url in (
        f"/media/{image.file.name}",
        f"/media/original_images/{original.name}",
        f"/media/images/../{image.file.name}",
    ):
        assert client.get(url).status_code == 404, url
    with pytest.raises(NotImplementedError):
        _ = image.file.url

    # Renditions are made from the private original and are public.
    rendition = image.get_rendition("width-10")
    assert rendition.url.startswith("/media/images/")
    assert Path(rendition.file.path).is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert body(response).startswith(b"\x89PNG")


def test_the_admin_still_lists_edits_and_chooses_images_and_documents(
    client, settings, administrator, image, group_document
):
    login_with_mfa(client, administrator)
    pages = [
        reverse("wagtailimages:index"),
        reverse("wagtailimages:edit", args=[image.pk]),
        reverse("wagtailimages_chooser:choose"),
        reverse("wagtaildocs:index"),
        reverse("wagtaildocs:edit", args=[group_document.pk]),
        reverse("wagtaildocs_chooser:choose"),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    # The edit page and the listing showed renditions, made from the private original.
    assert image.renditions.exists()
    # An upload from the admin lands in the private folder too.
    response = client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Uploaded plan",
            "collection": group_document.collection_id,
            "file": ContentFile(SECRET, name="uploaded-plan.txt"),
        },
    )
    assert response.status_code == 302, response.content[:2000]
    uploaded = Document.objects.get(title="Uploaded plan")
    assert Path(uploaded.file.path).read_bytes() == SECRET
    assert Path(uploaded.file.path).is_relative_to(Path(settings.ACOMPANA_PRIVATE_ROOT).resolve())


# --- Moving existing files ----------------------------------------------------------------------


def test_the_migration_moves_documents_and_originals_out_of_the_media_root(tmp_path):
    migration = importlib.import_module("training.migrations.0006_move_private_media")
    media, private = tmp_path / "media", tmp_path / "private"
    (media / "documents").mkdir(parents=True)
    (media / "documents" / "plan.pdf").write_bytes(SECRET)
    (media / "original_images").mkdir()
    (media / "original_images" / "room.png").write_bytes(b"png")
    (media / "images").mkdir()
    (media / "images" / "room.width-10.png").write_bytes(b"rendition")

    assert migration.move_folders(source_root=media, target_root=private) == 2
    assert (private / "documents" / "plan.pdf").read_bytes() == SECRET
    assert (private / "original_images" / "room.png").read_bytes() == b"png"
    assert not (media / "documents").exists()
    assert not (media / "original_images").exists()
    assert (media / "images" / "room.width-10.png").exists()
    # Running again moves nothing.
    assert migration.move_folders(source_root=media, target_root=private) == 0

    # A different file already at the target is never overwritten.
    (media / "documents").mkdir()
    (media / "documents" / "plan.pdf").write_bytes(b"another plan")
    with pytest.raises(RuntimeError, match="different file"):
        migration.move_folders(source_root=media, target_root=private)
    assert (private / "documents" / "plan.pdf").read_bytes() == SECRET


def test_a_private_root_inside_the_media_root_is_refused(settings, tmp_path):
    assert check_private_root_outside_media_root(None) == []
    settings.ACOMPANA_PRIVATE_ROOT = Path(settings.MEDIA_ROOT) / "private"
    assert [e.id for e in check_private_root_outside_media_root(None)] == ["training.E003"]


# --- Production ---------------------------------------------------------------------------------

SHOW_MEDIA_SETTINGS = """
from django.conf import settings
from django.urls import Resolver404, resolve
try:
    route = resolve("/media/images/a.png").url_name
except Resolver404:
    route = "no route"
print(settings.ACOMPANA_SERVE_MEDIA, settings.WAGTAILDOCS_SERVE_METHOD,
      settings.STORAGES["default"]["BACKEND"], route, sep="|")
"""


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "False|serve_view|training.storage.MediaStorage|no route"),
     ("True", "True|serve_view|training.storage.MediaStorage|public_media")],
)  # fmt: skip
def test_production_does_not_serve_media_unless_told_to(tmp_path, value, expected):
    env = production_env(tmp_path)
    if value is not None:
        env["ACOMPANA_SERVE_MEDIA"] = value
    result = subprocess.run(
        [PYTHON, MANAGE, "shell", "-c", SHOW_MEDIA_SETTINGS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_the_image_build_leaves_a_checkouts_private_files_out():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {"media", "private", "h5p-store"} <= ignored
