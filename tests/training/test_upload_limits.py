"""Sizes are bounded before they hurt: documents, images, form bodies and whole requests.

A refused upload names the limit in the editor's language and keeps the rest of the form.
"""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import translation
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from training.uploads import check_request_limit_above_upload_limits

Document = get_document_model()
Image = get_image_model()

LIMIT = 2048  # bytes, for the tests: filesizeformat shows it as "2.0 KB".


def png(width=8, height=8, *, padding=0):
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (10, 120, 200)).save(buffer, format="PNG")
    # Bytes after the PNG's end chunk: a bigger file, still a valid image.
    return buffer.getvalue() + b"\0" * padding


@pytest.fixture
def small_limits(settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = LIMIT
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = LIMIT


def big_document():
    return SimpleUploadedFile("handbook.pdf", b"%PDF-1.4\n" + b"x" * (LIMIT * 2))


def big_image():
    return SimpleUploadedFile("poster.png", png(padding=LIMIT * 2), content_type="image/png")


# --- Documents ----------------------------------------------------------------------------------


def test_a_document_above_the_limit_is_refused_naming_the_limit_and_keeping_the_form(
    administrator_client, small_limits
):
    response = administrator_client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Volunteer handbook, second edition",
            "collection": Collection.get_first_root_node().pk,
            "tags": "handbook",
            "file": big_document(),
        },
    )
    assert response.status_code == 200
    assert not Document.objects.exists()
    page = response.content.decode()
    assert "This file is too big" in page
    assert filesizeformat(LIMIT) in page  # "2.0 KB"
    # Everything else the editor typed is still there.
    assert 'value="Volunteer handbook, second edition"' in page
    assert "handbook" in page


def test_the_refusal_is_in_the_editors_language(administrator_client, administrator, small_limits):
    administrator.preferred_language = "es"
    administrator.save(update_fields=["preferred_language"])
    response = administrator_client.post(
        reverse("wagtaildocs:add"),
        {"title": "Manual", "collection": Collection.get_first_root_node().pk,
         "file": big_document()},
    )  # fmt: skip
    page = response.content.decode()
    assert "Este archivo es demasiado grande" in page
    with translation.override("es"):
        assert filesizeformat(LIMIT) in page  # "2,0 KB"


def test_a_document_within_the_limit_is_accepted(administrator_client, small_limits):
    response = administrator_client.post(
        reverse("wagtaildocs:add"),
        {
            "title": "Short note",
            "collection": Collection.get_first_root_node().pk,
            "file": SimpleUploadedFile("note.txt", b"x" * (LIMIT - 10)),
        },
    )
    assert response.status_code == 302
    assert Document.objects.filter(title="Short note").exists()


def test_the_multiple_document_uploader_refuses_a_document_above_the_limit(
    administrator_client, small_limits
):
    response = administrator_client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": big_document(), "collection": Collection.get_first_root_node().pk},
    )
    data = json.loads(response.content)
    assert data["success"] is False
    assert filesizeformat(LIMIT) in data["error_message"]
    assert not Document.objects.exists()


def test_the_document_chooser_uploader_refuses_a_document_above_the_limit(
    administrator_client, small_limits
):
    response = administrator_client.post(
        reverse("wagtaildocs_chooser:create"),
        {
            "document-chooser-upload-title": "From the chooser",
            "document-chooser-upload-collection": Collection.get_first_root_node().pk,
            "document-chooser-upload-file": big_document(),
        },
    )
    fragment = json.loads(response.content)["htmlFragment"]
    assert filesizeformat(LIMIT) in fragment
    assert 'value="From the chooser"' in fragment
    assert not Document.objects.exists()


def test_uploads_and_bodies_have_limits_by_default(settings):
    # Wagtail's own defaults: no limit for documents, 128 megapixels for images.
    assert settings.WAGTAILDOCS_MAX_UPLOAD_SIZE == 20 * 1024 * 1024
    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == 10 * 1024 * 1024
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == 40 * 1000 * 1000
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 4 * 1024 * 1024
    assert settings.ACOMPANA_REQUEST_MAX_BYTES == 80 * 1024 * 1024


