"""In real Chromium: H5P plays on its own origin, which cannot use the learner's session."""

import pytest
from django.core.files.base import ContentFile

from courses.factories import block_id, make_course
from courses.h5p import store
from courses.h5p.services import h5p_activity_create
from courses.h5p.xapi import player_launch
from courses.services import enrolment_create
from tests.conftest import h5p_sample

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _activity(name):
    """A real sample (skipped, or failed in CI, when missing), its libraries approved (nothing
    else plays)."""
    data = h5p_sample(name).read_bytes()
    made = h5p_activity_create(package=ContentFile(data, name=name), title=name, language="en")
    activity = store.activity_extract(activity_id=made.pk)
    assert activity.status == "ready", activity.errors
    activity.libraries.update(status="approved")
    return activity


def _player_url(h5p, activity, user):
    """The player's signed URL, as the module page makes it for an enrolled learner."""
    course, (module,) = make_course("isolation", modules=1, body=lambda i: [
        {"type": "h5p", "id": block_id("isolation/h5p"),
         "value": {"activity": str(activity.uuid), "pass_mark": None, "required": True}},
    ])  # fmt: skip
    enrolment_create(user=user, course=course)
    launch = player_launch(user=user, module_id=module.pk, activity_uuid=activity.uuid)
    return f"{h5p}/h5p/play/{activity.uuid}/{launch}/"


def test_a_script_on_the_h5p_origin_cannot_use_the_platform_session(
    page, origins, volunteer, password
):
    platform, h5p = origins
    activity = _activity("truefalse.h5p")
    page.goto(f"{platform}/accounts/login/")
    page.fill("#id_login", volunteer.email)
    page.fill("#id_password", password)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url("**/dashboard/")
    assert any(c["name"] == "acompana_session" for c in page.context.cookies(platform))

    sent_cookies = []
    page.on("request", lambda r: sent_cookies.append(r.url) if r.url.startswith(platform)
            and "cookie" in r.all_headers() else None)  # fmt: skip
    page.goto(_player_url(h5p, activity, volunteer))
    assert page.evaluate("document.cookie") == ""
    # Reading the platform from here is refused by the browser (no CORS for this origin)…
    outcome = page.evaluate(
        """async (url) => {
            try { const r = await fetch(url, {credentials: "include"}); return "read " + r.status; }
            catch (e) { return "refused"; }
        }""",
        f"{platform}/dashboard/",
    )
    assert outcome == "refused"
    # …and a blind, credentialed request carries no cookie of the platform.
    page.evaluate(
        """(url) => fetch(url, {credentials: "include", mode: "no-cors", method: "POST"})
                     .catch(() => null)""",
        f"{platform}/learn/modules/1/done/",
    )
    page.wait_for_timeout(500)
    assert sent_cookies == []
    assert page.context.cookies(h5p) == []


def test_the_true_false_activity_plays_and_reports_an_answer(page, origins, volunteer):
    _platform, h5p = origins
    activity = _activity("truefalse.h5p")
    page.goto(_player_url(h5p, activity, volunteer))
    # The content is played in the player page itself (this page is the isolated frame).
    frame = page
    frame.get_by_role("radio", name="False").wait_for(timeout=15_000)
    page.evaluate(
        """() => { window.__xapi = [];
                   H5P.externalDispatcher.on('xAPI',
                                             e => window.__xapi.push(e.data.statement)); }"""
    )
    frame.get_by_role("radio", name="False").click()
    frame.get_by_role("button", name="Check").click()
    page.wait_for_function("window.__xapi.some(s => s.verb.id.endsWith('/answered'))")
    verbs = page.evaluate("window.__xapi.map(s => s.verb.id.split('/').pop())")
    assert "answered" in verbs
    result = page.evaluate("window.__xapi.find(s => s.verb.id.endsWith('/answered')).result")
    assert "score" in result
