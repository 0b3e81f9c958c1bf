"""Editors upload H5P activities and see why one was refused; admins review libraries."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import H5PActivity, H5PLibrary
from tests.conftest import login_with_mfa
from tests.courses.test_h5p_packages import SAMPLES
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db


def _upload(client, name, title="Scenario"):
    data = (Path(SAMPLES) / name).read_bytes()
    return client.post(
        reverse("h5p_activities:add"),
        {"title": title, "language": "en",
         "package": SimpleUploadedFile(name, data, content_type="application/zip")},
    )  # fmt: skip


@pytest.fixture
def editor(client):
    user = UserFactory(roles=[Role.EDITOR])
    login_with_mfa(client, user)
    return user


def test_an_editor_uploads_an_activity_and_it_becomes_ready(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "truefalse.h5p")
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = H5PActivity.objects.get()
    assert (activity.status, activity.uploaded_by) == ("ready", editor)
    listing = client.get(reverse("h5p_activities:index")).content.decode()
    assert "Scenario" in listing and "Ready" in listing


def test_a_refused_upload_shows_its_reasons_to_the_editor(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "MUST-REJECT-svg-with-script.h5p", title="Blanks")
    activity = H5PActivity.objects.get()
    assert activity.status == "failed"
    listing = client.get(reverse("h5p_activities:index")).content.decode()
    assert "Refused" in listing and "xss.svg" in listing


def test_something_that_is_not_an_h5p_file_is_refused_in_the_form(client, editor):
    response = client.post(
        reverse("h5p_activities:add"),
        {"title": "x", "language": "en", "package": SimpleUploadedFile("notes.pdf", b"%PDF")},
    )
    assert response.status_code == 200
    assert "Choose an .h5p file." in response.content.decode()
    assert not H5PActivity.objects.exists()


def test_an_administrator_approves_a_library_and_it_is_recorded(
    client, administrator, django_capture_on_commit_callbacks
):
    login_with_mfa(client, administrator)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, "truefalse.h5p")
    library = H5PLibrary.objects.get(machine_name="H5P.TrueFalse")
    assert library.status == "pending"
    queue = client.get(reverse("h5p_libraries:index") + "?status=pending").content.decode()
    assert "H5P.TrueFalse" in queue
    response = client.post(reverse("h5p_libraries:edit", args=[library.pk]), {"status": "approved"})
    assert response.status_code == 302
    library.refresh_from_db()
    assert (library.status, library.reviewed_by) == ("approved", administrator)
    assert library.reviewed_at is not None


@pytest.mark.parametrize("who", ["volunteer", "trainer"])
def test_people_without_the_role_reach_neither_list(client, request, who):
    user = request.getfixturevalue(who)
    login_with_mfa(client, user)
    for name in ("h5p_activities:index", "h5p_libraries:index"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403), name
        assert "H5P.TrueFalse" not in response.content.decode()


def test_editors_cannot_review_libraries(client, editor):
    response = client.get(reverse("h5p_libraries:index"))
    assert response.status_code in (302, 403)
