"""axe-core, in real Chromium, on every page a volunteer, a trainer and a coordinator use: no
violation of a WCAG 2.0, 2.1 or 2.2 rule at level A or AA, in English, Spanish and Arabic (right to
left), on a desktop screen and on a 390 px wide phone.

axe-core comes from npm (package.json, a development dependency: it never ships). Its script is
read from node_modules and evaluated in each frame through the DevTools protocol (Playwright's
`frame.evaluate`), which the pages' Content-Security-Policy (scripts from 'self' only) does not
apply to: the pages are checked with their real policy, nothing bypassed. Each frame is checked
on its own (`iframes: false`), the H5P player's too, although it comes from another origin.

The data is the real demo (`seed_demo`), plus one module holding the block kinds the demo has no
example of (image, video, document, acknowledgement).
"""

import functools
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, Locale
from wagtail_localize.synctree import synchronize_tree

from certificates.models import Track
from cohorts.models import Cohort, LiveSession
from courses import services
from courses.factories import block_id, make_course, reflection_block, standard_quiz
from courses.models import CoursePage, ModulePage
from tests.browser.conftest import ARTIFACTS
from tests.conftest import login_with_mfa, skip_or_fail
from training.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_PATH = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no rule tagged wcag22a)…
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# …and one best practice the hand check of the issue found: landmarks alike must have names apart
# (a screen reader's list of landmarks is of no use otherwise).
EXTRA_RULES = ["landmark-unique"]

DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}

COURSE_SLUG = "feminist-accompaniment"
QUIZ_MODULE = "defusing-blame"  # content notes, a quiz and a reflection
H5P_MODULE = "practice-with-interactive-exercises"  # both H5P sample activities

RUN_AXE = """async ([tags, extra]) => {
    const results = await axe.run(document, {
        runOnly: {type: "tag", values: tags},
        iframes: false,
        resultTypes: ["violations"],
        rules: Object.fromEntries(extra.map((id) => [id, {enabled: true}])),
    });
    return results.violations.map((rule) => ({
        id: rule.id,
        impact: rule.impact,
        help: rule.help,
        targets: rule.nodes.map((node) => node.target.join(" >>> ")),
        summary: rule.nodes[0] ? rule.nodes[0].failureSummary : "",
    }));
}"""


CANARY = """() => {
    const image = document.createElement("img");
    image.src = "data:image/gif;base64,R0lGODlhAQABAAAAACw=";
    image.width = image.height = 32;
    document.querySelector("main").append(image);
}"""


@functools.cache
def axe_source() -> str:
    if not AXE_PATH.is_file():
        skip_or_fail(f"axe-core is not installed at {AXE_PATH} (run `make browser-deps`)")
    return AXE_PATH.read_text()


def axe_violations(page) -> list[dict]:
    """The violations axe finds in every frame of the page (the page itself, the H5P players and
    the frames inside them), each with the address of the frame it was found in."""
    found = []
    for frame in page.frames:
        if frame.is_detached():
            continue
        if not frame.evaluate("() => typeof window.axe === 'object'"):
            frame.evaluate(axe_source())
        for violation in frame.evaluate(RUN_AXE, [WCAG_TAGS, EXTRA_RULES]):
            violation["url"] = frame.url if frame != page.main_frame else page.url
            found.append(violation)
    return found


