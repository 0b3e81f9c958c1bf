"""A volunteer downloads their data, then deletes their account, in a real browser."""

import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from training.models import AccountDeletion, User
from training.tasks import perform_due_deletions

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _sign_in(page, live_server, email, password):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign In").click()


def test_a_volunteer_downloads_their_data_then_deletes_their_account(
    page, live_server, volunteer, password, tmp_path
):
    _sign_in(page, live_server, volunteer.email, password)
    page.wait_for_url("**/dashboard/")

    # Download my data, from the profile.
    page.goto(live_server.url + "/accounts/profile/")
    page.get_by_role("link", name="Download my data").click()
    page.wait_for_url("**/accounts/data/")
    page.click("#data-download-ask")
    page.wait_for_selector("#data-download-link", timeout=60_000)
    with page.expect_download() as download_info:
        page.click("#data-download-link")
    archive = tmp_path / "data.zip"
    download_info.value.save_as(archive)
    with zipfile.ZipFile(archive) as opened:
        names = opened.namelist()
        assert "index.html" in names
        assert volunteer.email in opened.read("index.html").decode()

    # Delete my account: the page says what happens; the password confirms it.
    page.goto(live_server.url + "/accounts/profile/")
    page.click("#delete-account")
    page.wait_for_url("**/accounts/delete/")
    # A short summary and the form come first; the full lists are folded away.
    assert page.locator("#summary").is_visible()
    assert page.locator("#download-data-first").is_visible()
    assert page.locator("#id_password").is_visible()
    assert not page.locator('[data-erase="keep"]').first.is_visible()
    page.locator('details[data-category="cohorts"] summary').click()
    assert page.locator('details[data-category="cohorts"] [data-erase="keep"]').is_visible()
    assert page.locator('details[data-category="staff"]').count() == 0  # a volunteer
    page.fill("#id_password", "not my password")
    page.get_by_role("button", name="Delete my account").click()
    assert page.locator("#id_password_error").is_visible()
    assert not AccountDeletion.objects.exists()

    page.fill("#id_password", password)
    page.get_by_role("button", name="Delete my account").click()
    page.wait_for_url("**/accounts/delete/done/")
    assert page.locator("#deletion-date").is_visible()
    assert "(UTC)" in page.locator("#deletion-date").inner_text()  # the person's zone, named
    assert any(volunteer.email in message.to for message in mail.outbox)

    # Signed out: the profile asks to sign in.
    page.goto(live_server.url + "/accounts/profile/")
    page.wait_for_url("**/accounts/login/**")

    # The grace period ends (the beat task runs): the account can no longer be signed in to.
    AccountDeletion.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    assert perform_due_deletions() == 1
    assert User.objects.get(pk=volunteer.pk).anonymised_at is not None
    _sign_in(page, live_server, "vol@example.org", password)
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    page.goto(live_server.url + "/accounts/profile/")
    page.wait_for_url("**/accounts/login/**")
