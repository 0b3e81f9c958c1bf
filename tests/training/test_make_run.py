"""`make run` as a first visitor meets it: an icon, the site's own 404 page, a true banner."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from training.friendly_errors import FriendlyNotFoundMiddleware

BASE_DIR = Path(__file__).resolve().parent.parent.parent
FRIENDLY = "training.friendly_errors.FriendlyNotFoundMiddleware"


@pytest.mark.django_db
def test_pages_name_the_sites_icon_and_favicon_ico_leads_to_it(client):
    body = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in body

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.svg"
    assert "max-age=86400" in response["Cache-Control"]
    icon = (BASE_DIR / "static" / "favicon.svg").read_text()
    assert icon.startswith("<svg") and 'viewBox="0 0 32 32"' in icon


@pytest.fixture
def development(settings):
    """What settings/dev.py gives `make run`: DEBUG on, the friendly 404 last."""
    settings.DEBUG = True
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, FRIENDLY]
    return settings


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/no-such-page/",  # Wagtail finds no page (a view raises Http404)
        "/no-such-file.txt",  # no URL pattern matches at all
        "/learn/h5p/not-a-number/",
    ],
)
def test_a_missing_page_under_make_run_is_the_sites_small_404_page(client, development, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="es")
    body = response.content.decode()
    assert response.status_code == 404
    assert "No encontramos esa página" in body
    # Not Django's technical page, with every URL pattern of the project (21 KB).
    assert "URLconf" not in body and "DEBUG = True" not in body
    assert len(response.content) < 12_000


@pytest.mark.django_db
def test_without_the_middleware_debug_shows_djangos_technical_page(client, settings):
    """The control: what `make run` showed before (and shows with ACOMPANA_TECHNICAL_404)."""
    settings.DEBUG = True
    body = client.get("/no-such-file.txt").content.decode()
    assert "URLconf" in body


@pytest.mark.django_db
def test_a_trailing_slash_redirect_still_happens_before_the_404(client, development):
    response = client.get("/accounts/login")
    assert response.status_code == 301
    assert response["Location"] == "/accounts/login/"


def test_errors_keep_djangos_traceback_in_development(settings):
    settings.DEBUG = True
    middleware = FriendlyNotFoundMiddleware(lambda request: None)
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("boom")) is None


def test_the_development_settings_use_it_and_follow_the_served_address(tmp_path):
    script = (
        "from training.settings import dev\n"
        "print(dev.MIDDLEWARE[-1]); print(dev.WAGTAILADMIN_BASE_URL)"
    )
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "ACOMPANA_PLATFORM_ORIGIN": "http://127.0.0.1:8093",
    }
    env.pop("DJANGO_DEBUG", None)
    env.pop("WAGTAILADMIN_BASE_URL", None)
    env.pop("ACOMPANA_TECHNICAL_404", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [FRIENDLY, "http://127.0.0.1:8093"]


def test_the_banner_names_the_address_runserver_serves(settings):
    settings.ACOMPANA_PLATFORM_ORIGIN = "http://127.0.0.1:8093"
    out = io.StringIO()
    call_command("demo_logins", address="127.0.0.1:8093", stdout=out)
    assert "Acompaña is starting on http://127.0.0.1:8093\n" in out.getvalue()
    assert "ACOMPANA_PLATFORM_ORIGIN" not in out.getvalue()

    # A setting from the environment that says otherwise is named, never presented as the address.
    settings.ACOMPANA_PLATFORM_ORIGIN = "http://127.0.0.1:8000"
    out = io.StringIO()
    call_command("demo_logins", address="127.0.0.1:8093", stdout=out)
    assert "Acompaña is starting on http://127.0.0.1:8093\n" in out.getvalue()
    assert "ACOMPANA_PLATFORM_ORIGIN=http://127.0.0.1:8000" in out.getvalue()


def test_make_run_gives_the_banner_and_runserver_the_same_port():
    result = subprocess.run(
        ["make", "-n", "run", "PORT=8093"], cwd=BASE_DIR, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "manage.py demo_logins --address 127.0.0.1:8093" in result.stdout
    assert "manage.py runserver 127.0.0.1:8093" in result.stdout