# --- Images -------------------------------------------------------------------------------------


def test_an_image_above_the_limit_is_refused_naming_the_limit(administrator_client, small_limits):
    response = administrator_client.post(
        reverse("wagtailimages:add"),
        {"title": "Poster", "collection": Collection.get_first_root_node().pk,
         "file": big_image()},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "This file is too big" in page
    assert filesizeformat(LIMIT) in page
    assert 'value="Poster"' in page
    assert not Image.objects.exists()


def test_the_multiple_image_uploader_refuses_an_image_above_the_limit(
    administrator_client, small_limits
):
    response = administrator_client.post(
        reverse("wagtailimages:add_multiple"),
        {"files[]": big_image(), "collection": Collection.get_first_root_node().pk},
    )
    data = json.loads(response.content)
    assert data["success"] is False
    assert filesizeformat(LIMIT) in data["error_message"]
    assert not Image.objects.exists()


def test_an_image_with_too_many_pixels_is_refused(administrator_client, settings):
    settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS = 100
    response = administrator_client.post(
        reverse("wagtailimages:add"),
        {"title": "Huge", "collection": Collection.get_first_root_node().pk,
         "file": SimpleUploadedFile("huge.png", png(20, 20), content_type="image/png")},
    )  # fmt: skip
    assert "too many pixels" in response.content.decode()
    assert not Image.objects.exists()


# --- Request bodies -----------------------------------------------------------------------------


def test_a_request_body_above_the_cap_gets_413_before_anything_reads_it(db, client, settings):
    settings.ACOMPANA_REQUEST_MAX_BYTES = 10 * 1024
    response = client.post(
        reverse("account_login"), {"login": "a@example.org", "password": "x" * 20_000}
    )
    assert response.status_code == 413
    assert response.content.decode() == (
        "This request is too large: the platform accepts at most 10.0\xa0KB at once. "
        "Go back and choose a smaller file."
    )
    # Just under the cap, the same form is answered as usual.
    response = client.post(reverse("account_login"), {"login": "a@example.org", "password": "x"})
    assert response.status_code == 200


def test_an_upload_above_the_cap_gets_413_in_the_persons_language(administrator_client, settings):
    settings.ACOMPANA_REQUEST_MAX_BYTES = 10 * 1024
    response = administrator_client.post(
        reverse("wagtaildocs:add"),
        {"title": "Too much", "file": SimpleUploadedFile("big.pdf", b"x" * 20_000)},
        headers={"accept-language": "es"},
    )
    assert response.status_code == 413
    assert response["Content-Language"] == "es"
    assert "10,0\xa0KB" in response.content.decode()
    assert not Document.objects.exists()


def test_the_cap_comes_before_sessions_and_csrf(settings):
    middleware = settings.MIDDLEWARE
    cap = middleware.index("training.uploads.RequestSizeLimitMiddleware")
    assert cap < middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert cap < middleware.index("django.middleware.csrf.CsrfViewMiddleware")


def test_a_form_body_above_the_memory_limit_gets_400_not_500(db, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        reverse("account_login"), {"login": "a@example.org", "password": "x" * 5000}
    )
    assert response.status_code == 400


def test_the_cap_stays_above_every_upload_limit(settings):
    assert check_request_limit_above_upload_limits(None) == []
    # The H5P package form accepts up to max_total_bytes: the cap must let that through.
    h5p = settings.ACOMPANA_H5P_LIMITS["max_total_bytes"]
    assert h5p + 1024 * 1024 < settings.ACOMPANA_REQUEST_MAX_BYTES
    settings.ACOMPANA_REQUEST_MAX_BYTES = h5p
    assert [e.id for e in check_request_limit_above_upload_limits(None)] == ["training.E002"]
    settings.ACOMPANA_REQUEST_MAX_BYTES = 80 * 1024 * 1024
    del settings.WAGTAILDOCS_MAX_UPLOAD_SIZE
    assert [e.id for e in check_request_limit_above_upload_limits(None)] == ["training.E001"]
