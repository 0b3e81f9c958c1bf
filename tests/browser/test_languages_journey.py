"""In real Chromium, on the demo data: a visitor switches to Spanish, signs up, and sees the
catalog and a module in Spanish; a page in Arabic is laid out right to left."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from courses import services
from courses.models import CoursePage, H5PActivity, ModulePage
from tests.browser.test_cohort_journey import sign_in
from tests.conftest import enrol_totp
from training.demo import DEMO_PASSWORD
from training.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = "test-artifacts"


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_a_visitor_switches_to_spanish_signs_up_and_learns_in_spanish(page, live_server, demo):
    base = live_server.url
    page.goto(base + "/")
    page.select_option("#language-select", "es")
    with page.expect_navigation():  # wait for the form's answer, not the current page
        page.locator(".language-switcher button[type=submit]").click()
    assert page.locator("html").get_attribute("lang") == "es"

    page.get_by_role("link", name="Crear una cuenta").first.click()
    page.fill("#id_email", "lucia.es@example.org")
    page.fill("#id_display_name", "Lucía")
    page.fill("#id_password1", "una-frase-larga-y-poco-comun")
    page.fill("#id_password2", "una-frase-larga-y-poco-comun")
    page.locator("form[action='/accounts/signup/'] button[type=submit]").click()
    page.wait_for_url("**/accounts/confirm-email/")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    assert "Confirma" in mail.outbox[-1].subject or "correo" in mail.outbox[-1].body
    page.goto(link)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/dashboard/")
    learner = User.objects.get(email="lucia.es@example.org")
    assert learner.preferred_language == "es"  # the choice made before signing up is kept

    # The catalog in Spanish: the interface and the courses' own words.
    page.goto(base + "/courses/")
    expect(page.get_by_role("heading", name="Acompañamiento feminista")).to_be_visible()
    expect(page.locator("#filter-language option").first).to_have_text("Cualquier idioma")

    # Enrolled (as a cohort would), the learner reads a module in Spanish.
    course = CoursePage.objects.get(slug="feminist-accompaniment", locale__language_code="en")
    services.enrolment_create(user=learner, course=course)
    page.goto(base + "/courses/feminist-accompaniment/listening-without-judgement/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Escuchar sin juzgar")
    expect(page.get_by_text("Por qué escuchar va primero")).to_be_visible()
    assert page.locator(".translation-notice").count() == 0
    page.screenshot(path=f"{ARTIFACTS}/spanish-module.png", full_page=True)

    # A module nobody translated into Portuguese yet: the original, with a notice.
    learner.preferred_language = "pt-br"
    learner.save(update_fields=["preferred_language"])
    page.goto(base + "/courses/feminist-accompaniment/listening-without-judgement/")
    expect(page.locator(".translation-notice")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Listening without judgement")
    assert page.locator("h1").get_attribute("lang") == "en"


def test_an_arabic_page_is_laid_out_right_to_left(page, live_server, demo):
    page.goto(live_server.url + "/")
    page.select_option("#language-select", "ar")
    with page.expect_navigation():  # wait for the form's answer, not the current page
        page.locator(".language-switcher button[type=submit]").click()
    assert page.locator("html").get_attribute("dir") == "rtl"
    # The brand sits at the right edge, where an Arabic reader starts.
    brand = page.locator(".brand").bounding_box()
    viewport = page.viewport_size
    assert brand["x"] > viewport["width"] / 2
    # The English home text keeps its own direction inside the Arabic page.
    assert page.locator("section.prose").first.get_attribute("dir") == "ltr"
    page.screenshot(path=f"{ARTIFACTS}/arabic-home.png", full_page=True)


def test_a_translator_picks_the_spanish_exercise_in_the_translation_editor(
    page, live_server, h5p_samples, demo
):
    """In wagtail-localize's editor, the Spanish practice module's H5P block shows its activity by
    name; the translator reverts it to the English one, then chooses the Spanish version in the
    chooser (filtered by language) and publishes: the Spanish copy plays it. The demo's practice
    module needs the real H5P samples."""
    base = live_server.url
    admin = User.objects.get(email="admin@example.org")
    sign_in(page, base, admin, DEMO_PASSWORD, enrol_totp(admin))

    slug = "practice-with-interactive-exercises"
    copy = ModulePage.objects.get(slug=slug, locale__language_code="es")
    castellano = H5PActivity.objects.get(language="es", main_library__startswith="H5P.TrueFalse")
    page.goto(f"{base}/admin/pages/{copy.pk}/edit/")
    segment = page.locator("li", has=page.get_by_text("Práctica: verdadero o falso")).last
    expect(segment).to_be_visible()
    segment.get_by_role("button", name="Revert to English version").click()
    expect(page.get_by_text("Practice: true or false").first).to_be_visible()

    page.get_by_role("button", name="Change H5P activity").first.click()
    modal = page.locator(".modal-content")
    expect(modal.get_by_text("completes when answered").first).to_be_visible()
    modal.locator("select[name=language]").select_option("es")
    expect(modal.locator("tbody tr")).to_have_count(2)  # the Spanish true-or-false and set
    expect(modal.get_by_text("Practice: true or false")).to_have_count(0)
    modal.get_by_role("link", name="Práctica: verdadero o falso").click()
    expect(modal).to_be_hidden()
    expect(page.get_by_text("Práctica: verdadero o falso").first).to_be_visible()
    page.screenshot(path=f"{ARTIFACTS}/translation-editor-h5p.png", full_page=True)
    with page.expect_navigation():  # wait for the form's answer, not the current page
        page.get_by_role("button", name="Publish in Spanish").click()
    copy = ModulePage.objects.get(pk=copy.pk)
    assert str(castellano.uuid) in str(list(copy.body.raw_data))
    english = ModulePage.objects.get(slug=slug, locale__language_code="en")
    assert str(castellano.uuid) not in str(list(english.body.raw_data))
