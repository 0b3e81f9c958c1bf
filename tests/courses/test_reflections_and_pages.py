"""Reflections stay private; course and module pages show the right things to the right people."""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Page, Revision

from courses import services
from courses.factories import block_id, make_course
from courses.models import (
    ActivityCompletion,
    CourseIndexPage,
    CoursePage,
    ModuleProgress,
    QuizAttempt,
    Reflection,
    Topic,
)
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db

SECRET = "I felt anger at the harasser and at myself"


def _reflection_url(module, i=0):
    return reverse(
        "courses:reflection_save", args=[module.pk, block_id(f"accompaniment/{i}/reflection")]
    )


def test_a_reflection_autosaves_as_a_draft_and_submitting_completes_it(client, learner, modules):
    client.force_login(learner)
    response = client.post(
        _reflection_url(modules[0]), {"text": "draft", "action": "save"},
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 200 and response.json()["submitted"] is False
    reflection = Reflection.objects.get(user=learner)
    assert reflection.text == "draft" and reflection.submitted_at is None
    client.post(_reflection_url(modules[0]), {"text": SECRET, "action": "submit"})
    reflection.refresh_from_db()
    assert reflection.submitted_at is not None
    assert modules[0].completions.filter(user=learner, kind="reflection").exists()


def test_an_empty_reflection_cannot_be_submitted_and_the_draft_is_kept(client, learner, modules):
    client.force_login(learner)
    client.post(_reflection_url(modules[0]), {"text": "half a thought", "action": "save"})
    response = client.post(
        _reflection_url(modules[0]), {"text": "   ", "action": "submit"},
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert Reflection.objects.get(user=learner).text == "half a thought"


@pytest.mark.parametrize("who", ["fellow_volunteer", "trainer_of_another_cohort", "anonymous"])
def test_nobody_else_sees_a_reflection(client, learner, course, modules, who):
    services.reflection_save(
        user=learner, module=modules[0], course=course,
        activity_id=block_id("accompaniment/0/reflection"), text=SECRET,
        shared_with_trainers=False, submit=True,
    )  # fmt: skip
    if who == "fellow_volunteer":
        other = UserFactory()
        services.enrolment_create(user=other, course=course)
        client.force_login(other)
    elif who == "trainer_of_another_cohort":
        other = UserFactory(roles=[Role.TRAINER])
        login_with_mfa(client, other)
    for url in [modules[0].url, course.url, reverse("dashboard")]:
        response = client.get(url, follow=True)
        assert SECRET not in response.content.decode(), url


def test_a_reflection_post_from_someone_else_never_touches_the_authors(
    client, learner, course, modules
):
    services.reflection_save(
        user=learner, module=modules[0], course=course,
        activity_id=block_id("accompaniment/0/reflection"), text=SECRET,
        shared_with_trainers=False, submit=False,
    )  # fmt: skip
    other = UserFactory()
    services.enrolment_create(user=other, course=course)
    client.force_login(other)
    client.post(_reflection_url(modules[0]), {"text": "mine", "action": "save"})
    assert Reflection.objects.get(user=learner).text == SECRET
    assert Reflection.objects.get(user=other).text == "mine"


def test_the_author_sees_their_own_reflection(client, learner, course, modules):
    services.reflection_save(
        user=learner, module=modules[0], course=course,
        activity_id=block_id("accompaniment/0/reflection"), text=SECRET,
        shared_with_trainers=True, submit=False,
    )  # fmt: skip
    client.force_login(learner)
    assert SECRET in client.get(modules[0].url).content.decode()


def test_the_catalog_lists_courses_and_filters_by_language_and_topic(client, db):
    es_course, _ = make_course("escucha", modules=1, languages=("en", "es"), title="Escucha")
    make_course("docs", modules=1, languages=("en",), title="Documenting")
    topic = Topic.objects.create(name="Care", slug="care")
    es_course.topics.add(topic)
    es_course.save_revision().publish()
    index = CourseIndexPage.objects.get()
    body = client.get(index.url).content.decode()
    assert "Escucha" in body and "Documenting" in body
    body = client.get(index.url + "?language=es").content.decode()
    assert "Escucha" in body and "Documenting" not in body
    body = client.get(index.url + "?topic=care").content.decode()
    assert "Escucha" in body and "Documenting" not in body


def test_visitors_see_the_summary_and_how_to_join_but_not_the_modules(client, course, modules):
    body = client.get(course.url).content.decode()
    assert course.summary in body
    assert "How to join" in body
    assert f'href="{modules[0].url}"' not in body
    response = client.get(modules[0].url)
    assert response.status_code == 403
    assert "What comes first?" not in response.content.decode()


def test_an_enrolled_learner_sees_module_states(client, learner, course, modules):
    modules[2].requires_previous = True
    modules[2].save_revision().publish()
    client.force_login(learner)
    client.get(modules[0].url)
    body = client.get(course.url).content.decode()
    assert "In progress" in body
    assert "Not started" in body
    assert "Locked" in body and "Complete “Module 1” first." in body
    assert "Continue where you left off" in body


def test_editors_preview_modules_without_being_enrolled(client, administrator, modules):
    login_with_mfa(client, administrator)
    response = client.get(modules[0].url)
    assert response.status_code == 200
    assert "Preview" in response.content.decode()
    assert not ModuleProgress.objects.exists()


def test_content_notes_come_first_and_not_now_is_remembered(client, learner, course, modules):
    modules[0].content_notes = "Descriptions of threats."
    modules[0].save_revision().publish()
    client.force_login(learner)
    body = client.get(modules[0].url).content.decode()
    assert "Descriptions of threats." in body
    assert "What comes first?" not in body  # the content waits

    response = client.post(
        reverse("courses:content_notes", args=[modules[0].pk]), {"action": "not_now"}
    )
    assert response.url == course.url
    assert ModuleProgress.objects.get(user=learner, module=modules[0]).set_aside_at
    assert "Set aside" in client.get(course.url).content.decode()

    client.post(reverse("courses:content_notes", args=[modules[0].pk]), {"action": "continue"})
    body = client.get(modules[0].url).content.decode()
    assert "What comes first?" in body
    progress = ModuleProgress.objects.get(user=learner, module=modules[0])
    assert progress.content_notes_acknowledged_at and progress.set_aside_at is None


def test_a_locked_module_page_says_why(client, learner, modules):
    modules[1].requires_previous = True
    modules[1].save_revision().publish()
    client.force_login(learner)
    response = client.get(modules[1].url)
    assert response.status_code == 403
    assert "Complete “Module 1” first." in response.content.decode()


def test_the_dashboard_offers_to_continue_where_the_learner_left_off(client, learner, modules):
    client.force_login(learner)
    client.get(modules[1].url)
    body = client.get(reverse("dashboard")).content.decode()
    assert "Continue where you left off" in body
    assert f'href="{modules[1].url}"' in body
    assert "0 of 3 required modules completed." in body


def test_low_bandwidth_is_a_profile_choice(client, volunteer):
    client.force_login(volunteer)
    client.post(
        reverse("profile"),
        {"display_name": "Vol", "legal_name": "", "preferred_language": "en", "time_zone": "UTC",
         "low_bandwidth": "on"},
    )  # fmt: skip
    volunteer.refresh_from_db()
    assert volunteer.low_bandwidth


def test_editors_see_completion_counts_in_the_admin(client, administrator, learner, course):
    login_with_mfa(client, administrator)
    response = client.get(reverse("courses_completion_report"))
    assert response.status_code == 200
    body = response.content.decode()
    assert course.title in body
    assert learner.email not in body and learner.display_name not in body


def test_the_home_page_leads_to_the_catalog(client, course):
    index = CourseIndexPage.objects.get()
    body = client.get("/").content.decode()
    assert f'href="{index.url}"' in body


def test_seeding_the_demo_twice_changes_nothing_and_keeps_editors_work(db, administrator):
    call_command("seed_demo")
    course = CoursePage.objects.order_by("path").first()
    course.summary = "Edited by an editor."
    course.save_revision(user=administrator).publish()

    def snapshot():
        return (
            Page.objects.count(), Revision.objects.count(), QuizAttempt.objects.count(),
            ModuleProgress.objects.count(), ActivityCompletion.objects.count(),
        )  # fmt: skip

    before = snapshot()
    call_command("seed_demo")
    assert snapshot() == before
    course.refresh_from_db()
    assert course.summary == "Edited by an editor."


def test_editors_open_courses_and_modules_in_the_wagtail_editor(client, administrator, course,
                                                                modules):  # fmt: skip
    login_with_mfa(client, administrator)
    for page in [course, modules[0], CourseIndexPage.objects.get()]:
        response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert response.status_code == 200, page
    add_module = reverse("wagtailadmin_pages:add", args=["courses", "modulepage", course.pk])
    assert client.get(add_module).status_code == 200


def test_shared_blocks_are_cached_per_published_revision(client, learner, modules):
    modules[0].save_revision().publish()  # a live revision, as every published page has
    client.force_login(learner)
    assert "Listening without judgement." in client.get(modules[0].url).content.decode()
    # Served from the cache the second time: no block rendering, the same text.

    assert any(key for key in cache._cache if "module-blocks" in str(key))
    modules[0].body[0].value.source = "<p>Believe the person first.</p>"
    modules[0].save_revision().publish()
    body = client.get(modules[0].url).content.decode()
    assert "Believe the person first." in body
    assert "Listening without judgement." not in body


def test_low_bandwidth_shows_the_transcript_even_from_the_cache(client, learner, course, db):
    course_v, modules_v = make_course("video", modules=1, body=lambda i: [{
        "type": "video", "id": block_id("video/v"),
        "value": {"title": "A talk", "embed": "https://example.org/v", "file": None,
                  "captions": None, "transcript": "<p>Every word of the talk.</p>"},
    }])  # fmt: skip
    services.enrolment_create(user=learner, course=course_v)
    client.force_login(learner)
    client.get(modules_v[0].url)
    learner.low_bandwidth = True
    learner.save()
    body = client.get(modules_v[0].url).content.decode()
    assert "You chose low bandwidth" in body
    assert "Every word of the talk." in body


def test_a_visit_is_written_once_a_minute_not_on_every_reload(client, learner, modules):
    client.force_login(learner)
    client.get(modules[0].url)
    with CaptureQueriesContext(connection) as queries:
        client.get(modules[0].url)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]


def test_sharing_covers_the_submitted_text_only(client, learner, modules):
    client.force_login(learner)
    url = _reflection_url(modules[0])
    client.post(url, {"text": "half-formed draft", "shared_with_trainers": "on", "action": "save"})
    reflection = Reflection.objects.get(user=learner)
    assert not reflection.shared_with_trainers and reflection.submitted_text == ""
    client.post(url, {"text": "what I choose to share", "shared_with_trainers": "on",
                      "action": "submit"})  # fmt: skip
    client.post(url, {"text": "a later, private thought", "action": "save"})
    reflection.refresh_from_db()
    assert reflection.shared_with_trainers
    assert reflection.submitted_text == "what I choose to share"
    assert reflection.text == "a later, private thought"
