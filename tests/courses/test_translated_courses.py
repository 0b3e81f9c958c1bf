"""Courses in several languages (wagtail-localize): a learner reads each module in their language
when it is translated, the original with a notice otherwise, and progress belongs to the module,
not to the language copy."""

import uuid

import pytest
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization, TranslationSource

from courses import i18n, services
from courses.factories import block_id, correct_answers, make_course
from courses.models import (
    ActivityCompletion,
    CourseProgress,
    ModulePage,
    ModuleProgress,
    QuizAttempt,
)

pytestmark = pytest.mark.django_db


def translate(page, locale, **changes):
    """Translate `page` into `locale` as an editor would with wagtail-localize, then change the
    given fields in the translation (its words) and publish it."""
    source, _created = TranslationSource.get_or_create_from_instance(page)
    translation, _created = source.create_or_update_translation(
        locale, publish=False, fallback=True
    )
    for field, value in changes.items():
        setattr(translation, field, value)
    translation.save_revision().publish()
    return type(page).objects.get(pk=translation.pk)


@pytest.fixture
def spanish(settings):
    settings.LANGUAGES = list(settings.ALL_LANGUAGES.items())
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES
    locale, _created = Locale.objects.get_or_create(language_code="es")
    return locale


@pytest.fixture
def course(spanish):
    course, modules = make_course("bilingual", modules=2)
    # The locale is synchronised: every page has a copy in Spanish (an alias until translated).
    english = Locale.objects.get(language_code="en")
    LocaleSynchronization.objects.create(locale=spanish, sync_from=english)
    assert ModulePage.objects.filter(locale=spanish).count() == 2
    first_es = translate(modules[0], spanish, title="Módulo 1: escuchar")
    return course, modules, first_es


@pytest.fixture
def learner(volunteer, course):
    english_course, _modules, _first = course
    services.enrolment_create(user=volunteer, course=english_course)
    volunteer.preferred_language = "es"
    volunteer.save(update_fields=["preferred_language"])
    return volunteer


def test_the_translation_is_served_in_the_learners_language_at_the_same_address(
    client, learner, course
):
    english_course, modules, first_es = course
    assert first_es.url == modules[0].url  # one address, whatever the language
    client.force_login(learner)
    page = client.get(modules[0].url).content.decode()
    assert "Módulo 1: escuchar" in page
    assert "translation-notice" not in page
    # The course outline names the module in Spanish too.
    outline = client.get(english_course.url).content.decode()
    assert "Módulo 1: escuchar" in outline


def test_an_untranslated_module_shows_the_original_with_a_notice(client, learner, course):
    _course, modules, _first = course
    client.force_login(learner)
    page = client.get(modules[1].url).content.decode()
    assert "Module 2" in page
    assert "translation-notice" in page
    assert 'lang="en"' in page  # the original's words are marked as English
    # Read in English, the original has no notice.
    learner.preferred_language = "en"
    learner.save(update_fields=["preferred_language"])
    assert "translation-notice" not in client.get(modules[1].url).content.decode()


def test_progress_belongs_to_the_module_not_to_the_language_copy(client, learner, course):
    english_course, modules, first_es = course
    client.force_login(learner)
    client.get(modules[0].url)  # a visit, in Spanish
    progress = ModuleProgress.objects.get(user=learner)
    assert progress.module_id == modules[0].pk  # the original, not the Spanish copy

    key = "bilingual/0/quiz"

    response = client.post(
        reverse("courses:quiz_submit", args=[first_es.pk, block_id(key)]),
        {**{f"q-{q}": answers for q, answers in correct_answers(key).items()},
         "submission_id": str(uuid.uuid4())},
    )  # fmt: skip
    assert response.status_code == 303
    attempt = QuizAttempt.objects.get(user=learner)
    assert attempt.module_id == modules[0].pk and attempt.passed
    assert ActivityCompletion.objects.filter(user=learner, module=modules[0]).exists()
    assert not ActivityCompletion.objects.filter(module_id=first_es.pk).exists()

    # The same learner reading in English finds the quiz passed.
    learner.preferred_language = "en"
    learner.save(update_fields=["preferred_language"])
    page = client.get(modules[0].url).content.decode()
    assert "Module 1" in page and "Módulo 1" not in page
    assert page.count("activity-completed") >= 1 or "✓" in page
    assert CourseProgress.objects.filter(user=learner, course=english_course).count() == 1


def test_record_is_the_original_for_every_copy(course, spanish):
    _english_course, modules, first_es = course
    alias = ModulePage.objects.get(locale=spanish, translation_key=modules[1].translation_key)
    assert alias.alias_of_id == modules[1].pk
    assert i18n.record(first_es) == modules[0]
    assert i18n.record(alias) == modules[1]
    assert i18n.record(modules[0]) == modules[0]
    assert i18n.is_untranslated(alias)
    assert not i18n.is_untranslated(first_es)
