"""HTML written in Python, for the few hot fragments where Django's template engine cost more
than the reads behind them (issue 18: the dashboard's sections were ~45% of what the dashboard
costs beyond a plain page). The output is what the template gave, whitespace aside: values
escaped and localized as `{{ value }}` does it; the text of `{% translate "literal" %}` and
`{% blocktranslate %}` as translated, not escaped (a template's literals and their translations
are trusted). The messages are written `_("…")` (or `gettext_noop("…")` for `btr`) where
they are used, so that `makemessages` finds them; their msgids are the templates' own, so the
catalogues did not change.

    done = gettext_noop("%(done)s of %(total)s required modules completed.")
    return html(["<h2>", _("Your learning"), "</h2><p>", btr(done, done=2, total=5), "</p>"])
    return html(parts)
"""

from django.conf import settings
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext, override


def esc(value) -> str:
    """`{{ value }}`: in the viewer's time zone and language's format, escaped."""
    if value is None:
        return "None"
    if not isinstance(value, str):
        value = localize(template_localtime(value, use_tz=settings.USE_TZ))
        if not isinstance(value, str):
            value = str(value)
    return conditional_escape(value)


def btr(message: str, **values) -> str:
    """`{% blocktranslate with name=value %}…{% endblocktranslate %}`: the translation of
    `message` as it is, each value escaped. `message` is the msgid (trimmed where the tag was),
    written `gettext_noop("…")` so that `makemessages` finds it. A translation that does not fit
    its values (a placeholder lost or misspelt) gives the English text, as the tag does."""
    data = {name: esc(value) for name, value in values.items()}
    try:
        return gettext(message) % data
    except (KeyError, ValueError, TypeError):
        return message % data


def btr_plural(translate, **values) -> str:
    """`{% blocktranslate count n=… %}…{% plural %}…{% endblocktranslate %}`: `translate` gives
    the message for the count, `lambda: ngettext("%(n)s minute", "%(n)s minutes", n)` (the
    literals in the call, so that `makemessages` finds them); each value escaped. A translation
    that does not fit its values gives the English text, as the tag does."""
    data = {name: esc(value) for name, value in values.items()}
    try:
        return translate() % data
    except (KeyError, ValueError, TypeError):
        with override(None):
            return translate() % data


def attr(value) -> str:
    """A value inside an attribute's quotes: escaped as `{{ value }}` is."""
    return esc(value)


def section_start(key: str, heading: str) -> str:
    """A dashboard section's opening: the region named by its heading (`heading`: translated
    text, a template's literal)."""
    return f'<section aria-labelledby="{key}-heading">\n<h2 id="{key}-heading">{heading}</h2>\n'


def html(parts) -> SafeString:
    """The parts joined: already escaped where they came from values."""
    return mark_safe("".join(parts))  # noqa: S308 — values were escaped by esc/btr
