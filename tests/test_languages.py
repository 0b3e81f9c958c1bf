"""Pages in every interface language: `lang` and `dir` set, and no interface string the catalogue
translates left in English on the page."""

import html
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from tests.helpers import locale_folder

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ["es", "pt-br", "fr", "id", "ar"]
PLACEHOLDER = re.compile(r"%\(|%[sd]|\{")


def _known(code: str) -> tuple[list[str], list[str]]:
    """English strings the catalogue translates (long enough to be unambiguous on a page), and
    the ones it does not translate yet (longest first)."""
    po = polib.pofile(str(ROOT / "locales" / locale_folder(code) / "LC_MESSAGES" / "django.po"))
    translated, untranslated = [], []
    for entry in po:
        if entry.obsolete or entry.msgid_plural:
            continue
        if not entry.translated():
            untranslated.append(entry.msgid)
        elif (entry.msgstr != entry.msgid and len(entry.msgid) >= 14
              and not PLACEHOLDER.search(entry.msgid) and "<" not in entry.msgid):  # fmt: skip
            translated.append(entry.msgid)
    return translated, sorted(untranslated, key=len, reverse=True)


def _left_in_english(page: str, known) -> list[str]:
    translated, untranslated = known
    text = _text(page)
    for msgid in untranslated:  # an entry not translated yet may contain a translated one
        text = text.replace(msgid, " ")
    return [msgid for msgid in translated if msgid in text]


def _text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def every_language(settings):
    settings.LANGUAGES = list(settings.ALL_LANGUAGES.items())


@pytest.mark.parametrize("code", LANGUAGES)
def test_pages_are_in_the_chosen_language(client, every_language, settings, code, volunteer):
    known = _known(code)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code
    pages = ["/", reverse("account_login"), reverse("account_signup"), reverse("cohorts:list")]
    direction = "rtl" if code == "ar" else "ltr"
    for url in pages:
        page = client.get(url).content.decode()
        assert f'<html lang="{code}" dir="{direction}">' in page, url
        left = _left_in_english(page, known)
        assert not left, f"{url} in {code} shows untranslated: {left[:5]}"

    volunteer.preferred_language = code
    volunteer.save(update_fields=["preferred_language"])
    client.force_login(volunteer)
    for url in [reverse("dashboard"), reverse("profile"), reverse("certificates:mine")]:
        page = client.get(url).content.decode()
        assert f'<html lang="{code}" dir="{direction}">' in page, url
        left = _left_in_english(page, known)
        assert not left, f"{url} in {code} shows untranslated: {left[:5]}"


def test_right_to_left_pages_mirror(client, every_language, settings, db):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.get(reverse("account_login")).content.decode()
    assert 'dir="rtl"' in page
    css = re.sub(r"/\*.*?\*/", "", (ROOT / "static" / "css" / "site.css").read_text(), flags=re.S)
    # Layout uses logical properties only: a physical side would not mirror.
    assert not re.search(r"(margin|padding|border)-(left|right)\b|\b(left|right)\s*:", css)
    assert "[dir=rtl] .arrow" in css
