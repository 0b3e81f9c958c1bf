"""A page and its translations go together: deleting or unpublishing an original in the admin does
the same to its copies (after Wagtail's confirmation, which lists them), and a copy always lives
at its original's address — the next translation after a deletion is not put at "…-1"."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models.signals import post_save
from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail_localize.models import LocaleSynchronization, TranslationSource

from courses import translation_pages
from courses.factories import ModulePageFactory, make_course
from courses.models import ModulePage
from tests.helpers import translate
from training import audit_display
from training.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(spanish):
    """A course in English, synchronised into Spanish (every page has a Spanish copy), with its
    first module translated."""
    course, modules = make_course("follow", modules=2)
    english = Locale.objects.get(language_code="en")
    LocaleSynchronization.objects.create(locale=spanish, sync_from=english)
    first_es = translate(modules[0], spanish, refresh_source=True, title="Módulo 1: escuchar")
    return course, modules, first_es


def copies(page):
    return ModulePage.objects.filter(translation_key=page.translation_key).exclude(pk=page.pk)


def test_deleting_an_original_lists_its_translations_and_deletes_them(administrator_client, course):
    _course, modules, first_es = course
    url = reverse("wagtailadmin_pages:delete", args=[modules[0].pk])
    confirm = administrator_client.get(url).content.decode()
    # The confirmation counts the copy and names it, in its language.
    assert "Also deleted with it: its copy in another language" in confirm
    assert "translations-deleted-too" in confirm
    assert "Spanish: Módulo 1: escuchar" in confirm

    response = administrator_client.post(url)
    assert response.status_code == 302
    assert not ModulePage.objects.filter(translation_key=modules[0].translation_key).exists()
    assert not Page.objects.filter(pk=first_es.pk).exists()
    # The other module and its Spanish copy are untouched.
    assert copies(modules[1]).count() == 1


def test_deleting_a_course_deletes_its_translation_and_every_copy_below_it(
    administrator_client, course
):
    english_course, modules, _first_es = course
    response = administrator_client.post(
        reverse("wagtailadmin_pages:delete", args=[english_course.pk])
    )
    assert response.status_code == 302
    for page in (english_course, *modules):
        assert not Page.objects.filter(translation_key=page.translation_key).exists()


def test_deleting_a_translation_deletes_only_it(administrator_client, course):
    _course, modules, first_es = course
    url = reverse("wagtailadmin_pages:delete", args=[first_es.pk])
    assert "translations-deleted-too" not in administrator_client.get(url).content.decode()
    assert administrator_client.post(url).status_code == 302
    assert ModulePage.objects.filter(pk=modules[0].pk).exists()
    assert not ModulePage.objects.filter(pk=first_es.pk).exists()


def test_unpublishing_an_original_unpublishes_its_translations(administrator_client, course):
    _course, modules, first_es = course
    url = reverse("wagtailadmin_pages:unpublish", args=[modules[0].pk])
    confirm = administrator_client.get(url).content.decode()
    assert "translations-unpublished-too" in confirm and "Spanish: Módulo 1: escuchar" in confirm
    assert administrator_client.post(url).status_code == 302
    assert not ModulePage.objects.get(pk=modules[0].pk).live
    assert not ModulePage.objects.get(pk=first_es.pk).live


def test_the_next_translation_after_a_deletion_lands_at_the_originals_address(course, spanish):
    """Before deletions took translations along, the Spanish copy of a deleted module stayed at
    "module-1": the module made again at that address was translated to "module-1-1", and
    Spanish readers got a 404 at the normal address."""
    english_course, modules, first_es = course
    modules[0].delete()  # as deletions did before: the Spanish copy stays behind
    assert ModulePage.objects.filter(pk=first_es.pk, slug="module-1").exists()

    again = ModulePageFactory(
        parent=english_course, title="Module 1, again", slug="module-1", body=[]
    )
    again.save_revision().publish()
    translated = translate(again, spanish, refresh_source=True, title="Módulo 1, de nuevo")

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

    english_course, modules, first_es = course
    # Where the data stands today: a deletion left the stale Spanish copy at "module-1", and the
    # module made again there was translated to "module-1-1".
    modules[0].delete()
    again = ModulePageFactory(
        parent=english_course, title="Module 1, again", slug="module-1", body=[]
    )
    post_save.disconnect(dispatch_uid="courses-copy-follows-original")
    try:
        stray = translate(again, spanish, refresh_source=True, title="Módulo 1, de nuevo")
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


def _translated_beside(english_course, spanish, slug, title):
    """A new English page at `slug` and its Spanish translation, put at "<slug>-1" as before the
    slugs followed (the automatic repair on save is off while they are made)."""

    again = ModulePageFactory(parent=english_course, title=title, slug=slug, body=[])
    post_save.disconnect(dispatch_uid="courses-copy-follows-original")
    try:
        stray = translate(again, spanish, refresh_source=True, title=f"{title} (es)")
    finally:
        post_save.connect(translation_pages.on_page_saved,
                          dispatch_uid="courses-copy-follows-original")  # fmt: skip
    assert stray.slug == f"{slug}-1"
    return again, stray


def test_a_page_written_in_spanish_at_the_same_address_survives_migrate(course, spanish, caplog):
    """A page written directly in Spanish (no English original, not made as a copy) is not a
    leftover: migrate never deletes it; the translation stays at "…-1" and a warning says why."""

    _english_course, _modules, first_es = course
    ModulePage.objects.filter(pk=first_es.pk).update(
        slug="module-1-1", url_path=first_es.url_path.replace("/module-1/", "/module-1-1/")
    )
    written = ModulePageFactory(parent=first_es.get_parent(), title="Escrito en español",
                                slug="module-1", locale=spanish, body=[])  # fmt: skip
    assert not ModulePage.objects.filter(translation_key=written.translation_key,
                                         locale__language_code="en").exists()  # fmt: skip
    assert list(translation_pages.strays().values_list("pk", flat=True)) == [first_es.pk]
    assert not translation_pages.is_leftover_copy(written)

    with caplog.at_level("WARNING", logger="courses.translation_pages"):
        call_command("migrate", verbosity=0)

    written = ModulePage.objects.get(pk=written.pk)  # still there, at its address
    assert written.slug == "module-1" and written.title == "Escrito en español"
    assert ModulePage.objects.get(pk=first_es.pk).slug == "module-1-1"
    assert "cannot take its original's slug 'module-1'" in caplog.text
    assert not AuditEntry.objects.filter(action="page.stray_translation_deleted").exists()


def test_a_leftover_alias_is_deleted_recorded_and_the_translation_takes_its_address(
    course, spanish
):
    """The Spanish alias of a module deleted before deletions took their copies along stays at
    "module-2" (Wagtail sets its `alias_of` to null with the original gone; Wagtail's log still
    says it was made as an alias): migrate deletes it, records it in the audit log, and the
    translation of the module made again there moves to "module-2". --dry-run only lists it."""

    english_course, modules, _first_es = course
    alias = copies(modules[1]).get()
    assert alias.alias_of_id == modules[1].pk and alias.slug == "module-2"
    modules[1].delete()  # as deletions did before: the alias stays behind
    alias = ModulePage.objects.get(pk=alias.pk)
    assert alias.alias_of_id is None
    again, stray = _translated_beside(english_course, spanish, "module-2", "Module 2, again")
    assert translation_pages.is_leftover_copy(alias)

    out = StringIO()
    call_command("translations_repair", "--dry-run", stdout=out)
    assert "Dry run: nothing was changed" in out.getvalue()
    assert f"Deleted the leftover copy /home-es/courses/follow/module-2/ (es, page {alias.pk})" in (
        out.getvalue()
    )
    assert "Moved back to their original's address: 1" in out.getvalue()
    assert ModulePage.objects.filter(pk=alias.pk).exists()  # nothing changed
    assert ModulePage.objects.get(pk=stray.pk).slug == "module-2-1"
    assert not AuditEntry.objects.filter(action="page.stray_translation_deleted").exists()

    call_command("migrate", verbosity=0)

    assert not ModulePage.objects.filter(pk=alias.pk).exists()
    stray = ModulePage.objects.get(pk=stray.pk)
    assert stray.slug == "module-2" and stray.url == again.url
    (entry,) = AuditEntry.objects.filter(action="page.stray_translation_deleted")
    assert entry.actor_id is None  # done by migrate, not by a person
    assert entry.detail["page"] == alias.pk and entry.detail["language"] == "es"
    assert entry.detail["address"] == "/home-es/courses/follow/module-2/"
    assert entry.detail["address_for"] == stray.pk
    assert set(entry.detail) <= set(audit_display.LABELS)  # each shown with its label


def test_the_delete_confirmation_counts_every_copy_it_lists(administrator_client, course, settings):
    """Wagtail counts translations only ("1 translation") while the list also names the copies
    showing the original (aliases): the count and the list must agree."""
    english_course, modules, _first_es = course
    french, _created = Locale.objects.get_or_create(language_code="fr")
    LocaleSynchronization.objects.create(locale=french, sync_from=Locale.objects.get(
        language_code="en"))  # fmt: skip
    assert copies(modules[0]).count() == 2  # the Spanish translation and a French alias

    confirm = administrator_client.get(reverse("wagtailadmin_pages:delete", args=[modules[0].pk]))
    page = confirm.content.decode()
    assert "Also deleted with it: its 2 copies in other languages" in page
    assert "will also delete 1 translation" not in page
    assert "will also delete 2 translations of this page" in page
    listed = page[page.index("translations-deleted-too") :].split("</ul>")[0]
    assert listed.count("<li>") == 2
    assert "Spanish: Módulo 1: escuchar" in listed and "French: " in listed

    # A course: each copy with the pages below it that go too.
    page = administrator_client.get(
        reverse("wagtailadmin_pages:delete", args=[english_course.pk])
    ).content
    page = page.decode()
    assert "Also deleted with it: its 2 copies in other languages" in page
    # Wagtail's own sentence counts the same copies, and the pages below them.
    assert "also delete 2 translations and their combined 4 translated child pages" in page
    assert "with its 2 child pages" in page
