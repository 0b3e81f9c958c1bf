"""The demo in other languages: the Spanish (and Portuguese) locales synchronised from English,
the home and about pages and the demo courses translated into Spanish, and one module into
Portuguese — as an editor would with wagtail-localize. Idempotent.

The translated words live beside the English ones in `courses/demo_data/`: `es/` (every course)
and `pt-br/` (one module), with the same files and the same block keys, so that the translations
keep the block ids learners' progress points at.
"""

from django.conf import settings
from wagtail.models import Locale, Page

from training import demo as training_demo

from . import demo_data
from .demo import _stream, learning_outcomes, module_body, plain, rich
from .models import CourseIndexPage, CoursePage, ModulePage, Topic, TopicName


def locales(stdout) -> dict[str, Locale]:
    """A locale for each offered language, synchronised from the default one: every page gets
    a copy there (an alias of the original until someone translates it)."""
    from wagtail_localize.models import LocaleSynchronization

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
            from wagtail_localize.synctree import synchronize_tree

            synchronize_tree(source, locale)
        made[code] = locale
    return made


def translate(stdout, page: Page, locale: Locale, fields: dict, streams: dict | None = None):
    """`page` translated into `locale` with these words, published. A translation someone made
    in the admin is left as it is."""
    page = page.specific
    existing = page.get_translation_or_none(locale)
    if existing is not None and existing.alias_of_id is None:
        latest = existing.get_latest_revision()
        if latest is not None and latest.user_id is not None:
            return existing.specific
    translation = _publish(page, locale, fields, streams)
    if translation is not None:
        stdout.write(
            f"Translated “{page.title}” into {locale.language_code}: “{translation.title}”"
        )
    else:
        translation = page.get_translation(locale).specific
    missing = record_strings(page, translation)
    if missing:
        stdout.write(f"  {missing} strings of “{page.title}” unmatched ({locale.language_code})")
    return translation


def _publish(page, locale, fields, streams):
    """The copy of `page` in `locale` with these words, published; None if it already had them."""
    from wagtail_localize.models import TranslationSource

    existing = page.get_translation_or_none(locale)
    streams = {name: _stream(type(page), name, value) for name, value in (streams or {}).items()}
    if existing is not None and existing.alias_of_id is None:
        translation = existing.specific
        changed = [n for n, v in fields.items() if getattr(translation, n) != v] + [
            n for n, v in streams.items() if _stream(type(page), n, getattr(translation, n)) != v
        ]
        if not changed and translation.live:
            return None
    else:
        source, _created = TranslationSource.update_or_create_from_instance(page)
        translation, _created = source.create_or_update_translation(
            locale, publish=False, fallback=True
        )
        translation = type(page).objects.get(pk=translation.pk)
    for name, value in {**fields, **streams}.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    return translation


def record_strings(page, translated) -> int:
    """Give wagtail-localize the words of a translation seeded from the demo data, as if a
    translator had typed them in its editor: a Translation record (so the admin shows its status
    and, after the original changes, that it is out of date) and a string translation per
    segment (so that saving in the translation editor keeps the Spanish words instead of falling
    back to English). Strings are paired by their place in the page (same fields, same block ids).
    Returns how many strings had no counterpart."""
    import json
    from collections import defaultdict

    import polib
    from wagtail_localize.models import (
        SegmentOverride,
        Translation,
        TranslationContext,
        TranslationSource,
    )
    from wagtail_localize.segments import OverridableSegmentValue, StringSegmentValue
    from wagtail_localize.segments.extract import extract_segments

    source, _created = TranslationSource.update_or_create_from_instance(page)
    translation, _created = Translation.objects.get_or_create(
        source=source, target_locale=translated.locale
    )

    def strings(instance):
        by_path, values = defaultdict(list), {}
        for segment in extract_segments(instance):
            if isinstance(segment, StringSegmentValue):
                by_path[segment.path].append(segment.string.data)
            elif isinstance(segment, OverridableSegmentValue):
                values[segment.path] = segment.data
        return by_path, values

    (original, original_values), (words, values) = strings(page), strings(translated)
    # A value the translation changed (the H5P activity in its language): an override, as the
    # translation editor's chooser records it.
    for path, value in values.items():
        if original_values.get(path, value) != value:
            context = TranslationContext.objects.get(object_id=source.object_id, path=path)
            SegmentOverride.objects.update_or_create(
                locale=translated.locale, context=context,
                defaults={"data_json": json.dumps(value)},
            )  # fmt: skip
    po = polib.POFile()
    missing = 0
    for path, texts in original.items():
        counterpart = words.get(path, [])
        if len(counterpart) != len(texts):
            missing += len(texts)
            continue
        for text, translated_text in zip(texts, counterpart, strict=True):
            po.append(polib.POEntry(msgid=text, msgctxt=path, msgstr=translated_text))
    translation.import_po(po, tool_name="Acompaña demo")
    return missing


