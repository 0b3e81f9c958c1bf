"""Keyboard only, in real Chromium: no mouse, no `.click()` — Tab, Shift+Tab, Enter, Space and the
arrow keys. The demo volunteer signs in, opens the next module from the dashboard, answers its quiz,
writes a reflection, signs the last requirement of their certification (the code of conduct) and
joins the responder pool. At every stop the focused element shows a ring that stands out (WCAG
2.4.7, 1.4.11) and focus moves on (2.1.2: no trap); on a phone, Escape closes the menu.

Also here, as they need a browser: targets of at least 24 px (2.5.8), text at 200 % and a 320 px
screen without sideways scrolling (1.4.4, 1.4.10), reduced motion (2.3.3), and the error summary
that takes the focus (3.3.1). ACCESSIBILITY.md says how these fit with the axe sweep.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from certificates.models import PoolMember
from courses.demo import correct_answers
from courses.models import CoursePage, ModulePage, QuizAttempt, Reflection
from tests.browser.conftest import ARTIFACTS
from training.demo import DEMO_PASSWORD
from training.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COURSE_SLUG = "feminist-accompaniment"
MODULE_SLUG = "defusing-blame"  # the demo volunteer's next module: content notes, quiz, reflection
TAB_LIMIT = 250

# What the focused element is and how its focus shows: the ring (outline or box-shadow), its width,
# and the contrast of its colour with what is behind the element (the first opaque background).
FOCUS_STATE = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const cs = getComputedStyle(el);
    const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
    const luminance = ([r, g, b]) => {
        const c = [r, g, b].map((v) => {
            v /= 255;
            return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    let background = [255, 255, 255];
    for (let node = el.parentElement; node; node = node.parentElement) {
        const value = rgb(getComputedStyle(node).backgroundColor);
        if (value.length === 3 || (value.length === 4 && value[3] === 1)) {
            background = value.slice(0, 3);
            break;
        }
    }
    const ring = cs.outlineStyle !== "none" && parseFloat(cs.outlineWidth) > 0
        ? {kind: "outline", width: parseFloat(cs.outlineWidth),
           color: rgb(cs.outlineColor).slice(0, 3)}
        : cs.boxShadow && cs.boxShadow !== "none"
            ? {kind: "box-shadow", width: 2, color: rgb(cs.boxShadow).slice(0, 3)}
            : null;
    let contrast = 0;
    if (ring) {
        const [a, b] = [luminance(ring.color), luminance(background)].sort((x, y) => y - x);
        contrast = (a + 0.05) / (b + 0.05);
    }
    const box = el.getBoundingClientRect();
    const label = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "")
        .trim().slice(0, 40);
    return {
        tag: el.tagName.toLowerCase(), id: el.id, type: el.type || "",
        name: el.getAttribute("name") || "",
        value: el.getAttribute("value") || "", href: el.getAttribute("href") || "", label,
        ring: ring ? ring.kind : null, width: ring ? ring.width : 0, contrast,
        inView: box.bottom > 0 && box.right > 0 && box.top < innerHeight && box.left < innerWidth
            && box.width > 0 && box.height > 0,
    };
}"""


def describe(state) -> str:
    if state is None:
        return "(page)"
    where = f"#{state['id']}" if state["id"] else state["href"] or state["name"]
    kind = f"{state['tag']}[{state['type']}]" if state["type"] else state["tag"]
    return f"{kind} {where} “{state['label']}”"


def assert_focus_visible(page, state=None):
    """The focused element shows a ring at least 2 px wide, with a 3:1 contrast against what is
    behind it, and is on screen (not hidden behind anything of ours)."""
    state = state or page.evaluate(FOCUS_STATE)
    assert state is not None, "nothing has the focus"
    assert state["ring"], f"no visible focus on {describe(state)}"
    assert state["width"] >= 2, f"focus ring under 2 px on {describe(state)}"
    assert state["contrast"] >= 3, (
        f"focus ring contrast {state['contrast']:.2f} on {describe(state)}"
    )
    assert state["inView"], f"focused element off screen: {describe(state)}"
    return state


def tab_to(page, predicate, *, backwards=False, limit=TAB_LIMIT):
    """Press Tab (Shift+Tab) until the focused element matches `predicate(state)`; check the focus
    is visible at every stop and that it moves on (no trap). Fails with the elements visited."""
    visited, previous = [], None
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        state = page.evaluate(FOCUS_STATE)
        if state is None:  # past the last element: the browser's own UI, then round again
            visited.append("(page)")
            continue
        visited.append(describe(state))
        assert state != previous, f"focus trapped on {describe(state)} after: {visited[-10:]}"
        assert_focus_visible(page, state)
        if predicate(state):
            return state
        previous = state
    raise AssertionError(f"not reached in {limit} presses of {key}; visited: {visited}")


