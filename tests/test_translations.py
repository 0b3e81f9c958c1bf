"""Every interface string is translatable and every offered language's catalogue is complete."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.conftest import skip_or_fail

ROOT = Path(__file__).resolve().parents[1]
IGNORE = [".venv", "node_modules", "bench", "tests", "staticfiles", "test-artifacts", "media"]


def _offered_catalogues():
    return [code for code, _name in settings.LANGUAGES if code != "en"]


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
    po = ROOT / "locales" / code.replace("-", "_") / "LC_MESSAGES" / "django.po"
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
        locale=[code.replace("-", "_")],
        ignore_patterns=IGNORE,
        no_obsolete=True,
        verbosity=0,
    )
    stats = _statistics(copy / code.replace("-", "_") / "LC_MESSAGES" / "django.po")
    assert "untranslated" not in stats and "fuzzy" not in stats, (
        f"strings in the code are missing from locales/{code}: {stats} "
        "Run `make messages` and translate them."
    )
