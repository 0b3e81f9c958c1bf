"""A volunteer downloads their data from their profile, in a browser without JavaScript."""

import io
import json
import zipfile

import pytest

from tests.browser.conftest import ARTIFACTS
from training.factories import UserFactory
from training.models import AuditEntry, DataDownload

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def no_js_page(browser, request):
    context = browser.new_context(
        java_script_enabled=False,
        locale="en-GB",
        timezone_id="America/Bogota",
        accept_downloads=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def test_a_volunteer_downloads_their_data_without_javascript(no_js_page, live_server, password):
    page = no_js_page
    person = UserFactory(
        email="noor@example.org", display_name="Noor", password=password, time_zone="Asia/Kolkata"
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", person.email)
    page.fill("#id_password", password)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url("**/dashboard/**")

    page.goto(f"{live_server.url}/accounts/profile/")
    page.get_by_role("link", name="Download my data").click()
    page.wait_for_url("**/accounts/data/")
    assert page.get_by_role("heading", name="Download your data", level=1).is_visible()
    with page.expect_navigation():
        page.locator("#data-download-ask").click()
    # Eager Celery in the test server: prepared by the time the page comes back (a real worker
    # would leave it "being prepared", and the page would refresh itself until ready).
    assert page.locator("#data-download").get_attribute("data-status") == "ready"
    assert "(Kolkata, India)" in page.locator("#data-download").inner_text()

    with page.expect_download() as downloading:
        page.locator("#data-download-link").click()
    download = downloading.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as archive:
        names = set(archive.namelist())
        account = json.loads(archive.read("account.json"))
    assert "index.html" in names and "records.json" in names
    assert account["data"]["training.User"]["rows"][0]["email"] == "noor@example.org"
    assert DataDownload.objects.get().status == DataDownload.Status.READY
    assert AuditEntry.objects.filter(action="account.data_downloaded", subject=person).count() == 1
