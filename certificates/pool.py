"""The responder pool as coordinators search and export it.

One filter form serves the page, the exports and the API. A person matches a filter only on a
field they share (someone who keeps their languages private never turns up in a language search,
which would reveal them), and every row carries only the fields its person agreed to share.
"""

import contextlib
import functools
from datetime import date, datetime
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import global_settings
from django.conf.locale import LANG_INFO
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from training.widgets import DatePicker

from .models import PoolMember, valid_certificates

Status = PoolMember.Status


# Languages of the regions we serve that Django's LANG_INFO does not name (named here so they
# land in our catalogue). Codes are ISO 639-1 where there is one, else ISO 639-3.
MORE_LANGUAGES = {
    "ak": _("Akan"),
    "am": _("Amharic"),
    "as": _("Assamese"),
    "ay": _("Aymara"),
    "bm": _("Bambara"),
    "bo": _("Tibetan"),
    "ceb": _("Cebuano"),
    # Translators: the language as spoken and written (LANG_INFO only names its two scripts).
    "zh": _("Chinese"),
    "ff": _("Fula"),
    "gn": _("Guarani"),
    "gu": _("Gujarati"),
    "ha": _("Hausa"),
    "ht": _("Haitian Creole"),
    "jv": _("Javanese"),
    "ku": _("Kurdish (Kurmanji)"),
    "lg": _("Luganda"),
    "ln": _("Lingala"),
    "lo": _("Lao"),
    "mg": _("Malagasy"),
    "ny": _("Chichewa"),
    "om": _("Oromo"),
    "or": _("Odia"),
    "prs": _("Dari"),
    "ps": _("Pashto"),
    "qu": _("Quechua"),
    "quc": _("K'iche'"),
    "rn": _("Kirundi"),
    "rw": _("Kinyarwanda"),
    "sd": _("Sindhi"),
    "si": _("Sinhala"),
    "sn": _("Shona"),
    "so": _("Somali"),
    "st": _("Sesotho"),
    "ti": _("Tigrinya"),
    "tl": _("Tagalog"),
    "tn": _("Setswana"),
    "wo": _("Wolof"),
    "xh": _("Xhosa"),
    "yo": _("Yoruba"),
    # Translators: the Berber language standardised in Morocco (ISO 639-3 zgh).
    "zgh": _("Tamazight"),
    "zu": _("Zulu"),
    # Django names these but its Spanish catalogue leaves them in English: ours translates them.
    "km": _("Khmer"),
    "kn": _("Kannada"),
    "udm": _("Udmurt"),
}
# Names as Django's own LANGUAGES setting spells them (its catalogue's msgids: "Norwegian
# Bokmål", not LANG_INFO's "Norwegian Bokmal"), so that Django's translations apply.
DJANGO_NAMES = dict(global_settings.LANGUAGES)
# Constructed languages nobody accompanies a person in: not offered (a code already stored
# still shows its name).
CONSTRUCTED = frozenset({"eo", "ia", "ie", "io", "vo", "jbo", "tlh", "nov", "lfn"})
# A macrolanguage offered through its members ("Norwegian": Bokmål and Nynorsk); a stored code
# still shows its name.
OVERLAPPING = frozenset({"no"})


def spoken_languages() -> list[tuple[str, str]]:
    """Languages people may list: every plain code Django knows and the languages of the
    regions we serve, without constructed languages; named in the active language and sorted
    by that name."""
    return _spoken_languages(get_language() or "en")


def _django_codes() -> list[str]:
    return [code for code in LANG_INFO if "-" not in code and "name" in LANG_INFO[code]]


@functools.lru_cache(maxsize=16)
def _language_names(language: str) -> dict[str, str]:
    """Every language code we can name (offered or not), in `language`."""
    with override(language):
        named = {code: gettext(DJANGO_NAMES.get(code, LANG_INFO[code]["name"]))
                 for code in _django_codes()}  # fmt: skip
        named |= {code: str(name) for code, name in MORE_LANGUAGES.items()}
    return named


@functools.lru_cache(maxsize=16)
def _spoken_languages(language: str) -> list[tuple[str, str]]:
    named = [(code, name) for code, name in _language_names(language).items()
             if code not in CONSTRUCTED | OVERLAPPING]  # fmt: skip
    return sorted(named, key=lambda item: item[1].casefold())


def language_name(code: str) -> str:
    """A language's name in the active language, also for a code no longer offered; unknown:
    the code itself."""
    return _language_names(get_language() or "en").get(code, code)


def languages_text(languages: list[dict] | None) -> str:
    """[{"code": "es", "level": "native"}] as "Spanish (first language)", in the active
    language."""
    if not languages:
        return ""
    levels = dict(PoolMember.LEVELS)
    return ", ".join(
        f"{language_name(item['code'])} ({levels.get(item['level'], item['level'])})"
        for item in languages
    )


