"""The account pages (allauth's) speak only in our catalogue's words, and the "confirm your email"
page says what to do when no email comes.

allauth's and Django's own catalogues address people as "usted", and any msgid missing from ours
shows their wording (or English where they have none). Rendering each page in Spanish while
recording every message looked up names each msgid that is not ours: add it to
training/allauth_strings.py or training/django_strings.py, then run `make messages`.
"""

import re
import time
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils.dates import MONTHS, MONTHS_3, MONTHS_ALT, MONTHS_AP, WEEKDAYS, WEEKDAYS_ABBR
from django.utils.translation.trans_real import DjangoTranslation

from tests.conftest import enrol_totp

pytestmark = pytest.mark.django_db
# Django's msgids use the typographic apostrophe (U+2019).
# ruff: noqa: RUF001

SIGNUP = {
    "email": "nueva@example.org",
    "display_name": "Nueva",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "time_zone": "America/La_Paz",
    "preferred_language": "es",
}
# Looked up but not ours to say: Django's label suffix and its check for one; each language's
# own name in the language switcher ("Español"); the names of months and days in dates.
DATE_NAMES = (MONTHS, MONTHS_3, MONTHS_ALT, MONTHS_AP, WEEKDAYS, WEEKDAYS_ABBR)
NOT_WORDS = (
    {":", ":?.!"}
    | {info.get("name_local") for info in LANG_INFO.values()}
    | {str(name) for names in DATE_NAMES for name in names.values()}
)


def _our_spanish_msgids() -> set[str]:
    """Our translated msgids, and our Spanish itself (a name already translated, looked up
    again, stays as it is)."""
    po = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.po"
    entries = [entry for entry in polib.pofile(str(po)) if entry.translated()]
    return {f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt else e.msgid for e in entries} | {
        entry.msgstr for entry in entries
    }


@pytest.fixture
def lookups(monkeypatch):
    """Every Spanish msgid (plural: "singular | plural") looked up while the test runs."""
    seen: dict[str, set[str]] = {}
    where = ["?"]
    gettext, ngettext = DjangoTranslation.gettext, DjangoTranslation.ngettext

    def recording_gettext(self, message):
        if self.language() == "es":
            seen.setdefault(message, set()).add(where[0])
        return gettext(self, message)

    def recording_ngettext(self, singular, plural, number):
        if self.language() == "es":
            seen.setdefault(f"{singular} | {plural}", set()).add(where[0])
        return ngettext(self, singular, plural, number)

    monkeypatch.setattr(DjangoTranslation, "gettext", recording_gettext)
    monkeypatch.setattr(DjangoTranslation, "ngettext", recording_ngettext)
    return seen, where


