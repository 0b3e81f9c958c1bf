from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def when(value):
    """A date and time in the viewer's time zone, with the zone named: people compare times
    across continents, so a bare "03:58" is not enough."""
    if not value:
        return ""
    local = timezone.localtime(value)
    return (
        f"{formats.date_format(local, 'DATETIME_FORMAT')} ({timezone.get_current_timezone_name()})"
    )


@register.filter
def single_stop(text):
    """A sentence that ends with a name ending in a full stop ("Ana G.") keeps one full stop,
    not two ("signed in as Ana G.."). An ellipsis ("...") is left alone."""
    from ..text import single_stop as collapse

    return collapse(text)


@register.simple_tag
def content_lang(page):
    """` lang="…" dir="…"` for an element holding `page`'s words when they are not in the
    language of the interface (an untranslated page shows its original's words): screen readers
    pronounce them right, and English punctuation stays in place on an Arabic page."""
    from django.utils.html import format_html
    from django.utils.translation import get_language, get_language_info

    from courses.i18n import content_language

    if page is None or not hasattr(page, "locale_id"):
        return ""
    code = content_language(page)
    active = get_language() or ""
    if not code or code.split("-")[0] == active.split("-")[0]:
        return ""
    try:
        rtl = get_language_info(code)["bidi"]
    except KeyError:
        rtl = False
    return format_html(' lang="{}" dir="{}"', code, "rtl" if rtl else "ltr")
