"""`manage.py backup` and `manage.py restore` with real PostgreSQL and a real SeaweedFS.

An installation on local folders (the test settings) is backed up, then restored by another
process into a new, empty database and a new S3 bucket (the documented way to move to object
storage); the restored installation verifies the certificate on its public page and gives its
holder the very PDF that was rendered before the backup. Restore refuses a target that is not
empty.
"""

import io
import json
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from certificates import tasks
from certificates.models import Certificate
from courses.models import H5PActivity
from tests.certificates.factories import make_certificate, make_track
from tests.conftest import skip_or_fail
from tests.h5p_factory import H5PPackage
from tests.servers import fresh_database, seaweedfs
from tests.test_production import manage
from training.storage import storages_setting

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

SECRET = b"Safe house address: 12 Example Street. Shared with trainers only."

# Run by `manage.py shell` in the restored installation: the public verification page and the
# holder's download of the PDF, through the platform's own views.
CHECK = """
import json
from django.test import Client
from django.urls import reverse
from wagtail.documents import get_document_model
from certificates.models import Certificate
from courses.models import H5PActivity

certificate = Certificate.objects.get(code=CODE)
client = Client()
verify = client.get(reverse("verify", args=[certificate.code]))
client.force_login(certificate.user)
pdf = client.get(reverse("certificates:certificate_pdf", args=[certificate.code]))
body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
document = get_document_model().objects.get(title="Safety plan")
with document.file.open("rb") as opened:
    document_bytes = opened.read()
print(json.dumps({
    "verify_status": verify.status_code,
    "verify_page": verify.content.decode(),
    "pdf_status": pdf.status_code,
    "pdf_type": pdf["Content-Type"],
    "pdf": body.hex(),
    "document": document_bytes.hex(),
    "activities": list(H5PActivity.objects.values_list("status", flat=True)),
}))
"""


def restore_database():
    """A new, empty PostgreSQL database for a restore (dropped afterwards)."""
    return fresh_database("acompana_restore")


def target_env(tmp_path, database_url, **overrides):
    """Another installation (development settings): its own database and files."""
    env = {
        name: os.environ[name]
        for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
        if name in os.environ
    }
    env.update(
        DJANGO_SETTINGS_MODULE="training.settings.dev",
        PYTHONUNBUFFERED="1",
        DJANGO_DEBUG="False",
        DJANGO_ALLOWED_HOSTS="testserver,localhost",
        DATABASE_URL=database_url,
        CELERY_TASK_ALWAYS_EAGER="True",
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
        ACOMPANA_PRIVATE_ROOT=str(tmp_path / "private"),
        ACOMPANA_H5P_ROOT=str(tmp_path / "h5p"),
        ACOMPANA_STORAGE="local",
        # The same address as the backed-up installation (test settings): the PDF prints its
        # verification link, and one made for another address would be prepared again.
        ACOMPANA_PLATFORM_ORIGIN="http://testserver",
    )
    env.update(overrides)
    return env


def s3_env(server) -> dict:
    return {
        "ACOMPANA_STORAGE": "s3",
        "ACOMPANA_S3_ENDPOINT_URL": server.endpoint_url,
        "ACOMPANA_S3_BUCKET": server.bucket,
        "ACOMPANA_S3_ACCESS_KEY_ID": server.access_key,
        "ACOMPANA_S3_SECRET_ACCESS_KEY": server.secret_key,
    }


