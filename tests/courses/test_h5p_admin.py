"""Editors upload H5P activities and see why one was refused; admins review libraries."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from courses.factories import make_course
from courses.models import H5PActivity, H5PLibrary, H5PStatement
from tests.conftest import login_with_mfa
from tests.h5p_factory import package
from tests.helpers import h5p_activity
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db


# Packages the tests build (no outside files): a valid one, and one whose content carries an SVG
# with a script (refused: SVG in content can run scripts).
VALID = package()
SVG_WITH_SCRIPT = package([("content/images/xss.svg",
                            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                            b"</svg>")])  # fmt: skip


def _upload(client, data, title="Scenario", name="activity.h5p"):
    return client.post(
        reverse("wagtailsnippets_courses_h5pactivity:add"),
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
        response = _upload(client, VALID)
    assert response.status_code == 302, response.content.decode()[:3000]
    activity = H5PActivity.objects.get()
    assert (activity.status, activity.uploaded_by) == ("ready", editor)
    listing = client.get(reverse("wagtailsnippets_courses_h5pactivity:list")).content.decode()
    assert "Scenario" in listing and "Ready" in listing


def test_a_refused_upload_shows_its_reasons_to_the_editor(
    client, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, SVG_WITH_SCRIPT, title="Blanks")
    activity = H5PActivity.objects.get()
    assert activity.status == "failed"
    listing = client.get(reverse("wagtailsnippets_courses_h5pactivity:list")).content.decode()
    assert "Refused" in listing and "xss.svg" in listing


def test_something_that_is_not_an_h5p_file_is_refused_in_the_form(client, editor):
    response = client.post(
        reverse("wagtailsnippets_courses_h5pactivity:add"),
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
        _upload(client, VALID)
    library = H5PLibrary.objects.get(machine_name="H5P.Test")
    assert library.status == "pending"
    queue = client.get(reverse("h5p_libraries:index") + "?status=pending").content.decode()
    assert "H5P.Test" in queue
    response = client.post(reverse("h5p_libraries:edit", args=[library.pk]), {"status": "approved"})
    assert response.status_code == 302
    library.refresh_from_db()
    assert (library.status, library.reviewed_by) == ("approved", administrator)
    assert library.reviewed_at is not None


@pytest.mark.parametrize("who", ["volunteer", "trainer"])
def test_people_without_the_role_reach_neither_list(client, request, who):
    user = request.getfixturevalue(who)
    login_with_mfa(client, user)
    for name in ("wagtailsnippets_courses_h5pactivity:list", "h5p_libraries:index"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 403), name
        assert "H5P.TrueFalse" not in response.content.decode()


def test_editors_cannot_review_libraries(client, editor):
    response = client.get(reverse("h5p_libraries:index"))
    assert response.status_code in (302, 403)


def _statement(user):
    """One stored statement of `user` (a real module and activity behind it)."""

    activity = h5p_activity(VALID, title="True or false", approve=False)
    _course, (module,) = make_course("audit", modules=1)
    return H5PStatement.objects.create(
        id=uuid.uuid4(), user=user, module=module, activity_id="block", h5p_activity=activity,
        verb="http://adlnet.gov/expapi/verbs/answered", raw={"verb": {"id": "answered"}},
    )  # fmt: skip


def test_administrators_read_statements_for_audit_and_cannot_change_them(client, administrator):
    learner = UserFactory(display_name="Rosa L.")
    statement = _statement(learner)
    login_with_mfa(client, administrator)
    listing = client.get(reverse("h5p_statements:index"))
    assert listing.status_code == 200
    assert "Rosa L." in listing.content.decode() and "answered" in listing.content.decode()
    assert learner.email not in listing.content.decode()
    inspect = client.get(reverse("h5p_statements:inspect", args=[statement.pk]))
    assert inspect.status_code == 200
    for url in (
        reverse("h5p_statements:add"),
        reverse("h5p_statements:edit", args=[statement.pk]),
        reverse("h5p_statements:delete", args=[statement.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), (url, response.status_code)
    assert client.post(reverse("h5p_statements:delete", args=[statement.pk])).status_code in (
        302, 403,
    )  # fmt: skip
    assert type(statement).objects.filter(pk=statement.pk).exists()


def test_editors_do_not_see_statements(client, editor):
    _statement(UserFactory())
    response = client.get(reverse("h5p_statements:index"))
    assert response.status_code in (302, 403)


def test_the_reasons_are_in_the_uploaders_language_and_the_columns_are_named(
    client, django_capture_on_commit_callbacks
):
    person = UserFactory(roles=[Role.EDITOR], preferred_language="es")
    login_with_mfa(client, person)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, package([("H5P.Test-1.0/language/de.json", b"{not json")]), title="Roto")
    activity = H5PActivity.objects.get()
    assert activity.status == "failed"
    with translation.override("es"):
        expected = translation.gettext("%(file)s is not valid JSON.") % {
            "file": "H5P.Test-1.0/language/de.json"
        }
    assert expected != "H5P.Test-1.0/language/de.json is not valid JSON."
    assert expected in activity.errors, activity.errors
    # The admin speaks the editor's language: the columns are named in it.
    listing = client.get(reverse("wagtailsnippets_courses_h5pactivity:list")).content.decode()
    with translation.override("es"):
        column = translation.gettext("Why it was refused")
    assert column != "Why it was refused"
    assert column in listing and "Status label" not in listing
