"""In real Chromium, on the real demo's practice module (two H5P exercises): in low-bandwidth mode
each exercise is a card (its type, about how much it downloads, "Start exercise") and nothing is
asked of the H5P origin until the learner taps; then the block says it is loading, calmly, until
the player is ready, and focus moves into the exercise. A player that does not come says so and
offers to try again.
"""

from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from courses.h5p.content_types import content_type_name
from courses.h5p.weight import activity_weight
from courses.models import CoursePage, H5PActivity, ModulePage
from tests.browser.test_learning_journey import in_language, sign_in
from tests.conftest import skip_or_fail
from training.demo import DEMO_PASSWORD
from training.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE_SLUG = "feminist-accompaniment"
MODULE_SLUG = "practice-with-interactive-exercises"


@pytest.fixture
def practice(live_server, settings, h5p_samples):
    """The demo, with the platform at localhost:PORT (the live server) and H5P at 127.0.0.1:PORT
    (as in test_h5p_learning)."""
    if not django_settings.ACOMPANA_DEMO_H5P_DIR.exists():
        skip_or_fail(
            f"the demo has no H5P module: the shared H5P samples are not at "
            f"{django_settings.ACOMPANA_DEMO_H5P_DIR}"
        )
    port = urlsplit(live_server.url).port
    settings.ACOMPANA_PLATFORM_ORIGIN = f"http://localhost:{port}"
    settings.H5P_ORIGIN = f"http://127.0.0.1:{port}"
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(email="volunteer@example.org")
    course = CoursePage.objects.get(slug=COURSE_SLUG, locale__language_code="en")
    module = ModulePage.objects.child_of(course).filter(slug=MODULE_SLUG).first()
    if module is None:
        skip_or_fail("the demo has no H5P module (practice-with-interactive-exercises)")
    language = user.preferred_language or "en"
    with translation.override(language):
        module.title = module.localized.title
        shown = module.localized.specific
    blocks = [a for a in shown.activities if a.kind.block_type == "h5p"]
    if len(blocks) != 2:
        skip_or_fail("the demo's practice module does not hold both sample H5P activities")
    activities = {str(a.uuid): a for a in H5PActivity.objects.filter(
        uuid__in=[b.value["activity"] for b in blocks])}  # fmt: skip
    return {
        "user": user, "password": DEMO_PASSWORD, "module": module, "blocks": blocks,
        "activities": [activities[str(b.value["activity"])] for b in blocks],
        "language": language, "t": in_language(language), "h5p": settings.H5P_ORIGIN,
    }  # fmt: skip


class Gate:
    """Holds the H5P player's pages (the frames' documents) until opened: `let_through()` lets
    the held ones and every later one go; `fail()` fails the held ones, then lets later ones go."""

    def __init__(self, page, origin):
        self.held, self.open = [], False
        page.route(f"{origin}/h5p/play/**", self._handle)

    def _handle(self, route):
        if self.open:
            route.fallback()
        else:
            self.held.append(route)

    def let_through(self):
        self.open = True
        for route in self.held:
            route.fallback()

    def fail(self):
        self.open = True
        for route in self.held:
            route.abort()


def _h5p_requests(page, origin) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url)
            if request.url.startswith(origin) else None)  # fmt: skip
    return seen