def describe(violations: list[dict]) -> str:
    """One entry a violation: the rule, its impact, the page and frame, and where on it."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}) on {v['page']} ({v['url']}): {v['help']}")
        lines.append(f"    at {'; '.join(v['targets'])}")
        if v["summary"]:
            lines.append(f"    {v['summary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.fixture
def demo(live_server, settings, h5p_samples):
    """The demo, with the platform at localhost:PORT (the live server) and H5P at 127.0.0.1:PORT,
    and a module with the block kinds the demo lacks, in a course the volunteer follows."""
    port = urlsplit(live_server.url).port
    settings.ACOMPANA_PLATFORM_ORIGIN = f"http://localhost:{port}"
    settings.H5P_ORIGIN = f"http://127.0.0.1:{port}"
    call_command("seed_demo", stdout=StringIO())
    volunteer = User.objects.get(email="volunteer@example.org")
    course = CoursePage.objects.get(slug=COURSE_SLUG, locale__language_code="en")

    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    image = Image.objects.create(title="Two hands", file=get_test_image_file(), collection=root)
    handout = Document.objects.create(
        title="Safety plan template",
        file=ContentFile(b"%PDF-1.4\n%%EOF\n", name="safety-plan.pdf"),
        collection=root,
    )
    video = Document.objects.create(
        title="Welcome", file=ContentFile(b"\x00" * 64, name="welcome.mp4"), collection=root
    )
    captions = Document.objects.create(
        title="Welcome captions",
        file=ContentFile(b"WEBVTT\n\n00:00.000 --> 00:01.000\nWelcome.\n", name="welcome.vtt"),
        collection=root,
    )
    blocks, _modules = make_course("every-block", modules=1, body=lambda i: [
        {"type": "heading", "id": block_id("every/h"), "value": "Every kind of block"},
        {"type": "rich_text", "id": block_id("every/t"),
         "value": "<p>Some text with <a href=\"/privacy/\">a link in it</a>, as modules have.</p>"},
        {"type": "image", "id": block_id("every/i"),
         "value": {"image": image.pk, "alt_text": "Two hands holding a cup",
                   "caption": "Tea at the centre"}},
        {"type": "callout", "id": block_id("every/c"),
         "value": {"kind": "self_care", "title": "Take a break",
                   "text": "<p>Step away when you need to.</p>"}},
        {"type": "callout", "id": block_id("every/c2"),
         "value": {"kind": "important", "title": "", "text": "<p>Never share names.</p>"}},
        {"type": "callout", "id": block_id("every/c3"),
         "value": {"kind": "tip", "title": "A tip", "text": "<p>Write it down.</p>"}},
        {"type": "video", "id": block_id("every/v"),
         "value": {"title": "Welcome", "embed": "", "file": video.pk, "captions": captions.pk,
                   "transcript": "<p>Welcome to the course.</p>"}},
        {"type": "document", "id": block_id("every/d"),
         "value": {"document": handout.pk, "description": "Print it for your sessions."}},
        {"type": "acknowledge", "id": block_id("every/a"),
         "value": {"title": "Our safety protocol", "text": "Never meet alone.",
                   "statement": "I have read this and will follow it.", "required": True}},
        # Two quizzes with the default title and two reflections: activities alike, side by side.
        standard_quiz("every/q1"), standard_quiz("every/q2"),
        reflection_block("every/r1"), reflection_block("every/r2", "What will you try?"),
    ])  # fmt: skip
    # Its copies in the other languages (aliases of the English until translated), as publishing
    # in the admin makes them.
    source = Locale.get_default()
    for locale in Locale.objects.exclude(pk=source.pk):
        synchronize_tree(source, locale)
    services.enrolment_create(user=volunteer, course=blocks)
    running = Cohort.objects.get(slug="harassment-response-autumn-2026")
    return {
        "volunteer": volunteer,
        "trainer": User.objects.get(email="trainer@example.org"),
        "coordinator": User.objects.get(email="coordinator@example.org"),
        "course": course,
        "quiz_module": ModulePage.objects.child_of(course).get(slug=QUIZ_MODULE),
        "h5p_module": ModulePage.objects.child_of(course).get(slug=H5P_MODULE),
        "blocks_module": _modules[0],
        "running": running,
        "session": LiveSession.objects.filter(cohort=running).order_by("starts_at").first(),
        "track": Track.objects.get(),
    }


def space_thread(cohort, title) -> int:
    """The id of a demo thread of the cohort's discussion space (community.demo)."""
    return cohort.threads.get(title=title).pk


