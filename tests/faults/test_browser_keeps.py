"""A learner's xAPI statement or quiz answers during a fault are kept in the browser for retry,
never dropped: the site's real scripts (static/js/device-queue.js, the one queue of what the
device sends, with static/js/h5p.js and static/js/learning.js) in the real
Chromium, in front of a server that answers what a fault makes it answer (503 JSON from
training.friendly_errors when the database is down, the friendly 500 page, no answer at all).

Why the browser and a stand-in server rather than the whole site: what is at stake here is the
scripts' decision on each answer (drop, keep, retry); test_postgres_restart.py proves with the
real processes that the server's answer during a fault is that 503. The pages hold the markup
the site's blocks render (courses/blocks.py), reduced to what the scripts read.
"""

import json

import pytest

from tests.servers import ROOT

pytestmark = [pytest.mark.integration, pytest.mark.browser]

SITE = "http://platform.faults.test"
FRIENDLY = "Something went wrong on our side"
OWNER = "device"
QUEUE = f"acompana:queue:{OWNER}"
DRAFT = "acompana:device:quiz:1:block"
WAITING = "Saved on this device; it will be sent when you are back online."

H5P_PAGE = f"""<!DOCTYPE html><html><body data-device-owner="{OWNER}">
<section data-h5p id="activity-1" data-origin="http://h5p.faults.test" data-launch="launch-token"
  data-xapi-url="/learn/xapi/" data-csrf="csrf"
  data-msg-offline="Not sent yet: kept on this device.">
  <p class="h5p-status">Not started yet.</p>
</section>
<script src="/static/js/device-queue.js"></script>
<script src="/static/js/h5p.js"></script></body></html>"""

QUIZ_PAGE = f"""<!DOCTYPE html><html><body data-device-owner="{OWNER}">
<section class="activity" id="activity-quiz">
<form method="post" action="/learn/quiz/submit/" data-quiz data-draft-key="{DRAFT}"
  data-attempts="0" data-msg-queued="{WAITING}" data-msg-sent="Sent."
  data-msg-refused="Not recorded." data-msg-result="Show my result">
  <fieldset><legend>1. Which?</legend>
  <input type="radio" name="q-1" id="q-1-a" value="a"><label for="q-1-a">A</label>
  <input type="radio" name="q-1" id="q-1-b" value="b"><label for="q-1-b">B</label></fieldset>
  <button type="submit">Submit answers</button>
  <p class="queue-status" role="status" tabindex="-1"></p>
  <p class="draft-note" hidden>Your answers are kept on this device.</p>
</form></section>
<script src="/static/js/device-queue.js"></script>
<script src="/static/js/learning.js"></script></body></html>"""

STATEMENT = {"verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
             "id": "6f1c2a0e-4b7d-4c1e-9a53-2f0d8e6b7c11"}  # fmt: skip
ITEM = {"key": STATEMENT["id"], "kind": "xapi", "url": "/learn/xapi/", "json": True,
        "body": {"token": "launch-token", "statement": STATEMENT}, "label": "", "slot": "",
        "group": "/learn/xapi/", "renew": "", "added": 0}  # fmt: skip


class Server:
    """Answers the page's requests: the pages, the real scripts, and `answer` for the POSTs."""

    def __init__(self):
        self.answer = "503"
        self.posts = []

    def __call__(self, route):
        request = route.request
        path = request.url.removeprefix(SITE).split("?")[0]
        if path.startswith("/static/js/"):
            body = (ROOT / path.lstrip("/")).read_text()
            return route.fulfill(status=200, content_type="text/javascript", body=body)
        if request.method == "GET":
            pages = {"/h5p/": H5P_PAGE, "/quiz/": QUIZ_PAGE, "/": "<!DOCTYPE html><p>hi</p>"}
            return route.fulfill(status=200, content_type="text/html", body=pages[path])
        self.posts.append((path, self.answer))
        if self.answer == "503":  # the database down (training.friendly_errors.server_error)
            if "application/json" in (request.headers.get("accept") or ""):
                return route.fulfill(
                    status=503, content_type="application/json", headers={"Retry-After": "30"},
                    body=json.dumps({"code": "unavailable"}),
                )  # fmt: skip
            return route.fulfill(status=503, content_type="text/html", body=f"<h1>{FRIENDLY}</h1>")
        if self.answer == "500":  # any other server error: the friendly HTML page
            return route.fulfill(status=500, content_type="text/html", body=f"<h1>{FRIENDLY}</h1>")
        if self.answer == "gone":  # the proxy finds no server: the connection fails
            return route.abort("connectionrefused")
        return route.fulfill(
            status=200, content_type="application/json",
            body=json.dumps({"status": "Recorded.", "completed": False}),
        )  # fmt: skip


@pytest.fixture
def site(browser):
    context = browser.new_context()
    server = Server()
    context.route(f"{SITE}/**", server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page, server
    context.close()


def _waiting(page):
    return json.loads(page.evaluate(f"localStorage.getItem('{QUEUE}')") or "null")


def test_an_xapi_statement_is_kept_through_5xx_and_failed_connections_then_sent(site):
    page, server = site
    page.goto(f"{SITE}/")
    page.evaluate(f"localStorage.setItem('{QUEUE}', JSON.stringify([{json.dumps(ITEM)}]))")

    for answer, tries in (("503", 1), ("500", 2), ("gone", 3)):
        server.answer = answer
        if tries == 1:
            page.goto(f"{SITE}/h5p/")  # the queue sends what waits as soon as a page loads
        else:
            page.evaluate("window.dispatchEvent(new Event('online'))")  # its retry, sooner
        for _ in range(100):
            if len(server.posts) >= tries:
                break
            page.wait_for_timeout(100)
        page.wait_for_function(
            "document.querySelector('.h5p-status').textContent.includes('kept on this device')"
        )
        page.wait_for_timeout(300)
        assert len(server.posts) == tries, server.posts
        assert [item["body"] for item in _waiting(page)] == [ITEM["body"]], f"dropped: {answer}"

    page.reload()  # a reload (or closing the tab) loses nothing either
    server.answer = "ok"
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function(f"localStorage.getItem('{QUEUE}') === null")
    assert server.posts[-1] == ("/learn/xapi/", "ok")


def test_quiz_answers_submitted_during_a_fault_wait_in_the_browser(site):
    page, server = site
    page.goto(f"{SITE}/quiz/")
    page.check("#q-1-b")
    server.answer = "503"
    page.click("button[type=submit]")
    # The server is unwell: the answers wait on this device (the page says so) and are tried
    # again later; the page stays, the answers still chosen.
    page.wait_for_function(
        f"document.querySelector('.queue-status').textContent === {json.dumps(WAITING)}"
    )
    assert [answer for _path, answer in server.posts] == ["503"]
    assert page.is_checked("#q-1-b")
    [item] = _waiting(page)
    assert item["kind"] == "quiz" and ["q-1", "b"] in item["body"]

    page.goto(f"{SITE}/quiz/")  # back to the quiz: the answers are there, still waiting
    assert page.is_checked("#q-1-b")
    assert page.is_visible(".draft-note")
    draft = json.loads(page.evaluate(f"localStorage.getItem('{DRAFT}')"))
    assert draft == {"attempts": 0, "answers": {"q-1": ["b"]}}
    server.answer = "ok"
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_function("document.querySelector('.queue-status').textContent.includes('Sent.')")
    assert _waiting(page) is None
    assert server.posts[-1] == ("/learn/quiz/submit/", "ok")
