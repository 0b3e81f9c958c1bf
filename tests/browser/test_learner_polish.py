"""In real Chromium: a quiz submitted without a connection waits on the device, and is graded
once back; on a phone (390 x 844) the header stays small and every control is big enough to tap."""

import pytest
from playwright.sync_api import expect
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection

from courses import services
from courses.factories import block_id, correct_answers, make_course
from courses.models import QuizAttempt
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_cohort_journey import sign_in
from training.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def learner(password):
    user = UserFactory(display_name="Amaru", password=password, preferred_language="en")
    course, modules = make_course("polish", modules=1)
    services.enrolment_create(user=user, course=course)
    return user, modules[0]


def test_a_quiz_submitted_offline_waits_on_the_device_and_is_graded_once_back(
    page, live_server, learner, password
):
    """Grading stays on the server: offline, the answers wait in the device queue and the page
    says so; once the connection is back they are sent once and the result shows."""
    user, module = learner
    sign_in(page, live_server.url, user, password)
    page.goto(live_server.url + module.url)
    form = page.locator("form[data-quiz]")
    for question, options in correct_answers("polish/0/quiz").items():
        for option in options:
            form.locator(f"#q-{question}-{option}").check()
    first = form.locator(
        f"#q-{block_id('polish/0/quiz/q1')}-{block_id('polish/0/quiz/q1', 'option', 0)}"
    )
    status = form.locator(".queue-status")
    expect(status).to_be_empty()

    # No connection at all: the browser knows it (navigator.onLine is false).
    page.route("**/activities/*/submit/", lambda route: route.abort("internetdisconnected"))
    page.context.set_offline(True)
    form.locator("button[type=submit]").click()
    expect(status).to_have_text("Answer saved. You will see your result when you are back online.")
    expect(first).to_be_checked()
    assert page.url.startswith(live_server.url + module.url)

    # The browser believes it is online, but the request never arrives: it still waits.
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    expect(status).to_have_text("Answer saved. You will see your result when you are back online.")
    expect(first).to_be_checked()
    assert not QuizAttempt.objects.exists()
    page.unroute("**/activities/*/submit/")

    # Back online: the same answers go through once, and the page shows the result.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_contain_text("Sent. Well done: you passed this quiz.")
    status.get_by_role("button", name="Show my result").click()
    expect(page.locator(".quiz-result")).to_contain_text("You passed.")
    assert QuizAttempt.objects.filter(user=user).count() == 1


MEASURE = """() => {
    const header = document.querySelector(".site-header").getBoundingClientRect();
    const small = [];
    const controls = document.querySelectorAll(
        "header a, header button, header select, header summary, main a, main button, " +
        "main select, main summary, main input[type=checkbox], main input[type=radio], " +
        "main input[type=submit]");
    for (const element of controls) {
        const box = element.getBoundingClientRect();
        const hidden = getComputedStyle(element).visibility === "hidden";
        if (!box.width || !box.height || hidden) continue;
        // WCAG 2.5.8's exception: a link inside a sentence.
        const parent = element.parentElement;
        if (element.tagName === "A" && parent.closest("p, li, td, dd, figcaption, label") &&
            parent.textContent.trim().length > element.textContent.trim().length) continue;
        if (box.width < 24 || box.height < 24) {
            small.push(`${element.tagName} "${element.textContent.trim().slice(0, 30)}" ` +
                       `${Math.round(box.width)}x${Math.round(box.height)}`);
        }
    }
    const signOut = document.querySelector("header form[action$='/logout/'] button");
    const courses = document.querySelector("header nav a");
    return {
        header: header.height,
        small: small,
        overflow: document.documentElement.scrollWidth > window.innerWidth,
        signOutLeft: signOut ? signOut.getBoundingClientRect().left : null,
        navLeft: courses ? courses.getBoundingClientRect().left : null,
        signOutHeight: signOut ? signOut.getBoundingClientRect().height : null,
        navHeight: courses ? courses.getBoundingClientRect().height : null,
        signOutMid: signOut ? (r => r.top + r.height / 2)(signOut.getBoundingClientRect()) : null,
        navMid: courses ? (r => r.top + r.height / 2)(courses.getBoundingClientRect()) : null,
    };
}"""


