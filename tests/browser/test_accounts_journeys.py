"""A visitor becomes a volunteer; a trainer is led to set up two-factor authentication."""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.core import mail

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _current_code(secret: str) -> str:
    """The code of the current 30-second window, never one about to expire.

    Near the end of a window the code could be stale by the time the server checks it
    (allauth accepts only the current window), so wait for the next one instead.
    """
    if time.time() % 30 > 26:
        time.sleep(30 - time.time() % 30 + 0.2)
    counter = next(iter(yield_hotp_counters_from_time()))
    return format_hotp_value(hotp_value(secret, counter))


def test_a_visitor_signs_up_confirms_the_email_and_reaches_the_dashboard(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Create an account").first.click()

    # The browser's time zone is suggested; the person sees and can change it.
    assert page.locator("#id_time_zone").input_value() == "America/Bogota"
    page.fill("#id_email", "luna@example.org")
    page.fill("#id_display_name", "Luna")
    page.fill("#id_password1", "a-long-and-unusual-passphrase")
    page.fill("#id_password2", "a-long-and-unusual-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/accounts/confirm-email/")

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name="Welcome, Luna").is_visible()
    assert "You are not in a cohort yet" in page.content()
    assert page.get_by_text("Successfully signed in as Luna").is_visible()


def test_a_visitor_switches_the_interface_to_spanish(page, live_server):
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="Courses").is_visible()
    page.select_option("#language-select", "es")
    with page.expect_navigation():  # wait for the form's answer, not the current page
        page.get_by_role("button", name="Change").click()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Cursos").is_visible()
    assert page.get_by_role("link", name="Crear una cuenta").first.is_visible()


def test_a_trainer_is_led_to_set_up_mfa_and_then_reaches_the_desk(
    page, live_server, trainer, password
):
    page.goto(live_server.url + "/dashboard/trainer/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_login", trainer.email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign In").click()

    page.wait_for_url("**/accounts/two-factor-required/**")
    assert page.get_by_role(
        "heading", name="Protect your account with a second factor"
    ).is_visible()
    page.get_by_role("link", name="Set up two-factor authentication").click()

    # allauth asks for the password once more before a second factor is added.
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("#id_password", password)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/accounts/2fa/totp/activate**")
    secret = page.locator("#authenticator_secret").input_value()
    page.fill("#id_code", _current_code(secret))
    page.get_by_role("button", name="Activate").click()
    # Wait until the activation has been accepted (the browser has left the form);
    # a load-state wait returns at once on the current page and races the POST.
    page.wait_for_url(lambda url: "/totp/activate" not in url)

    page.goto(live_server.url + "/dashboard/trainer/")
    assert page.get_by_role("heading", name="Trainer's desk").is_visible()
