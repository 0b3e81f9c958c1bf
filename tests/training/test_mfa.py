"""Trainers, coordinators and administrators must use a second factor before their tools."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.conftest import enrol_totp

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
    enrol_totp(user)
    client.force_login(user)
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
    client.force_login(volunteer)
    enrol_totp(volunteer)
    assert client.get(reverse("trainer_desk")).status_code == 403
    assert client.get(reverse("coordinator_desk")).status_code == 403


def test_a_volunteer_is_not_asked_for_mfa(client, volunteer, password):
    response = client.post(
        reverse("account_login"), {"login": volunteer.email, "password": password}
    )
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_a_trainer_cannot_switch_their_second_factor_off(client, trainer):
    enrol_totp(trainer)
    client.force_login(trainer)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=trainer, type=Authenticator.Type.TOTP).exists()


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
    enrol_totp(administrator)
    client.force_login(administrator)
    response = client.get(url, follow=True)
    assert response.status_code == 200, url


def test_an_editor_can_open_the_home_page_in_the_admin(client, administrator):
    from training.models import HomePage

    enrol_totp(administrator)
    client.force_login(administrator)
    home = HomePage.objects.get()
    response = client.get(f"/admin/pages/{home.pk}/edit/")
    assert response.status_code == 200


def test_an_administrator_creates_an_account_with_a_display_name(client, administrator):
    from training.models import User

    enrol_totp(administrator)
    client.force_login(administrator)
    form = client.get("/admin/users/new/")
    assert 'name="display_name"' in form.content.decode()
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