def png_bytes():
    buffer = io.BytesIO()
    PILImage.new("RGB", (20, 20), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def check_restored(env, installation):
    """The restored installation verifies the certificate and gives its holder the same PDF."""
    certificate = installation["certificate"]
    script = f"CODE = {certificate.code!r}\n{CHECK}"
    checked = manage(env, "shell", "-c", script, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    seen = json.loads(checked.stdout.strip().splitlines()[-1])
    assert seen["verify_status"] == 200
    assert "✓ Valid" in seen["verify_page"] and "Peer supporter" in seen["verify_page"]
    assert certificate.code in seen["verify_page"]
    assert seen["pdf_status"] == 200 and seen["pdf_type"] == "application/pdf"
    assert bytes.fromhex(seen["pdf"]) == installation["pdf"]
    assert bytes.fromhex(seen["document"]) == SECRET
    assert seen["activities"] == [H5PActivity.Status.READY]


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def s3_source(settings, s3_server):
    """This test's installation on the bucket (as ACOMPANA_STORAGE=s3 makes it)."""
    settings.ACOMPANA_STORAGE = "s3"
    settings.STORAGES = storages_setting("s3", s3=s3_server.storage_options())
    return s3_server


@pytest.fixture
def installation(tmp_path, volunteer):
    """A certificate with its PDF rendered, an H5P activity, a private document and an image
    with a rendition, on local folders. Returns what the restored copy must give back."""
    if connection.vendor != "postgresql":
        skip_or_fail("backup and restore need PostgreSQL (set DATABASE_URL)")
    certificate = make_certificate(volunteer, make_track(title="Peer supporter"), language="en")
    tasks.render_certificate(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.pdf_status == Certificate.Pdf.READY
    with storages["private"].open(certificate.pdf.name, "rb") as opened:
        pdf = opened.read()
    assert pdf.startswith(b"%PDF-")

    package = tmp_path / "activity.h5p"
    package.write_bytes(H5PPackage.minimal().build())
    call_command("import_h5p", str(package), stdout=io.StringIO())
    assert H5PActivity.objects.get().status == H5PActivity.Status.READY

    # A transactional test before this one emptied the tables migrations fill.
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    document = get_document_model()(title="Safety plan")
    document.file.save("safety-plan.txt", ContentFile(SECRET), save=False)
    document._set_document_file_metadata()
    document.save()

    image = get_image_model()(title="Training room")
    image.file = ImageFile(io.BytesIO(png_bytes()), name="training-room.png")
    image._set_image_file_metadata()
    image.save()
    rendition = image.get_rendition("width-10")
    return {"certificate": certificate, "pdf": pdf, "rendition": rendition.file.name}


def test_a_backup_restored_into_an_empty_s3_installation_gives_back_the_certificate_and_its_pdf(
    tmp_path, installation
):
    certificate = installation["certificate"]
    archive = tmp_path / "backup"
    output = io.StringIO()
    call_command("backup", str(archive), stdout=output)
    assert "Backup written to" in output.getvalue()

    manifest = json.loads((archive / "manifest.json").read_text())
    assert (archive / "database.dump").read_bytes()[:5] == b"PGDMP"
    names = {(entry["storage"], entry["name"]) for entry in manifest["files"]}
    assert ("private", certificate.pdf.name) in names
    assert any(name.startswith("documents/") for section, name in names if section == "private")
    assert ("media", installation["rendition"]) in names
    h5p_files = [name for section, name in names if section == "h5p"]
    assert any(name.startswith("content/") for name in h5p_files), h5p_files
    assert any(name.startswith("libraries/") for name in h5p_files), h5p_files
    assert manifest["storages"]["h5p"]["files"] == len(h5p_files)
    assert "0001_initial" in manifest["migrations"]["certificates"]
    for entry in manifest["files"]:
        stored = archive / "files" / entry["storage"] / entry["name"]
        assert stored.stat().st_size == entry["size"]

    with restore_database() as database_url, seaweedfs(tmp_path / "seaweedfs") as server:
        env = target_env(tmp_path / "target", database_url, **s3_env(server))
        result = manage(env, "restore", str(archive), timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Database restored." in result.stdout
        assert f"{len(manifest['files'])} files" in result.stdout

        # Every file is in the bucket, under its storage's prefix; nothing on the local disk.
        listed = server.client().list_objects_v2(Bucket=server.bucket)
        keys = {entry["Key"] for entry in listed.get("Contents", [])}
        assert keys == {f"{section}/{name}" for section, name in names}
        assert not (tmp_path / "target").exists()

        check_restored(env, installation)

        # The installation is no longer empty: a second restore refuses, and says why.
        again = manage(env, "restore", str(archive), timeout=300)
        assert again.returncode != 0
        assert "Restore goes into an empty installation" in again.stderr, again.stderr
        assert "the database has" in again.stderr
        assert "the private storage holds files" in again.stderr

        # --force replaces what is there with the backup.
        forced = manage(env, "restore", "--force", str(archive), timeout=300)
        assert forced.returncode == 0, forced.stdout + forced.stderr
        check_restored(env, installation)


def test_a_backup_of_an_s3_installation_restored_onto_local_folders(
    tmp_path, s3_source, installation
):
    # More than one chunk, streamed from the bucket and back.
    large = os.urandom(3 * 1024 * 1024 + 17)
    storages["private"].save("exports/large.bin", ContentFile(large))
    archive = tmp_path / "backup"
    call_command("backup", str(archive), stdout=io.StringIO())
    manifest = json.loads((archive / "manifest.json").read_text())
    listed = s3_source.client().list_objects_v2(Bucket=s3_source.bucket)
    keys = {entry["Key"] for entry in listed.get("Contents", [])}
    assert {f"{e['storage']}/{e['name']}" for e in manifest["files"]} == keys
    assert (archive / "files" / "private" / "exports" / "large.bin").read_bytes() == large

    with restore_database() as database_url:
        target = tmp_path / "target"
        env = target_env(target, database_url)
        result = manage(env, "restore", str(archive), timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr
        assert (target / "private" / "exports" / "large.bin").read_bytes() == large
        assert (target / "media" / installation["rendition"]).is_file()
        assert (target / "private" / installation["certificate"].pdf.name).is_file()
        assert any((target / "h5p" / "content").rglob("*.json"))
        check_restored(env, installation)


def test_restore_refuses_storages_that_hold_files_and_a_damaged_backup(tmp_path, installation):
    archive = tmp_path / "backup"
    call_command("backup", str(archive), stdout=io.StringIO())
    with pytest.raises(CommandError, match="is not empty"):
        call_command("backup", str(archive), stdout=io.StringIO())

    with restore_database() as database_url:
        target = tmp_path / "target"
        env = target_env(target, database_url)
        (target / "h5p" / "content").mkdir(parents=True)
        (target / "h5p" / "content" / "left-over.json").write_text("{}")
        result = manage(env, "restore", str(archive), timeout=300)
        assert result.returncode != 0
        assert "the h5p storage holds files" in result.stderr, result.stderr
        assert "the database has" not in result.stderr
        # Nothing was restored.
        tables = manage(env, "shell", "-c", "from django.db import connection as c; "
                        "print(len(c.introspection.table_names()))")  # fmt: skip
        assert tables.stdout.strip().splitlines()[-1] == "0", tables.stdout + tables.stderr

        # A file of the backup changed: refused before anything is touched.
        (target / "h5p" / "content" / "left-over.json").unlink()
        damaged = archive / "files" / "private" / installation["certificate"].pdf.name
        damaged.write_bytes(b"%PDF- not the same")
        result = manage(env, "restore", str(archive), timeout=300)
        assert result.returncode != 0
        assert "does not match its checksum" in result.stderr, result.stderr
        assert not (target / "private").exists()


def test_backup_without_postgresql_says_what_to_do(tmp_path, settings):
    if connection.vendor == "postgresql":
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["DJANGO_SETTINGS_MODULE"] = "training.settings.test"
        result = manage(env, "backup", str(tmp_path / "backup"))
        stderr = result.stderr
    else:
        with pytest.raises(CommandError) as refused:
            call_command("backup", str(tmp_path / "backup"), stdout=io.StringIO())
        stderr = str(refused.value)
    assert "backup and restore need PostgreSQL" in stderr, stderr
    assert not (tmp_path / "backup").exists()


def test_restore_needs_a_manifest(tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "database.dump").write_bytes(b"PGDMP")
    with pytest.raises(CommandError, match="not a backup, or an unfinished one"):
        call_command("restore", str(tmp_path / "half"), stdout=io.StringIO())