@functools.lru_cache(maxsize=4)
def _zone_offsets(hour_key: str) -> dict[str, float]:
    moment = datetime.fromisoformat(hour_key)
    offsets = {}
    for name in available_timezones():
        try:
            offset = moment.astimezone(ZoneInfo(name)).utcoffset()
        except Exception:  # noqa: S112 - a broken zone file: leave it out
            continue
        offsets[name] = offset.total_seconds() / 3600
    return offsets


def zones_between(low: float, high: float, now: datetime | None = None) -> list[str]:
    """Zone names whose UTC offset is between `low` and `high` hours right now (daylight
    saving included). A range whose start is east of its end goes on eastwards across the date
    line: from +7 to -3 is +7 to +14, then -12 to -3 (Jakarta, Auckland, Honolulu, Bogotá)."""
    now = now or timezone.now()
    key = now.replace(minute=0, second=0, microsecond=0).isoformat()
    offsets = _zone_offsets(key).items()
    if low <= high:
        return sorted(name for name, hours in offsets if low <= hours <= high)
    return sorted(name for name, hours in offsets if hours >= low or hours <= high)


OFFSETS = [(str(h), f"UTC{h:+d}") for h in range(-12, 15)]


class PoolFilter(forms.Form):
    language = forms.ChoiceField(label=_("Speaks"), required=False)
    focus = forms.ChoiceField(label=_("Focus area"), required=False,
                              choices=[("", _("Any")), *PoolMember.FOCUS_AREAS])  # fmt: skip
    tz_from = forms.TypedChoiceField(label=_("Time zone from"), required=False, coerce=int,
                                     empty_value=None, choices=[("", "—"), *OFFSETS])  # fmt: skip
    tz_to = forms.TypedChoiceField(
        label=_("to"), required=False, coerce=int, empty_value=None,
        choices=[("", "—"), *OFFSETS],
        help_text=_("A range can cross the date line: from UTC+7 to UTC-3 means UTC+7 to "
                    "UTC+14 and UTC-12 to UTC-3."),
    )  # fmt: skip
    availability = forms.ChoiceField(
        label=_("Availability"), required=False,
        choices=[("available", _("Available now")), ("any", _("Available or paused"))],
    )  # fmt: skip
    min_hours = forms.IntegerField(label=_("At least (hours a week)"), required=False,
                                   min_value=0, max_value=80)  # fmt: skip
    expires_before = forms.DateField(
        label=_("Certificate expires before"), required=False,
        widget=DatePicker(),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any")), *spoken_languages()]

    def used(self) -> dict:
        """The filters in effect, as recorded with an export (JSON-ready)."""
        if not self.is_valid():
            return {}
        return {
            key: (value.isoformat() if hasattr(value, "isoformat") else value)
            for key, value in self.cleaned_data.items()
            if value not in (None, "")
        }


# What a page, an export or an API call records beside the filters (certificates/pool_views.py,
# certificates/api.py), and a label "to" alone would not explain.
FILTER_LABELS = {
    "tz_to": _("Time zone to"),
    "page": _("Page"),
    "offset": _("From row"),
    "limit": _("Rows"),
}


def filter_items(filters: dict) -> list[tuple[str, str, str]]:
    """Recorded filters (`PoolFilter.used()`) as (key, the form's label, the value it shows)."""
    fields = PoolFilter().fields
    items = []
    for key, value in (filters or {}).items():
        field = fields.get(key)
        label = FILTER_LABELS.get(key) or (field.label if field is not None else key)
        shown = value
        if isinstance(field, forms.DateField) and isinstance(value, str):
            with contextlib.suppress(ValueError):
                shown = date_format(datetime.fromisoformat(value).date())
        elif isinstance(field, forms.ChoiceField):
            shown = {str(k): v for k, v in field.choices}.get(str(value), value)
        items.append((key, str(label), str(shown)))
    return items


def filters_text(filters: dict) -> str:
    return "; ".join(f"{label}: {value}" for _key, label, value in filter_items(filters)) or "—"


def members(filters: dict | None = None, *, today=None):
    """Pool members holding a valid certificate that grants the pool, filtered; each annotated
    with `certified_until` (their latest valid certificate's expiry)."""
    filters = filters or {}
    today = today or timezone.localdate()
    until = (
        valid_certificates(today)
        .filter(user=OuterRef("user"), track__grants_pool=True)
        .order_by("-expires_on")
        .values("expires_on")[:1]
    )
    # Never a deactivated or deleted ("former member") account, whatever its pool row says.
    listed = PoolMember.objects.filter(
        status__in=[Status.ACTIVE, Status.PAUSED], user__is_active=True,
        user__anonymised_at__isnull=True,
    )  # fmt: skip
    queryset = listed.annotate(certified_until=Subquery(until)).filter(
        certified_until__isnull=False
    )
    if language := filters.get("language"):
        queryset = queryset.filter(share_languages=True, language_index__contains=f"|{language}|")
    if focus := filters.get("focus"):
        queryset = queryset.filter(share_focus_areas=True, focus_index__contains=f"|{focus}|")
    low, high = filters.get("tz_from"), filters.get("tz_to")
    if low is not None or high is not None:
        zones = zones_between(-12 if low is None else low, 14 if high is None else high)
        queryset = queryset.filter(share_time_zone=True, time_zone__in=zones)
    if filters.get("availability", "available") in ("available", ""):
        queryset = queryset.filter(status=Status.ACTIVE)
    if (hours := filters.get("min_hours")) is not None:
        queryset = queryset.filter(share_availability=True, hours_per_week__gte=hours)
    if before := filters.get("expires_before"):
        queryset = queryset.filter(certified_until__lt=before)
    return queryset.order_by("user__display_name", "pk")


# --- Rows: only what each person shares ---------------------------------------------------------
FIELDS = [
    "user__display_name", "status", "certified_until", "share_languages", "languages",
    "share_region", "region", "share_time_zone", "time_zone", "share_focus_areas", "focus_areas",
    "share_channels", "channels", "share_availability", "hours_per_week", "share_email",
    "contact_email", "contact_email_confirmed_at", "user__email", "share_phone", "contact_phone",
    "share_other", "contact_other", "user_id",
]  # fmt: skip

COLUMNS = [
    ("id", _("Reference")),
    ("display_name", _("Display name")),
    ("languages", _("Languages")),
    ("region", _("Region")),
    ("time_zone", _("Time zone")),
    ("focus_areas", _("Focus areas")),
    ("channels", _("Channels")),
    ("availability", _("Availability")),
    ("hours_per_week", _("Hours per week")),
    ("certified_until", _("Certified until")),
    ("email", _("Email")),
    ("phone", _("Phone")),
    ("other_contact", _("Other contact")),
]


def reference(user_id: int) -> str:
    """A stable reference for a person in exports and the API that is not their database id
    (hexadecimal: never mistaken for a formula, never changed by neutralisation)."""
    return salted_hmac("acompana.pool.reference", str(user_id)).hexdigest()[:16]


def record(values: dict) -> dict:
    """One person's shared fields, from a `members().values(*FIELDS)` row. Not shared: None."""
    paused = values["status"] == Status.PAUSED
    return {
        "id": reference(values["user_id"]),
        "display_name": str(values["user__display_name"]),  # never the lazy "Former member"
        "languages": values["languages"] if values["share_languages"] else None,
        "region": values["region"] if values["share_region"] else None,
        "time_zone": values["time_zone"] if values["share_time_zone"] else None,
        "focus_areas": values["focus_areas"] if values["share_focus_areas"] else None,
        "channels": values["channels"] if values["share_channels"] else None,
        "availability": "paused" if paused else "available",
        "hours_per_week": values["hours_per_week"] if values["share_availability"] else None,
        "certified_until": values["certified_until"].isoformat(),
        # Each contact only with its own consent.
        "email": _shared_email(values) if values["share_email"] else None,
        "phone": (values["contact_phone"] or None) if values["share_phone"] else None,
        "other_contact": (values["contact_other"] or None) if values["share_other"] else None,
    }  # fmt: skip


def _shared_email(values: dict) -> str | None:
    """The pool's email once its owner confirmed it; none while it waits (never the sign-in
    email instead); with no pool email, the sign-in email."""
    if values["contact_email"]:
        return values["contact_email"] if values["contact_email_confirmed_at"] else None
    return values["user__email"] or None


def cells(row: dict) -> list:
    """A record as spreadsheet cells, in the active language: codes as their labels ("Spanish
    (First language)", "Harassment response", "Paused"), hours per week as a number, the expiry
    as a date; nothing shared: None."""
    focus_names = dict(PoolMember.FOCUS_AREAS)
    channel_names = dict(PoolMember.CHANNELS)
    values = []
    for key, _label in COLUMNS:
        value = row[key]
        if value is None:
            pass
        elif key == "languages":
            value = languages_text(value)
        elif key == "focus_areas":
            value = ", ".join(str(focus_names.get(code, code)) for code in value)
        elif key == "channels":
            value = ", ".join(str(channel_names.get(code, code)) for code in value)
        elif key == "availability":
            value = str(AVAILABILITY.get(value, value))
        elif key == "certified_until":
            value = date.fromisoformat(value)
        values.append(value)
    return values


AVAILABILITY = {"available": _("Available"), "paused": _("Paused")}


def flat(row: dict) -> list[str]:
    """A record as the text of spreadsheet cells (`cells`; dates as YYYY-MM-DD, which every
    spreadsheet reads as a date; nothing shared: empty)."""
    texts = []
    for value in cells(row):
        if value is None:
            value = ""
        elif isinstance(value, date):
            value = value.isoformat()
        texts.append(str(value))
    return texts
