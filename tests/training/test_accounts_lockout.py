"""A harasser who knows someone's email cannot keep them out, nor flood their mailbox (issue 13).

These tests switch on the rate limits the platform really uses (the test settings turn them
off) and play the harasser from one IP address and the owner from another.
"""

import math
import re

import pytest
from allauth.core.internal.ratelimit import parse_rates
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import enrol_totp
from tests.helpers import sign_in
from training.models import User
from training.settings import base as base_settings

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"
PAUSED = "signing in with a password is paused"


@pytest.fixture(autouse=True)
def rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = base_settings.ACCOUNT_RATE_LIMITS


def _ask_for_code(client, email):
    return client.post(reverse("account_request_login_code"), {"email": email})


def _code_in(message) -> str:
    match = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]+)*)\s*$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def _sign_in_with_code(client, email):
    sent = len(mail.outbox)
    response = _ask_for_code(client, email)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url.startswith(reverse("account_confirm_login_code"))
    assert len(mail.outbox) == sent + 1
    code = _code_in(mail.outbox[-1])
    return client.post(reverse("account_confirm_login_code"), {"code": code})


def _signed_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def test_wrong_passwords_from_one_client_pause_that_client_not_the_owner(volunteer, password):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        response = sign_in(attacker, volunteer.email, "a-wrong-guess")
        assert PAUSED not in response.content.decode()

    # The attacker's client is paused for this address, even with the right password...
    refused = sign_in(attacker, volunteer.email, password)
    assert not _signed_in(attacker, volunteer)
    assert PAUSED in refused.content.decode()

    # ...but the owner, from their own connection, signs in with their password.
    owner = Client(REMOTE_ADDR=OWNER)
    response = sign_in(owner, volunteer.email, password)
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert _signed_in(owner, volunteer)


def test_one_client_trying_many_addresses_is_paused(db):
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for i in range(10):
        response = sign_in(attacker, f"person{i}@example.org", "a-wrong-guess")
        assert PAUSED not in response.content.decode()
    response = sign_in(attacker, "person-eleven@example.org", "a-wrong-guess")
    assert "Too many failed login attempts" in response.content.decode()


def test_when_many_clients_pause_the_password_the_owner_gets_in_with_a_code(volunteer, password):
    # Thirty wrong passwords an hour, from six machines, reach the address's own cap.
    for n in range(6):
        attacker = Client(REMOTE_ADDR=f"203.0.113.{10 + n}")
        for _ in range(5):
            sign_in(attacker, volunteer.email, "a-wrong-guess")

    owner = Client(REMOTE_ADDR=OWNER)
    page = sign_in(owner, volunteer.email, password)
    assert not _signed_in(owner, volunteer)
    body = page.content.decode()
    assert PAUSED in body
    # The page says how to get in, and links to it.
    assert f'href="{reverse("account_request_login_code")}' in body

    response = _sign_in_with_code(owner, volunteer.email)
    assert response.status_code == 302
    assert _signed_in(owner, volunteer)
    assert owner.get(reverse("dashboard")).status_code == 200
    # Their password is theirs (the address was confirmed long ago): it still works later.
    volunteer.refresh_from_db()
    assert volunteer.check_password(password)


def test_code_requests_are_limited_per_client_and_per_address(volunteer):
    # A harasser starts afresh each time (no cookies): a session waiting for a code gets no other.
    for _ in range(3):
        assert _ask_for_code(Client(REMOTE_ADDR=ATTACKER), volunteer.email).status_code == 302
    refused = _ask_for_code(Client(REMOTE_ADDR=ATTACKER), volunteer.email)
    assert refused.status_code == 200
    assert "Please wait a while" in refused.content.decode()
    assert len(mail.outbox) == 3

    # The owner can still ask for one, and it works.
    owner = Client(REMOTE_ADDR=OWNER)
    response = _sign_in_with_code(owner, volunteer.email)
    assert _signed_in(owner, volunteer), response

    # However many machines ask, the mailbox gets at most ten codes an hour.
    for n in range(10):
        last = _ask_for_code(Client(REMOTE_ADDR=f"192.0.2.{n + 1}"), volunteer.email)
    assert len(mail.outbox) == 10
    assert "Please wait a while" in last.content.decode()


