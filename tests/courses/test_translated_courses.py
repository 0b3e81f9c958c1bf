"""Courses in several languages (wagtail-localize): a learner reads each module in their language
when it is translated, the original with a notice otherwise, and progress belongs to the module,
not to the language copy."""

import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import (
    LocaleSynchronization,
    OverridableSegment,
    Translation,
    TranslationSource,
)
from wagtail_localize.operations import TranslationCreator
from wagtail_localize.segments import OverridableSegmentValue

from courses import services
from courses.blocks import H5PBlock
from courses.factories import block_id, correct_answers, make_course
from courses.h5p import services as h5p_services
from courses.h5p import store
from courses.models import (
    ActivityCompletion,
    CourseProgress,
    ModulePage,
    ModuleProgress,
    QuizAttempt,
    Topic,
    TopicName,
)
from tests.conftest import login_with_mfa
from tests.courses.test_h5p_xapi import (
    h5p_activity,
    page_attribute,
    post_json,
    state_script,
    statement,
)
from tests.h5p_factory import H5P_JSON, LIBRARY, package
from tests.helpers import translate
from training import i18n

pytestmark = pytest.mark.django_db


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


def _ready_activity(title, language):
    # A package built here with the true-or-false sample's main library (no outside files).
    true_false = package(
        h5p={**H5P_JSON, "mainLibrary": "H5P.TrueFalse", "preloadedDependencies": [
            {"machineName": "H5P.TrueFalse", "majorVersion": 1, "minorVersion": 6}]},
        library={**LIBRARY, "machineName": "H5P.TrueFalse", "minorVersion": 6},
        folder="H5P.TrueFalse-1.6",
    )  # fmt: skip
    made = h5p_services.h5p_activity_create(package=ContentFile(true_false, name="tf.h5p"),
                                        title=title, language=language)  # fmt: skip
    return store.activity_extract(activity_id=made.pk)


