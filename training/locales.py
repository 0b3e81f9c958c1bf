"""The site's locales by id and language code, cached in the process.

Locales change rarely (an administrator adds one): their codes are cached in the process and
forgotten whenever a locale is saved or deleted, and at the start of a request when any process
changed one or the cache was emptied (training.routing's generation: a test database emptied
between tests gives the same language a new id, and tests empty the cache). Routing (training)
and courses in several languages (courses.i18n) both read them.
"""

from django.conf import settings
from wagtail.models import Locale

_CODES: dict[int, str] = {}


def forget_locales(**kwargs) -> None:
    _CODES.clear()


def _codes() -> dict[int, str]:
    if not _CODES:
        _CODES.update(Locale.objects.values_list("pk", "language_code"))
    return _CODES


def locale_code(locale_id: int | None) -> str | None:
    return _codes().get(locale_id)


def locale_id_for(language: str) -> int | None:
    """The id of the locale of `language`, if the site has one."""
    return next((pk for pk, code in _codes().items() if code == language), None)


def default_locale_id() -> int | None:
    """The locale of originals (LANGUAGE_CODE)."""
    return locale_id_for(settings.LANGUAGE_CODE)
