"""The H5P block: played from the H5P origin; not published while its libraries wait for review."""

import re

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import reverse
from wagtail import hooks
from wagtail.models import ReferenceIndex

from courses import services
from courses.factories import block_id, make_course, text_block
from courses.h5p import services as h5p_services
from courses.h5p.xapi import player_launch_check
from courses.models import H5PLibrary
from courses.wagtail_hooks import refuse_modules_with_unreviewed_h5p
from tests.conftest import login_with_mfa
from tests.h5p_factory import H5P_JSON, LIBRARY, package
from tests.helpers import h5p_activity
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db

# A package built here (no outside files) with the true-or-false sample's main library: the
# block's rules do not depend on what the library does.
TRUE_FALSE = package(
    h5p={**H5P_JSON, "mainLibrary": "H5P.TrueFalse", "preloadedDependencies": [
        {"machineName": "H5P.TrueFalse", "majorVersion": 1, "minorVersion": 6}]},
    library={**LIBRARY, "title": "True/False", "machineName": "H5P.TrueFalse",
             "minorVersion": 6, "patchVersion": 1},
    folder="H5P.TrueFalse-1.6",
)  # fmt: skip


@pytest.fixture
def editor():
    return UserFactory(roles=[Role.EDITOR])


@pytest.fixture
def activity():
    return h5p_activity(TRUE_FALSE, title="True or false", approve=False)


@pytest.fixture
def module(activity):
    course, modules = make_course("h5p", modules=1, body=lambda i: [
        text_block("h5p/text"),
        {"type": "h5p", "id": block_id("h5p/block"),
         "value": {"activity": str(activity.uuid), "pass_mark": None, "required": True}},
    ])  # fmt: skip
    return course, modules[0]


def _request(user):
    request = RequestFactory().post("/admin/pages/1/edit/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_editors_place_an_activity_with_the_chooser_and_see_where_it_is_used(
    client, editor, module, activity
):
    """The module editor's H5P block uses the activity chooser; the activity's usage lists the
    module that plays it (the reference index follows the block)."""

    _course, page = module
    ReferenceIndex.create_or_update_for_object(page)
    login_with_mfa(client, editor)
    edit = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert "wagtailsnippetchoosers_courses_h5pactivity" in edit or "/h5pactivity/" in edit
    usage = client.get(reverse("wagtailsnippets_courses_h5pactivity:usage", args=[activity.pk]))
    assert usage.status_code == 200 and page.title in usage.content.decode()


def test_the_module_plays_the_activity_in_a_sandboxed_frame_from_the_h5p_origin(
    client, volunteer, module, activity
):
    activity.libraries.update(status=H5PLibrary.Status.APPROVED)
    course, page = module
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    body = client.get(page.url).content.decode()
    found = re.search(rf'src="http://h5p.testserver/h5p/play/{activity.uuid}/([^/"]+)/"', body)
    assert found, "the frame plays the activity from the H5P origin, with a signed launch"
    launch = player_launch_check(found.group(1), activity_uuid=activity.uuid)
    assert (launch.user_id, launch.module_id, launch.preview) == (volunteer.pk, page.pk, False)
    assert 'sandbox="allow-scripts allow-same-origin allow-forms"' in body


def test_a_module_whose_libraries_wait_for_review_shows_no_player(
    client, volunteer, module, activity
):
    course, page = module
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    body = client.get(page.url).content.decode()
    assert "/h5p/play/" not in body
    assert "its content is waiting for review" in body


def test_a_module_is_not_published_while_its_libraries_wait_for_review(
    administrator, module, activity
):
    _course, page = module
    request = _request(administrator)
    response = refuse_modules_with_unreviewed_h5p(request, page)
    assert response is not None and response.status_code == 302
    message = str(next(iter(get_messages(request))))
    assert "Saved as a draft, not published" in message
    assert "H5P.TrueFalse 1.6.1" in message

    for library in activity.libraries.all():
        h5p_services.h5p_library_review(library=library, user=administrator, approve=True)
    assert refuse_modules_with_unreviewed_h5p(_request(administrator), page) is None
    assert not H5PLibrary.objects.exclude(status="approved").filter(activities=activity).exists()


def test_the_publish_check_is_registered_with_wagtail():
    assert refuse_modules_with_unreviewed_h5p in hooks.get_hooks("before_publish_page")
