from zoneinfo import ZoneInfo

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import get_language, get_language_info

from ..i18n import content_language
from ..text import single_stop as collapse
from ..timezones import zone_label as place
from ..timezones import zone_label_inline as inline_place

register = template.Library()


def _local(value, zone: str | None):
    name = zone or timezone.get_current_timezone_name()
    return timezone.localtime(value, ZoneInfo(name) if zone else None), name


@register.filter
def when(value, zone=None):
    """A date and time in the viewer's time zone (or in `zone`), with the zone named as a place:
    people compare times across continents, so a bare "03:58" is not enough.
    "14 March 2027, 13:00 (Santiago, Chile)"; the style per language is in training/formats."""
    if not value:
        return ""
    local, name = _local(value, zone)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({inline_place(name)})"


@register.simple_tag
def time_range(start, end, zone=None, named=True):
    """A session's time, in the viewer's zone (or in `zone`), the zone named once:
    "14 March 2027, 13:00-14:30 (Santiago, Chile)" with an en dash; over midnight both days:
    "14 March 2027, 23:00 - 15 March 2027, 01:00 (…)". `named=False`: without the zone, where
    the place is said just before."""
    if not start:
        return ""
    if not end:
        end = start
    local_start, name = _local(start, zone)
    local_end, _ = _local(end, zone)
    first = formats.date_format(local_start, "DATETIME_FORMAT")
    if local_start.date() == local_end.date():
        span = first
        if local_end != local_start:
            span += f"\N{EN DASH}{formats.time_format(local_end, 'TIME_FORMAT')}"
    else:
        last = formats.date_format(local_end, "DATETIME_FORMAT")
        span = f"{first} \N{EN DASH} {last}"
    return f"{span} ({inline_place(name)})" if named else span


@register.simple_tag(takes_context=True)
def dashboard_section(context, section):
    """A dashboard section (training.dashboard): its HTML written in Python when it has a
    `render`, else its template included with `data`, as `{% include %}` would."""
    if section.get("render") is not None:
        return section["render"](section["data"])
    template = context.template.engine.get_template(section["template"])
    with context.push(data=section["data"]):
        return template.render(context)


@register.filter
def zone_label(zone):
    """A zone's name as a place in the reader's language: "Yakarta (Indonesia)"."""
    return place(zone or "")


@register.filter
def zone_label_inline(zone):
    """The same place for inside brackets: "Yakarta, Indonesia", not "(Yakarta (Indonesia))"."""
    return inline_place(zone or "")


@register.filter
def single_stop(text):
    """A sentence that ends with a name ending in a full stop ("Ana G.") keeps one full stop,
    not two ("signed in as Ana G.."). An ellipsis ("...") is left alone."""
    return collapse(text)


@register.simple_tag
def content_lang(page):
    """` lang="…" dir="…"` for an element holding `page`'s words when they are not in the
    language of the interface (an untranslated page shows its original's words): screen readers
    pronounce them right, and English punctuation stays in place on an Arabic page."""
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
