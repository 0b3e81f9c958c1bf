"""In real Chromium at 1280 by 800 CSS px (a common laptop screen): the responder pool's table,
filled with the longest values people really write, fits without scrolling sideways, and a
revocation needs a confirmation, without JavaScript."""

import pytest
from playwright.sync_api import expect

from certificates.models import Certificate
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_cohort_journey import sign_in
from tests.certificates.pool_factories import pool_person, pool_track
from tests.conftest import enrol_totp
from training.factories import UserFactory
from training.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = {
    "languages": [("es", "native"), ("en", "fluent"), ("pt", "working"), ("fr", "working")],
    "region": "Región Metropolitana de Santiago y Valparaíso",
    "time_zone": "America/Argentina/Buenos_Aires",
    "focus_areas": ["harassment", "accompaniment", "secondary_trauma", "digital_security",
                    "documentation", "legal_orientation"],
    "channels": ["chat", "email", "phone", "video", "in_person"],
    "hours_per_week": 12,
    "contact_phone": "+54 11 5555 0101 (WhatsApp, Signal)",
    "contact_other": "signal.me/#eu/valentinagonzalezsupportnetwork2026",
    "share_email": True, "share_phone": True, "share_other": True,
}  # fmt: skip


def test_the_pool_table_fits_a_1280_px_screen(browser, live_server, password):
    track = pool_track()
    for number in range(12):
        pool_person(
            track, name=f"María Fernanda de los Ángeles Rodríguez-Villanueva {number}",
            email=f"maria.fernanda.rodriguez.villanueva.{number}@feminist-helpline.example.org",
            **LONG,
        )  # fmt: skip
    coordinator = UserFactory(display_name="Coord", roles=[Role.COORDINATOR], password=password)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, coordinator, password, enrol_totp(coordinator))
        page.goto(f"{live_server.url}/pool/?availability=any")
        expect(page.locator("table tbody tr")).to_have_count(12)
        widths = page.evaluate(
            """() => {
                const table = document.querySelector("main table");
                return {page: document.documentElement.scrollWidth,
                        table: table.getBoundingClientRect().right,
                        holder: table.parentElement.scrollWidth - table.parentElement.clientWidth};
            }"""
        )
        assert widths["page"] <= 1280, widths
        assert widths["table"] <= 1280, widths
        assert widths["holder"] <= 0, widths  # and no scrolling inside its own box either
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "pool-at-1280.png"))

        # Revoking a certificate: a confirmation page names the person first (no JavaScript).
        person = pool_person(track, name="Holder", languages=[("es", "native")])
        certificate = Certificate.objects.get(user=person.user)
        page.goto(f"{live_server.url}/dashboard/coordinator/tracks/{track.slug}/people/"
                  f"{person.user_id}/")  # fmt: skip
        page.locator("summary", has_text="Revoke this certificate").click()
        page.fill("#id_reason", "Shared a caller's story")
        page.get_by_role("button", name="Revoke…").click()
        expect(page.get_by_role("heading", name="Revoke this certificate?")).to_be_visible()
        certificate.refresh_from_db()
        assert certificate.revoked_at is None
        page.get_by_role("button", name="Revoke the certificate of Holder").click()
        expect(page.get_by_text("Certificate revoked; the person left")).to_be_visible()
        certificate.refresh_from_db()
        assert certificate.revoked_at is not None
    finally:
        context.close()