def test_low_bandwidth_cards_load_nothing_until_the_learner_taps(page, live_server, practice):
    user, t = practice["user"], practice["t"]
    user.low_bandwidth = True
    user.save(update_fields=["low_bandwidth"])
    seen = _h5p_requests(page, practice["h5p"])
    # The player's page is held back until the loading state has been seen.
    gate = Gate(page, practice["h5p"])
    sign_in(page, live_server, user, practice["password"], practice["module"].url)

    first, second = practice["blocks"]
    for block, activity in zip(practice["blocks"], practice["activities"], strict=True):
        weight = activity_weight(activity)
        with translation.override(practice["language"]):
            size = translation.ngettext(
                "about %(kb)s KB to download", "about %(kb)s KB to download", weight.kilobytes
            ) % {"kb": weight.kilobytes}
        card = page.locator(f"#activity-{block.id} [data-h5p-card]")
        expect(card).to_be_visible()
        expect(card).to_contain_text(size)
        # The type in the reader's language ("Verdadero o falso"), not the library's English.
        with translation.override(practice["language"]):
            type_name = content_type_name(activity.main_library, weight.type_title)
        assert type_name and type_name != weight.type_title, "the card names the type, translated"
        expect(card).to_contain_text(type_name)
        expect(card.get_by_role("button", name=t("Start exercise"))).to_be_visible()
    page.wait_for_timeout(1500)
    assert seen == [], "nothing is asked of the H5P origin before a tap"
    assert not page.locator("iframe.h5p-frame[src]").count()

    page.locator(f"#activity-{first.id}").get_by_role("button", name=t("Start exercise")).click()
    loading = page.locator(f"#activity-{first.id} [data-h5p-loading]")
    expect(loading).to_have_text(t("Loading the exercise…"))
    expect(loading).to_be_focused()
    stage = page.locator(f"#activity-{first.id} [data-h5p-stage]")
    assert stage.bounding_box()["height"] >= 150, "the frame area keeps its room while loading"
    expect(page.locator(f"#activity-{second.id} [data-h5p-card]")).to_be_visible()

    gate.let_through()
    frame = page.frame_locator(f"#activity-{first.id} iframe.h5p-frame")
    expect(frame.get_by_role("radio").first).to_be_visible(timeout=30_000)
    expect(loading).to_be_hidden()
    # The frame was sandboxed before it got its address.
    expect(page.locator(f"#activity-{first.id} iframe.h5p-frame")).to_have_attribute(
        "sandbox", "allow-scripts allow-same-origin allow-forms"
    )
    # Focus went on into the exercise.
    assert page.evaluate("document.activeElement && document.activeElement.tagName") == "IFRAME"
    # Only the tapped exercise loaded: the other's player page was never asked for.
    second_uuid = str(second.value["activity"])
    assert not any(f"/h5p/play/{second_uuid}/" in url for url in seen)
    expect(page.locator(f"#activity-{second.id} [data-h5p-card]")).to_be_visible()


def test_a_player_that_does_not_come_says_so_and_can_be_tried_again(page, live_server, practice):
    t = practice["t"]
    first = practice["blocks"][0]
    gate = Gate(page, practice["h5p"])
    sign_in(page, live_server, practice["user"], practice["password"], practice["module"].url)

    block = page.locator(f"#activity-{first.id}")
    loading = block.locator("[data-h5p-loading]")
    expect(loading).to_have_text(t("Loading the exercise…"))
    expect(block.get_by_role("button", name=t("Try again"))).to_be_hidden()
    # The connection drops while the player is on its way (or a minute passes without it).
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    expect(loading).to_have_text(
        t("The exercise did not load. The connection may be slow or lost.")
    )
    retry = block.get_by_role("button", name=t("Try again"))
    expect(retry).to_be_visible()

    # While it loads the frame is not hidden (what the player's page says is seen), and the
    # loading message was in the page before anything was put in it (a live region).
    expect(block.locator("iframe.h5p-frame")).to_be_visible()
    assert page.evaluate(f"document.querySelector('#activity-{first.id} [data-h5p-loading]')"
                         ".hasAttribute('hidden')") is False  # fmt: skip
    expect(retry).to_have_attribute("aria-describedby", f"h5p-title-{first.id}")

    gate.fail()
    launches = []
    page.on("request", lambda request: launches.append(request.url)
            if f"/activities/{first.id}/launch/" in request.url else None)  # fmt: skip
    retry.click()
    # Focus goes on to what the block says, not back to the page's start.
    expect(loading).to_be_focused()
    frame = page.frame_locator(f"#activity-{first.id} iframe.h5p-frame")
    expect(frame.get_by_role("radio").first).to_be_visible(timeout=30_000)
    expect(loading).to_be_hidden()
    expect(retry).to_be_hidden()
    # Tried again with a fresh launch (the old one may have expired meanwhile).
    assert launches, "Try again asked the server for a fresh launch"