def test_on_a_phone_the_header_is_small_and_every_control_is_big_enough(
    browser, live_server, learner, password
):
    user, module = learner
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True,
                                  has_touch=True)  # fmt: skip
    page = context.new_page()
    page.set_default_timeout(15_000)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.goto(live_server.url + "/")
        home = page.evaluate(MEASURE)
        page.screenshot(path=str(ARTIFACTS / "phone-home-anonymous.png"))
        assert home["header"] <= 100, home
        assert not home["small"], home["small"]
        sign_in(page, live_server.url, user, password)
        for name, path in (("home", "/"), ("dashboard", "/dashboard/"), ("module", module.url)):
            page.goto(live_server.url + path)
            measured = page.evaluate(MEASURE)
            page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"))
            assert measured["header"] <= 100, (name, measured)
            assert not measured["small"], (name, measured["small"])
            assert not measured["overflow"], name
        # The menu opens under a button; "Sign out" lines up with the links above it.
        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "phone-menu-open.png"))
        opened = page.evaluate(MEASURE)
        assert not opened["small"], opened["small"]
        assert abs(opened["signOutLeft"] - opened["navLeft"]) <= 1, opened
        assert abs(opened["signOutHeight"] - opened["navHeight"]) <= 1, opened
        page.keyboard.press("Escape")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
        # On a wide screen, "Sign out" sits on the line of the other links, centred like them.
        page.set_viewport_size({"width": 1100, "height": 900})
        wide = page.evaluate(MEASURE)
        assert abs(wide["signOutMid"] - wide["navMid"]) <= 1, wide
        assert abs(wide["signOutHeight"] - wide["navHeight"]) <= 1, wide
    finally:
        context.close()


def test_low_bandwidth_images_load_on_tap_and_the_calendar_address_copies(
    browser, live_server, password
):
    user = UserFactory(display_name="Amaru", password=password, preferred_language="en",
                       low_bandwidth=True)  # fmt: skip

    # A transactional test empties every table, the images' root collection too.
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    image = Image.objects.create(title="Two hands", file=get_test_image_file(), collection=root)
    course, modules = make_course("pictures", modules=1, body=lambda i: [{
        "type": "image", "id": block_id("pictures/i"),
        "value": {"image": image.pk, "alt_text": "Two hands holding a cup", "caption": ""},
    }, {  # an older image without alternative text, only a caption
        "type": "image", "id": block_id("pictures/j"),
        "value": {"image": image.pk, "alt_text": "", "caption": "Tea at the centre"},
    }])  # fmt: skip
    services.enrolment_create(user=user, course=course)
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    images = []
    page.on(
        "request",
        lambda request: (
            images.append(request.url)
            if request.resource_type == "image" and "/media/" in request.url
            else None
        ),
    )
    try:
        sign_in(page, live_server.url, user, password)
        page.goto(live_server.url + modules[0].url)
        page.wait_for_load_state("networkidle")
        expect(page.get_by_text("Two hands holding a cup")).to_be_visible()
        assert images == []  # nothing downloaded before the tap
        # With the script the link is a button: Space shows the image, as on any button, and
        # focus moves to the figure instead of being lost with the link.
        shows = page.get_by_role("button", name="Show image")
        expect(shows).to_have_count(2)
        assert page.get_by_role("link", name="Show image").count() == 0
        shows.first.focus()
        page.keyboard.press("Space")
        picture = page.locator("main figure img").first
        expect(picture).to_have_attribute("alt", "Two hands holding a cup")
        page.wait_for_function("() => document.querySelector('main figure img').naturalWidth > 0")
        assert len(images) == 1
        focused = "() => document.activeElement.matches('main figure.image-deferred')"
        assert page.evaluate(focused)
        # An image without alternative text: focus lands on its figure, named by the caption.
        page.get_by_role("button", name="Show image").click()
        expect(page.locator("main figure img")).to_have_count(2)
        assert page.evaluate(focused)
        assert page.evaluate("() => document.activeElement.textContent.trim()") == (
            "Tea at the centre"
        )
        expect(page.locator("main figure img").nth(1)).to_have_attribute("alt", "")

        page.goto(live_server.url + "/calendar/")
        page.get_by_role("button", name="Make my calendar address").click()
        address = page.locator("#calendar-address").input_value()
        page.get_by_role("button", name="Copy the address").click()
        expect(page.locator(".copy-status")).to_have_text("Copied")
        assert page.evaluate("() => navigator.clipboard.readText()") == address
        subscribe = page.get_by_role("link", name="Subscribe in your calendar app")
        expect(subscribe).to_have_attribute("href", "webcal://" + address.split("://", 1)[1])
    finally:
        context.close()
