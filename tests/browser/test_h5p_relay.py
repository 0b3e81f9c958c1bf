"""In real Chromium: the relay tells the page when the player cannot start, instead of leaving
the learner on "Loading…" (packages built here: no outside files)."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from courses.h5p import store
from courses.h5p.services import h5p_activity_create
from courses.h5p.xapi import player_launch
from tests.h5p_factory import package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A library that really plays: H5P constructs it and attaches it to the page.
PLAYS = b"H5P.Test = function () { this.attach = function ($c) { $c.html('<p>Hola</p>'); }; };"


@pytest.fixture
def activity():
    data = package([("H5P.Test-1.0/test.js", PLAYS)], without=("H5P.Test-1.0/test.js",))
    made = h5p_activity_create(package=ContentFile(data, name="t.h5p"), title="Prueba",
                               language="es")  # fmt: skip
    activity = store.activity_extract(activity_id=made.pk)
    assert activity.status == "ready", activity.errors
    activity.libraries.update(status="approved")
    return activity


def _messages(page, origins, activity, user) -> list[str]:
    """Frame the player in a page of the platform's origin that answers "hello" as the module
    page does; the types of the messages the relay sent by the time it is ready or failed."""
    platform, h5p = origins
    launch = player_launch(user=user, module_id=1, activity_uuid=activity.uuid, preview=True)
    player = f"{h5p}/h5p/play/{activity.uuid}/{launch}/"
    page.goto(f"{platform}/accounts/login/")  # a page of the platform's origin, as the module's
    page.evaluate(
        """([h5p, player]) => {
            window.received = [];
            window.addEventListener("message", (event) => {
              if (event.origin !== h5p) { return; }
              window.received.push(event.data.type);
              if (event.data.type === "acompana:h5p:hello") {
                event.source.postMessage({ type: "acompana:h5p:launch", state: null }, h5p);
              }
            });
            const frame = document.createElement("iframe");
            frame.src = player;
            document.body.append(frame);
        }""",
        [h5p, player],
    )
    page.wait_for_function(
        """() => window.received.some(
            (t) => t === "acompana:h5p:ready" || t === "acompana:h5p:error")""",
        timeout=20_000,
    )
    page.wait_for_timeout(500)  # nothing more should follow (a second "error", say)
    return page.evaluate("window.received")


def test_a_player_that_starts_says_ready_and_nothing_failed(page, origins, activity, administrator):
    messages = _messages(page, origins, activity, administrator)
    assert "acompana:h5p:ready" in messages
    assert "acompana:h5p:error" not in messages


def test_unreadable_content_is_reported_as_an_error(page, origins, activity, administrator,
                                                    settings):  # fmt: skip
    """content.json gone: h5p-standalone's promise rejects."""
    (Path(settings.ACOMPANA_H5P_ROOT) / "content" / str(activity.uuid) / "content.json").unlink()
    messages = _messages(page, origins, activity, administrator)
    assert messages.count("acompana:h5p:error") == 1
    assert "acompana:h5p:ready" not in messages


def test_a_library_script_that_fails_to_load_is_reported_as_an_error(
    page, origins, activity, administrator, settings
):
    """A <script> that 404s: h5p-standalone waits for its `load` for ever, its promise never
    settles; the relay hears the element's `error` and tells the page."""
    library = activity.libraries.get()
    (Path(settings.ACOMPANA_H5P_ROOT) / "libraries" / library.folder_name / "test.js").unlink()
    messages = _messages(page, origins, activity, administrator)
    assert messages.count("acompana:h5p:error") == 1
    assert "acompana:h5p:ready" not in messages
