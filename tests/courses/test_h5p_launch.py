"""The player's URLs on the H5P origin carry a signed, short-lived launch made by the module page
for someone who may see the module: a learner who left the course cannot open them again."""

import re

import pytest
from django.core import signing

from courses import services
from courses.factories import block_id, make_course
from courses.h5p.xapi import launch_token, player_launch
from courses.models import Enrolment
from tests.conftest import login_with_mfa
from tests.h5p_factory import package
from tests.helpers import h5p_activity, h5p_get
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity():
    return h5p_activity(package(), title="True or false")


@pytest.fixture
def course_module(activity):
    course, (module,) = make_course("launch", modules=1, body=lambda i: [
        {"type": "h5p", "id": block_id("launch/h5p"),
         "value": {"activity": str(activity.uuid), "pass_mark": None, "required": True}},
    ])  # fmt: skip
    return course, module


def _player_url(client, module) -> str:
    """The player's URL as the module page gives it, relative to the H5P origin."""
    body = client.get(module.url).content.decode()
    found = re.search(r'src="http://h5p\.testserver(/h5p/play/[^"]+)"', body)
    assert found, "the module page embeds the player"
    return found.group(1)


@pytest.fixture
def learner_url(client, volunteer, course_module):
    course, module = course_module
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    return _player_url(client, module)


def test_the_player_is_reached_only_through_a_signed_launch(client, activity, learner_url):
    assert learner_url.startswith(f"/h5p/play/{activity.uuid}/")
    assert learner_url != f"/h5p/play/{activity.uuid}/"
    h5p = client.__class__()  # the H5P origin never sees the platform's cookies
    assert h5p_get(h5p, learner_url).status_code == 200
    assert h5p_get(h5p, f"{learner_url}h5p.json").json()["mainLibrary"] == "H5P.Test"
    assert h5p_get(h5p, f"{learner_url}content/content.json").status_code == 200
    # Without the launch, or with a forged one, nothing of the entry point answers.
    unsigned = f"/h5p/play/{activity.uuid}/"
    forged = signing.dumps([1, 1, str(activity.uuid), 0], salt="another salt")
    for base in (unsigned, f"{unsigned}{forged}/", f"{unsigned}garbage/"):
        for path in ("", "h5p.json", "content/content.json"):
            assert h5p_get(h5p, f"{base}{path}").status_code == 404, f"{base}{path}"


def test_the_player_page_makes_the_content_fetches_carry_the_launch(client, learner_url):
    """h5p-standalone fetches h5p.json and content/ relative to `data-base`: the launch is a
    path segment of it; libraries come from their own, unsigned, path."""
    page = h5p_get(client, learner_url).content.decode()
    base = re.search(r'data-base="([^"]+)"', page).group(1)
    libraries = re.search(r'data-libraries="([^"]+)"', page).group(1)
    assert f"{base}/" == learner_url
    assert h5p_get(client, f"{base}/h5p.json").status_code == 200
    assert h5p_get(client, f"{libraries}/H5P.Test-1.0/library.json").status_code == 200
    relay = b"".join(h5p_get(client, "/h5p/player-relay.js").streaming_content).decode()
    assert "librariesPath: libraries" in relay and "h5pJsonPath: base" in relay


def test_a_learner_who_left_the_course_cannot_open_the_player_again(
    client, volunteer, course_module, learner_url
):
    assert h5p_get(client, learner_url).status_code == 200
    Enrolment.objects.filter(user=volunteer).delete()
    assert h5p_get(client, learner_url).status_code == 404
    assert h5p_get(client, f"{learner_url}h5p.json").status_code == 404


def test_a_launch_expires(client, settings, learner_url):
    settings.ACOMPANA_H5P_LAUNCH_SECONDS = -1
    response = h5p_get(client, learner_url)
    assert response.status_code == 403
    assert "Reload the module page" in response.content.decode()
    assert h5p_get(client, f"{learner_url}h5p.json").status_code == 404
    assert h5p_get(client, f"{learner_url}content/content.json").status_code == 404


def test_a_launch_opens_only_its_own_activity(client, activity, learner_url):
    other = h5p_activity(package(), title="Another", approve=False)
    launch = learner_url.rstrip("/").rsplit("/", 1)[1]
    assert h5p_get(client, f"/h5p/play/{other.uuid}/{launch}/").status_code == 404
    assert (
        h5p_get(client, f"/h5p/play/{other.uuid}/{launch}/content/content.json").status_code == 404
    )


def test_an_unpublished_module_or_course_closes_the_player(client, course_module, learner_url):
    course, _module = course_module
    course.unpublish()
    assert h5p_get(client, learner_url).status_code == 404


def test_an_editor_previewing_gets_a_preview_launch_that_ends_with_the_role(
    client, course_module, activity
):
    _course, module = course_module
    editor = UserFactory(roles=[Role.EDITOR])
    login_with_mfa(client, editor)
    url = _player_url(client, module)
    assert h5p_get(client, url).status_code == 200
    editor.groups.clear()
    editor.is_superuser = False
    editor.save()
    assert h5p_get(client, url).status_code == 404


def test_a_signed_launch_of_someone_else_never_opens_it_for_a_stranger(
    client, activity, course_module, volunteer
):
    """A launch is made for the module page's person: one made for an unenrolled person (by
    hand here: the module page never makes it) does not open the player."""
    _course, module = course_module
    launch = player_launch(user=volunteer, module_id=module.pk, activity_uuid=activity.uuid)
    assert h5p_get(client, f"/h5p/play/{activity.uuid}/{launch}/").status_code == 404


def test_the_entry_point_is_not_cached_and_library_files_are(client, activity, learner_url):
    assert h5p_get(client, learner_url)["Cache-Control"] == "no-store"
    assert h5p_get(client, f"{learner_url}h5p.json")["Cache-Control"] == "no-store"
    library = h5p_get(client, f"/h5p/play/{activity.uuid}/libraries/H5P.Test-1.0/library.json")
    assert library.status_code == 200 and "public" in library["Cache-Control"]


def test_a_statement_launch_token_is_not_a_player_launch(client, activity, volunteer,
                                                         course_module):  # fmt: skip
    """The xAPI endpoints' launch token (signed with another salt) opens no player."""
    _course, module = course_module
    token = launch_token(user=volunteer, module_id=module.pk, activity_id="x",
                         activity_uuid=activity.uuid)  # fmt: skip
    assert h5p_get(client, f"/h5p/play/{activity.uuid}/{token}/").status_code == 404
