import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from wagtail.models import Page

from training.demo import DEMO_PASSWORD
from training.models import HomePage, User
from training.roles import Role

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(User.objects.order_by("email").values_list("email", "display_name", "is_superuser")),
        list(User.objects.order_by("email").values_list("email", "groups__name")),
        EmailAddress.objects.count(),
        Page.objects.count(),
        sorted(HomePage.objects.values_list("locale__language_code", "latest_revision_id")),
    )


def test_seed_demo_creates_one_login_per_role_and_is_idempotent():
    call_command("seed_demo", stdout=None)
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first

    people = {u.email: u for u in User.objects.all()}
    assert set(people) >= {
        "volunteer@example.org",
        "trainer@example.org",
        "coordinator@example.org",
        "admin@example.org",
    }
    assert people["trainer@example.org"].has_role(Role.TRAINER)
    assert people["coordinator@example.org"].has_role(Role.COORDINATOR)
    assert people["admin@example.org"].has_role(Role.ADMINISTRATOR)
    assert people["volunteer@example.org"].roles == {Role.VOLUNTEER}
    for email in ("volunteer@example.org", "trainer@example.org", "coordinator@example.org",
                  "admin@example.org"):  # fmt: skip
        assert people[email].check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=people[email]).verified
    # The other demo people (fellow cohort members, applicants) never sign in.
    assert not any(
        user.has_usable_password() for email, user in people.items()
        if email.endswith((".member@example.org", ".applicant@example.org"))
    )  # fmt: skip
    assert not Authenticator.objects.exists(), "demo accounts start without MFA enrolled"


def test_demo_volunteer_can_sign_in(client):
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"login": "volunteer@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/dashboard/"
    assert client.get("/").status_code == 200


def test_seed_demo_rebuilds_the_site_tree_on_an_emptied_database():
    from wagtail.models import Site

    Site.objects.all().delete()
    Page.objects.all().delete()
    call_command("seed_demo")
    home = HomePage.objects.get(locale__language_code="en")
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert home.live
    # Every other language has its copy of the home page (a translation or an alias).
    assert (
        HomePage.objects.exclude(pk=home.pk).filter(translation_key=home.translation_key).count()
        == 5
    )