def signed_in(browser, live_server, user, language, viewport, *, second_factor=False):
    """A browser context signed in as `user` (reading `language`), its session made by Django's
    test client (with the second factor trainers and coordinators must pass)."""
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    client = Client()
    if second_factor:
        login_with_mfa(client, user)
    else:
        client.force_login(user)
    context = new_context(browser, live_server, language, viewport)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context


def new_context(browser, live_server, language, viewport):
    context = browser.new_context(
        locale={"en": "en-GB", "es": "es-ES", "ar": "ar"}[language],
        timezone_id="America/Bogota",
        viewport=viewport,
        is_mobile=viewport == PHONE,
        has_touch=viewport == PHONE,
    )
    # The language a visitor chose with the switcher (signed-in people's is on their profile).
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    return context


class Sweep:
    """Visits pages and keeps what axe finds on each."""

    def __init__(self, live_server, language, viewport):
        self.base = live_server.url
        self.language = language
        self.viewport = viewport
        self.violations = []
        self.checked = []

    def check(self, page, name):
        html = page.locator("html")
        expect(html).to_have_attribute("lang", self.language)
        expect(html).to_have_attribute("dir", "rtl" if self.language == "ar" else "ltr")
        found = axe_violations(page)
        self.checked.append(name)
        if found:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(
                path=str(ARTIFACTS / f"axe-{self.language}-{self.viewport['width']}-{name}.png"),
                full_page=True,
            )
        for violation in found:
            violation["page"] = name
        self.violations.extend(found)

    def visit(self, page, path, name=None):
        """Open `path` and check it (`name`), or only open it (no name: the caller checks it once
        it is ready)."""
        response = page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        page.wait_for_load_state("load")
        if name:
            self.check(page, name)

    def assert_clean(self):
        assert not self.violations, (
            f"axe found violations of WCAG 2.2 A/AA ({self.language}, "
            f"{self.viewport['width']} px wide):\n" + describe(self.violations)
        )


