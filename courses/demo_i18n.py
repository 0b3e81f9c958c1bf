"""The demo in other languages: the Spanish (and Portuguese) locales synchronised from English,
the home and about pages and the demo courses translated into Spanish, and one module into
Portuguese — as an editor would with wagtail-localize. Idempotent.

The translated words live beside the English ones: `courses/demo_content_es.py` (every course)
and `courses/demo_content_pt_br.py` (one module), with the same structure and the same block
keys, so that the translations keep the block ids learners' progress points at.
"""

import importlib

from django.conf import settings
from wagtail.models import Locale, Page

from training import demo as training_demo

from . import demo_content as english
from .demo import _stream, learning_outcomes, module_body, plain, rich
from .models import CourseIndexPage, CoursePage, ModulePage, Topic, TopicName

CONTENT = {"es": "courses.demo_content_es", "pt-br": "courses.demo_content_pt_br"}


def _content(code: str):
    if code not in CONTENT:
        return None
    try:
        return importlib.import_module(CONTENT[code])
    except ModuleNotFoundError:
        return None


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
    from wagtail_localize.models import TranslationSource

    page = page.specific
    existing = page.get_translation_or_none(locale)
    if existing is not None and existing.alias_of_id is None:
        latest = existing.get_latest_revision()
        if latest is not None and latest.user_id is not None:
            return existing.specific
    streams = {name: _stream(type(page), name, value) for name, value in (streams or {}).items()}
    if existing is not None and existing.alias_of_id is None:
        translation = existing.specific
        changed = [n for n, v in fields.items() if getattr(translation, n) != v] + [
            n for n, v in streams.items() if _stream(type(page), n, getattr(translation, n)) != v
        ]
        if not changed and translation.live:
            return translation
    else:
        source, _created = TranslationSource.update_or_create_from_instance(page)
        translation, _created = source.create_or_update_translation(
            locale, publish=False, fallback=True
        )
        translation = type(page).objects.get(pk=translation.pk)
    for name, value in {**fields, **streams}.items():
        setattr(translation, name, value)
    translation.save_revision().publish()
    stdout.write(f"Translated “{page.title}” into {locale.language_code}: “{translation.title}”")
    return translation


def seed(stdout) -> None:
    made = locales(stdout)
    home = training_demo.ensure_site()
    for code, locale in made.items():
        words = _content(code)
        pages = training_demo.PAGES.get(code, {})
        if "home" in pages:
            translate(stdout, home, locale, pages["home"])
        about = Page.objects.child_of(home).filter(slug="about").first()
        if about is not None and "about" in pages:
            translate(stdout, about, locale, pages["about"])
        if words is None:
            continue
        for slug, name in getattr(words, "TOPICS", {}).items():
            topic = Topic.objects.filter(slug=slug).first()
            if topic is not None:
                TopicName.objects.get_or_create(topic=topic, language=code,
                                                defaults={"name": name})  # fmt: skip
        index = CourseIndexPage.objects.filter(locale=home.locale).first()
        if index is not None and getattr(words, "INDEX", None):
            translate(stdout, index, locale, {"title": words.INDEX["title"],
                                              "intro": rich(words.INDEX["intro"])})  # fmt: skip
        for course_data in english.COURSES:
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
                    {"body": module_body(course_data["slug"], merged)},
                )  # fmt: skip
