"""The dashboard's care section, written in Python (issue 18): links, words in the reader's
language, and a cohort's title escaped."""

from django.urls import reverse
from django.utils import translation

from care.dashboard_html import render_dashboard_care


def test_nothing_due_still_leads_to_the_care_space():
    html = str(render_dashboard_care({"due": []}))
    assert html.startswith('<section aria-labelledby="care-heading">')
    assert "care-due" not in html
    assert f'<a href="{reverse("care:home")}">Your care space</a>' in html


def test_a_due_check_in_names_the_cohort_escaped_and_links_to_it():
    html = str(render_dashboard_care({"due": [{"cohort_id": 7, "title": "<b>Ola</b> & co"}]}))
    assert "&lt;b&gt;Ola&lt;/b&gt; &amp; co" in html and "<b>Ola" not in html
    assert f'href="{reverse("care:check_in")}?cohort=7"' in html
    assert "Take this week's check-in" in html  # a template literal: not escaped


def test_in_the_readers_language():
    with translation.override("es"):
        html = str(render_dashboard_care({"due": [{"cohort_id": 3, "title": "Lima"}]}))
        heading = translation.gettext("Taking care of yourself")
    assert heading != "Taking care of yourself"
    assert f">{heading}</h2>" in html
