"""The demo in other languages, through wagtail-localize as a translator would: the Spanish (and
Portuguese) locales synchronised from English, and each demo page's PO file
(`courses/demo_data/<language>/…po`) uploaded into its translation, which is then published
("Publish" in the translation editor). The home and about pages (`training.demo.PAGES`) are
translated from their words. Idempotent; a translation an editor changed in the admin is kept.
"""

import json

import polib
from django.conf import settings
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    LocaleSynchronization,
    SegmentOverride,
    StringTranslation,
    Translation,
    TranslationContext,
    TranslationSource,
)
from wagtail_localize.segments import OverridableSegmentValue, StringSegmentValue
from wagtail_localize.segments.extract import extract_segments
from wagtail_localize.synctree import synchronize_tree

from training import demo as training_demo

from . import demo_data
from .demo_h5p import h5p_uuid, h5p_version, seed_h5p_versions
from .models import CourseIndexPage, CoursePage, H5PActivity, ModulePage, Topic, TopicName

TOOL_NAME = "Acompaña demo"


def locales(stdout) -> dict[str, Locale]:
    """A locale for each offered language, synchronised from the default one: every page gets
    a copy there (an alias of the original until someone translates it)."""
    source = Locale.get_default()
    made = {}
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        if code == source.language_code:
            continue
        locale, _created = Locale.objects.get_or_create(language_code=code)
        if not LocaleSynchronization.objects.filter(locale=locale).exists():
            LocaleSynchronization.objects.create(locale=locale, sync_from=source)
            stdout.write(f"Content locale {code}, synchronised from {source.language_code}")
        else:
            # Pages added since (seeded in code, not through the admin): copy them too.
            synchronize_tree(source, locale)
        made[code] = locale
    return made


def _edited_in_admin(page: Page, locale: Locale) -> bool:
    """Whether someone translated `page` into `locale` in the admin: their work wins."""
    existing = page.get_translation_or_none(locale)
    if existing is None or existing.alias_of_id is not None:
        return False
    latest = existing.get_latest_revision()
    return latest is not None and latest.user_id is not None


# --- Demo pages, from their PO files ------------------------------------------------------------
def demo_pages() -> list[tuple[str, Page]]:
    """(PO file name, English page) for each seeded demo page, parents first."""
    home = training_demo.ensure_site()
    pages = []
    index = CourseIndexPage.objects.filter(locale=home.locale).first()
    if index is not None:
        pages.append(("courses", index))
    for course_data in demo_data.load().COURSES:
        course = CoursePage.objects.filter(slug=course_data["slug"], locale=home.locale).first()
        if course is None:
            continue
        pages.append((f"{course_data['slug']}/course", course))
        modules = {module.slug: module for module in ModulePage.objects.child_of(course)}
        pages += [
            (f"{course_data['slug']}/{module['slug']}", modules[module["slug"]])
            for module in course_data["modules"]
            if module["slug"] in modules
        ]
    return pages


def _string_translations(translation: Translation) -> set:
    return set(
        StringTranslation.objects.filter(
            context__object_id=translation.source.object_id, locale=translation.target_locale
        ).values_list("translation_of_id", "context_id", "data")
    )


def _h5p_overrides(source: TranslationSource, page: Page, locale: Locale) -> bool:
    """An H5P block plays the sample's version in the translation's language where there is one:
    an override, as the translation editor's chooser records it. Returns whether one changed."""
    samples = {h5p_uuid(key): key for key in demo_data.load().H5P_SAMPLES}
    changed = False
    for segment in extract_segments(page):
        if not isinstance(segment, OverridableSegmentValue) or not segment.path.endswith(
            ".activity"
        ):
            continue
        original = H5PActivity.objects.filter(pk=segment.data).values_list("uuid", flat=True)
        key = samples.get(original.first())
        if key is None:
            continue
        localized = H5PActivity.objects.filter(uuid=h5p_version(key, locale.language_code)).get()
        if localized.pk == segment.data:
            continue
        context = TranslationContext.objects.get(object_id=source.object_id, path=segment.path)
        data_json = json.dumps(localized.pk)
        if not SegmentOverride.objects.filter(
            locale=locale, context=context, data_json=data_json
        ).exists():
            SegmentOverride.objects.update_or_create(
                locale=locale, context=context, defaults={"data_json": data_json}
            )
            changed = True
    return changed


def import_po(stdout, page: Page, locale: Locale, po: polib.POFile) -> None:
    """`page`'s translation into `locale` given the strings of `po`, then published by
    wagtail-localize from the English page, the strings and the overrides. Published again only
    when a string or an override changed: an editor's change to the English page leaves the
    translation as it is (out of date in the admin, where they can sync it), as before."""
    page = page.specific
    if _edited_in_admin(page, locale):
        return
    source, _created = TranslationSource.update_or_create_from_instance(page)
    translation, created = Translation.objects.get_or_create(source=source, target_locale=locale)
    strings = _string_translations(translation)
    unused = translation.import_po(po, tool_name=TOOL_NAME)
    if unused:
        # The English page changed since the PO file was written (in the admin, or the demo data
        # without `export_demo_po`): those strings wait for a translator.
        stdout.write(f"  {len(unused)} strings of the {locale.language_code} PO file are no "
                     f"longer on “{page.title}”")  # fmt: skip
    overridden = _h5p_overrides(source, page, locale)
    target = page.get_translation_or_none(locale)
    if (
        created or overridden or target is None or target.alias_of_id is not None
        or not target.live or _string_translations(translation) != strings
    ):  # fmt: skip
        translation.save_target(publish=True)
        target = page.get_translation(locale)
        stdout.write(f"Translated “{page.title}” into {locale.language_code}: “{target.title}”")
    total, done = translation.get_progress()
    if done < total:
        stdout.write(f"  {total - done} strings of “{page.title}” untranslated "
                     f"({locale.language_code}): shown in English")  # fmt: skip


