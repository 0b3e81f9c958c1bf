"""Trainers, coordinators and administrators must use a second factor before their tools."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse

from tests.conftest import enrol_totp, login_with_mfa
from training.factories import UserFactory
from training.models import HomePage, User

pytestmark = pytest.mark.django_db

# Each privileged role and the tool it must not reach without a second factor.
TOOLS = [
    ("trainer", "/dashboard/trainer/"),
    ("coordinator", "/dashboard/coordinator/"),
    ("administrator", "/admin/"),
]


@pytest.mark.parametrize(("who", "url"), TOOLS)
def test_privileged_people_without_mfa_are_led_to_set_it_up(client, request, who, url):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_required"))
    explanation = client.get(response.url)
    assert explanation.status_code == 200
    body = explanation.content.decode()
    assert "two-factor authentication" in body
    assert reverse("mfa_activate_totp") in body


@pytest.mark.parametrize(("who", "url"), TOOLS)
def test_with_mfa_they_reach_their_tools(client, request, who, url):
    user = request.getfixturevalue(who)
    login_with_mfa(client, user)
    assert client.get(url).status_code == 200


def test_a_trainer_is_taken_to_the_set_up_page_right_after_signing_in(client, trainer, password):
    response = client.post(reverse("account_login"), {"login": trainer.email, "password": password})
    assert response.status_code == 302
    assert response.url == reverse("mfa_required")


def test_a_trainer_with_mfa_is_asked_for_the_code_at_sign_in(client, trainer, password):
    enrol_totp(trainer)
    response = client.post(reverse("account_login"), {"login": trainer.email, "password": password})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert client.get(reverse("trainer_desk")).status_code == 302


def test_volunteers_get_403_from_role_desks(client, volunteer):
    login_with_mfa(client, volunteer)
    assert client.get(reverse("trainer_desk")).status_code == 403
    assert client.get(reverse("coordinator_desk")).status_code == 403


def test_a_volunteer_is_not_asked_for_mfa(client, volunteer, password):
    response = client.post(
        reverse("account_login"), {"login": volunteer.email, "password": password}
    )
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def _reauthenticated(client):
    session = client.session
    session["account_authentication_methods"].append(
        {"method": "mfa", "at": time.time(), "type": "totp", "reauthenticated": True}
    )
    session.save()


@pytest.mark.parametrize(("who", "can_switch_off"), [("volunteer", True), ("trainer", False)])
def test_only_people_without_a_privileged_role_can_switch_their_second_factor_off(
    client, request, who, can_switch_off
):
    user = request.getfixturevalue(who)
    login_with_mfa(client, user)
    _reauthenticated(client)
    client.post(reverse("mfa_deactivate_totp"), {"code": ""})
    still_there = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert still_there is not can_switch_off


def test_the_wagtail_admin_has_no_login_form_of_its_own(client):
    response = client.get("/admin/login/?next=/admin/pages/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=%2Fadmin%2Fpages%2F"
    anonymous_admin = client.get("/admin/")
    assert anonymous_admin.url.startswith("/accounts/login/")


def test_posting_to_the_admin_login_cannot_sign_anyone_in(client, administrator, password):
    response = client.post("/admin/login/", {"username": administrator.email, "password": password})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (302, 405)


def test_dashboard_banner_tells_a_trainer_without_mfa(client, trainer):
    client.force_login(trainer)
    body = client.get(reverse("dashboard")).content.decode()
    assert reverse("mfa_required") in body


@pytest.mark.parametrize("url", ["/admin/", "/admin/users/", "/admin/pages/", "/admin/groups/"])
def test_the_wagtail_admin_works_with_email_accounts(client, administrator, url):
    login_with_mfa(client, administrator)
    response = client.get(url, follow=True)
    assert response.status_code == 200, url


def test_an_editor_can_open_the_home_page_in_the_admin(client, administrator):
    login_with_mfa(client, administrator)
    home = HomePage.objects.get()
    response = client.get(f"/admin/pages/{home.pk}/edit/")
    assert response.status_code == 200


def test_an_administrator_creates_an_account_with_a_display_name(client, administrator):
    login_with_mfa(client, administrator)
    form = client.get("/admin/users/new/")
    assert 'name="display_name"' in form.content.decode()
    assert 'name="first_name"' not in form.content.decode()
    response = client.post(
        "/admin/users/new/",
        {
            "email": "new.trainer@example.org",
            "display_name": "Nuevo",
            "first_name": "",
            "last_name": "",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(email="new.trainer@example.org").display_name == "Nuevo"


def test_wagtails_front_end_login_form_is_closed(client, administrator, password):
    enrol_totp(administrator)
    response = client.post("/_util/login/", {"username": administrator.email,
                                             "password": password})  # fmt: skip
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert client.get("/admin/").status_code == 302


def test_an_unsafe_next_is_not_passed_on_from_the_admin_login(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert "evil.example" not in response.url


def test_a_session_that_did_not_pass_the_second_factor_is_asked_for_it(client, trainer):
    enrol_totp(trainer)
    client.force_login(trainer)  # signed in without the second factor
    response = client.get(reverse("trainer_desk"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_reauthenticate"))
    assert client.get("/admin/").url.startswith(reverse("mfa_reauthenticate"))


def test_setting_up_totp_counts_for_the_session_and_leads_back_to_the_tool(client, trainer):
    client.force_login(trainer)
    client.get(reverse("mfa_required") + "?next=/dashboard/trainer/")
    _reauthenticated_password(client, trainer)
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, next(iter(yield_hotp_counters_from_time()))))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})
    assert response.status_code == 302
    codes_page = client.get(response.url)
    assert 'href="/dashboard/trainer/"' in codes_page.content.decode()
    assert client.get(reverse("trainer_desk")).status_code == 200


def _reauthenticated_password(client, user):
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email, "reauthenticated": True}
    ]
    session.save()


def test_wagtail_shows_no_gravatars(client, administrator):
    login_with_mfa(client, administrator)
    body = client.get("/admin/").content.decode()
    assert "gravatar" not in body.lower()


def test_members_of_wagtails_moderators_group_need_a_second_factor(client, db):
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    assert moderator.requires_mfa


def test_role_groups_exist_on_a_fresh_database(db):
    names = set(Group.objects.values_list("name", flat=True))
    assert {"Trainers", "Coordinators", "Editors"} <= names
    editors = Group.objects.get(name="Editors")
    assert editors.permissions.filter(codename="access_admin").exists()


def test_failed_logins_are_throttled(client, volunteer, password, settings):
    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    for _ in range(3):
        client.post(reverse("account_login"), {"login": volunteer.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": volunteer.email,
                                                      "password": password})  # fmt: skip
    # Even the right password is refused while the limit holds, with a clear message.
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()
    cache.clear()


def test_too_many_sign_ups_get_a_friendly_429_page(client, settings):
    cache.clear()
    settings.ACCOUNT_RATE_LIMITS = {"signup": "1/m/ip"}
    client.post(reverse("account_signup"), {"email": "a@example.org"})
    response = client.post(reverse("account_signup"), {"email": "b@example.org"})
    assert response.status_code == 429
    assert "Too many attempts in a short time" in response.content.decode()
    cache.clear()