def test_a_translation_may_play_another_h5p_activity(client, administrator, spanish):
    """A translator picks the Spanish version of the exercise in wagtail-localize's translation
    editor, with its chooser (the H5P activity is a snippet), and the Spanish copy of the module
    plays it; the English module keeps the English one."""

    english = _ready_activity("Consent: true or false", "en")
    castellano = _ready_activity("Consentimiento: verdadero o falso", "es")
    _ready_activity("Still being prepared", "es").__class__.objects.filter(
        title="Still being prepared").update(status="pending")  # fmt: skip
    _course, modules = make_course("h5p-langs", modules=1, body=lambda i: [
        {"type": "h5p", "id": block_id("langs/h5p"),
         "value": {"activity": str(english.uuid), "pass_mark": None, "required": True}},
    ])  # fmt: skip
    module = modules[0]
    block = module.body[0].block.child_blocks["activity"]
    assert block.get_translatable_segments(str(english.uuid)) == [
        OverridableSegmentValue("", english.pk)]  # fmt: skip

    TranslationCreator(administrator, [spanish]).create_translations(module)
    translation = Translation.objects.get(source__object_id=module.translation_key,
                                          target_locale=spanish)  # fmt: skip
    copy = ModulePage.objects.get(translation_key=module.translation_key, locale=spanish)
    login_with_mfa(client, administrator)

    # The translation editor offers the activity chooser, showing the English one by name.
    editor = client.get(f"/admin/pages/{copy.pk}/edit/").content.decode()
    assert "snippet_chooser" in editor and "h5pactivity" in editor
    shown = client.get(f"/admin/localize/api/snippets/courses/h5pactivity/{english.pk}/").json()
    assert shown["title"] == "Consent: true or false"
    # The chooser lists ready activities with their language and how they complete.
    chooser = client.get(reverse("wagtailsnippetchoosers_courses_h5pactivity:choose"),
                         {"language": "es"}).content.decode()  # fmt: skip
    assert "Consentimiento: verdadero o falso" in chooser and "Spanish" in chooser
    assert "completes when answered" in chooser
    assert "Still being prepared" not in chooser and "Consent: true" not in chooser

    # The translator picks the Spanish activity (what the chooser's "chosen" sends) and publishes.
    segment = OverridableSegment.objects.get(source=translation.source)
    response = client.put(
        reverse("wagtail_localize:edit_override", args=[translation.pk, segment.pk]),
        f"value={castellano.pk}", content_type="application/x-www-form-urlencoded",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    translation.save_target(user=administrator, publish=True)
    copy = ModulePage.objects.get(pk=copy.pk)
    assert copy.body[0].value["activity"] == str(castellano.uuid)
    assert ModulePage.objects.get(pk=module.pk).body[0].value["activity"] == str(english.uuid)
    # An override saved by an earlier version (the UUID itself) is still understood.
    assert block.restore_translated_segments(
        str(english.uuid), [OverridableSegmentValue("", str(castellano.uuid))]
    ) == str(castellano.uuid)


def test_the_h5p_block_stores_the_activity_uuid_and_refuses_one_not_ready(spanish):
    ready = _ready_activity("Ready", "en")
    pending = _ready_activity("Pending", "en")
    pending.__class__.objects.filter(pk=pending.pk).update(status="pending")
    chooser = H5PBlock().child_blocks["activity"]
    # From the form (the chooser posts the primary key) to the stored UUID and back.
    assert chooser.value_from_form(str(ready.pk)) == str(ready.uuid)
    assert chooser.get_prep_value(str(ready.uuid)) == str(ready.uuid)
    assert chooser.value_for_form(str(ready.uuid)) == ready.pk
    assert chooser.clean(str(ready.uuid)) == str(ready.uuid)
    with pytest.raises(ValidationError, match="ready to play"):
        chooser.clean(str(pending.uuid))
    assert next(iter(chooser.extract_references(str(ready.uuid))))[1] == str(ready.pk)


def test_editors_translate_in_the_admin_and_see_what_is_out_of_date(client, administrator, course):
    """An editor translates a module as the admin's Translate action does (wagtail-localize): the
    translation editor opens on the copy, with the quiz's questions among its segments and a
    status (how much is translated); after the original changes, the copy is out of date until
    an editor syncs it."""

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


def test_a_learner_completes_the_original_module_with_the_spanish_exercise(
    client, volunteer, spanish
):
    """The Spanish copy plays the Spanish activity: its launch names that activity, its
    statements are accepted, and the completion belongs to the original module."""

    english = h5p_activity(title="True or false")
    castellano = h5p_activity(title="Verdadero o falso", language="es")
    _course, modules = make_course("h5p-es", modules=1, body=lambda i: [
        {"type": "h5p", "id": block_id("es/h5p"),
         "value": {"activity": str(english.uuid), "pass_mark": None, "required": True}},
    ])  # fmt: skip
    module = modules[0]
    english_locale = Locale.objects.get(language_code="en")
    LocaleSynchronization.objects.create(locale=spanish, sync_from=english_locale)
    body = [dict(block) for block in module.body.raw_data]
    body[0]["value"] = {**body[0]["value"], "activity": str(castellano.uuid)}
    translate(module, spanish, title="Módulo con ejercicio", body=body)
    services.enrolment_create(user=volunteer, course=_course)
    volunteer.preferred_language = "es"
    volunteer.save(update_fields=["preferred_language"])
    client.force_login(volunteer)

    html = client.get(module.url).content.decode()
    assert f"/h5p/play/{castellano.uuid}/" in html and str(english.uuid) not in html
    token = page_attribute(html, "data-launch")
    url = reverse("courses:h5p_xapi", args=[module.pk, block_id("es/h5p")])  # the record
    assert url in html
    response = post_json(client, url, {"token": token, "statement": statement(castellano)})
    assert response.status_code == 200, response.content
    assert response.json()["module_completed"] is True
    assert ActivityCompletion.objects.filter(user=volunteer, module=module).exists()
    assert ModuleProgress.objects.get(user=volunteer).module_id == module.pk
    # A statement about the English activity does not fit this launch.
    again = post_json(client, url, {"token": token, "statement": statement(english)})
    assert again.status_code >= 400
    # Where the learner was in the Spanish exercise is offered again on the Spanish page.
    saved = '{"answers":[1]}'
    state = reverse("courses:h5p_state", args=[module.pk, block_id("es/h5p")])
    assert post_json(client, state, {"token": token, "state": saved}).status_code == 200
    assert state_script(client.get(module.url).content.decode(), block_id("es/h5p")) == saved


def test_editors_see_which_translations_are_out_of_date_and_update_them(
    client, administrator, volunteer, course, spanish
):
    """After the original is published again, the admin's report lists the page with the
    languages whose translation follows the older text, and links to wagtail-localize's update;
    once updated, the page leaves the report. The report's queries do not grow with pages."""

    _english, modules, _first_es = course
    url = reverse("courses_translations_report")
    login_with_mfa(client, administrator)
    assert "Every translation follows its original." in client.get(url).content.decode()

    modules[0].title = "Module 1: listening (revised)"
    modules[0].save_revision().publish()
    page = client.get(url).content.decode()
    assert "Module 1: listening (revised)" in page and "Spanish" in page
    source = TranslationSource.objects.get(object_id=modules[0].translation_key)
    assert reverse("wagtail_localize:update_translations", args=[source.pk]) in page

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    more, _modules = make_course("second", modules=3)
    translate(more, spanish, title="Segundo")
    for module in _modules:
        translate(module, spanish, title=f"{module.title} (es)")
        module.save_revision().publish()
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).content.decode().count("Update translations") == 4
    assert len(many) == len(few)

    # The editor updates the translation from the original: it is no longer out of date.
    TranslationSource.update_or_create_from_instance(ModulePage.objects.get(pk=modules[0].pk))
    assert "Module 1: listening (revised)" not in client.get(url).content.decode()

    login_with_mfa(client, volunteer)
    assert client.get(url).status_code in (302, 403)
