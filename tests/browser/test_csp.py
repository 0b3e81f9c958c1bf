"""In real Chromium, under the Content-Security-Policy: the home page, the dashboard, a module
with H5P activities and the Wagtail admin work, nothing is blocked, and their scripts run.

Every `securitypolicyviolation` event (in the page and in its frames) and every console message
is collected; a page passes when there is no violation, no error in the console, and what its
script does is visible.
"""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from courses.models import CoursePage, ModulePage
from tests.browser.test_cohort_journey import sign_in as sign_in_with_code
from tests.browser.test_h5p_learning import PLAYER_WORDS
from tests.browser.test_learning_journey import in_language, sign_in
from tests.conftest import enrol_totp
from training.demo import DEMO_PASSWORD
from training.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.__acompanaViolation({
    directive: event.effectiveDirective, blocked: event.blockedURI, source: event.sourceFile,
    line: event.lineNumber, sample: event.sample, url: document.location.href
  });
});
"""


@pytest.fixture
def watched(page):
    """The page, and what it reports: policy violations and console errors or warnings."""
    seen = {"violations": [], "console": []}

    def on_violation(report):
        seen["violations"].append(report)

    page.expose_function("__acompanaViolation", on_violation)
    page.add_init_script(REPORT)

    def on_console(message):
        # The site has no favicon: the browser's own request for one is not the page's doing.
        if message.location.get("url", "").endswith("/favicon.ico"):
            return
        if message.type in ("error", "warning") or "Content Security Policy" in message.text:
            seen["console"].append(f"{message.type}: {message.text} ({message.location})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: seen["console"].append(f"pageerror: {error}"))
    return page, seen


def assert_clean(seen, where):
    assert seen["violations"] == [], f"{where}: {seen['violations']}"
    assert seen["console"] == [], f"{where}: {seen['console']}"


def csp_of(response):
    policy = response.headers.get("content-security-policy")
    assert policy, f"no Content-Security-Policy on {response.url}"
    return policy


@pytest.fixture
def demo(live_server, settings, h5p_samples):
    """The demo, with the platform at localhost:PORT and H5P at 127.0.0.1:PORT (as in
    test_h5p_learning)."""
    port = urlsplit(live_server.url).port
    settings.ACOMPANA_PLATFORM_ORIGIN = f"http://localhost:{port}"
    settings.H5P_ORIGIN = f"http://127.0.0.1:{port}"
    call_command("seed_demo", stdout=StringIO())
    volunteer = User.objects.get(email="volunteer@example.org")
    course = CoursePage.objects.get(slug="feminist-accompaniment", locale__language_code="en")
    module = ModulePage.objects.child_of(course).get(slug="practice-with-interactive-exercises")
    language = volunteer.preferred_language or "en"
    with translation.override(language):
        module.title = module.localized.title
    return {
        "volunteer": volunteer,
        "admin": User.objects.get(email="admin@example.org"),
        "password": DEMO_PASSWORD,
        "module": module,
        "t": in_language(language),
        "player": PLAYER_WORDS[language],
    }


def test_public_pages_work_under_the_policy(watched, live_server, demo):
    page, seen = watched
    response = page.goto(live_server.url + "/")
    # django-csp orders directives by a set (it varies between processes): parse them.
    policy = dict(part.strip().split(" ", 1) for part in csp_of(response).split(";"))
    assert policy["script-src"] == "'self'"
    expect(page.locator(".brand")).to_be_visible()
    # site.js was fetched and ran: the sign-up form suggests the browser's time zone.
    response = page.goto(live_server.url + "/accounts/signup/")
    csp_of(response)
    expect(page.locator("#id_time_zone")).to_have_value("America/Bogota")
    page.goto(live_server.url + "/courses/")
    assert_clean(seen, "public pages")


def test_an_injected_inline_script_or_handler_does_not_run(watched, live_server):
    """What an HTML injection would add is refused, and the refusal is seen by this watcher."""
    page, seen = watched
    page.goto(live_server.url + "/")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = 'script'";
          document.body.appendChild(script);
          document.body.insertAdjacentHTML(
            "beforeend", "<img src=/no-such-image onerror=window.injected=1>");
        }"""
    )
    for _ in range(50):
        if len(seen["violations"]) >= 2:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.injected") is None
    assert {v["directive"] for v in seen["violations"]} == {"script-src-elem", "script-src-attr"}


def test_a_learner_plays_an_h5p_activity_and_signs_out_under_the_policy(watched, live_server, demo):
    page, seen = watched
    module = demo["module"]
    sign_in(page, live_server, demo["volunteer"], demo["password"], "/dashboard/")
    response = page.reload()
    assert "frame-ancestors 'none'" in csp_of(response)
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    response = page.goto(live_server.url + module.url)
    policy = csp_of(response)
    assert f"http://127.0.0.1:{urlsplit(live_server.url).port}" in policy  # frame-src: H5P
    expect(page.get_by_role("heading", level=1)).to_have_text(module.title)
    # h5p.js ran: the player in the frame was launched through it, and the answer travelled
    # back through it to the server (connect-src 'self').
    player = page.frame_locator("iframe.h5p-frame").nth(0)
    player.get_by_role("radio", name=demo["player"]["false"]).click()
    player.get_by_role("button", name=demo["player"]["check"]).click()
    # Completion recorded: the block says so with the points (never "Well done").
    expect(page.locator("section[data-h5p]").first).to_have_class(re.compile(r"\bcompleted\b"))
    expect(page.locator(".h5p-status").first).to_contain_text("✓")
    assert_clean(seen, "module with H5P")

    # site.js ran on the dashboard: signing out wipes this site's drafts from the device.
    page.goto(live_server.url + "/dashboard/")
    page.evaluate("window.localStorage.setItem('acompana:test:draft', 'x')")
    with page.expect_navigation():
        page.locator("form[action$='/accounts/logout/'] button").first.click()
    assert page.evaluate("window.localStorage.getItem('acompana:test:draft')") is None
    assert_clean(seen, "dashboard")


def test_the_wagtail_admin_works_under_its_own_policy(watched, live_server, demo):
    page, seen = watched
    base = live_server.url
    sign_in_with_code(page, base, demo["admin"], demo["password"], enrol_totp(demo["admin"]))
    response = page.goto(base + "/admin/")
    policy = csp_of(response)
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "object-src 'none'" in policy
    # Wagtail's scripts ran: the sidebar is drawn by them.
    expect(page.locator("[data-wagtail-sidebar] .sidebar, .sidebar").first).to_be_visible()

    # The page editor: Draftail and the StreamField are built by script.
    module = demo["module"]
    page.goto(f"{base}/admin/pages/{module.pk}/edit/")
    expect(page.locator(".Draftail-Editor").first).to_be_visible()
    # wagtail-localize's translation editor (React, inline data).
    copy = ModulePage.objects.get(slug=module.slug, locale__language_code="es")
    page.goto(f"{base}/admin/pages/{copy.pk}/edit/")
    expect(page.get_by_role("button", name="Revert to English version").first).to_be_visible()
    # The H5P review and reports the platform adds to the admin.
    page.goto(f"{base}/admin/pages/")
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    assert_clean(seen, "admin")
