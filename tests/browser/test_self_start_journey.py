"""A newcomer starts alone: reads a course's free preview signed out, signs in from the
course's next step, starts the course with one click and lands in its first module."""

import pytest
from playwright.sync_api import expect

from courses.factories import make_course
from courses.models import Enrolment, ModuleProgress
from training.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_newcomer_reads_the_preview_then_starts_the_course(page, live_server, password):
    course, modules = make_course("care", modules=2, self_paced=True, free_preview=True)
    person = UserFactory(email="new@example.org")

    page.goto(f"{live_server.url}{course.url}")
    page.get_by_role("link", name="Read the free preview").click()
    expect(page.get_by_role("heading", name="This is a free preview")).to_be_visible()
    expect(page.get_by_text("join the course to answer").first).to_be_visible()
    assert not ModuleProgress.objects.exists()

    page.goto(f"{live_server.url}{course.url}")
    page.locator(".next-step-sign_in a").click()
    page.fill("#id_login", person.email)
    page.fill("#id_password", password)
    page.locator("form[action^='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url(f"**{course.url}")

    page.get_by_role("button", name="Start this course").click()
    page.wait_for_url(f"**{modules[0].url}")
    expect(page.get_by_role("heading", name="This is a free preview")).to_have_count(0)
    expect(page.locator("form[data-quiz]")).to_be_visible()
    assert Enrolment.objects.get(user=person, course=course).source == "self_paced"
