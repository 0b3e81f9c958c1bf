import os
import shutil
import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from celery.result import _set_task_join_will_block
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation
from playwright.sync_api import sync_playwright
from wagtail.models import Locale

from training.factories import UserFactory
from training.roles import Role

IN_CI = bool(os.environ.get("CI"))

# The real H5P sample packages sit beside the repository (../shared/h5p-samples), on developers'
# machines and in CI alike; a clone elsewhere has none. Only the player and browser tests need
# them: the rest build their own packages (tests/h5p_factory.py).
H5P_SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "h5p-samples"


def skip_or_fail(reason: str):
    """Skip on a developer's machine that lacks a service; in CI a missing service is a failure."""
    if IN_CI:
        pytest.fail(f"{reason} (CI must provide it)")
    pytest.skip(reason)


def h5p_sample(name: str) -> Path:
    """The path of one real H5P sample package; skips (fails in CI) when it is not there."""
    path = H5P_SAMPLES / name
    if not path.is_file():
        skip_or_fail(
            f"the real H5P sample package {name} is not at {path} "
            "(put the shared samples in ../shared/h5p-samples beside the repository)"
        )
    return path


@pytest.fixture
def h5p_samples():
    """The folder of the real H5P sample packages; skips (fails in CI) when it is missing."""
    for name in ("truefalse.h5p", "questionset-multichoice.h5p"):
        h5p_sample(name)
    return H5P_SAMPLES


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ACOMPANA_H5P_ROOT = tmp_path / "h5p"
    # Certificates' PDFs and pool spreadsheets (the private storage reads it when used).
    settings.ACOMPANA_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _default_language():
    """Requests activate the person's language in this thread; each test starts in English."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Ids are reused between tests (rolled back): nothing cached may outlive a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def spanish(settings):
    """Every language offered (a deployment may offer fewer), and the Spanish locale of content."""
    settings.LANGUAGES = list(settings.ALL_LANGUAGES.items())
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES
    locale, _created = Locale.objects.get_or_create(language_code="es")
    return locale


@pytest.fixture
def password():
    return "correct horse battery staple"


@pytest.fixture
def volunteer(db):
    return UserFactory(email="vol@example.org", display_name="Vol")


@pytest.fixture
def trainer(db):
    return UserFactory(email="trainer@example.org", display_name="Trainer T", roles=[Role.TRAINER])


@pytest.fixture
def coordinator(db):
    return UserFactory(email="coord@example.org", display_name="Coord", roles=[Role.COORDINATOR])


@pytest.fixture
def administrator(db):
    return UserFactory(email="root@example.org", display_name="Root", roles=[Role.ADMINISTRATOR])


def enrol_totp(user):
    """Enrol an authenticator for `user` the way allauth stores it; return the secret."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def login_with_mfa(client, user):
    """Sign `user` in as allauth would after password and TOTP: enrolled, and the session
    records that its second factor was passed."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        enrol_totp(user)
    client.force_login(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()


@pytest.fixture
def administrator_client(client, administrator):
    """The test client, signed in as the administrator with a second factor (Wagtail's admin
    and the staff pages ask for it)."""
    login_with_mfa(client, administrator)
    return client


@pytest.fixture(autouse=True)
def _celery_joining_allowed():
    """Celery's "joining a result would block" flag is process-wide, and two threads running
    eager tasks at once (the cohort race tests) can leave it set; no test runs inside a task."""
    yield

    _set_task_join_will_block(False)


def migrate_to(targets):
    """Migrate the test database to `targets` ([(app, migration)]) and return the apps as they
    were there (for tests of data migrations; use with `latest_schema_after`)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_after(transactional_db):
    """Migrations run outside a test's transaction (SQLite's schema editor refuses inside one):
    the test's rows are flushed afterwards, so the schema is put back to the latest first."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


# --- The browser ----------------------------------------------------------------------------------
# One Chromium for the whole run, for every test that drives it (tests/browser, tests/faults):
# Playwright's sync API runs an event loop in this thread, and a second sync_playwright() in the
# same thread while the first lives is refused. The ORM calls the tests make between browser
# steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
