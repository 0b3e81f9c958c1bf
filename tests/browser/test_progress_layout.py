"""In real Chromium at 1280 by 800 CSS px: a cohort's progress table with eight modules, skills and
long names scrolls inside its own box; the page itself never scrolls sideways (issue 15)."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from cohorts import services
from cohorts.models import Cohort, Membership, Skill
from courses.factories import make_course
from courses.models import ModulePage
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_cohort_journey import sign_in
from tests.conftest import enrol_totp
from training.factories import UserFactory
from training.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_table_scrolls_in_its_box_on_a_1280_px_screen(browser, live_server, password):
    course, modules = make_course("wide-course", modules=8)
    # Shortened names that cannot wrap: each column is wide, the table wider than the screen.
    for number, module in enumerate(modules):
        ModulePage.objects.filter(pk=module.pk).update(
            title=f"Acompañamiento-emocional {number + 1}: escuchar sin juzgar"
        )
    trainer = UserFactory(display_name="Tomás", roles=[Role.TRAINER], password=password)
    cohort = Cohort.objects.create(
        slug="wide", title="Wide cohort", working_language="en", time_zone="Europe/Madrid",
        starts_on=date.today(), ends_on=date.today() + timedelta(days=60),
        mode=Cohort.Mode.APPLICATION, status=Cohort.Status.OPEN, capacity=None,
    )  # fmt: skip
    cohort.courses.add(course)
    cohort.trainers.add(trainer)
    for number in range(3):
        Skill.objects.create(cohort=cohort, name=f"Role-play {number}")
    for number in range(6):
        person = UserFactory(
            display_name=f"María Fernanda de los Ángeles Rodríguez-Villanueva {number}"
        )
        services._admit(cohort, person, Membership.Source.CSV)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, live_server.url, trainer, password, enrol_totp(trainer))
        page.goto(f"{live_server.url}/dashboard/trainer/cohorts/{cohort.slug}/progress/")
        expect(page.locator("table.matrix tbody tr")).to_have_count(6)
        widths = page.evaluate(
            """() => {
                const table = document.querySelector("table.matrix");
                const box = table.closest(".table-scroll");
                return {page: document.documentElement.scrollWidth,
                        box: box.getBoundingClientRect().right,
                        table: table.scrollWidth, shown: box.clientWidth};
            }"""
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "progress-at-1280.png"))
        assert widths["page"] <= 1280, widths  # the page never scrolls sideways
        assert widths["box"] <= 1280, widths
        # The table is wider than its box here: it scrolls inside it.
        assert widths["table"] > widths["shown"], widths
    finally:
        context.close()