def seed_topics(stdout, code: str, words) -> None:
    for slug, name in words.TOPICS.items():
        topic = Topic.objects.filter(slug=slug).first()
        if topic is not None:
            _name, created = TopicName.objects.get_or_create(
                topic=topic, language=code, defaults={"name": name}
            )
            if created:
                stdout.write(f"Named topic “{topic.name}” in {code}: “{name}”")


def export_po(code: str) -> list:
    """Write each demo page's translation into `code` (with the strings still to translate) to
    its PO file, and the topics' names to topics.po; returns the paths written."""
    folder = demo_data.FOLDER / code
    written = []
    for name, page in demo_pages():
        source = TranslationSource.objects.get_for_instance_or_none(page)
        translation = (
            Translation.objects.filter(source=source, target_locale__language_code=code).first()
            if source is not None
            else None
        )
        if translation is None:
            continue
        # Without the ids of this database (a PO naming another translation is refused on import)
        # and without strings no longer on the page.
        po = _po_file(code)
        po.extend(entry for entry in translation.export_po() if not entry.obsolete)
        written.append(_save(po, folder / f"{name}.po"))
    topics = _po_file(code)
    for topic_name in TopicName.objects.filter(language=code).select_related("topic"):
        topics.append(polib.POEntry(msgctxt=topic_name.topic.slug, msgid=topic_name.topic.name,
                                    msgstr=topic_name.name))  # fmt: skip
    if topics:
        topics.sort(key=lambda entry: entry.msgctxt)
        written.append(_save(topics, folder / "topics.po"))
    return written


def _po_file(code: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=100)
    po.metadata = {"Language": code, "Content-Type": "text/plain; charset=utf-8"}
    return po


def _save(po: polib.POFile, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    po.save(str(path))
    return path


# --- The home and about pages, from training.demo.PAGES -----------------------------------------
def translate(stdout, page: Page, locale: Locale, fields: dict):
    """`page` translated into `locale` with these words (plain fields), published, and its
    strings recorded in wagtail-localize. A translation someone made in the admin is kept."""
    page = page.specific
    if _edited_in_admin(page, locale):
        return page.get_translation(locale).specific
    existing = page.get_translation_or_none(locale)
    if existing is not None and existing.alias_of_id is None:
        translation = existing.specific
        changed = any(getattr(translation, name) != value for name, value in fields.items())
    else:
        source, _created = TranslationSource.update_or_create_from_instance(page)
        translation, _created = source.create_or_update_translation(
            locale, publish=False, fallback=True
        )
        translation = type(page).objects.get(pk=translation.pk)
        changed = True
    if changed or not translation.live:
        for name, value in fields.items():
            setattr(translation, name, value)
        translation.save_revision().publish()
        stdout.write(
            f"Translated “{page.title}” into {locale.language_code}: “{translation.title}”"
        )
    missing = record_strings(page, translation)
    if missing:
        stdout.write(f"  {missing} strings of “{page.title}” unmatched ({locale.language_code})")
    return translation


def record_strings(page, translated) -> int:
    """Give wagtail-localize the words of a translation written in code, as if a translator had
    typed them in its editor: a Translation record and a string translation per segment, paired
    by their place in the page. Returns how many strings had no counterpart."""
    source, _created = TranslationSource.update_or_create_from_instance(page)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=translated.locale
    )

    def strings(instance):
        by_path: dict[str, list[str]] = {}
        for segment in extract_segments(instance):
            if isinstance(segment, StringSegmentValue):
                by_path.setdefault(segment.path, []).append(segment.string.data)
        return by_path

    original, words = strings(page), strings(translated)
    po = polib.POFile()
    missing = 0
    for path, texts in original.items():
        counterpart = words.get(path, [])
        if len(counterpart) != len(texts):
            missing += len(texts)
            continue
        for text, translated_text in zip(texts, counterpart, strict=True):
            po.append(polib.POEntry(msgid=text, msgctxt=path, msgstr=translated_text))
    translation.import_po(po, tool_name=TOOL_NAME)
    return missing


# --- Entry point --------------------------------------------------------------------------------
def seed(stdout) -> None:
    made = locales(stdout)
    home = training_demo.ensure_site()
    about = Page.objects.child_of(home).filter(slug="about").first()
    for code, locale in made.items():
        pages = training_demo.PAGES.get(code, {})
        if "home" in pages:
            translate(stdout, home, locale, pages["home"])
        if about is not None and "about" in pages:
            translate(stdout, about, locale, pages["about"])
        words = demo_data.load(code)
        if words is None:
            continue
        seed_h5p_versions(stdout, code, words)
        seed_topics(stdout, code, words)
        for name, page in demo_pages():
            if name in words.PAGES:
                import_po(stdout, page, locale, words.PAGES[name])
