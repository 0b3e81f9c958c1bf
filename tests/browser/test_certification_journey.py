"""In real Chromium, on the demo data: the demo volunteer (Spanish interface) signs the last
requirement, downloads the certificate, checks it at /verify/<code>/ and joins the responder
pool; the coordinator finds them by language and exports the list."""

import csv
import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from certificates.models import Certificate, PoolMember
from tests.browser.test_cohort_journey import sign_in
from tests.conftest import enrol_totp
from training.demo import DEMO_PASSWORD
from training.models import AuditEntry, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def test_last_requirement_certificate_verification_pool_and_export(page, browser, live_server,
                                                                   demo, tmp_path):  # fmt: skip
    base = live_server.url
    volunteer = User.objects.get(email="volunteer@example.org")
    sign_in(page, base, volunteer, DEMO_PASSWORD)

    # The dashboard explains what is left: 3 of 4, the code of conduct to sign.
    expect(page.get_by_text("3 de 4 requisitos cumplidos").first).to_be_visible()
    page.locator("a[href='/certification/agreements/code-of-conduct/']").first.click()
    page.locator("#agree").check()
    page.get_by_role("button", name="Firmar").click()
    page.wait_for_url("**/certification/")

    certificate = Certificate.objects.get(user=volunteer)
    # The certified moment: "You are certified", the certificate, and what the pool is.
    expect(page.locator("#certified-heading")).to_be_visible()
    expect(page.locator(".notice-certified a[href='/certification/pool/']")).to_be_visible()
    page.locator(f"a[href='/certification/certificates/{certificate.code}/']").first.click()
    # The PDF is prepared in Celery; the page refreshes itself until it is ready.
    download_link = page.locator(f"a[href='/certification/certificates/{certificate.code}/pdf/']")
    expect(download_link).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        download_link.click()
    saved = tmp_path / "certificate.pdf"
    info.value.save_as(saved)
    text = " ".join(p.extract_text() for p in PdfReader(saved).pages)
    assert volunteer.display_name in text
    assert certificate.code in text
    assert "Certificado" in text  # in the volunteer's language

    page.goto(f"{base}/verify/{certificate.code}/")
    expect(page.locator(".verify-valid")).to_be_visible()
    expect(page.get_by_text(volunteer.display_name)).to_be_visible()
    expect(page.get_by_text(volunteer.email)).to_have_count(0)

    # Join the pool and say which languages coordinators may see.
    page.goto(f"{base}/certification/pool/")
    with page.expect_navigation():
        page.locator("button[name=action][value=join]").click()
    page.select_option("#id_language_0", "ca")
    page.select_option("#id_level_0", "native")
    page.fill("#id_region", "Pirineus")
    # Nothing is shared until the person ticks it: languages and region, not contact details.
    page.locator("#id_share_languages").check()
    page.locator("#id_share_region").check()
    with page.expect_navigation():
        page.locator("button[name=action][value=save]").click()
    expect(page.locator("#id_language_0")).to_have_value("ca")
    assert PoolMember.objects.get(user=volunteer).language_index == "|ca|"

    # The coordinator finds them by language and exports the list.
    coordinator = User.objects.get(email="coordinator@example.org")
    desk = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    desk_page = desk.new_page()
    desk_page.set_default_timeout(15_000)
    sign_in(desk_page, base, coordinator, DEMO_PASSWORD, enrol_totp(coordinator))
    desk_page.goto(f"{base}/pool/")
    desk_page.select_option("#id_language", "ca")
    desk_page.get_by_role("button", name="Search").click()
    rows = desk_page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(volunteer.display_name)
    expect(rows.first).to_contain_text("Pirineus")
    with desk_page.expect_download() as info:
        desk_page.get_by_role("button", name="Export CSV").click()
    exported = tmp_path / "pool.csv"
    info.value.save_as(exported)
    lines = list(csv.reader(exported.read_text(encoding="utf-8-sig").splitlines()))
    assert len(lines) == 2, lines
    assert volunteer.display_name in lines[1]
    assert volunteer.email not in lines[1]  # contact details were not shared
    access = AuditEntry.objects.get(action="pool.export_csv")
    assert access.actor == coordinator
    assert set(access.subjects.values_list("person_id", flat=True)) == {volunteer.pk}
    assert access.detail["filters"].get("language") == "ca"
    desk.close()
