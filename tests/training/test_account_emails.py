"""Account emails in the recipient's language, with links that survive right-to-left text."""

import re

import pytest
from allauth.account.adapter import get_adapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.html import urlize

from training.templatetags.bidi import LRI, PDI

pytestmark = pytest.mark.django_db

SIGNUP = {
    "display_name": "Layla",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "time_zone": "UTC",
    "preferred_language": "en",
}


@pytest.fixture
def spanish_volunteer(volunteer):
    volunteer.preferred_language = "es"
    volunteer.time_zone = "America/La_Paz"
    volunteer.save()
    return volunteer


def test_signing_up_again_from_an_english_page_gets_the_already_exists_email_in_spanish(
    client, spanish_volunteer
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("account_signup"), {**SIGNUP, "email": spanish_volunteer.email.upper()},
                HTTP_ACCEPT_LANGUAGE="en")  # fmt: skip
    [message] = mail.outbox
    assert message.subject == "[Acompaña] Ya tienes una cuenta"
    assert "¡Hola desde Acompaña!" in message.body
    assert "Hello" not in message.body


def test_a_password_reset_asked_from_an_english_page_is_in_the_persons_language(
    client, spanish_volunteer
):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.post(reverse("account_reset_password"), {"email": spanish_volunteer.email})
    [message] = mail.outbox
    assert message.subject == "[Acompaña] Restablece tu contraseña"


def test_an_email_to_an_address_without_an_account_is_in_the_pages_language(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    client.post(reverse("account_reset_password"), {"email": "nadie@example.org"})
    [message] = mail.outbox
    assert "¡Hola desde Acompaña!" in message.body


def test_a_notice_to_a_former_address_is_in_the_holders_language_and_time_zone(
    spanish_volunteer,
):
    """After a change of email the notice goes to the old address, which no account holds any
    more: the language (and the zone of the date) are the account holder's, not the page's."""
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    translation.activate("en")
    with allauth_context.request_context(request):
        get_adapter(request).send_notification_mail(
            "account/email/email_changed",
            spanish_volunteer,
            {"from_email": "antigua@example.org", "to_email": spanish_volunteer.email},
            email="antigua@example.org",
        )
    [message] = mail.outbox
    assert message.to == ["antigua@example.org"]
    assert "¡Hola desde Acompaña!" in message.body
    assert "La Paz" in message.body


def _arabic_signup(client) -> str:
    client.post(reverse("account_signup"), {**SIGNUP, "email": "layla@example.org",
                                            "preferred_language": "ar"})  # fmt: skip
    return mail.outbox[-1].body


def test_the_arabic_verification_link_is_an_isolated_left_to_right_island(client):
    body = _arabic_signup(client)
    line = next(line for line in body.splitlines() if "/confirm-email/" in line)
    # The link alone on its line, between LRI and PDI, each set apart by a space so that a mail
    # program making links (up to the next space) never takes a mark into the address.
    match = re.fullmatch(f"{LRI} (https?://\\S+/confirm-email/\\S+/) {PDI}", line)
    assert match, repr(line)
    url = match.group(1)
    assert "\u200e" not in url and "\u200f" not in url
    # A linkifier (Django's urlize here) finds exactly the address, and the address works.
    assert f'href="{url}"' in urlize(body)
    path = re.sub(r"^https?://[^/]+", "", url)
    assert client.post(path).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_arabic_emails_isolate_addresses_inside_sentences(client, volunteer):
    volunteer.preferred_language = "ar"
    volunteer.save()
    client.post(reverse("account_signup"), {**SIGNUP, "email": volunteer.email})
    body = mail.outbox[-1].body
    assert f"{LRI}{volunteer.email}{PDI}" in body  # in the sentence
    reset_line = next(line for line in body.splitlines() if "/password/reset/" in line)
    assert reset_line.startswith(f"{LRI} http") and reset_line.endswith(f"/ {PDI}")


def test_left_to_right_emails_carry_no_direction_marks(client):
    client.post(reverse("account_signup"), {**SIGNUP, "email": "ana@example.org",
                                            "preferred_language": "es"})  # fmt: skip
    body = mail.outbox[-1].body
    assert "/confirm-email/" in body
    assert not set(body) & {LRI, PDI, "\u200e", "\u200f"}
