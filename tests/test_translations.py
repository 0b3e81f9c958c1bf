"""Every interface string is translatable and every offered language's catalogue is complete."""

import ast
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import skip_or_fail
from tests.helpers import locale_folder

ROOT = Path(__file__).resolve().parents[1]
IGNORE = [".venv", "node_modules", "bench", "tests", "staticfiles", "test-artifacts", "media"]


# The working languages: their catalogues must be complete whether or not an installation offers
# them (ACOMPANA_LANGUAGES). Others (Arabic, the first right-to-left language) may lag behind.
REQUIRED = ["es", "pt-br", "fr", "id"]


def _offered_catalogues():
    return sorted({code for code, _name in settings.LANGUAGES if code != "en"} | set(REQUIRED))


def _catalogue(code: str) -> Path:
    return ROOT / "locales" / locale_folder(code) / "LC_MESSAGES" / "django.po"


def _statistics(po: Path) -> str:
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.fixture(autouse=True)
def _gettext():
    if not shutil.which("msgfmt"):
        skip_or_fail("gettext (msgfmt) is not installed")


@pytest.mark.parametrize("code", _offered_catalogues())
def test_catalogue_has_no_untranslated_or_fuzzy_entry(code):
    po = _catalogue(code)
    assert po.exists(), f"{po} is missing"
    stats = _statistics(po)
    assert "untranslated" not in stats and "fuzzy" not in stats, f"{po}: {stats}"


@pytest.mark.parametrize("code", _offered_catalogues())
def test_catalogue_knows_every_string_in_the_code(code, tmp_path, settings, monkeypatch):
    """Regenerate the catalogue from the code into a copy: nothing new may appear untranslated."""
    copy = tmp_path / "locales"
    shutil.copytree(ROOT / "locales", copy)
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(ROOT)
    call_command(
        "makemessages",
        locale=[locale_folder(code)],
        ignore_patterns=IGNORE,
        no_obsolete=True,
        verbosity=0,
    )
    stats = _statistics(copy / locale_folder(code) / "LC_MESSAGES" / "django.po")
    assert "untranslated" not in stats and "fuzzy" not in stats, (
        f"strings in the code are missing from locales/{code}: {stats} "
        "Run `make messages` and translate them."
    )


PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|%[sd]|\{[A-Za-z_]+\}")


@pytest.mark.parametrize("po", sorted((ROOT / "locales").glob("*/LC_MESSAGES/django.po")),
                         ids=lambda po: po.parts[-3])  # fmt: skip
def test_translations_keep_every_placeholder(po):
    """A translation that drops or misspells %(name)s breaks the page (or shows the raw code):
    every translated entry of every catalogue keeps the placeholders of its source."""
    broken = []
    for entry in polib.pofile(str(po)):
        if entry.obsolete or not entry.translated():
            continue
        if entry.msgid_plural:
            wanted = set(PLACEHOLDER.findall(entry.msgid_plural))
            for form, text in entry.msgstr_plural.items():
                found = set(PLACEHOLDER.findall(text))
                # A form for exactly one (or two) may spell the number out.
                if found != wanted and not (found < wanted and form in (0, 1, 2)):
                    broken.append(f"{entry.msgid_plural!r}[{form}]: {text!r}")
        elif set(PLACEHOLDER.findall(entry.msgid)) != set(PLACEHOLDER.findall(entry.msgstr)):
            broken.append(f"{entry.msgid!r}: {entry.msgstr!r}")
    assert not broken, f"{po}: placeholders changed in {len(broken)} entries: " + "; ".join(
        broken[:10]
    )


TRANSLATION_CALLS = {"gettext", "_", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext",
                     "pgettext_lazy", "npgettext", "gettext_noop"}  # fmt: skip


def test_no_string_is_marked_for_translation_inside_an_f_string():
    """makemessages (xgettext) does not look inside f-strings: a string marked there never
    reaches the catalogues, and people read it in English whatever their language (the quiz's
    "Not correct yet" and the reflection's "Save draft" did, found by a browser check). Mark it
    in a variable first, and put the variable in the f-string."""
    found = []
    for app in ("training", "courses", "cohorts", "certificates", "community", "care"):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if not isinstance(node, ast.JoinedStr):
                    continue
                for call in ast.walk(node):
                    function = getattr(call, "func", None)
                    name = getattr(function, "id", None) or getattr(function, "attr", None)
                    if isinstance(call, ast.Call) and name in TRANSLATION_CALLS:
                        found.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(call)}")
    assert not found, "\n".join(found)
