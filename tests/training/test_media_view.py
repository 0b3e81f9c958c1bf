"""Public media at /media/ (training/urls.py, serve_public_media): image renditions and avatars,
with the same headers from the local media folder and from the bucket, and streamed from the
bucket as they arrive (never first copied whole into a temporary file)."""

import io
import os

import pytest
from botocore.response import StreamingBody
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import RequestFactory
from django.utils.http import http_date
from PIL import Image as PILImage
from storages.backends.s3 import S3File

from tests.helpers import content
from tests.servers import seaweedfs
from training.storage import storages_setting
from training.urls import PUBLIC_MEDIA_MAX_AGE, serve_public_media

pytestmark = pytest.mark.django_db

NAME = "images/room.width-40.png"
URL = f"/media/{NAME}"


def png_bytes(size=40) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (size, size), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def _headers(response) -> dict:
    """The headers the view sets (not the middleware's: security, language, request id)."""
    names = ("Content-Type", "Content-Length", "Content-Disposition", "Cache-Control")
    return {name: response.headers.get(name) for name in names}


EXPECTED = {
    "Content-Type": "image/png",
    "Content-Disposition": 'inline; filename="room.width-40.png"',
    "Cache-Control": f"public, max-age={PUBLIC_MEDIA_MAX_AGE}",
}


# --- Local media folder -------------------------------------------------------------------------
def test_a_local_rendition_is_served_with_its_headers(client, settings):
    data = png_bytes()
    path = settings.MEDIA_ROOT / NAME
    path.parent.mkdir(parents=True)
    path.write_bytes(data)
    os.utime(path, (1_700_000_000.25, 1_700_000_000.75))

    response = client.get(URL)
    assert response.status_code == 200
    assert _headers(response) == {**EXPECTED, "Content-Length": str(len(data))}
    assert response["Last-Modified"] == http_date(1_700_000_000)
    assert content(response) == data
    # Answered from what the browser has.
    again = client.get(URL, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    newer = client.get(URL, HTTP_IF_MODIFIED_SINCE=http_date(1_699_999_000))
    assert newer.status_code == 200


def test_in_development_nothing_is_kept(client, settings):
    settings.DEBUG = True
    path = settings.MEDIA_ROOT / NAME
    path.parent.mkdir(parents=True)
    path.write_bytes(png_bytes())
    response = client.get(URL)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] and "public" not in response["Cache-Control"]


@pytest.mark.parametrize(
    "url",
    ["/media/images/missing.png", "/media/images/", "/media/images/../original_images/a.png"],
)
def test_what_is_not_a_public_file_is_not_found(client, settings, url):
    (settings.MEDIA_ROOT / "images").mkdir(parents=True)
    assert client.get(url).status_code == 404


# --- The bucket ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture
def s3(settings, s3_server):
    settings.ACOMPANA_STORAGE = "s3"
    settings.STORAGES = storages_setting("s3", s3=s3_server.storage_options())
    return s3_server


@pytest.fixture
def no_temporary_copy(monkeypatch):
    """Fails the test if anything reads an S3File (which downloads the whole object first)."""

    def refused(self):
        raise AssertionError(f"{self.name} read through a temporary file")

    monkeypatch.setattr(S3File, "_get_file", refused)


@pytest.mark.integration
def test_a_rendition_in_the_bucket_is_streamed_with_the_same_headers(client, s3, no_temporary_copy):
    data = png_bytes()
    saved = default_storage.save(NAME, ContentFile(data))
    assert saved == NAME
    stored = s3.client().head_object(Bucket=s3.bucket, Key=f"media/{NAME}")

    # The view itself hands over the object's body (the test client wraps what it streams).
    direct = serve_public_media(RequestFactory().get(URL), NAME)
    assert isinstance(direct.file_to_stream, StreamingBody), type(direct.file_to_stream)
    direct.file_to_stream.close()  # (closing the response would end the test's transaction)

    response = client.get(URL)
    assert response.status_code == 200
    assert _headers(response) == {**EXPECTED, "Content-Length": str(len(data))}
    assert response["Last-Modified"] == http_date(stored["LastModified"].timestamp())
    assert content(response) == data

    again = client.get(URL, HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
    assert again.status_code == 304
    assert client.get("/media/images/missing.png").status_code == 404


@pytest.mark.integration
def test_a_large_file_in_the_bucket_arrives_in_pieces(s3, no_temporary_copy):
    """Several megabytes: the first piece is there before the rest was read from the bucket."""
    data = os.urandom(3 * 1024 * 1024 + 5)
    name = default_storage.save("avatar_images/large.bin", ContentFile(data))
    response = serve_public_media(RequestFactory().get(f"/media/{name}"), name)
    assert response.status_code == 200
    assert response["Content-Length"] == str(len(data))
    body = response.file_to_stream
    pieces = iter(response.streaming_content)
    first = next(pieces)
    assert 0 < len(first) < len(data)
    assert body.tell() < len(data)  # the rest is still on its way
    assert first + b"".join(pieces) == data
    body.close()