def _reauthenticated(client, user):
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_every_account_page_in_spanish_uses_only_our_catalogue(client, volunteer, lookups):
    seen, where = lookups
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"

    def visit(name, request):
        where[0] = name
        response = request()
        assert response.status_code in (200, 302), (name, response.status_code)
        if response.status_code == 302:
            client.get(response.url)  # the page it leads to, with its message

    wrong = {"oldpassword": "nope", "password1": "1234567", "password2": "1234567"}
    # Signed out: sign-up (and its errors), sign-in, code, reset, confirmation.
    visit("signup", lambda: client.get(reverse("account_signup")))
    visit("signup errors", lambda: client.post(reverse("account_signup"), {
        "email": "not-an-address", "password1": "1234567", "password2": "7654321",
        "time_zone": "Nowhere/Atlantis", "display_name": "x" * 300}))  # fmt: skip
    visit("login", lambda: client.get(reverse("account_login")))
    visit("login errors", lambda: client.post(
        reverse("account_login"), {"login": volunteer.email, "password": "nope"}))  # fmt: skip
    visit("login code", lambda: client.get(reverse("account_request_login_code")))
    visit("reset", lambda: client.get(reverse("account_reset_password")))
    visit("reset sent", lambda: client.post(
        reverse("account_reset_password"), {"email": volunteer.email}))  # fmt: skip
    reset_link = re.search(r"https?://\S+/password/reset/key/\S+/", mail.outbox[-1].body)
    visit("reset from key", lambda: client.get(_path(reset_link.group(0)), follow=True))
    visit("reset from key errors", lambda: client.post(
        client.get(_path(reset_link.group(0))).url, wrong))  # fmt: skip
    visit("reset bad key", lambda: client.get("/accounts/password/reset/key/1-x/", follow=True))
    visit("reset done", lambda: client.get(reverse("account_reset_password_from_key_done")))
    visit("signup sent", lambda: client.post(reverse("account_signup"), SIGNUP))
    visit("verification sent", lambda: client.get(reverse("account_email_verification_sent")))
    confirm = re.search(r"https?://\S+/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    visit("confirm email", lambda: client.get(_path(confirm)))
    visit("confirm bad key", lambda: client.get("/accounts/confirm-email/nothing/"))
    visit("confirmed", lambda: client.post(_path(confirm)))
    # Signed in, in Spanish by the profile.
    volunteer.preferred_language = "es"
    volunteer.save()
    client.force_login(volunteer)
    visit("logout", lambda: client.get(reverse("account_logout")))
    visit("email", lambda: client.get(reverse("account_email")))
    visit("email change", lambda: client.post(
        reverse("account_email"), {"action_add": "", "email": "otra@example.org"}))  # fmt: skip
    visit("email pending", lambda: client.get(reverse("account_email")))
    visit("email cancel", lambda: client.post(
        reverse("account_email"), {"action_remove": "", "email": "otra@example.org"}))  # fmt: skip
    visit("reauthenticate", lambda: client.get(reverse("account_reauthenticate")))
    visit("reauthenticate errors", lambda: client.post(
        reverse("account_reauthenticate"), {"password": "nope"}))  # fmt: skip
    _reauthenticated(client, volunteer)
    visit("password change", lambda: client.get(reverse("account_change_password")))
    visit("password change errors", lambda: client.post(
        reverse("account_change_password"), wrong))  # fmt: skip
    visit("two-step", lambda: client.get(reverse("mfa_index")))
    visit("authenticator", lambda: client.get(reverse("mfa_activate_totp")))
    visit("authenticator errors", lambda: client.post(
        reverse("mfa_activate_totp"), {"code": "000000"}))  # fmt: skip
    enrol_totp(volunteer)
    visit("two-step on", lambda: client.get(reverse("mfa_index")))
    visit("authenticator off", lambda: client.get(reverse("mfa_deactivate_totp")))
    visit("recovery codes", lambda: client.get(reverse("mfa_generate_recovery_codes")))
    visit("recovery codes made", lambda: client.post(reverse("mfa_generate_recovery_codes")))
    visit("recovery codes list", lambda: client.get(reverse("mfa_view_recovery_codes")))
    visit("reauthenticate code", lambda: client.get(reverse("mfa_reauthenticate")))
    client.post(reverse("account_logout"))
    visit("signed out", lambda: client.get(reverse("account_login")))

    ours = _our_spanish_msgids()
    foreign = {
        msgid: sorted(pages)
        for msgid, pages in seen.items()
        if msgid not in NOT_WORDS and msgid.split(" | ")[0] not in ours
    }
    assert not foreign, "not in our Spanish catalogue:\n" + "\n".join(
        f"{msgid!r} on {pages}" for msgid, pages in sorted(foreign.items())
    )


def test_the_password_hints_and_errors_are_ours_in_spanish(client, lookups):
    seen, _where = lookups
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.post(reverse("account_signup"), {**SIGNUP, "password1": "12345", "password2": "12345"})
    validators = {
        "Your password can’t be too similar to your other personal information.",
        "Your password must contain at least %(min_length)d character. | "
        "Your password must contain at least %(min_length)d characters.",
        "This password is too short. It must contain at least %d character. | "
        "This password is too short. It must contain at least %d characters.",
        "Your password can’t be a commonly used password.",
        "This password is too common.",
        "Your password can’t be entirely numeric.",
        "This password is entirely numeric.",
    }
    assert validators <= set(seen)  # the page did show them
    ours = _our_spanish_msgids()
    assert {m for m in validators if m.split(" | ")[0] not in ours} == set()


def test_the_confirm_your_email_page_says_how_to_get_a_new_link_and_whom_to_write(client, settings):
    settings.ACOMPANA_CONTACT = "ayuda@example.org"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    response = client.post(reverse("account_signup"), SIGNUP, follow=True)
    body = response.content.decode()
    assert f'href="{reverse("account_login")}"' in body  # sign in again: a new link
    assert 'href="mailto:ayuda@example.org"' in body
    assert "Please contact us" not in body and "contact us" not in body.lower()


def test_without_a_contact_the_confirm_page_promises_none(client, settings):
    settings.ACOMPANA_CONTACT = ""
    settings.ACOMPANA_PRIVACY_CONTACT = ""
    body = client.get(reverse("account_email_verification_sent")).content.decode()
    assert "data-contact" not in body and "mailto:" not in body
    assert f'href="{reverse("account_login")}"' in body


# allauth's "Please contact us if…" and "Otherwise contact us…", in English and in our Spanish.
STOCK_CONTACT = ("contact us", "escríbenos.", "si en unos minutos sigue sin llegar")


@pytest.mark.parametrize("language", ["es", "en"])
def test_the_password_reset_pages_name_whom_to_write_to(client, settings, volunteer, language):
    settings.ACOMPANA_CONTACT = "ayuda@example.org"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    asked = client.get(reverse("account_reset_password")).content.decode()
    sent = client.post(reverse("account_reset_password"), {"email": volunteer.email}, follow=True)
    for body in (asked, sent.content.decode()):
        assert "data-contact" in body and 'href="mailto:ayuda@example.org"' in body
        assert not [stock for stock in STOCK_CONTACT if stock in body.lower()]


def test_without_a_contact_the_password_reset_pages_promise_none(client, settings, volunteer):
    settings.ACOMPANA_CONTACT = ""
    settings.ACOMPANA_PRIVACY_CONTACT = ""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    asked = client.get(reverse("account_reset_password")).content.decode()
    sent = client.post(reverse("account_reset_password"), {"email": volunteer.email}, follow=True)
    for body in (asked, sent.content.decode()):
        assert "data-contact" not in body and "mailto:" not in body
        assert not [stock for stock in STOCK_CONTACT if stock in body.lower()]
    assert 'name="email"' in asked  # the form is still there


def test_signing_in_unconfirmed_sends_a_new_link_and_tells_nothing_to_strangers(client):
    """The page's promise: signing in again with the password sends a new link."""
    client.post(reverse("account_signup"), SIGNUP)
    mail.outbox.clear()
    cache.clear()  # allauth sends one link every 3 minutes per address ("confirm_email")
    response = client.post(
        reverse("account_login"),
        {"login": SIGNUP["email"], "password": SIGNUP["password1"]},
    )
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert len(mail.outbox) == 1 and "/confirm-email/" in mail.outbox[0].body
    # A stranger typing the address without the password gets only "wrong password".
    mail.outbox.clear()
    client.post(reverse("account_login"), {"login": SIGNUP["email"], "password": "guess"})
    assert mail.outbox == []
