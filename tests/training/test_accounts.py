"""Sign-up, verification, login by email, enumeration prevention and the profile."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from training.models import User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "new.person@example.org",
    "display_name": "Luna",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "time_zone": "America/La_Paz",
    "preferred_language": "es",
}


def test_accounts_have_no_username_and_log_in_by_email():
    assert "username" not in {f.name for f in User._meta.get_fields()}
    assert User.USERNAME_FIELD == "email"


def test_signup_stores_display_name_zone_and_language_and_requires_verification(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    user = User.objects.get(email="new.person@example.org")
    assert (user.display_name, user.time_zone, user.preferred_language) == (
        "Luna",
        "America/La_Paz",
        "es",
    )
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mail.outbox) == 1
    # Not verified yet: the dashboard is out of reach.
    assert client.get(reverse("dashboard")).status_code == 302


def test_verifying_the_email_signs_the_person_in(client):
    client.post(reverse("account_signup"), SIGNUP)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    response = client.post(link.group(1))
    assert response.status_code == 302
    assert EmailAddress.objects.get(email=SIGNUP["email"]).verified
    assert client.get(reverse("dashboard")).status_code == 200


def test_signup_without_a_display_name_is_refused_and_keeps_what_was_typed(client):
    data = {**SIGNUP, "display_name": "   "}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert not User.objects.filter(email=SIGNUP["email"]).exists()
    body = response.content.decode()
    assert 'value="new.person@example.org"' in body
    assert "display name" in body.lower()


def test_signup_with_a_taken_email_reveals_nothing(client, volunteer):
    fresh = client.post(reverse("account_signup"), {**SIGNUP, "email": "someone.else@example.org"})
    client.logout()
    taken = client.post(reverse("account_signup"), {**SIGNUP, "email": volunteer.email})
    assert taken.status_code == fresh.status_code == 302
    assert taken.url == fresh.url
    assert User.objects.filter(email=volunteer.email).count() == 1
    # The owner of the address is told someone tried; the person signing up learns nothing.
    assert any(volunteer.email in m.to for m in mail.outbox)


def test_password_reset_answers_the_same_for_known_and_unknown_emails(client, volunteer):
    known = client.post(reverse("account_reset_password"), {"email": volunteer.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url


def test_login_by_email(client, volunteer, password):
    response = client.post(
        reverse("account_login"), {"login": volunteer.email, "password": password}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_a_wrong_password_gets_a_translated_error(client, volunteer):
    response = client.post(
        reverse("account_login"),
        {"login": volunteer.email, "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 200
    assert "no son correct" in response.content.decode()


def test_people_are_shown_by_display_name_never_by_email_or_legal_name(volunteer):
    volunteer.legal_name = "María Fernanda Legal"
    assert str(volunteer) == "Vol"
    assert volunteer.get_full_name() == "Vol"
    assert "@" not in volunteer.get_short_name()


def test_profile_saves_zone_language_and_legal_name(client, volunteer):
    client.force_login(volunteer)
    response = client.post(
        reverse("profile"),
        {
            "display_name": "Vol 2",
            "legal_name": "Valeria Ortiz",
            "preferred_language": "en",
            "time_zone": "Asia/Kolkata",
        },
    )
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert (volunteer.display_name, volunteer.legal_name, volunteer.time_zone) == (
        "Vol 2",
        "Valeria Ortiz",
        "Asia/Kolkata",
    )


def test_profile_refuses_an_unknown_zone_and_keeps_the_input(client, volunteer):
    client.force_login(volunteer)
    response = client.post(
        reverse("profile"),
        {
            "display_name": "Kept name",
            "legal_name": "",
            "preferred_language": "en",
            "time_zone": "Mars/Olympus",
        },
    )
    assert response.status_code == 200
    assert 'value="Kept name"' in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.time_zone == "UTC"


def test_language_switch_is_remembered_on_the_profile(client, volunteer):
    client.force_login(volunteer)
    response = client.post(reverse("set_language"), {"language": "es", "next": "/dashboard/"})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.preferred_language == "es"
    page = client.get(reverse("dashboard"))
    assert '<html lang="es"' in page.content.decode()


def test_visitors_can_switch_language_without_an_account(client):
    client.post(reverse("set_language"), {"language": "es", "next": "/"})
    page = client.get("/")
    assert '<html lang="es"' in page.content.decode()
    assert "Crear una cuenta" in page.content.decode()


def test_pages_follow_the_persons_language_whatever_the_browser_says(client, volunteer):
    volunteer.preferred_language = "es"
    volunteer.save()
    client.force_login(volunteer)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es"' in page.content.decode()


def test_times_are_shown_in_the_persons_zone(client, volunteer):
    volunteer.time_zone = "Asia/Kolkata"
    volunteer.save()
    client.force_login(volunteer)
    page = client.get(reverse("dashboard"))
    assert "Kolkata (India)" in page.content.decode()


def test_the_sign_in_message_is_in_the_persons_language(client, volunteer, password):
    volunteer.preferred_language = "es"
    volunteer.save()
    client.post(
        reverse("account_login"),
        {"login": volunteer.email, "password": password},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = client.get(reverse("dashboard")).content.decode()
    assert "Iniciaste sesión como Vol." in page


def test_changing_the_password_notifies_the_person(client, volunteer, password):
    client.force_login(volunteer)

    session = client.session
    session["account_authentication_methods_user"] = str(volunteer.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "reauthenticated": True}
    ]
    session.save()
    mail.outbox.clear()
    client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": "another-long-passphrase-2026",
         "password2": "another-long-passphrase-2026"},
    )  # fmt: skip
    assert [m.subject for m in mail.outbox] == ["[Acompaña] Your password was changed"]
    assert "Hello from Acompaña!" in mail.outbox[0].body


def test_the_sign_up_email_speaks_in_the_platforms_voice_and_the_persons_language(client):
    client.post(reverse("account_signup"), {**SIGNUP, "email": "ines@example.org"},
                HTTP_ACCEPT_LANGUAGE="es")  # fmt: skip
    message = mail.outbox[-1]
    assert "testserver!" not in message.body
    assert "Acompaña" in message.body
    assert "usted" not in message.body.lower()
