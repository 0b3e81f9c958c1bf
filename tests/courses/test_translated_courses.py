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


def test_a_translation_may_play_another_h5p_activity():
    """The H5P block's activity is a value a translator may override (wagtail-localize): the
    Spanish copy of a module can play the Spanish version of the exercise."""
    from wagtail_localize.segments import OverridableSegmentValue, StringSegmentValue

    from courses.blocks import H5PBlock

    activity = H5PBlock().child_blocks["activity"]
    original = "5d7c8f0e-0000-4000-8000-000000000001"
    spanish = "5d7c8f0e-0000-4000-8000-000000000002"
    segments = activity.get_translatable_segments(original)
    assert segments == [OverridableSegmentValue("", original)]
    assert activity.restore_translated_segments(original, [OverridableSegmentValue("", spanish)]) \
        == spanish  # fmt: skip
    # Nothing overridden: the original's activity is kept.
    assert activity.restore_translated_segments(original, [StringSegmentValue("", "x")]) == original


def test_editors_translate_in_the_admin_and_see_what_is_out_of_date(client, administrator, course):
    """An editor translates a module as the admin's Translate action does (wagtail-localize): the
    translation editor opens on the copy, with the quiz's questions among its segments and a
    status (how much is translated); after the original changes, the copy is out of date until
    an editor syncs it."""
    from wagtail_localize.models import Translation
    from wagtail_localize.operations import TranslationCreator

    from tests.conftest import login_with_mfa

    _english_course, modules, _first = course
    spanish = Locale.objects.get(language_code="es")
    TranslationCreator(administrator, [spanish]).create_translations(modules[1])
    copy = ModulePage.objects.get(translation_key=modules[1].translation_key, locale=spanish)
    assert copy.alias_of_id is None  # the alias became a translation

    translation = Translation.objects.get(source__object_id=modules[1].translation_key,
                                          target_locale=spanish)  # fmt: skip
    total, done = translation.get_progress()
    assert total > 0 and done == 0
    assert "0%" in translation.get_status_display() or "Waiting" in translation.get_status_display()
    assert translation.source.stringsegment_set.filter(string__data__icontains="?").exists()

    login_with_mfa(client, administrator)
    page = client.get(f"/admin/pages/{copy.pk}/edit/")
    assert page.status_code == 200
    assert "translation" in page.content.decode().lower()

    published = translation.source.last_updated_at
    modules[1].title = "Module 2 (updated)"
    modules[1].save_revision().publish()
    # Out of date: the source the translation was made from is older than the original now.
    assert translation.source.last_updated_at == published < ModulePage.objects.get(
        pk=modules[1].pk).last_published_at  # fmt: skip


def test_topics_are_named_in_the_readers_language(client, settings):
    from courses.models import Topic, TopicName

    settings.LANGUAGES = list(settings.ALL_LANGUAGES.items())
    topic = Topic.objects.create(name="Digital security", slug="digital-security")
    TopicName.objects.create(topic=topic, language="es", name="Seguridad digital")
    course, _modules = make_course("with-topic", modules=1)
    course.topics.add(topic)
    course.save_revision().publish()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = client.get("/courses/").content.decode()
    assert "Seguridad digital" in page and ">Digital security<" not in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # no French name: the name itself
    assert "Digital security" in client.get("/courses/").content.decode()