def href_is(path):
    """A link to `path` (a page, whatever its fragment; or a fragment of this page)."""
    if path.startswith("#"):
        return lambda state: state["tag"] == "a" and state["href"] == path
    return lambda state: state["tag"] == "a" and state["href"].split("#")[0] == path


def element_is(element_id):
    return lambda state: state["id"] == element_id


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(email="volunteer@example.org")
    course = CoursePage.objects.get(slug=COURSE_SLUG, locale__language_code="en")
    module = ModulePage.objects.child_of(course).get(slug=MODULE_SLUG)
    with translation.override(user.preferred_language or "en"):
        module_path = module.localized.url
    return {"user": user, "module": module, "module_path": module_path}


def keyboard_sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/?next=/dashboard/")
    tab_to(page, element_is("id_login"))
    page.keyboard.type(user.email)
    tab_to(page, element_is("id_password"))
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard/")


def choose_by_keyboard(page, question_id, wanted: list[str]):
    """Tab into a question; radio buttons: arrows until the wanted one (arrows choose as they
    move); checkboxes: Space on each wanted one, Tab past the others."""
    name = f"q-{question_id}"
    state = tab_to(page, lambda s: s["name"] == name)
    if state["type"] == "radio":
        for _ in range(10):
            if state["value"] in wanted:
                break
            page.keyboard.press("ArrowDown")
            state = assert_focus_visible(page)
        page.keyboard.press("Space")
        assert page.locator(f"input[name='{name}'][value='{wanted[0]}']").is_checked()
        return
    while state["name"] == name:
        if state["value"] in wanted:
            page.keyboard.press("Space")
        page.keyboard.press("Tab")
        state = assert_focus_visible(page)
    checked = page.locator(f"input[name='{name}']:checked")
    assert sorted(checked.evaluate_all("els => els.map(e => e.value)")) == sorted(wanted)
    page.keyboard.press("Shift+Tab")  # back where the next question is reached by Tab


