"""Pages in several languages (Wagtail's internationalisation, translated with wagtail-localize).

It sits in `training`, below every app that reads it: courses, cohorts and certificates all ask
for a page's original or for its title in the reader's language.

A course exists once per language: the original, in the default locale, and its copies in other
locales — translations, or aliases of the original where nobody has translated it yet (a locale
synchronised from the default one gets an alias of every page). A learner is served the copy in
their language, at the same address.

**Progress belongs to the original.** Enrolments, module progress, activity completions, quiz
attempts, reflections, releases and cohorts all point at the original course and modules, so a
quiz passed in Spanish completes the module for a course followed in English, and certification
sees one record. `record()` gives the original of whatever copy a request reached; the copy is
kept for what the learner reads (its body, its activities — an H5P block may hold a different
activity per language).
"""

from django.conf import settings
from django.utils import translation
from wagtail.models import Page

# The locales' codes are cached by training.locales (routing reads them too).
from .locales import (  # noqa: F401  (re-exported: the apps read them from here, as i18n.<name>)
    default_locale_id,
    forget_locales,
    locale_code,
    locale_id_for,
)


def active_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def in_active_language(rows):
    """The row of `rows` (texts with a `language`, e.g. prefetched) for the active language, or
    None: the names and texts editors give per language beside a topic, track or agreement."""
    language = active_language()
    return next((row for row in rows if row.language == language), None)


def content_language(page: Page) -> str | None:
    """The language `page`'s words are in: its own, or for an alias its original's."""
    if page.alias_of_id is None:
        return locale_code(page.locale_id)
    original = getattr(page, "_acompana_record", None)
    if original is None:
        original_locale = (
            Page.objects.filter(pk=page.alias_of_id).values_list("locale_id", flat=True).first()
        )
        return locale_code(original_locale)
    return locale_code(original.locale_id)


def record(page: Page) -> Page:
    """The original of `page` (itself when it is the original): where progress is kept."""
    cached = getattr(page, "_acompana_record", None)
    if cached is not None:
        return cached
    original = page
    default = default_locale_id()
    if default is not None and page.locale_id != default:
        original = (
            type(page).objects.filter(translation_key=page.translation_key, locale_id=default)
            .first()
            or page
        )  # fmt: skip
    page._acompana_record = original
    original._acompana_record = original
    return original


def is_untranslated(page: Page) -> bool:
    """The learner reads the original's words: the page is an alias of it (no translation yet),
    or the original itself while the interface is in another language."""
    if page.alias_of_id is not None:
        return True
    active = active_language()
    return page.locale_id == default_locale_id() and active != settings.LANGUAGE_CODE


def language_of(page: Page) -> dict:
    """The code and name (in the active language) of the language `page` is written in."""
    code = content_language(page) or settings.LANGUAGE_CODE
    return {"code": code, "name": settings.ALL_LANGUAGES.get(code, code)}


def titles_in_active_language(pages) -> dict:
    """{translation_key: title} of the copies of `pages` in the active language that are real
    translations (one query; none when the active language is the originals')."""
    active = active_language()
    if not pages or active == settings.LANGUAGE_CODE:
        return {}
    locale_id = locale_id_for(active)
    if locale_id is None:
        return {}
    return dict(
        Page.objects.filter(
            translation_key__in={page.translation_key for page in pages}, locale_id=locale_id,
            alias_of__isnull=True,
        ).values_list("translation_key", "title")
    )  # fmt: skip
