"""H5P activities are named by their title here, not by what the package's author left in it.

The demo's sample packages say "THIS IS THE TITLE" and "made with h5p-mcq-maker" on the question
set's start screen, and "Hello World" in the true-or-false one's h5p.json: the demo gives them
real titles, in each learner's language, in its own (checked) copy of the package.
"""

import json
import re
import zipfile
from io import StringIO

import pytest
from django.core.files.base import ContentFile

from courses import demo, demo_data, demo_i18n, services
from courses.factories import block_id, make_course, text_block
from courses.h5p import services as h5p_services
from courses.h5p import store
from courses.h5p.xapi import player_launch
from courses.models import H5PActivity, H5PLibrary
from tests.h5p_factory import H5P_JSON, package
from training.factories import UserFactory

pytestmark = pytest.mark.django_db
SAMPLE_WORDS = ("THIS IS THE TITLE", "h5p-mcq-maker", "Hello World")


@pytest.fixture
def samples(settings, h5p_samples):
    """The demo's real sample packages (skipped, or failed in CI, when they are missing)."""
    settings.ACOMPANA_DEMO_H5P_DIR = h5p_samples
    UserFactory(is_superuser=True, is_staff=True)  # the demo's administrator approves libraries
    return h5p_samples


def _stored(activity: H5PActivity) -> str:
    return (store.content_root() / str(activity.uuid) / "content.json").read_text()


def test_the_demo_activities_have_real_titles_in_their_own_copy(samples):
    demo.seed_h5p(StringIO())
    for key, (_file, title) in demo_data.load().H5P_SAMPLES.items():
        activity = H5PActivity.objects.get(uuid=demo.h5p_uuid(key))
        assert activity.status == H5PActivity.Status.READY, activity.reasons
        assert activity.title == title
        assert (activity.h5p_json["title"], activity.h5p_json["language"]) == (title, "en")
        for words in SAMPLE_WORDS:
            assert words not in _stored(activity) and words not in json.dumps(activity.h5p_json)
    question_set = H5PActivity.objects.get(uuid=demo.h5p_uuid("question-set"))
    intro = json.loads(_stored(question_set))["introPage"]
    assert intro["title"] == "Five questions about numbers"
    assert question_set.title == "Practice: five questions about numbers"
    # The published sample itself is left as it is.
    with zipfile.ZipFile(samples / "questionset-multichoice.h5p") as sample:
        assert b"THIS IS THE TITLE" in sample.read("content/content.json")


def test_the_spanish_versions_are_named_in_spanish(samples):
    demo_i18n.seed_h5p_versions(StringIO(), "es", demo_data.load("es"))
    question_set = H5PActivity.objects.get(uuid=demo.h5p_uuid("question-set/es"))
    assert question_set.title == "Práctica: cinco preguntas sobre números"
    assert question_set.h5p_json["title"] == question_set.title
    intro = json.loads(_stored(question_set))["introPage"]
    assert intro["title"] == "Cinco preguntas sobre números"
    for words in SAMPLE_WORDS:
        assert words not in _stored(question_set)


@pytest.fixture
def activity():
    data = package(h5p={**H5P_JSON, "title": "Hello World"})  # as the true-or-false sample says
    made = h5p_services.h5p_activity_create(
        package=ContentFile(data, name="tf.h5p"), title="Práctica: verdadero o falso", language="es"
    )
    activity = store.activity_extract(activity_id=made.pk)
    activity.libraries.update(status=H5PLibrary.Status.APPROVED)
    return activity


def test_the_player_is_given_the_activitys_title(client, activity, administrator):
    launch = player_launch(user=administrator, module_id=1, activity_uuid=activity.uuid,
                           preview=True)  # fmt: skip
    base = f"/h5p/play/{activity.uuid}/{launch}"
    player = client.get(f"{base}/", HTTP_HOST="h5p.testserver").content.decode()
    assert "<title>Práctica: verdadero o falso</title>" in player
    h5p_json = client.get(f"{base}/h5p.json", HTTP_HOST="h5p.testserver").json()
    assert h5p_json["title"] == "Práctica: verdadero o falso"
    assert h5p_json["mainLibrary"] == "H5P.Test"  # the rest as the package has it


def test_the_module_page_names_the_activity_in_its_heading_and_frame(client, volunteer, activity):
    course, modules = make_course("titles", modules=1, body=lambda i: [
        text_block("titles/text"),
        {"type": "h5p", "id": block_id("titles/h5p"),
         "value": {"activity": str(activity.uuid), "pass_mark": None, "required": True}},
    ])  # fmt: skip
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    body = client.get(modules[0].url).content.decode()
    heading = re.search(r'<h2 id="h5p-title-[^"]+" lang="es">([^<]+)</h2>', body)
    assert heading and heading.group(1) == "Práctica: verdadero o falso"
    frame = re.search(r'<iframe class="h5p-frame"[^>]*>', body).group(0)
    assert 'title="Práctica: verdadero o falso" lang="es"' in frame