def visitor_pages(sweep, browser, live_server):
    context = new_context(browser, live_server, sweep.language, sweep.viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sweep.visit(page, "/", "home")
        # The sweep sees a violation where there is one: an image without a text alternative.
        page.evaluate(CANARY)
        assert "image-alt" in {v["id"] for v in axe_violations(page)}
        sweep.visit(page, "/", "home-again")
        sweep.visit(page, "/accounts/signup/", "sign-up")
        sweep.visit(page, "/accounts/login/", "sign-in")
        # A sign-in refused: the errors shown on the form.
        page.fill("#id_login", "volunteer@example.org")
        page.fill("#id_password", "not the password")
        page.locator("form[action='/accounts/login/'] button[type=submit]").click()
        expect(
            page.locator(
                "form[action='/accounts/login/'] .errorlist, "
                "form[action='/accounts/login/'] [role=alert]"
            ).first
        ).to_be_visible()
        sweep.check(page, "sign-in-refused")
        sweep.visit(page, "/privacy/", "privacy")
    finally:
        context.close()


def volunteer_pages(sweep, browser, live_server, demo):
    context = signed_in(browser, live_server, demo["volunteer"], sweep.language, sweep.viewport)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sweep.visit(page, "/dashboard/", "dashboard")
        if sweep.viewport == PHONE:  # the links under the "Menu" button, opened
            menu = page.locator(".menu-toggle")
            menu.click()
            expect(menu).to_have_attribute("aria-expanded", "true")
            sweep.check(page, "dashboard-menu-open")
        sweep.visit(page, "/courses/", "catalog")
        sweep.visit(page, demo["course"].url, "course")
        # "Read offline" (static/js/offline.js): shown once the service worker is ready, then the
        # course saved (its status line and the list of modules saved, "Remove saved copy").
        panel = page.locator("section.offline-copy")
        expect(panel).to_be_visible()
        expect(panel.locator("[data-offline-size]")).not_to_be_empty()
        sweep.check(page, "course-offline-panel")
        panel.locator("[data-offline-save]").click()
        expect(panel.locator("[data-offline-status]")).to_have_text(
            panel.get_attribute("data-msg-saved")
        )
        expect(panel.locator("[data-offline-remove]")).to_be_visible()
        sweep.check(page, "course-offline-saved")

        # The quiz module: its content notes first, then the module, then a quiz answered.
        sweep.visit(page, demo["quiz_module"].url, "content-notes")
        page.locator("form[action*='/content-notes/'] button[type=submit]").first.click()
        expect(page.locator(".module-body")).to_be_visible()
        sweep.check(page, "quiz-module")
        form = page.locator("form[data-quiz]").first
        for fieldset in form.locator("fieldset").all():
            fieldset.locator("input").first.check()
        form.locator("button[type=submit]").click()
        expect(page.locator(".quiz-result").first).to_be_visible()
        sweep.check(page, "quiz-answered")

        sweep.visit(page, demo["blocks_module"].url, "every-block-module")
        page.locator("section.video details summary").first.click()
        sweep.check(page, "every-block-transcript-open")

        # The H5P module once both players show their activity (a player starts when its block
        # comes near the screen).
        sweep.visit(page, demo["h5p_module"].url)
        blocks = page.locator("section[data-h5p]")
        expect(blocks).to_have_count(2)
        for index in range(2):
            blocks.nth(index).scroll_into_view_if_needed()
            expect(
                page.frame_locator("iframe.h5p-frame").nth(index).locator(".h5p-content").first
            ).to_be_visible(timeout=30_000)
        sweep.check(page, "h5p-module")
        # Both players' frames were checked too (on the H5P origin).
        assert len([f for f in page.frames if "/h5p/play/" in f.url]) == 2, page.frames

        sweep.visit(page, "/cohorts/", "cohorts")
        sweep.visit(page, f"/cohorts/{demo['running'].slug}/", "cohort")
        sweep.visit(page, "/cohorts/acompanantes-marzo-2027/", "cohort-apply")
        # The cohort's discussion space: the threads, a thread with a content note, a new thread.
        space = f"/cohorts/{demo['running'].slug}/space/"
        sweep.visit(page, space, "space")
        sweep.visit(page, f"{space}{space_thread(demo['running'], 'A hard week')}/",
                    "space-thread")  # fmt: skip
        page.locator("details.content-note summary").first.click()
        sweep.check(page, "space-thread-content-note-open")
        sweep.visit(page, f"{space}new/", "space-new-thread")
        # Care: the care space, a check-in (and its errors), the plan (written), a debrief
        # request, the support resources.
        sweep.visit(page, "/care/", "care")
        sweep.visit(page, "/care/check-in/", "care-check-in")
        page.locator("main form button[type=submit]").first.click()
        expect(page.locator(".error-summary, [role=alert]").first).to_be_visible()
        sweep.check(page, "care-check-in-errors")
        sweep.visit(page, "/care/plan/", "care-plan")
        page.locator("main form textarea").first.fill("I stop answering my friends.")
        page.locator("main form[action='/care/plan/'] button[type=submit]").click()
        expect(page.locator(".plan-sheet")).to_be_visible()
        sweep.check(page, "care-plan-written")
        sweep.visit(page, "/care/debrief/", "care-debrief")
        sweep.visit(page, "/care/resources/", "care-resources")
        sweep.visit(page, "/calendar/", "calendar")
        sweep.visit(page, "/certification/", "certification")
        sweep.visit(page, "/certification/pool/", "pool")
        sweep.visit(page, "/notifications/", "notifications")
        sweep.visit(page, "/accounts/profile/", "profile")
        sweep.visit(page, "/privacy/", "privacy-signed-in")
        sweep.visit(page, "/accounts/data/", "data-download")
        sweep.visit(page, "/accounts/delete/", "deletion")

        # Low bandwidth chosen: images wait for a tap, the video gives way to its transcript.
        User.objects.filter(pk=demo["volunteer"].pk).update(low_bandwidth=True)
        sweep.visit(page, demo["blocks_module"].url, "every-block-low-bandwidth")
    finally:
        context.close()


def trainer_pages(sweep, browser, live_server, demo):
    context = signed_in(browser, live_server, demo["trainer"], sweep.language, sweep.viewport,
                        second_factor=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    slug = demo["running"].slug
    try:
        sweep.visit(page, "/dashboard/trainer/", "trainer-desk")
        sweep.visit(page, f"/dashboard/trainer/cohorts/{slug}/", "trainer-cohort")
        sweep.visit(page, f"/dashboard/trainer/cohorts/{slug}/progress/", "progress-matrix")
        sweep.visit(
            page,
            f"/dashboard/trainer/cohorts/{slug}/sessions/{demo['session'].pk}/attendance/",
            "attendance",
        )
        member = demo["running"].memberships.order_by("pk").first()
        sweep.visit(page, f"/dashboard/trainer/cohorts/{slug}/members/{member.user_id}/",
                    "trainer-member")  # fmt: skip
        space = f"/cohorts/{slug}/space/"
        sweep.visit(page, space, "trainer-space")
        sweep.visit(page, f"{space}{space_thread(demo['running'], 'Agreements for this space')}/",
                    "trainer-space-thread")  # fmt: skip
        sweep.visit(page, f"{space}reports/", "trainer-space-reports")
        sweep.visit(page, f"/dashboard/trainer/cohorts/{slug}/care/", "trainer-care")
    finally:
        context.close()


def coordinator_pages(sweep, browser, live_server, demo):
    context = signed_in(browser, live_server, demo["coordinator"], sweep.language,
                        sweep.viewport, second_factor=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sweep.visit(page, "/dashboard/coordinator/", "coordinator-desk")
        sweep.visit(page, f"/dashboard/coordinator/tracks/{demo['track'].slug}/", "track")
        sweep.visit(page, "/pool/", "pool-search")
        sweep.visit(page, "/pool/?language=es", "pool-search-filtered")
    finally:
        context.close()


@pytest.mark.parametrize(
    ("language", "viewport"),
    [(language, viewport) for viewport in (DESKTOP, PHONE) for language in ("en", "es", "ar")],
    ids=["en-desktop", "es-desktop", "ar-desktop", "en-phone", "es-phone", "ar-phone"],
)
def test_no_wcag_violations(browser, live_server, demo, language, viewport):
    """Every page, signed out, as the demo volunteer, trainer and coordinator: each checked by
    axe-core once it has loaded (and its players have started), in one language, at one width."""
    sweep = Sweep(live_server, language, viewport)
    visitor_pages(sweep, browser, live_server)
    volunteer_pages(sweep, browser, live_server, demo)
    trainer_pages(sweep, browser, live_server, demo)
    coordinator_pages(sweep, browser, live_server, demo)
    sweep.assert_clean()
    pages = {
        "home", "sign-up", "sign-in", "sign-in-refused", "privacy", "dashboard", "catalog",
        "course", "course-offline-panel", "course-offline-saved", "content-notes",
        "quiz-module", "quiz-answered", "every-block-module",
        "every-block-transcript-open", "every-block-low-bandwidth", "h5p-module", "cohorts",
        "cohort", "cohort-apply", "calendar", "certification", "pool", "notifications",
        "profile", "privacy-signed-in", "data-download", "deletion", "trainer-desk",
        "trainer-cohort", "progress-matrix", "attendance", "trainer-member", "coordinator-desk",
        "track", "pool-search", "pool-search-filtered", "care", "care-check-in",
        "care-check-in-errors", "care-plan", "care-plan-written", "care-debrief",
        "care-resources", "trainer-care",
    }  # fmt: skip
    if viewport == PHONE:
        pages.add("dashboard-menu-open")
    assert pages <= set(sweep.checked), pages - set(sweep.checked)
