"""The self-care plan, in Chromium with the service worker: opened once, it is kept on the device
for its owner and read with the network cut; signing out removes it."""

import pytest
from playwright.sync_api import Error as PlaywrightError

from care.services import plan_save
from tests.browser.test_learning_journey import sign_in
from training.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # training.factories.UserFactory's


@pytest.fixture
def context(browser):
    context = browser.new_context(locale="en-GB", service_workers="allow")
    context.set_default_timeout(15_000)
    yield context
    context.close()


def test_the_plan_is_read_offline_by_its_owner(context, live_server):
    person = UserFactory(display_name="Rita")
    plan_save(user=person, signals="I stop sleeping", what_helps="Walks by the river",
              who_to_call="My sister")  # fmt: skip
    page = context.new_page()
    sign_in(page, live_server, person, PASSWORD, "/care/plan/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(
        "caches.keys().then(n => n.some(k => /:pages$/.test(k)))"
        " && caches.keys().then(ns => Promise.all(ns.filter(k => /:pages$/.test(k))"
        ".map(k => caches.open(k).then(c => c.keys())))).then(r => r.flat().length > 0)"
    )
    # What the device holds before going offline, to tell a failure's cause (cache names and
    # the addresses kept in each).
    held = page.evaluate(
        "caches.keys().then(ns => Promise.all(ns.map(n => caches.open(n).then(c => c.keys())"
        ".then(rs => [n, rs.map(r => r.url)]))))"
    )
    context.set_offline(True)
    # Twice at most: on a loaded machine Chromium has once answered the first offline reload
    # with ERR_FAILED while the worker and its saved copy were there (seen in CI, not
    # reproduced in 8 runs under load); a second reload, still offline, must read the copy.
    for attempt in (1, 2):
        try:
            page.reload()
            break
        except PlaywrightError as error:  # nothing answered: the test fails below
            if "ERR_FAILED" in str(error) and attempt == 1:
                page.wait_for_timeout(500)
                continue
            assert "ERR_INTERNET_DISCONNECTED" in str(error), (str(error), held)
    page.wait_for_load_state("load")
    assert "Walks by the river" in page.content()
    context.set_offline(False)