def test_password_reset_requests_are_limited_per_client_too(volunteer):
    def attacker():
        return Client(REMOTE_ADDR=ATTACKER)

    for _ in range(3):
        response = attacker().post(reverse("account_reset_password"), {"email": volunteer.email})
        assert response.status_code == 302
    refused = attacker().post(reverse("account_reset_password"), {"email": volunteer.email})
    assert refused.status_code == 200
    assert "Please wait a while" in refused.content.decode()
    assert len(mail.outbox) == 3

    owner = Client(REMOTE_ADDR=OWNER)
    response = owner.post(reverse("account_reset_password"), {"email": volunteer.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 4


def test_a_person_with_totp_is_still_asked_for_it_after_a_sign_in_code(trainer):
    enrol_totp(trainer)
    client = Client(REMOTE_ADDR=OWNER)
    response = _sign_in_with_code(client, trainer.email)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not _signed_in(client, trainer)
    assert client.get(reverse("trainer_desk")).status_code == 302


def test_the_sign_in_code_email_speaks_in_the_platforms_voice(volunteer):
    _ask_for_code(Client(REMOTE_ADDR=OWNER), volunteer.email)
    message = mail.outbox[-1]
    assert message.subject == "[Acompaña] Your sign-in code"
    assert "Hello from Acompaña!" in message.body
    assert "It works for 10 minutes" in message.body
    assert "nobody from Acompaña will ever ask you for it" in message.body


def test_account_emails_are_in_the_owners_language_whatever_page_asked(volunteer):
    """A code asked from an English page goes to a Spanish speaker in Spanish."""
    volunteer.preferred_language = "es"
    volunteer.save()
    _ask_for_code(Client(REMOTE_ADDR=OWNER, HTTP_ACCEPT_LANGUAGE="en"), volunteer.email)
    message = mail.outbox[-1]
    assert message.subject == "[Acompaña] Tu código para iniciar sesión"
    assert "Hello from Acompaña!" not in message.body


@pytest.mark.parametrize("action", ["login_failed", "request_login_code", "reset_password"])
def test_one_client_can_never_spend_the_whole_allowance_of_an_address(action):
    """The configuration keeps the promise: in each window of the address's caps, what one
    client may spend is below the cap, so one harasser alone never locks the owner out."""
    limits = base_settings.ACCOUNT_RATE_LIMITS
    per_address = [r for r in parse_rates(limits[action]) if r.per == "key"]
    per_client = parse_rates(limits[f"{action}_per_client"])
    assert per_address
    assert per_client
    assert all(rate.per == "key" for rate in per_client)
    for cap in per_address:
        one_client = min(
            rate.amount * math.ceil(cap.duration / rate.duration) for rate in per_client
        )
        assert one_client < cap.amount, (action, str(cap))


def test_an_account_someone_else_opened_with_your_email_keeps_no_password_of_theirs(db):
    """Pre-hijacking: a harasser signs up with someone's address (never confirmed), the owner
    later signs in with a code, which proves the address is theirs: the harasser's password
    must not open the account afterwards."""
    harasser = Client(REMOTE_ADDR=ATTACKER)
    harasser.post(
        reverse("account_signup"),
        {
            "email": "owner@example.org",
            "display_name": "Not the owner",
            "password1": "the-harassers-passphrase",
            "password2": "the-harassers-passphrase",
            "time_zone": "UTC",
            "preferred_language": "en",
        },
    )
    owner = Client(REMOTE_ADDR=OWNER)
    _sign_in_with_code(owner, "owner@example.org")
    assert owner.get(reverse("dashboard")).status_code == 200

    again = Client(REMOTE_ADDR=ATTACKER)
    sign_in(again, "owner@example.org", "the-harassers-passphrase")
    assert "_auth_user_id" not in again.session
    assert not User.objects.get(email="owner@example.org").has_usable_password()