def test_a_player_page_that_cannot_start_says_so_at_once(page, live_server, practice):
    """The player's page says it cannot start (an expired launch, say): the block says so at
    once, not "the connection may be slow" a minute later."""
    t = practice["t"]
    first = practice["blocks"][0]
    page.route(f"{practice['h5p']}/h5p/play/**", lambda route: route.fulfill(
        status=403, content_type="text/html",
        body="<!doctype html><title>x</title><p>Expired</p><script>"
             "parent.postMessage({type: 'acompana:h5p:error'}, '*')</script>"))  # fmt: skip
    sign_in(page, live_server, practice["user"], practice["password"], practice["module"].url)
    block = page.locator(f"#activity-{first.id}")
    expect(block.locator("[data-h5p-loading]")).to_have_text(
        t("The exercise could not start."), timeout=10_000
    )
    expect(block.get_by_role("button", name=t("Try again"))).to_be_visible()


def test_a_card_tapped_long_after_the_page_was_served_asks_for_a_fresh_launch(
    page, live_server, practice
):
    """A launch lasts an hour: a frame started later than about 50 minutes after the page was
    served opens the fresh player address the server gives, not the page's expired one."""
    user = practice["user"]
    user.low_bandwidth = True
    user.save(update_fields=["low_bandwidth"])
    page.clock.install()
    sign_in(page, live_server, user, practice["password"], practice["module"].url)
    first = practice["blocks"][0]
    block = page.locator(f"#activity-{first.id}")
    start = block.get_by_role("button", name=practice["t"]("Start exercise"))
    expect(start).to_be_visible()
    # Two Start buttons on the page are told apart by their exercise's title.
    expect(start).to_have_attribute("aria-describedby", f"h5p-title-{first.id}")
    served = block.locator("iframe.h5p-frame").get_attribute("data-src")
    page.clock.fast_forward("55:00")
    with page.expect_response(lambda r: f"/activities/{first.id}/launch/" in r.url) as answer:
        start.click()
    fresh = answer.value.json()["player_url"]
    expect(block.locator("iframe.h5p-frame")).to_have_attribute("src", fresh)
    assert fresh.rsplit("/h5p/play/", 1)[0] == served.rsplit("/h5p/play/", 1)[0]


def test_an_exercise_started_offline_says_at_once_that_it_did_not_load(page, live_server, practice):
    """Offline, the player's page cannot come (it is never cached): the block says so when the
    learner taps, not after a minute of "Loading"; and a card not started takes no room."""
    user, t = practice["user"], practice["t"]
    user.low_bandwidth = True
    user.save(update_fields=["low_bandwidth"])
    sign_in(page, live_server, user, practice["password"], practice["module"].url)
    first = practice["blocks"][0]
    block = page.locator(f"#activity-{first.id}")
    frame = block.locator("iframe.h5p-frame")
    expect(frame).to_be_hidden()
    assert frame.bounding_box() is None, "a frame not started yet takes no room"
    page.context.set_offline(True)
    block.get_by_role("button", name=t("Start exercise")).click()
    expect(block.locator("[data-h5p-loading]")).to_have_text(
        t("The exercise did not load. The connection may be slow or lost."), timeout=5_000
    )
    retry = block.get_by_role("button", name=t("Try again"))
    expect(retry).to_be_visible()
    page.context.set_offline(False)
    retry.click()
    player = page.frame_locator(f"#activity-{first.id} iframe.h5p-frame")
    expect(player.get_by_role("radio").first).to_be_visible(timeout=30_000)
