"""Time zones as people recognise them: a place and its country in the reader's language
("Santiago de Chile", "Yakarta (Indonesia)", "Buenos Aires (Argentina)"), from the Unicode CLDR
data that Babel ships; and the list people choose from, without the database's legacy aliases
(America/Buenos_Aires is America/Argentina/Buenos_Aires), grouped by region.
Inside brackets, after a time, the place reads "Madrid, Spain", not "(Madrid (Spain))".

Labels are computed once per (zone, language) and kept for the life of the process."""

import re
import unicodedata
import zoneinfo
from functools import lru_cache

from babel import Locale
from babel.core import UnknownLocaleError, get_global
from babel.dates import get_timezone_location
from django.conf import settings
from django.utils.translation import get_language, pgettext_lazy, to_locale

UTC = "UTC"


def is_place_time_zone(name: str) -> bool:
    """A zone named after a place ("America/Lima"), or UTC: not the database's other entries
    ("Factory", "localtime", "posixrules", "EST5EDT", "Etc/GMT+5")."""
    return name == UTC or ("/" in name and not name.startswith(("Etc/", "posix/", "right/")))


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Legacy zone name -> the canonical zone it stands for (CLDR's list, which follows the
    tz database's "backward" file but keeps a zone per country, e.g. Europe/Oslo)."""
    known = zoneinfo.available_timezones()
    return {
        alias: canonical
        for alias, canonical in get_global("zone_aliases").items()
        # UTC is offered as such (CLDR's canonical name, Etc/UTC, is not a place).
        if alias in known and canonical in known and alias != UTC
    }


@lru_cache(maxsize=1)
def canonical_zones() -> frozenset[str]:
    """The zones a person may pick: places (and UTC), each once."""
    legacy = aliases()
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if is_place_time_zone(name) and name not in legacy
    )


def _locale(language: str | None) -> Locale:
    try:
        return Locale.parse(to_locale(language or settings.LANGUAGE_CODE))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _language(language: str | None) -> str:
    return (language or get_language() or settings.LANGUAGE_CODE).lower()


# Languages written with the Arabic comma (as in training/formats/ar: "14 مارس 2027، 13:00").
_ARABIC_COMMA = frozenset({"ar", "fa", "ur", "ps", "sd", "ug", "ckb"})


@lru_cache(maxsize=8192)
def _parts(zone: str, language: str) -> tuple[str, str]:
    """(place, its country), the country empty when the place already names it."""
    if zone == UTC or not is_place_time_zone(zone):
        return zone, ""
    locale = _locale(language)
    canonical = aliases().get(zone, zone)
    try:
        city = get_timezone_location(canonical, locale=locale, return_city=True)
    except (LookupError, ValueError):
        city = ""
    city = city or canonical.rsplit("/", 1)[-1].replace("_", " ")
    territory = get_global("zone_territories").get(canonical)
    country = locale.territories.get(territory) if territory else None
    # "Santiago de Chile" and "Kuwait" already name their country.
    if not country or re.search(rf"\b{re.escape(country)}\b", city):
        return city, ""
    return city, country


def _label(zone: str, language: str) -> str:
    city, country = _parts(zone, language)
    return f"{city} ({country})" if country else city


def zone_label(zone: str, language: str | None = None) -> str:
    """`zone` as a place in `language` (default: the active one): "Santiago de Chile",
    "Jakarta (Indonesia)"; "UTC" stays "UTC"."""
    if not zone:
        return ""
    return _label(zone, _language(language))


def zone_label_inline(zone: str, language: str | None = None) -> str:
    """The same place for inside brackets, where "(Madrid (Spain))" would nest them:
    "Madrid, Spain" ("مدريد، إسبانيا" with the Arabic comma), "Santiago de Chile", "UTC"."""
    if not zone:
        return ""
    language = _language(language)
    city, country = _parts(zone, language)
    if not country:
        return city
    comma = "، " if language.split("-")[0] in _ARABIC_COMMA else ", "
    return f"{city}{comma}{country}"


# The regions of the list, from the first part of the zone's name: CLDR's names of the UN's
# regions where there is one (translated by CLDR), our words for the oceans.
_REGIONS = {
    "Africa": "002",
    "America": "019",
    "Antarctica": "AQ",
    "Arctic": "150",
    "Asia": "142",
    "Europe": "150",
    "Australia": "009",
    "Pacific": "009",
    # Translators: a group of time zones in a list (islands of the Atlantic Ocean).
    "Atlantic": pgettext_lazy("time zones", "Atlantic Ocean"),
    # Translators: a group of time zones in a list (islands of the Indian Ocean).
    "Indian": pgettext_lazy("time zones", "Indian Ocean"),
}


def _region_label(zone: str, locale: Locale) -> str:
    region = _REGIONS.get(zone.split("/", 1)[0])
    if region is None:
        return ""
    if isinstance(region, str):
        return locale.territories.get(region, region)
    return str(region)


def _sort_key(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def _option(zone: str, language: str) -> tuple[str, str]:
    label = _label(zone, language)
    if zone in aliases():
        # A legacy name kept for whoever has it, told apart from its canonical zone.
        label = f"{label} · {zone}"
    return zone, label


def _extra(current: str) -> list[str]:
    if current and current not in canonical_zones() and current in zoneinfo.available_timezones():
        return [current]
    return []


@lru_cache(maxsize=256)
def _flat(language: str, current: str) -> tuple[tuple[str, str], ...]:
    zones = sorted(canonical_zones() - {UTC}) + _extra(current)
    options = sorted((_option(z, language) for z in zones), key=lambda o: _sort_key(o[1]))
    return ((UTC, UTC), *options)


@lru_cache(maxsize=256)
def _grouped(language: str, current: str) -> tuple:
    locale = _locale(language)
    groups: dict[str, list[tuple[str, str]]] = {}
    loose = [(UTC, UTC)]
    for zone in sorted(canonical_zones() - {UTC}) + _extra(current):
        region = _region_label(zone, locale)
        (groups.setdefault(region, []) if region else loose).append(_option(zone, language))
    ordered = sorted(groups.items(), key=lambda item: _sort_key(item[0]))
    return (
        *loose,
        *(
            (region, tuple(sorted(options, key=lambda o: _sort_key(o[1]))))
            for region, options in ordered
        ),
    )


def flat_choices(current: str = "", language: str | None = None) -> list[tuple[str, str]]:
    """UTC, then every canonical zone sorted by its label in `language`; `current` (a stored
    zone outside them, e.g. a legacy alias) stays selectable for whoever has it."""
    return list(_flat(_language(language), current or ""))


def grouped_choices(current: str = "", language: str | None = None) -> list:
    """The same, as Django's grouped choices: UTC, then one <optgroup> per region, each sorted
    by label, the regions sorted by their name in `language`."""
    return [
        (value, list(label) if isinstance(label, tuple) else label)
        for value, label in _grouped(_language(language), current or "")
    ]
