"""ACOMPANA_STORAGE=s3 against a real SeaweedFS (tests/servers.py), no mock: every file the
platform keeps goes to the bucket, under media/ or private/, and reaches people only through the
views that check who asks (public media through Django's /media/ view); the bucket itself gives
nothing to an anonymous request."""

import io
import urllib.error
import urllib.request
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, CollectionViewRestriction

from certificates import tasks
from certificates.models import Certificate, PoolExport
from tests.certificates.factories import make_certificate, make_track
from tests.certificates.pool_factories import pool_person, pool_track
from tests.conftest import login_with_mfa
from tests.helpers import content
from tests.servers import seaweedfs
from tests.test_production import manage, production_env
from training.factories import UserFactory
from training.models import DataDownload
from training.roles import Role
from training.storage import storages_setting

pytestmark = [pytest.mark.django_db, pytest.mark.integration]

Document = get_document_model()
Image = get_image_model()
SECRET = b"Safe house address: 12 Example Street. Shared with trainers only."


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """One SeaweedFS for the module (a few seconds to start)."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def s3(settings, s3_server):
    """The platform's storages on the bucket, as ACOMPANA_STORAGE=s3 makes them. Changing
    STORAGES empties django.core.files.storage.storages (and again when the test ends)."""
    settings.ACOMPANA_STORAGE = "s3"
    settings.STORAGES = storages_setting("s3", s3=s3_server.storage_options())
    return s3_server


def keys(server, prefix="") -> set[str]:
    listed = server.client().list_objects_v2(Bucket=server.bucket, Prefix=prefix)
    return {entry["Key"] for entry in listed.get("Contents", [])}


def local_files(settings) -> list:
    roots = (settings.MEDIA_ROOT, settings.ACOMPANA_PRIVATE_ROOT)
    return [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]


def body(response) -> bytes:
    return content(response) if getattr(response, "streaming", False) else response.content


def png_bytes():
    buffer = io.BytesIO()
    PILImage.new("RGB", (20, 20), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_storages_are_the_bucket_and_keep_no_url(s3):
    assert storages["private"].bucket_name == s3.bucket
    assert storages["private"].location == "private"
    assert storages["h5p"].location == "h5p"
    assert default_storage.storage_for("images/a.png").location == "media"
    assert default_storage.storage_for("documents/a.txt").location == "private"
    with pytest.raises(NotImplementedError):
        storages["private"].url("certificates/x.pdf")
    with pytest.raises(NotImplementedError):
        storages["h5p"].url("content/1/x.json")
    with pytest.raises(NotImplementedError):
        default_storage.url("documents/a.txt")
    # Public media have the platform's own address, never the bucket's.
    assert default_storage.url("images/a.width-10.png") == "/media/images/a.width-10.png"


def test_a_certificate_pdf_is_rendered_into_the_bucket_and_downloaded_by_its_holder(
    client, settings, s3, volunteer
):
    certificate = make_certificate(volunteer, make_track(title="Peer supporter"), language="en")
    tasks.render_certificate(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.Pdf.READY
    assert f"private/{certificate.pdf.name}" in keys(s3, "private/certificates/")
    assert not local_files(settings)

    url = reverse("certificates:certificate_pdf", args=[certificate.code])
    assert client.get(url).status_code == 302  # signed out
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # someone else
    client.force_login(volunteer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert content(response).startswith(b"%PDF-")


def test_a_pool_export_is_built_into_the_bucket_and_downloaded(
    client, settings, s3, django_capture_on_commit_callbacks
):
    track = pool_track()
    pool_person(track, name="Open", email="open@example.org", languages=[("es", "native")])
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    login_with_mfa(client, coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("certificates:export_xlsx"), {})
    assert response.status_code == 302
    export = PoolExport.objects.latest("pk")
    assert export.status == PoolExport.Status.READY
    assert f"private/{export.file.name}" in keys(s3, "private/exports/")
    assert not local_files(settings)

    response = client.get(reverse("certificates:export_download", args=[export.pk]))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    sheet = openpyxl.load_workbook(io.BytesIO(content(response)), read_only=True)["Pool"]
    assert [row[1] for row in sheet.iter_rows(values_only=True)][1:] == ["Open"]


def test_a_data_download_reads_the_pdf_from_the_bucket_and_is_kept_there(
    client, settings, s3, volunteer, django_capture_on_commit_callbacks
):
    certificate = make_certificate(volunteer, make_track(title="Peer supporter"), language="en")
    tasks.render_certificate(certificate.pk)
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("account_data")).status_code == 302
    download = DataDownload.objects.get(person=volunteer)
    assert download.status == DataDownload.Status.READY
    assert f"private/{download.file.name}" in keys(s3, "private/data-downloads/")
    assert not local_files(settings)

    response = client.get(reverse("account_data_download", args=[download.pk]))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(content(response))) as archive:
        pdf = archive.read(f"files/certificates/{certificate.code}.pdf")
    assert pdf.startswith(b"%PDF-")
    client.force_login(UserFactory())
    assert client.get(reverse("account_data_download", args=[download.pk])).status_code == 404


def test_a_private_document_is_served_from_the_bucket_only_through_its_view(client, settings, s3):
    group = UserFactory().groups.model.objects.create(name="Safety trainers")
    collection = Collection.get_first_root_node().add_child(name="Trainers only")
    restriction = CollectionViewRestriction.objects.create(
        collection=collection, restriction_type=CollectionViewRestriction.GROUPS
    )
    restriction.groups.set([group])
    document = Document(title="Safety plan", collection=collection)
    document.file.save("safety-plan.txt", ContentFile(SECRET), save=False)
    document._set_document_file_metadata()
    document.save()
    assert f"private/{document.file.name}" in keys(s3, "private/documents/")
    assert not local_files(settings)

    client.force_login(UserFactory())
    assert body(client.get(document.url)) != SECRET
    assert client.get(f"/media/{document.file.name}").status_code == 404
    member = UserFactory()
    member.groups.add(group)
    client.force_login(member)
    response = client.get(document.url)
    assert response.status_code == 200
    assert body(response) == SECRET
    assert "private" in response["Cache-Control"]


def test_a_rendition_is_made_from_the_private_original_and_served_at_media(client, settings, s3):
    image = Image(title="Training room")
    image.file = ImageFile(io.BytesIO(png_bytes()), name="training-room.png")
    image._set_image_file_metadata()
    image.save()
    assert f"private/{image.file.name}" in keys(s3, "private/original_images/")

    rendition = image.get_rendition("width-10")
    assert rendition.url == f"/media/{rendition.file.name}"
    assert f"media/{rendition.file.name}" in keys(s3, "media/images/")
    assert not local_files(settings)
    response = client.get(rendition.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert body(response).startswith(b"\x89PNG")
    again = client.get(rendition.url, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    # The original stays private, whatever the path says.
    for url in (
        f"/media/{image.file.name}",
        f"/media/images/../{image.file.name}",
        "/media/images/missing.png",
    ):
        assert client.get(url).status_code == 404, url


def test_nothing_in_the_bucket_is_readable_without_its_keys(client, s3, volunteer):
    # At least one object of each kind, whatever ran before.
    certificate = make_certificate(volunteer, make_track(title="Peer supporter"), language="en")
    tasks.render_certificate(certificate.pk)
    storages["h5p"].save("content/1/content.json", ContentFile(b'{"secret": true}'))
    default_storage.save("images/public.width-10.png", ContentFile(png_bytes()))
    stored = keys(s3)
    assert {key.split("/", 1)[0] for key in stored} == {"media", "private", "h5p"}
    for key in [f"{s3.bucket}/{key}" for key in sorted(stored)] + [s3.bucket, ""]:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{s3.endpoint_url}/{key}", timeout=10)  # noqa: S310
        assert refused.value.code == 403, key


def test_storage_init_creates_the_bucket_once(settings, s3):
    settings.STORAGES = storages_setting(
        "s3", s3={**s3.storage_options(), "bucket_name": "acompana-init"}
    )
    client = s3.client()
    assert "acompana-init" not in {b["Name"] for b in client.list_buckets()["Buckets"]}
    output = io.StringIO()
    call_command("storage_init", stdout=output)
    call_command("storage_init", stdout=output)
    assert {b["Name"] for b in client.list_buckets()["Buckets"]} >= {"acompana-init", s3.bucket}
    assert output.getvalue().splitlines() == [
        "Bucket acompana-init created.",
        "Bucket acompana-init is there.",
    ]


def test_storage_init_refuses_an_empty_bucket_while_local_folders_hold_files(settings, s3):
    """An installation switched to object storage before moving its files would find none of
    them: storage_init (the migrate service) stops and says how to move them."""
    settings.STORAGES = storages_setting(
        "s3", s3={**s3.storage_options(), "bucket_name": "acompana-moving"}
    )
    left = settings.ACOMPANA_PRIVATE_ROOT / "certificates" / "old.pdf"
    left.parent.mkdir(parents=True)
    left.write_bytes(b"%PDF-1.7 kept in the volume")
    with pytest.raises(CommandError, match=r"backup.*restore") as refused:
        call_command("storage_init", stdout=io.StringIO())
    assert str(settings.ACOMPANA_PRIVATE_ROOT) in str(refused.value)
    # The bucket is made all the same (restore needs it), and the move can go on.
    output = io.StringIO()
    call_command("storage_init", "--ignore-local-files", stdout=output)
    assert output.getvalue().splitlines() == ["Bucket acompana-moving is there."]
    # Once the files are in the bucket, nothing is refused.
    storages["private"].save("certificates/old.pdf", ContentFile(left.read_bytes()))
    call_command("storage_init", stdout=io.StringIO())


def test_storage_init_does_nothing_with_local_files(settings):
    output = io.StringIO()
    call_command("storage_init", stdout=output)
    assert "no bucket" in output.getvalue()


def test_production_with_s3_refuses_to_start_without_its_settings(tmp_path):
    s3 = {
        "ACOMPANA_S3_ENDPOINT_URL": "http://storage:8333",
        "ACOMPANA_S3_BUCKET": "acompana",
        "ACOMPANA_S3_ACCESS_KEY_ID": "acompana",
        "ACOMPANA_S3_SECRET_ACCESS_KEY": "a-real-secret-0123456789abcdef",
    }
    for missing in s3:
        env = production_env(tmp_path, ACOMPANA_STORAGE="s3", **s3)
        del env[missing]
        result = manage(env, "check")
        assert result.returncode != 0, missing
        assert f"ACOMPANA_STORAGE=s3 needs {missing}." in result.stderr, result.stderr
    result = manage(production_env(tmp_path, ACOMPANA_STORAGE="s3", **s3), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    result = manage(production_env(tmp_path, ACOMPANA_STORAGE="s4", **s3), "check")
    assert 'ACOMPANA_STORAGE must be "local" or "s3"' in result.stderr, result.stderr
