"""Starting alone: courses open for self-paced learning, the free preview of a course's first
module, the course page's next step, "continue where you left off" and the course's languages."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from courses import access, services
from courses.factories import block_id, catalog, make_course
from courses.models import (
    ActivityCompletion,
    CoursePage,
    CourseProgress,
    Enrolment,
    ModuleProgress,
    ProgressStatus,
    QuizAttempt,
    Reflection,
)
from courses.selectors import catalog_for, course_page_context, courses_in_progress
from tests.courses.conftest import quiz_post

pytestmark = pytest.mark.django_db


def _steps(response) -> dict:
    return {step.kind: step for step in response.context["next_steps"]}


@pytest.fixture
def open_course(db):
    return make_course("care", modules=3, self_paced=True, free_preview=True)


# --- The next step on the course page -------------------------------------------------------------
def test_someone_signed_out_is_asked_to_sign_up_or_in(client, open_course):
    course, modules = open_course
    response = client.get(course.url)
    steps = _steps(response)
    assert set(steps) >= {"sign_up", "sign_in", "preview"}
    assert "start" not in steps
    assert steps["sign_up"].url.startswith(reverse("account_signup"))
    assert "next=%2Fcourses%2Fcare%2F" in steps["sign_in"].url
    body = response.content.decode()
    assert "Create an account" in body and "Read the free preview" in body
    assert f'href="{modules[0].url}"' in body  # the preview module is a link in the outline
    assert f'href="{modules[1].url}"' not in body


def test_someone_signed_in_starts_a_self_paced_course_from_its_page(client, volunteer, open_course):
    course, _modules = open_course
    client.force_login(volunteer)
    response = client.get(course.url)
    start = _steps(response)["start"]
    assert start.post and start.url == reverse("courses:start", args=[course.pk])
    body = response.content.decode()
    assert f'action="{start.url}"' in body and "csrfmiddlewaretoken" in body
    assert "Start this course" in body


def test_a_cohort_course_offers_no_one_click_start(client, volunteer):
    course, _modules = make_course("cohort-only", modules=2)
    client.force_login(volunteer)
    steps = _steps(client.get(course.url))
    assert "start" not in steps and "preview" not in steps


def test_the_editors_how_to_join_text_is_still_shown(client, volunteer):
    text = "<p>Ask Ana at the line.</p>"
    course, _modules = make_course("with-text", modules=1, how_to_join=text)
    client.force_login(volunteer)
    body = client.get(course.url).content.decode()
    assert "Ask Ana at the line." in body


def test_an_enrolled_learner_is_told_to_continue(client, volunteer, open_course):
    course, modules = open_course
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    steps = _steps(client.get(course.url))
    assert list(steps) == ["continue"]
    assert steps["continue"].url == modules[0].url
    assert str(steps["continue"].action) == "Start the course"


# --- One click to start -------------------------------------------------------------------------
def test_one_click_enrols_and_lands_on_the_first_module(client, volunteer, open_course):
    course, modules = open_course
    client.force_login(volunteer)
    url = reverse("courses:start", args=[course.pk])
    response = client.post(url)
    assert response.status_code == 303 and response["Location"] == modules[0].url
    enrolment = Enrolment.objects.get(user=volunteer, course=course)
    assert enrolment.source == "self_paced"
    # Twice (a double click): the same enrolment, the same landing.
    again = client.post(url)
    assert again.status_code == 303 and again["Location"] == modules[0].url
    assert Enrolment.objects.filter(user=volunteer, course=course).count() == 1
    assert client.get(modules[0].url).status_code == 200


def test_starting_keeps_an_earlier_enrolment_as_it_was(client, volunteer, open_course):
    course, _modules = open_course
    services.enrolment_create(user=volunteer, course=course, source="cohort")
    client.force_login(volunteer)
    client.post(reverse("courses:start", args=[course.pk]))
    assert Enrolment.objects.get(user=volunteer, course=course).source == "cohort"


def test_a_cohort_course_cannot_be_started_alone(client, volunteer):
    course, _modules = make_course("cohort-only", modules=2)
    client.force_login(volunteer)
    response = client.post(reverse("courses:start", args=[course.pk]))
    assert response.status_code == 303 and response["Location"] == course.url
    assert not Enrolment.objects.filter(user=volunteer).exists()


def test_starting_needs_a_post_and_a_signed_in_person(client, volunteer, open_course):
    course, _modules = open_course
    url = reverse("courses:start", args=[course.pk])
    assert client.post(url).status_code == 302  # to sign in
    assert not Enrolment.objects.exists()
    client.force_login(volunteer)
    assert client.get(url).status_code == 405
    assert not Enrolment.objects.exists()


def test_starting_is_refused_without_the_csrf_token(volunteer, open_course):
    course, _modules = open_course
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(volunteer)
    assert strict.post(reverse("courses:start", args=[course.pk])).status_code == 403
    assert not Enrolment.objects.exists()


# --- The free preview ---------------------------------------------------------------------------
@pytest.mark.parametrize("signed_in", [False, True])
def test_the_first_module_is_readable_before_joining_and_nothing_is_recorded(
    client, volunteer, open_course, signed_in
):
    _course, modules = open_course
    if signed_in:
        client.force_login(volunteer)
    response = client.get(modules[0].url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This is a free preview" in body
    assert "Listening without judgement." in body  # the module's text
    assert "join the course to answer" in body
    # Activities are not offered as forms: nothing to submit.
    assert reverse("courses:quiz_submit", args=[modules[0].pk, "x"]).rsplit("x", 1)[0] not in body
    assert 'name="submission_id"' not in body
    assert not ModuleProgress.objects.exists() and not CourseProgress.objects.exists()
    assert not Enrolment.objects.exists()


def test_other_modules_stay_closed_with_a_next_step(client, volunteer, open_course):
    _course, modules = open_course
    client.force_login(volunteer)
    response = client.get(modules[1].url)
    assert response.status_code == 403
    assert "start" in _steps(response)
    assert "Start this course" in response.content.decode()
    client.logout()
    response = client.get(modules[1].url)
    assert response.status_code == 403 and "sign_up" in _steps(response)


def test_without_free_preview_even_the_first_module_is_closed(client, volunteer):
    _course, modules = make_course("closed", modules=2, self_paced=True)
    client.force_login(volunteer)
    assert client.get(modules[0].url).status_code == 403


def test_a_preview_reader_cannot_record_anything(client, volunteer, open_course):
    _course, modules = open_course
    client.force_login(volunteer)
    key = "care/0/quiz"
    client.post(
        reverse("courses:quiz_submit", args=[modules[0].pk, block_id(key)]),
        quiz_post(key, {}),
    )
    client.post(
        reverse("courses:reflection_save", args=[modules[0].pk, block_id("care/0/reflection")]),
        {"text": "Notes", "action": "submit"},
    )
    client.post(reverse("courses:mark_done", args=[modules[0].pk]))
    assert not QuizAttempt.objects.exists() and not Reflection.objects.exists()
    assert not ActivityCompletion.objects.exists() and not ModuleProgress.objects.exists()


# --- Continue where you left off ----------------------------------------------------------------
def _progress(user, course, module, *, status=ProgressStatus.IN_PROGRESS, set_aside=False):
    now = timezone.now()
    ModuleProgress.objects.create(
        user=user, module=module, course=course, status=status, last_visited_at=now,
        completed_at=now if status == ProgressStatus.COMPLETED else None,
        set_aside_at=now if set_aside else None,
    )  # fmt: skip
    CourseProgress.objects.update_or_create(
        user=user, course=course, defaults={"last_module": module, "last_activity_at": now}
    )


def _continue_url(client, course):
    steps = _steps(client.get(course.url))
    return steps["continue"].url if "continue" in steps else None


def test_continue_skips_the_completed_module_last_visited(client, learner, course, modules):
    client.force_login(learner)
    _progress(learner, course, modules[0], status=ProgressStatus.COMPLETED)
    assert _continue_url(client, course) == modules[1].url
    item = courses_in_progress(learner)[0]
    assert item["continue_module"].url == modules[1].url
    body = client.get(reverse("dashboard")).content.decode()
    assert f'href="{modules[1].url}"' in body and f'href="{modules[0].url}"' not in body


def test_continue_goes_back_to_an_earlier_module_left_undone(client, learner, course, modules):
    """Module 2 finished last; module 1 still to do: continue there, not after module 2."""
    client.force_login(learner)
    _progress(learner, course, modules[0])
    _progress(learner, course, modules[1], status=ProgressStatus.COMPLETED)
    assert _continue_url(client, course) == modules[0].url
    assert courses_in_progress(learner)[0]["continue_module"].url == modules[0].url


def test_continue_skips_set_aside_and_locked_modules(client, learner, course, modules):
    client.force_login(learner)
    modules[2].requires_previous = True
    modules[2].save_revision().publish()
    _progress(learner, course, modules[0], status=ProgressStatus.COMPLETED)
    _progress(learner, course, modules[1], set_aside=True)
    # Module 2 set aside, module 3 locked behind it: nothing to continue with.
    assert _continue_url(client, course) is None
    assert courses_in_progress(learner)[0]["continue_module"] is None
    body = client.get(course.url).content.decode()
    assert "set aside or not open yet" in body


def test_continue_skips_modules_not_released_yet(client, learner, course, modules):
    later = timezone.now() + timedelta(days=3)

    def gate(user, gated_course):
        return {modules[0].pk: later} if gated_course.pk == course.pk else {}

    access.register(gate)
    try:
        client.force_login(learner)
        assert _continue_url(client, course) == modules[1].url
    finally:
        access._GATES.remove(gate)


def test_the_course_page_and_dashboard_agree(learner, course, modules):
    _progress(learner, course, modules[0], status=ProgressStatus.COMPLETED)
    _progress(learner, course, modules[1])
    page_context = course_page_context(course, learner)
    assert page_context["next_steps"][0].url == modules[1].url
    assert courses_in_progress(learner)[0]["continue_module"].url == modules[1].url


# --- Languages ----------------------------------------------------------------------------------
def test_the_catalog_and_the_course_page_name_the_same_languages(client, volunteer):
    course, _modules = make_course("bilingual", modules=1, languages=("en",))
    spanish, _created = Locale.objects.get_or_create(language_code="es")
    copy = course.copy_for_translation(spanish, copy_parents=True)
    copy.save_revision().publish()
    client.force_login(volunteer)
    catalog_page = client.get(catalog().url)
    listed = next(c for c in catalog_page.context["courses"] if c.pk == course.pk)
    course_page = client.get(course.url)
    assert course_page.context["language_names"] == listed.language_names
    assert [str(name) for name in listed.language_names] == ["English", "Spanish"]
    assert "English, Spanish" in course_page.content.decode()


# --- The catalog says what a newcomer can start now ----------------------------------------------
def _cards(body: str) -> dict[str, str]:
    """Each course card of the catalog's HTML, by the course's title."""

    cards = body.split('<li class="card">')[1:]
    return {re.search(r'<h2><a href="[^"]*">([^<]*)</a>', card).group(1): card for card in cards}


def test_the_catalog_marks_courses_to_start_now_and_free_previews(client):
    make_course("alone", title="Alone", modules=2, self_paced=True, free_preview=True)
    make_course("peek", title="Peek", modules=2, free_preview=True)
    make_course("cohorts", title="Cohorts", modules=2)
    make_course("nothing-yet", title="Nothing yet", modules=0, free_preview=True)
    response = client.get(catalog().url)
    listed = {course.slug: course for course in response.context["courses"]}
    assert [listed[s].starts_alone for s in ("alone", "peek", "cohorts")] == [True, False, False]
    assert [listed[s].has_free_preview for s in ("alone", "peek", "cohorts", "nothing-yet")] == [
        True, True, False, False]  # fmt: skip
    cards = _cards(response.content.decode())
    assert "Start now, at your own pace" in cards["Alone"] and "Free preview" in cards["Alone"]
    assert "Start now" not in cards["Peek"] and "Free preview" in cards["Peek"]
    assert "Start now" not in cards["Cohorts"] and "Free preview" not in cards["Cohorts"]
    assert "Free preview" not in cards["Nothing yet"]  # no module to read


def test_a_translated_catalog_follows_the_original_courses_settings():
    course, _modules = make_course("abierto", modules=1, self_paced=True, free_preview=True)
    spanish, _created = Locale.objects.get_or_create(language_code="es")
    copy = course.copy_for_translation(spanish, copy_parents=True)
    copy.self_paced = copy.free_preview = False  # not synchronised yet: the original counts
    copy.save_revision().publish()
    index = CoursePage.objects.get(pk=copy.pk).get_parent().specific
    (listed,) = catalog_for(index, {})["courses"]
    assert listed.pk == copy.pk and listed.starts_alone and listed.has_free_preview
