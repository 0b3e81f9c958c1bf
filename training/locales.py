"""The site's locales by id and language code, cached in the process.

Locales change rarely (an administrator adds one): their codes are cached in the process and
forgotten whenever a locale is saved or deleted, and at their first use in a request when any
process changed one or the cache was emptied (training.routing's generation: a test database
emptied between tests gives the same language a new id, and tests empty the cache). Routing
(training) and pages in several languages (training.i18n) both read them.
"""

from django.conf import settings
from wagtail.models import Locale

_CODES: dict[int, str] = {}


def forget_locales(**kwargs) -> None:
    # A new dict, never one changed in place: another thread (gthread workers) may be reading
    # the old one.
    global _CODES
    _CODES = {}


def _codes() -> dict[int, str]:
    global _CODES
    # The generation, checked once per request. Here, not at the top: routing imports this
    # module (a new generation forgets the codes).
    from .routing import validated_in_request  # noqa: PLC0415

    validated_in_request()
    codes = _CODES  # read once: forget_locales may swap it meanwhile
    if not codes:
        codes = dict(Locale.objects.values_list("pk", "language_code"))
        _CODES = codes
    return codes


def locale_code(locale_id: int | None) -> str | None:
    return _codes().get(locale_id)


def locale_id_for(language: str) -> int | None:
    """The id of the locale of `language`, if the site has one."""
    return next((pk for pk, code in _codes().items() if code == language), None)


def default_locale_id() -> int | None:
    """The locale of originals (LANGUAGE_CODE)."""
    return locale_id_for(settings.LANGUAGE_CODE)
