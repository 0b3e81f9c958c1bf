"""What a course's copy saved for offline reading holds (courses.offline): only for a signed-in
learner enrolled in the course, only the modules they can open now, with sizes and a version
that changes when a module is republished; and the pages saved carry no answer keys."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from courses import access, services
from courses.factories import block_id, make_course, module_body
from courses.models import CourseProgress, ModuleProgress
from training.factories import UserFactory

pytestmark = pytest.mark.django_db


def _listing(client, course):
    return client.get(reverse("courses:offline", args=[course.pk]))


def _page_urls(data) -> list[str]:
    return [f["url"] for f in data["files"] if f["kind"] == "page"]


def test_someone_signed_out_gets_nothing(client, course, modules):
    response = _listing(client, course)
    assert response.status_code == 401
    assert response.json() == {"ok": False}


def test_someone_not_enrolled_gets_nothing(client, volunteer, course, modules):
    client.force_login(volunteer)
    response = _listing(client, course)
    assert response.status_code == 403
    assert response.json() == {"ok": False}
    assert modules[0].url not in response.content.decode()


def test_an_unpublished_course_is_not_found(client, learner, course, modules):
    course.unpublish()
    client.force_login(learner)
    assert _listing(client, course).status_code == 404


def test_an_enrolled_learner_gets_every_open_module_with_sizes(client, learner, course, modules):
    client.force_login(learner)
    response = _listing(client, course)
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = response.json()
    assert [m["url"] for m in data["modules"]] == [m.url for m in modules]
    assert [m["title"] for m in data["modules"]] == ["Module 1", "Module 2", "Module 3"]
    pages = _page_urls(data)
    assert all(m.url in pages for m in modules)
    assert reverse("offline") in pages
    assert data["files"][0] == {"url": course.url, "bytes": data["files"][0]["bytes"],
                                "kind": "course"}  # fmt: skip
    statics = {f["url"]: f["bytes"] for f in data["files"] if f["kind"] == "static"}
    assert "/static/css/site.css" in statics and "/static/js/offline.js" in statics
    assert all(size > 0 for size in statics.values())
    # Each page's size counts its text (the module's text block is in there).
    assert all(f["bytes"] > 1000 for f in data["files"] if f["kind"] == "page")
    assert data["total_bytes"] == sum(f["bytes"] for f in data["files"])
    assert data["total_label"].endswith("KB") or data["total_label"].endswith("MB")
    assert len({f["url"] for f in data["files"]}) == len(data["files"])


def test_the_size_is_said_in_the_learners_language(client, learner, course, modules):
    client.force_login(learner)
    label = client.get(
        reverse("courses:offline", args=[course.pk]), HTTP_ACCEPT_LANGUAGE="fr"
    ).json()["total_label"]
    assert re.search(r"\d,\d", label) or label.endswith("Ko"), label


def test_a_locked_module_is_not_listed(client, learner, course, modules):
    modules[1].requires_previous = True
    modules[1].save_revision().publish()
    client.force_login(learner)
    data = _listing(client, course).json()
    assert [m["url"] for m in data["modules"]] == [modules[0].url, modules[2].url]
    assert modules[1].url not in _page_urls(data)


def test_a_module_not_released_yet_is_not_listed(client, learner, course, modules):
    later = timezone.now() + timedelta(days=3)

    def gate(user, gated_course):
        return {modules[2].pk: later} if gated_course.pk == course.pk else {}

    access.register(gate)
    try:
        client.force_login(learner)
        data = _listing(client, course).json()
    finally:
        access._GATES.remove(gate)
    assert [m["url"] for m in data["modules"]] == [modules[0].url, modules[1].url]


def test_an_unpublished_module_is_not_listed(client, learner, course, modules):
    modules[2].unpublish()
    client.force_login(learner)
    assert modules[2].url not in _page_urls(_listing(client, course).json())


def test_the_version_changes_when_a_module_is_republished(client, learner, course, modules):
    client.force_login(learner)
    first = _listing(client, course).json()["version"]
    assert _listing(client, course).json()["version"] == first  # nothing changed
    modules[1].title = "Module 2, revised"
    modules[1].save_revision().publish()
    second = _listing(client, course).json()
    assert second["version"] != first
    assert "Module 2, revised" in [m["title"] for m in second["modules"]]


def test_the_version_changes_when_a_module_opens(client, learner, course, modules):
    modules[1].requires_previous = True
    modules[1].save_revision().publish()
    client.force_login(learner)
    locked = _listing(client, course).json()["version"]
    ModuleProgress.objects.create(user=learner, module=modules[0], course=course,
                                  status="completed", completed_at=timezone.now())  # fmt: skip
    assert _listing(client, course).json()["version"] != locked


def test_images_are_listed_in_their_low_bandwidth_rendition(client, volunteer):
    image = Image.objects.create(title="Two hands", file=get_test_image_file())
    course, modules = make_course("images", modules=1, body=lambda i: [*module_body("images/0"), {
        "type": "image", "id": block_id("images/image"),
        "value": {"image": image.pk, "alt_text": "Two hands", "caption": ""},
    }])  # fmt: skip
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    data = client.get(reverse("courses:offline", args=[course.pk])).json()
    images = [f for f in data["files"] if f["kind"] == "image"]
    rendition = image.get_rendition("max-800x600|format-webp")
    assert images == [{"url": rendition.url, "bytes": rendition.file.size, "kind": "image"}]
    assert images[0]["url"].endswith(".webp")
    assert data["modules"][0]["files"] == [rendition.url]
    # The module page shows that very rendition.
    assert rendition.url in client.get(modules[0].url).content.decode()


def test_saving_a_module_page_is_not_a_visit(client, learner, course, modules):
    """Saving every module of a course must not move "continue where you left off"."""
    client.force_login(learner)
    response = client.get(modules[2].url, HTTP_ACCEPT="text/html", HTTP_ACOMPANA_OFFLINE="save")
    assert response.status_code == 200
    assert "Module 3" in response.content.decode()
    assert not ModuleProgress.objects.filter(user=learner).exists()
    assert not CourseProgress.objects.filter(user=learner, last_module__isnull=False).exists()
    client.get(modules[0].url)  # a real visit is recorded as before
    assert ModuleProgress.objects.filter(user=learner, module=modules[0]).exists()


def test_a_saved_module_page_carries_no_answer_key(client, learner, course, modules):
    client.force_login(learner)
    body = client.get(modules[0].url, HTTP_ACOMPANA_OFFLINE="save").content.decode()
    assert "What comes first?" in body  # the quiz is there, to answer offline
    for feedback in (
        "Yes: listen first.",
        "Advice can wait; listen first.",
        "Keep the context.",
        "No: refer on to legal help.",
        "Right: we refer on.",
    ):
        assert feedback not in body  # fmt: skip
    assert "is_correct" not in body
    assert "a correct answer" not in body
    assert not re.search(r'class="[^"]*\b(correct|incorrect)\b', body)
    # The options are all offered alike: none is marked.
    q1 = block_id("accompaniment/0/quiz/q1")
    options = re.findall(rf'<input[^>]*name="q-{q1}"[^>]*>', body)
    assert len(options) == 2
    assert len({re.sub(r'(value|id)="[^"]*"', "", tag) for tag in options}) == 1


def test_a_saved_module_page_for_someone_else_is_refused(client, course, modules):
    other = UserFactory(email="other@example.org")
    client.force_login(other)
    response = client.get(modules[0].url, HTTP_ACOMPANA_OFFLINE="save")
    assert response.status_code == 403
    assert "What comes first?" not in response.content.decode()


def test_a_module_with_content_notes_is_saved_past_them_too(client, learner, course, modules):
    """Offline, "Continue to the module" opens the saved copy past its notes (sw.js)."""
    modules[1].content_notes = "Descriptions of abuse."
    modules[1].save_revision().publish()
    client.force_login(learner)
    data = _listing(client, course).json()
    past_notes = f"{modules[1].url}?notes=seen"
    assert past_notes in _page_urls(data)
    assert data["modules"][1]["files"] == [past_notes]
    assert f"{modules[0].url}?notes=seen" not in _page_urls(data)
    page = client.get(past_notes, HTTP_ACOMPANA_OFFLINE="save").content.decode()
    assert "What comes first?" in page and "Before you start: content notes" not in page
    assert not ModuleProgress.objects.filter(user=learner, module=modules[1]).exists()
