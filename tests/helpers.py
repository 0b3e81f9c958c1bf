"""Helpers shared by test files of several apps: the race runner, signing in, reading responses
(pages, streamed files, CSV), the privacy registry as the deletion and the download use it,
translating a page as wagtail-localize does, and H5P activities and requests. Fixtures live in
the conftest files; factories in each app's `factories.py`."""

import csv
import io
import json
import threading

from django.core.files.base import ContentFile
from django.db import connections
from django.urls import reverse
from django.utils import timezone
from wagtail_localize.models import TranslationSource

from courses.h5p import store
from courses.h5p.services import h5p_activity_create
from courses.models import H5PLibrary
from training import privacy
from training.models import FORMER_MEMBER_LABEL


# --- Races --------------------------------------------------------------------------------------
def run_together(*calls):
    """Run each call in its own thread, released at the same moment; return what each returned
    or raised, in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except Exception as error:  # reported to the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results


# --- Signing in ---------------------------------------------------------------------------------
def sign_in(client, email, password):
    """Post allauth's sign-in form, as a person (or someone guessing) does."""
    return client.post(reverse("account_login"), {"login": email, "password": password})


# --- Responses ----------------------------------------------------------------------------------
def page(response) -> str:
    return response.content.decode()


def content(response) -> bytes:
    """The whole body of a streamed response (downloads, exports)."""
    return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    """The rows of a streamed CSV response."""
    return list(csv.reader(io.StringIO(content(response).decode())))


# --- Languages ----------------------------------------------------------------------------------
def locale_folder(code: str) -> str:
    """The folder under locales/ of a language code: "pt-br" → "pt_BR"."""
    language, _sep, region = code.partition("-")
    return f"{language}_{region.upper()}" if region else language


# --- Privacy ------------------------------------------------------------------------------------
def export_rows(label, person):
    """What the download holds for `person` from one declaration, checked JSON-ready (no
    datetimes, decimals or lazy strings left)."""
    rows = privacy.REGISTRY[label].export_rows(person)
    json.dumps(rows)
    return rows


def erase_declared(person, app_label: str) -> None:
    """What the deletion does, in the registry's order (the declarations of one app only)."""
    for declaration in privacy.declarations():
        if declaration.model.startswith(f"{app_label}."):
            declaration.erase_rows(person)


def anonymise_by_hand(user) -> None:
    """What the deletion does to the account row (training/deletion.py), done by hand."""
    user.display_name = FORMER_MEMBER_LABEL
    user.email = f"deleted-{user.pk}-test@deleted.invalid"
    user.first_name = user.last_name = user.legal_name = ""
    user.anonymised_at = timezone.now()
    user.save()


# --- Translations -------------------------------------------------------------------------------
def translate(page, locale, *, refresh_source=False, **changes):
    """Translate `page` into `locale` as an editor would with wagtail-localize, change the given
    fields in the translation (its words) and publish it. `refresh_source=True` reads the page
    again into an existing translation source first."""
    source, _created = TranslationSource.get_or_create_from_instance(page)
    if refresh_source:
        source.update_from_db()
    translation, _created = source.create_or_update_translation(
        locale, publish=False, fallback=True
    )
    for field, value in changes.items():
        setattr(translation, field, value)
    translation.save_revision().publish()
    return type(page).objects.get(pk=translation.pk)


# --- H5P ----------------------------------------------------------------------------------------
H5P_HOST = "h5p.testserver"  # H5P_ORIGIN in the test settings: the player's own origin


def h5p_get(client, path, **extra):
    """GET `path` from the H5P origin (the player, its files), not the platform's."""
    return client.get(path, HTTP_HOST=H5P_HOST, **extra)


def h5p_upload(data: bytes, *, title="Test", name="test.h5p", language="en", **options):
    """An activity made from package bytes as an editor's upload makes it (not extracted yet)."""
    return h5p_activity_create(
        package=ContentFile(data, name=name), title=title, language=language, **options
    )


def h5p_activity(data: bytes, *, title, name="tf.h5p", language="en", approve=True):
    """An activity made from package bytes and extracted, its libraries approved (nothing plays
    before) unless `approve=False`."""
    made = h5p_upload(data, title=title, name=name, language=language)
    activity = store.activity_extract(activity_id=made.pk)
    if approve:
        activity.libraries.update(status=H5PLibrary.Status.APPROVED)
    return activity