def test_keyboard_only_module_quiz_reflection_and_pool(page, live_server, demo):
    base, user, module = live_server.url, demo["user"], demo["module"]
    keyboard_sign_in(page, base, user)

    # The skip link comes first and takes the keyboard to the content.
    state = tab_to(page, lambda s: True)
    assert state["href"] == "#main", "the first stop is the skip link"

    # The dashboard's "continue" leads to the next module.
    tab_to(page, href_is(demo["module_path"]))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The content notes come first: the volunteer chooses to continue (a button: Space).
    tab_to(page, lambda s: s["name"] == "action" and s["value"] == "continue")
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page.locator(".module-body")).to_be_visible()

    # The quiz: each question answered with the keyboard, then submitted with Enter.
    quiz = next(a for a in module.activities if a.kind.block_type == "quiz")
    section = page.locator(f"#activity-{quiz.id}")
    for question_id, wanted in correct_answers(quiz.value).items():
        choose_by_keyboard(page, question_id, wanted)
    tab_to(
        page,
        lambda s: (
            s["tag"] == "button"
            and page.evaluate("() => !!document.activeElement.closest('form[data-quiz]')")
        ),
    )
    page.keyboard.press("Enter")
    expect(section.locator(".badge.done")).to_be_visible()
    assert QuizAttempt.objects.filter(user=user, module=module, passed=True).exists()

    # The reflection: typed, then sent with the keyboard.
    reflection = next(a for a in module.activities if a.kind.block_type == "reflection")
    form = page.locator(f"#activity-{reflection.id} form[data-reflection]")
    tab_to(page, lambda s: s["tag"] == "textarea")
    page.keyboard.type("Blame moves the weight onto the person who was hurt; I will not do that.")
    # Past "Save draft", to "Submit reflection".
    tab_to(
        page,
        lambda s: (
            s["name"] == "action"
            and s["value"] == "submit"
            and page.evaluate("() => !!document.activeElement.closest('form[data-reflection]')")
        ),
    )
    page.keyboard.press("Enter")
    expect(form.locator(".done")).to_be_visible()
    assert Reflection.objects.filter(user=user, module=module, submitted_at__isnull=False).exists()

    # Back up to the header (Shift+Tab), to the dashboard.
    tab_to(page, href_is("/dashboard/"), backwards=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The last requirement: the code of conduct, ticked with Space and signed with Enter.
    tab_to(page, href_is("/certification/agreements/code-of-conduct/"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, element_is("agree"))
    page.keyboard.press("Space")
    expect(page.locator("#agree")).to_be_checked()
    tab_to(
        page,
        lambda s: (
            s["tag"] == "button"
            and s["type"] == "submit"
            and page.evaluate("() => !!document.activeElement.closest('main')")
        ),
    )
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url("**/certification/")

    # Certified: the pool, joined with the keyboard.
    tab_to(page, href_is("/certification/pool/"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, lambda s: s["name"] == "action" and s["value"] == "join")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    member = PoolMember.objects.get(user=user)
    assert member.in_pool
    # The settings form that follows is reachable too: its first language.
    tab_to(page, element_is("id_language_0"))
    page.screenshot(path=str(ARTIFACTS / "test_keyboard_journey-pool.png"), full_page=True)


# --- On a phone, the menu -----------------------------------------------------------------------
def test_on_a_phone_escape_closes_the_menu_and_focus_moves_on(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    toggle = page.locator(".menu-toggle")
    expect(toggle).to_be_visible()
    tab_to(page, lambda s: "menu-toggle" in page.evaluate("() => document.activeElement.className"))
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    first_link = tab_to(page, lambda s: s["tag"] == "a")
    assert first_link["href"] == "/courses/", "Tab goes into the open menu"
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".site-menu")).to_be_hidden()
    assert page.evaluate("() => document.activeElement.classList.contains('menu-toggle')")
    # Closed, the menu's links are skipped: the next stop is in the page's content.
    after = tab_to(page, lambda s: True)
    assert page.evaluate("() => !!document.activeElement.closest('main')"), describe(after)
    context.close()


# --- Errors -------------------------------------------------------------------------------------
def test_a_form_with_errors_puts_the_focus_on_its_summary_which_leads_to_the_field(
    page, live_server
):
    page.goto(f"{live_server.url}/accounts/signup/")
    tab_to(page, element_is("id_email"))
    page.keyboard.type("not an address")
    tab_to(page, element_is("id_display_name"))
    page.keyboard.type("Someone")
    tab_to(page, element_is("id_password1"))
    page.keyboard.type("a long enough passphrase 2026")
    tab_to(page, element_is("id_password2"))
    page.keyboard.type("a long enough passphrase 2026")
    # The browser's own check of the email type would stop the form: the server's is tested.
    page.evaluate("() => document.querySelector('#id_email').setAttribute('type', 'text')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_have_attribute("role", "alert")
    state = assert_focus_visible(page)
    assert state["id"] == "error-summary", describe(state)
    expect(page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    # Its link, followed with Enter, takes the keyboard to the field.
    tab_to(page, href_is("#id_email"))
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'id_email'"
    )
    assert_focus_visible(page)


# --- Targets, text size and reflow, motion ------------------------------------------------------
INTERACTIVE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)

# Every visible control smaller than 24 x 24 px, unless WCAG 2.5.8 excuses it: a link inside a
# sentence, or one far enough from every other target (a 24 px circle on it touches none).
SMALL_TARGETS = """(selector) => {
    const all = [...document.querySelectorAll(selector)].filter((el) => {
        const box = el.getBoundingClientRect();
        const cs = getComputedStyle(el);
        return box.width > 0 && box.height > 0 && cs.visibility !== "hidden"
            && box.right > 0 && box.left < document.documentElement.clientWidth;
    }).map((el) => ({el, box: el.getBoundingClientRect()}));
    const small = all.filter(({box}) => box.width < 23.5 || box.height < 23.5);
    const center = (box) => [box.left + box.width / 2, box.top + box.height / 2];
    const distance = ([x, y], box) => Math.hypot(
        Math.max(box.left - x, 0, x - box.right), Math.max(box.top - y, 0, y - box.bottom));
    const inSentence = (el) => {
        if (getComputedStyle(el).display !== "inline") return false;
        const block = el.parentElement.closest("p, li, dd, td, th, div, label, span");
        const own = el.innerText.trim().length;
        return !!block && block.innerText.trim().length > own + 1;
    };
    const failing = small.filter(({el, box}) => {
        if (el.tagName === "A" && inSentence(el)) return false;
        const c = center(box);
        const crowded = all.some((other) => other.el !== el && !other.el.contains(el)
            && !el.contains(other.el) && (small.includes(other)
                ? Math.hypot(c[0] - center(other.box)[0], c[1] - center(other.box)[1]) < 24
                : distance(c, other.box) < 12));
        return crowded;
    }).map(({el, box}) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`
        + ` “${(el.innerText || el.value || el.name || "").trim().slice(0, 30)}”`
        + ` ${Math.round(box.width)}x${Math.round(box.height)}`);
    return {measured: all.length, failing};
}"""

# No sideways scrolling of the page, and no text cut off by a box that hides what overflows it.
REFLOW = """() => {
    const root = document.documentElement;
    const clipped = [...document.querySelectorAll("body *")].filter((el) => {
        const cs = getComputedStyle(el);
        if (el.closest(".visually-hidden, .skip-link, .column-full") || cs.display === "none") {
            return false;
        }
        const hides = ["hidden", "clip"].includes(cs.overflowX)
            || ["hidden", "clip"].includes(cs.overflowY);
        return hides && el.innerText && el.innerText.trim()
            && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1);
    }).map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, clipped};
}"""


def key_pages(demo):
    """The pages the checks visit: sign-in (signed out), then the dashboard, the course and the
    module with its quiz (signed in)."""
    with translation.override(demo["user"].preferred_language or "en"):
        course_path = demo["module"].get_parent().localized.url
    return ["/accounts/login/"], ["/dashboard/", course_path, demo["module_path"] + "?notes=seen"]


def visit_key_pages(browser, live_server, demo, check, **context_options):
    signed_out, signed_in = key_pages(demo)
    context = browser.new_context(**context_options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found = {}
    for path in signed_out:
        page.goto(live_server.url + path)
        found[path] = check(page)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", demo["user"].email)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.press("#id_password", "Enter")
    for path in signed_in:
        page.goto(live_server.url + path)
        if path.endswith("?notes=seen"):
            expect(page.locator("form[data-quiz]")).to_be_visible()
        found[path] = check(page)
    context.close()
    return found


@pytest.mark.parametrize("width", [1100, 390])
def test_every_target_is_at_least_24_px_or_excused(browser, live_server, demo, width):
    found = visit_key_pages(
        browser, live_server, demo, lambda page: page.evaluate(SMALL_TARGETS, INTERACTIVE),
        viewport={"width": width, "height": 900},
    )  # fmt: skip
    assert all(result["measured"] >= 5 for result in found.values()), found
    assert {path: result["failing"] for path, result in found.items()} == {p: [] for p in found}


@pytest.mark.parametrize(
    "viewport, root_size",
    [({"width": 1280, "height": 900}, "200%"), ({"width": 320, "height": 640}, "100%")],
    ids=["1280px-text-200", "320px"],
)
def test_text_at_200_percent_and_a_320_px_screen_need_no_sideways_scrolling(
    browser, live_server, demo, viewport, root_size
):
    def check(page):
        # Text zoom: the root font size, which every size in site.css follows (rem, em).
        page.evaluate("(size) => { document.documentElement.style.fontSize = size; }", root_size)
        return page.evaluate(REFLOW)

    found = visit_key_pages(browser, live_server, demo, check, viewport=viewport)
    for path, result in found.items():
        assert result["scrollWidth"] <= result["clientWidth"] + 1, (path, result)
        assert result["clipped"] == [], (path, result)


MOTION = """() => {
    // Give a button and the page a transition and an animation, as a future stylesheet might.
    const button = document.querySelector("main button, main .button")
        || document.querySelector("button");
    button.style.transition = "background-color 2s ease 0.5s";
    button.style.animation = "none 3s linear infinite";
    const longest = (values) => Math.max(...values.split(",").map((v) => parseFloat(v) || 0));
    const everything = [...document.querySelectorAll("*")].map((el) => getComputedStyle(el));
    const cs = getComputedStyle(button);
    return {
        button: [cs.transitionDuration, cs.transitionDelay, cs.animationDuration],
        moving: everything.filter((s) => longest(s.transitionDuration) > 0
            || longest(s.animationDuration) > 0).length,
        scroll: getComputedStyle(document.documentElement).scrollBehavior,
    };
}"""


def test_reduced_motion_stops_transitions_and_animations(browser, live_server, demo):
    found = visit_key_pages(
        browser, live_server, demo, lambda page: page.evaluate(MOTION), reduced_motion="reduce"
    )
    for path, result in found.items():
        assert result == {"button": ["0s", "0s", "0s"], "moving": 0, "scroll": "auto"}, path
    # Without the preference, the same transition runs: the check above can tell.
    moving = visit_key_pages(
        browser, live_server, demo, lambda page: page.evaluate(MOTION),
        reduced_motion="no-preference",
    )  # fmt: skip
    assert all(result["button"][0] == "2s" for result in moving.values()), moving
