"""Forms say what went wrong where a screen reader and a keyboard find it (WCAG 3.3.1, 4.1.3):
an error summary first (role="alert", focused on load, a link to each field), and each field with
aria-invalid="true" and aria-describedby naming its error. One rendering serves our own forms
(templates/includes/form_fields.html) and allauth's (templates/allauth/elements/fields.html)."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import constants
from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.urls import reverse

from certificates.forms import PoolMemberForm
from tests.cohorts.factories import make_cohort
from training.factories import UserFactory

pytestmark = pytest.mark.django_db


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def assert_linked_errors(html, *, fields: set[str]) -> None:
    """The summary comes before the fields, is an alert that takes the focus, and links to each
    field in error; each such field is invalid and described by its own error message."""
    summaries = html.select(".error-summary")
    assert len(summaries) == 1, html.select("main")[0].prettify()[:3000]
    summary = summaries[0]
    assert summary["role"] == "alert" and summary["tabindex"] == "-1"
    assert summary.has_attr("autofocus")
    assert html.find(id=summary["aria-labelledby"]) is not None
    linked = {a["href"].removeprefix("#") for a in summary.select("a[href^='#']")}
    invalid = {element["id"] for element in html.select("[aria-invalid=true]")}
    for name in fields:
        field_id = f"id_{name}"
        assert field_id in linked, (field_id, linked)
        assert field_id in invalid, (field_id, invalid)
        control = html.find(id=field_id)
        described = control["aria-describedby"].split()
        error = html.find(id=f"{field_id}_error")
        assert f"{field_id}_error" in described and error is not None
        assert error.get_text(strip=True), "the error says something"
        # Tree order: the summary comes before the field it links to.
        assert summary in control.find_all_previous(class_="error-summary")
    assert linked <= invalid, "every link points to a field that is marked invalid"
    # Every id a field is described by exists on the page.
    for control in html.select("[aria-describedby]"):
        for ref in control["aria-describedby"].split():
            assert html.find(id=ref) is not None, (control.get("id"), ref)


def test_sign_in_with_a_wrong_password_summarises_and_links_the_error(client):
    UserFactory(email="someone@example.org")
    response = client.post(
        reverse("account_login"), {"login": "someone@example.org", "password": "not it"}
    )
    assert response.status_code == 200
    html = soup(response)
    summary = html.select_one(".error-summary")
    assert summary is not None and summary["role"] == "alert" and summary.has_attr("autofocus")
    # allauth's "wrong address or password" is about the whole form: it is in the summary.
    assert summary.select("li"), summary
    # The email field keeps its own autofocus, but the summary comes first in the page.
    login = html.find(id="id_login")
    assert summary in login.find_all_previous(class_="error-summary")


def test_sign_up_errors_are_linked_to_their_fields(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "not an address", "password1": "x", "password2": "y"},
    )
    assert response.status_code == 200
    html = soup(response)
    assert html.find(id="id_email")["aria-invalid"] == "true"
    assert_linked_errors(html, fields={"email"})


def test_profile_errors_are_linked_to_their_fields(client, volunteer):
    client.force_login(volunteer)
    response = client.post(
        reverse("profile"),
        {"display_name": "", "legal_name": "", "preferred_language": "en", "time_zone": "Nope"},
    )
    assert response.status_code == 200
    assert_linked_errors(soup(response), fields={"display_name", "time_zone"})


def test_a_form_without_errors_has_no_summary_and_no_invalid_field(client, volunteer):
    client.force_login(volunteer)
    html = soup(client.get(reverse("profile")))
    assert html.select(".error-summary") == []
    assert html.select("[aria-invalid]") == []


def test_a_group_of_choices_is_a_fieldset_named_by_its_legend():
    form = PoolMemberForm(data={"focus_areas": ["not-a-choice"]})
    assert not form.is_valid() and form["focus_areas"].errors
    html = BeautifulSoup(
        render_to_string("includes/form_fields.html", {"form": form}), "html.parser"
    )
    group = html.find(id="id_focus_areas_error").find_parent(class_="field").fieldset
    assert group.legend.get_text(strip=True).startswith(str(form["focus_areas"].label))
    assert "id_focus_areas_error" in group["aria-describedby"].split()
    assert html.select_one(".error-summary a[href='#id_focus_areas_0']") is not None
    # No label points nowhere.
    assert all(label.get("for") for label in html.select("label"))


def test_cohort_application_errors_are_summarised_and_linked(client, volunteer):
    cohort = make_cohort("autumn")
    first, second = cohort.questions.all()
    first.required = second.required = True
    first.save(), second.save()
    client.force_login(volunteer)
    response = client.post(reverse("cohorts:apply", args=[cohort.slug]), {})
    assert response.status_code == 400
    html = soup(response)
    summary = html.select_one(".error-summary")
    assert summary["role"] == "alert" and summary.has_attr("autofocus")
    linked = {a["href"] for a in summary.select("a")}
    assert linked == {f"#answer-{first.pk}", f"#answer-{second.pk}"}
    for question in (first, second):
        control = html.find(id=f"answer-{question.pk}")
        assert control["aria-invalid"] == "true"
        error = html.find(id=control["aria-describedby"].split()[0])
        assert "error" in error["class"] and error.get_text(strip=True)


def test_error_messages_are_an_alert_that_takes_the_focus(rf, volunteer):
    request = rf.get("/")
    request.user = volunteer
    request.session = {}
    storage = FallbackStorage(request)
    storage.add(constants.SUCCESS, "Saved.")
    storage.add(constants.ERROR, "Please answer every question.")
    html = BeautifulSoup(
        render_to_string(
            "includes/messages.html",
            {"messages": storage, "DEFAULT_MESSAGE_LEVELS": constants.DEFAULT_LEVELS},
        ),
        "html.parser",
    )
    alert = html.select_one("[role=alert]")
    assert alert.get_text(strip=True) == "Please answer every question."
    assert alert.has_attr("autofocus") and alert["tabindex"] == "-1"
    status = html.select_one("[role=status]")
    assert status.get_text(strip=True) == "Saved."