def _merge(original, words):
    """`original` (from content.json) with `words` laid over it: dicts key by key, lists item by
    item (a list of words must have as many items), anything else replaced."""
    if isinstance(words, dict) and isinstance(original, dict):
        return {
            **original,
            **{key: _merge(original.get(key), value) for key, value in words.items()},
        }
    if isinstance(words, list) and isinstance(original, list):
        if len(words) != len(original):
            raise ValueError(f"{len(words)} items of words for {len(original)} items")
        return [_merge(item, item_words) for item, item_words in zip(original, words, strict=True)]
    return words


def localized_package(path, title: str, language: str, words: dict) -> bytes:
    """The H5P package at `path` with its texts in another language: content.json's words
    replaced by `words` (same structure), h5p.json naming the language and title. What an
    editor does when they save a translated copy of an exercise in the H5P editor."""
    import io
    import json
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "content/content.json":
                data = json.dumps(_merge(json.loads(data), words), ensure_ascii=False).encode()
            elif info.filename == "h5p.json":
                data = json.dumps({**json.loads(data), "language": language, "title": title},
                                  ensure_ascii=False).encode()  # fmt: skip
            target.writestr(info, data)
    return out.getvalue()


def seed_h5p_versions(stdout, code: str, words) -> None:
    """The H5P samples in `code` (those the language's content gives words for), uploaded as
    activities in that language; translated modules play them (see demo.h5p_version)."""
    from pathlib import Path

    from django.core.files.base import ContentFile

    from training.models import User

    from . import services
    from .demo import h5p_uuid
    from .h5p import store
    from .models import H5PActivity, H5PLibrary

    folder = Path(settings.ACOMPANA_DEMO_H5P_DIR)
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    for key, version in getattr(words, "H5P", {}).items():
        activity_uuid = h5p_uuid(f"{key}/{code}")
        file_name, _title = demo_data.load().H5P_SAMPLES[key]
        if H5PActivity.objects.filter(uuid=activity_uuid).exists():
            continue
        if not (folder / file_name).is_file():
            continue
        package = localized_package(folder / file_name, version["title"], code, version["content"])
        activity = services.h5p_activity_create(
            package=ContentFile(package, name=f"{key}-{code}.h5p"), title=version["title"],
            language=code, uploaded_by=admin, in_background=False, activity_uuid=activity_uuid,
        )  # fmt: skip
        activity = store.activity_extract(activity_id=activity.pk)
        if activity.status != H5PActivity.Status.READY:
            stdout.write(f"The {code} version of the H5P sample {key} was refused: "
                         f"{activity.reasons}")  # fmt: skip
            continue
        for library in activity.libraries.filter(status=H5PLibrary.Status.PENDING):
            services.h5p_library_review(library=library, user=admin, approve=True)
        stdout.write(f"Imported the H5P sample “{version['title']}” ({code})")


def seed(stdout) -> None:
    made = locales(stdout)
    home = training_demo.ensure_site()
    for code, locale in made.items():
        words = demo_data.load(code)
        pages = training_demo.PAGES.get(code, {})
        if "home" in pages:
            translate(stdout, home, locale, pages["home"])
        about = Page.objects.child_of(home).filter(slug="about").first()
        if about is not None and "about" in pages:
            translate(stdout, about, locale, pages["about"])
        if words is None:
            continue
        seed_h5p_versions(stdout, code, words)
        for slug, name in getattr(words, "TOPICS", {}).items():
            topic = Topic.objects.filter(slug=slug).first()
            if topic is not None:
                TopicName.objects.get_or_create(topic=topic, language=code,
                                                defaults={"name": name})  # fmt: skip
        index = CourseIndexPage.objects.filter(locale=home.locale).first()
        if index is not None and getattr(words, "INDEX", None):
            translate(stdout, index, locale, {"title": words.INDEX["title"],
                                              "intro": rich(words.INDEX["intro"])})  # fmt: skip
        for course_data in demo_data.load().COURSES:
            course_words = getattr(words, "COURSES", {}).get(course_data["slug"])
            course = CoursePage.objects.filter(
                slug=course_data["slug"], locale=home.locale
            ).first()  # fmt: skip
            if course is None or not course_words:
                continue
            fields = {"title": course_words["title"], "summary": plain(course_words["summary"])}
            if "content_notes" in course_words:
                fields["content_notes"] = plain(course_words["content_notes"])
            if "how_to_join" in course_words:
                fields["how_to_join"] = rich(course_words["how_to_join"])
            streams = {}
            if "learning_outcomes" in course_words:
                streams["learning_outcomes"] = learning_outcomes(
                    {"slug": course_data["slug"],
                     "learning_outcomes": course_words["learning_outcomes"]}
                )  # fmt: skip
            translate(stdout, course, locale, fields, streams)
            for module_data in course_data["modules"]:
                module_words = course_words.get("modules", {}).get(module_data["slug"])
                module = (
                    ModulePage.objects.child_of(course).filter(slug=module_data["slug"]).first()
                )
                if module is None or not module_words:
                    continue
                merged = {**module_data, **module_words, "_course_slug": course_data["slug"]}
                translate(
                    stdout, module, locale,
                    {"title": merged["title"], "summary": plain(merged["summary"]),
                     "content_notes": plain(merged.get("content_notes", ""))},
                    {"body": module_body(course_data["slug"], merged, language=code)},
                )  # fmt: skip
