"""Real-browser journeys: Debian's Chromium driven by Playwright against pytest-django's server."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from training.demo import ensure_site

# The browser (one Chromium for the whole run, shared with tests/faults): tests/conftest.py.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(autouse=True)
def _site_tree(transactional_db):
    """Transactional tests empty every table between tests: put the Wagtail tree back."""
    ensure_site()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(
        locale=getattr(request, "param", {}).get("locale", "en-GB"),
        timezone_id="America/Bogota",
        viewport={"width": 1100, "height": 900},
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def origins(live_server, settings):
    """The platform at localhost:PORT, H5P at 127.0.0.1:PORT: two hosts, two cookie jars, as in
    production."""
    port = urlsplit(live_server.url).port
    settings.ACOMPANA_PLATFORM_ORIGIN = f"http://localhost:{port}"
    settings.H5P_ORIGIN = f"http://127.0.0.1:{port}"
    return settings.ACOMPANA_PLATFORM_ORIGIN, settings.H5P_ORIGIN
