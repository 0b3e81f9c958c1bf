"""Found in a browser walkthrough: after an account was deleted, Wagtail's list of users was a
500 (the former member's name is a lazy translation, and `__str__` must return a str). Also the
"Active" checkbox's help text, and the time zones offered at sign-up."""

import csv
import io
import zoneinfo

import pytest
from django.urls import reverse
from django.utils.functional import Promise

from cohorts import services as cohort_services
from cohorts.forms import CohortForm
from cohorts.models import Cohort, Membership
from tests.certificates.factories import make_cohort as make_plain_cohort
from tests.cohorts.factories import make_cohort
from tests.conftest import login_with_mfa
from training.deletion import account_delete_now
from training.factories import UserFactory
from training.forms import ProfileForm, SignupForm
from training.models import User, time_zone_choices
from training.roles import Role
from training.wagtail_users import ACTIVE_HELP

pytestmark = pytest.mark.django_db


def delete(person, by, capture) -> None:
    """An administrator deletes the account (the real path: anonymised once committed)."""
    with capture(execute=True):
        account_delete_now(person=person, by=by, reason="asked by email")


@pytest.fixture
def former(administrator, django_capture_on_commit_callbacks):
    person = UserFactory(display_name="Alba Vidal", email="alba@example.org")
    delete(person, administrator, django_capture_on_commit_callbacks)
    person.refresh_from_db()
    assert person.anonymised_at is not None
    return person


def test_a_former_members_names_are_plain_strings(former):
    for name in (str(former), former.get_full_name(), former.get_short_name()):
        assert type(name) is str and not isinstance(name, Promise)
    assert "Alba" not in str(former)


def test_wagtails_user_pages_open_after_an_account_was_deleted(client, administrator, former):
    login_with_mfa(client, administrator)
    for url in (
        reverse("wagtailusers_users:index"),
        reverse("wagtailusers_users:history", args=[former.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "alba@example.org" not in response.content.decode(), url


def test_a_former_members_account_cannot_be_brought_back_in_the_admin(
    client, administrator, former
):
    """Giving it an email, a password, groups or the active flag again would tie a live
    identity to the deleted person's kept history."""
    login_with_mfa(client, administrator)
    edit = reverse("wagtailusers_users:edit", args=[former.pk])
    assert client.get(edit).status_code in (302, 403)  # Wagtail: back to the dashboard, told why
    client.post(edit, {"email": "back@example.org", "display_name": "Back", "is_active": "on"})
    former.refresh_from_db()
    assert (former.is_active, former.anonymised_at is not None) == (False, True)
    assert former.email != "back@example.org"
    bulk = reverse("wagtail_bulk_action", args=["training", "user", "set_active_state"])
    client.post(f"{bulk}?id={former.pk}&next=/admin/users/", {"mark_as_active": "True"})
    former.refresh_from_db()
    assert former.is_active is False


def test_trainers_pages_and_progress_export_open_after_a_member_was_deleted(
    client, administrator, django_capture_on_commit_callbacks
):
    trainer = UserFactory(roles=[Role.TRAINER])
    cohort = make_cohort("walkthrough", trainer=trainer, capacity=None)
    member = UserFactory(display_name="Alba Vidal")
    cohort_services._admit(cohort, member, Membership.Source.CSV)
    delete(member, administrator, django_capture_on_commit_callbacks)
    assert User.objects.get(pk=member.pk).anonymised_at is not None
    login_with_mfa(client, trainer)
    for url in (
        reverse("cohorts:trainer_cohort", args=[cohort.slug]),
        reverse("cohorts:trainer_progress", args=[cohort.slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Alba Vidal" not in response.content.decode(), url
    response = client.post(reverse("cohorts:trainer_progress_csv", args=[cohort.slug]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) >= 1 and all("Alba Vidal" not in cell for row in rows for cell in row)


def test_the_active_checkbox_says_what_deactivating_and_deleting_do(client, administrator):
    person = UserFactory()
    login_with_mfa(client, administrator)
    response = client.get(reverse("wagtailusers_users:edit", args=[person.pk]))
    assert response.status_code == 200
    assert response.context["form"].fields["is_active"].help_text == ACTIVE_HELP
    assert "Unselect this instead of deleting accounts" not in response.content.decode()


# --- Time zones offered -------------------------------------------------------------------------
NOT_PLACES = ("Factory", "localtime", "posixrules", "EST5EDT", "GMT0", "Etc/GMT+5")


def test_the_zones_offered_are_places_and_utc():
    offered = dict(time_zone_choices())
    assert "UTC" in offered and "America/Lima" in offered and "Asia/Jakarta" in offered
    for name in NOT_PLACES:
        assert name not in offered, name
    assert set(offered) <= zoneinfo.available_timezones()


def test_sign_up_offers_places_only(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert 'value="Europe/Madrid"' in html
    assert 'value="Factory"' not in html and 'value="localtime"' not in html


def test_a_zone_stored_before_stays_valid_and_shown(volunteer):
    User.objects.filter(pk=volunteer.pk).update(time_zone="EST5EDT")
    volunteer.refresh_from_db()
    form = ProfileForm(instance=volunteer)
    assert "EST5EDT" in dict(form.fields["time_zone"].choices)
    data = {"display_name": "Vol", "legal_name": "", "preferred_language": "",
            "time_zone": "EST5EDT", "low_bandwidth": ""}  # fmt: skip
    assert ProfileForm(data, instance=volunteer).is_valid()
    # Still a zone the platform knows; not one anybody could pick from scratch in the list.
    assert "EST5EDT" not in dict(time_zone_choices())
    signup = SignupForm({"display_name": "X", "time_zone": "Nowhere/Atlantis"})
    signup.is_valid()
    assert "time_zone" in signup.errors


def test_a_cohorts_zone_stored_before_stays_shown_and_valid():
    cohort = make_plain_cohort()
    Cohort.objects.filter(pk=cohort.pk).update(time_zone="EST5EDT")
    cohort.refresh_from_db()
    form = CohortForm(instance=cohort)
    assert "EST5EDT" in dict(form.fields["time_zone"].choices)
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    bound = CohortForm(data, instance=cohort)
    bound.is_valid()
    assert "time_zone" not in bound.errors  # the model's own list (places only) is not asked
    assert bound.cleaned_data["time_zone"] == "EST5EDT"
    assert "EST5EDT" not in dict(CohortForm().fields["time_zone"].choices)
    assert "Factory" not in dict(CohortForm().fields["time_zone"].choices)
