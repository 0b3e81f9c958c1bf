"""A page and its translations go together: deleting or unpublishing an original in the admin does
the same to its copies (after Wagtail's confirmation, which lists them), and a copy always lives
at its original's address — the next translation after a deletion is not put at "…-1"."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail_localize.models import LocaleSynchronization, TranslationSource

from courses import translation_pages
from courses.factories import make_course
from courses.models import ModulePage
from tests.conftest import login_with_mfa

pytestmark = pytest.mark.django_db


def translate(page, locale, **changes):
    """Translate `page` into `locale` as wagtail-localize does, change the given fields of the
    translation and publish it."""
    source, _created = TranslationSource.get_or_create_from_instance(page)
    source.update_from_db()
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
    """A course in English, synchronised into Spanish (every page has a Spanish copy), with its
    first module translated."""
    course, modules = make_course("follow", modules=2)
    english = Locale.objects.get(language_code="en")
    LocaleSynchronization.objects.create(locale=spanish, sync_from=english)
    first_es = translate(modules[0], spanish, title="Módulo 1: escuchar")
    return course, modules, first_es


@pytest.fixture
def editor(client, administrator):
    login_with_mfa(client, administrator)
    return client


def copies(page):
    return ModulePage.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk)


def test_deleting_an_original_lists_its_translations_and_deletes_them(editor, course):
    _course, modules, first_es = course
    url = reverse("wagtailadmin_pages:delete", args=[modules[0].pk])
    confirm = editor.get(url).content.decode()
    # Wagtail counts the translation; the confirmation names it, in its language.
    assert "will also delete 1 translation" in confirm
    assert "translations-deleted-too" in confirm
    assert "Spanish: Módulo 1: escuchar" in confirm

    response = editor.post(url)
    assert response.status_code == 302
    assert not ModulePage.objects.filter(translation_key=modules[0].translation_key).exists()
    assert not Page.objects.filter(pk=first_es.pk).exists()
    # The other module and its Spanish copy are untouched.
    assert copies(modules[1]).count() == 1


def test_deleting_a_course_deletes_its_translation_and_every_copy_below_it(editor, course):
    english_course, modules, _first_es = course
    response = editor.post(reverse("wagtailadmin_pages:delete", args=[english_course.pk]))
    assert response.status_code == 302
    for page in (english_course, *modules):
        assert not Page.objects.filter(translation_key=page.translation_key).exists()


def test_deleting_a_translation_deletes_only_it(editor, course):
    _course, modules, first_es = course
    url = reverse("wagtailadmin_pages:delete", args=[first_es.pk])
    assert "translations-deleted-too" not in editor.get(url).content.decode()
    assert editor.post(url).status_code == 302
    assert ModulePage.objects.filter(pk=modules[0].pk).exists()
    assert not ModulePage.objects.filter(pk=first_es.pk).exists()


def test_unpublishing_an_original_unpublishes_its_translations(editor, course):
    _course, modules, first_es = course
    url = reverse("wagtailadmin_pages:unpublish", args=[modules[0].pk])
    confirm = editor.get(url).content.decode()
    assert "translations-unpublished-too" in confirm and "Spanish: Módulo 1: escuchar" in confirm
    assert editor.post(url).status_code == 302
    assert not ModulePage.objects.get(pk=modules[0].pk).live
    assert not ModulePage.objects.get(pk=first_es.pk).live


def test_the_next_translation_after_a_deletion_lands_at_the_originals_address(course, spanish):
    """Before deletions took translations along, the Spanish copy of a deleted module stayed at
    "module-1": the module made again at that address was translated to "module-1-1", and
    Spanish readers got a 404 at the normal address."""
    english_course, modules, first_es = course
    modules[0].delete()  # as deletions did before: the Spanish copy stays behind
    assert ModulePage.objects.filter(pk=first_es.pk, slug="module-1").exists()

    again = ModulePage(title="Module 1, again", slug="module-1")
    english_course.add_child(instance=again)
    again.save_revision().publish()
    translated = translate(again, spanish, title="Módulo 1, de nuevo")

    assert translated.slug == "module-1"
    assert translated.url_path.endswith("/module-1/")
    assert not ModulePage.objects.filter(pk=first_es.pk).exists()  # the stale copy is gone
    assert translated.get_latest_revision().content["slug"] == "module-1"


def test_a_translation_keeps_its_originals_slug(
    course, spanish, django_capture_on_commit_callbacks
):
    _course, modules, first_es = course
    # The slug is not offered to translators: it is synchronised, not a segment.
    source = TranslationSource.objects.get(object_id=modules[0].translation_key)
    assert not source.stringsegment_set.filter(context__path="slug").exists()
    # A translation saved with another slug takes its original's back.
    first_es.slug = "modulo-1"
    first_es.save()
    assert ModulePage.objects.get(pk=first_es.pk).slug == "module-1"
    # When the original's slug changes, the copies follow (the alias too).
    with django_capture_on_commit_callbacks(execute=True):
        modules[0].slug = "listening"
        modules[0].save_revision().publish()
    assert ModulePage.objects.get(pk=first_es.pk).url_path.endswith("/follow/listening/")
    assert ModulePage.objects.get(pk=first_es.pk).url == ModulePage.objects.get(
        pk=modules[0].pk).url  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        modules[1].slug = "speaking"
        modules[1].save_revision().publish()
    assert copies(modules[1]).get().slug == "speaking"


def test_the_repair_moves_strays_back_and_migrate_runs_it(course, spanish):
    """Copies left at "…-1" by earlier deletions are moved back to their original's address,
    and the stale copies in their way are deleted."""
    from django.db.models.signals import post_save

    english_course, modules, first_es = course
    # Where the data stands today: a deletion left the stale Spanish copy at "module-1", and the
    # module made again there was translated to "module-1-1".
    modules[0].delete()
    again = ModulePage(title="Module 1, again", slug="module-1")
    english_course.add_child(instance=again)
    post_save.disconnect(dispatch_uid="courses-copy-follows-original")
    try:
        stray = translate(again, spanish, title="Módulo 1, de nuevo")
    finally:
        post_save.connect(translation_pages.on_page_saved,
                          dispatch_uid="courses-copy-follows-original")  # fmt: skip
    assert stray.slug == "module-1-1"
    assert list(translation_pages.strays().values_list("pk", flat=True)) == [stray.pk]

    call_command("migrate", verbosity=0)  # after migrating, the repair runs

    stray = ModulePage.objects.get(pk=stray.pk)
    assert stray.slug == "module-1" and stray.url_path.endswith("/follow/module-1/")
    assert stray.url == again.url
    assert not ModulePage.objects.filter(pk=first_es.pk).exists()
    assert not translation_pages.strays().exists()


def test_the_repair_moves_a_copy_once_the_one_holding_its_address_has_moved(course, spanish):
    from io import StringIO

    _english_course, modules, first_es = course
    # The Spanish copy of module 2 sits at "module-1" while its original is "module-2"; the
    # translation of module 1 waits at "module-1-1" until it moves.
    second_es = copies(modules[1]).get()
    ModulePage.objects.filter(pk=second_es.pk).update(slug="module-1")
    ModulePage.objects.filter(pk=first_es.pk).update(slug="module-1-1")
    out = StringIO()
    call_command("translations_repair", stdout=out)
    assert "Moved back to their original's address: 2" in out.getvalue()
    assert "Left" not in out.getvalue()
    assert ModulePage.objects.get(pk=first_es.pk).slug == "module-1"
    assert ModulePage.objects.get(pk=second_es.pk).slug == "module-2"
    assert ModulePage.objects.get(pk=second_es.pk).live  # moved, not deleted: it has an original
