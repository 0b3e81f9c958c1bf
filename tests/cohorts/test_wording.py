"""Wording: the cohort's address made from its title and explained plainly; one full stop after
a name that ends with one; a greeting that never reads a placeholder as a name."""

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cohorts.forms import unique_slug
from cohorts.models import Cohort
from courses.factories import make_course
from tests.cohorts.factories import make_cohort
from training.factories import UserFactory
from training.text import single_stop

pytestmark = pytest.mark.django_db


_courses = itertools.count(1)


def _new_cohort_post(title, slug=""):
    course, _modules = make_course(f"course-{next(_courses)}", modules=1)
    return {
        "title": title, "slug": slug, "courses": [course.pk], "working_language": "es",
        "time_zone": "America/La_Paz", "starts_on": date.today() + timedelta(days=10),
        "ends_on": date.today() + timedelta(days=40), "mode": "application",
        "module_release": "all", "status": "draft",
    }  # fmt: skip


def test_the_address_is_made_from_the_title_when_left_empty(trainer_client):
    url = reverse("cohorts:trainer_cohort_new")
    form = trainer_client.get(url).content.decode()
    assert 'data-slug-from="id_title"' in form  # the script fills it as the title is typed
    assert "Web address" in form and "http://testserver/cohorts/&lt;address&gt;/" in form
    assert "changing it later breaks the links" in form
    response = trainer_client.post(url, _new_cohort_post("Acompañar en línea: 2026"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Cohort.objects.get().slug == "acompanar-en-linea-2026"
    # The same title again gets an address of its own.
    trainer_client.post(url, _new_cohort_post("Acompañar en línea: 2026"))
    assert set(Cohort.objects.values_list("slug", flat=True)) == {
        "acompanar-en-linea-2026", "acompanar-en-linea-2026-2"}  # fmt: skip
    # A chosen address is kept as typed.
    trainer_client.post(url, _new_cohort_post("Another", slug="my-own"))
    assert Cohort.objects.filter(slug="my-own").exists()


def test_a_title_without_latin_letters_still_gets_an_address(db):
    assert unique_slug("مجموعة الدعم") == "cohort"
    make_cohort("cohort")
    assert unique_slug("مجموعة الدعم") == "cohort-2"


def test_one_full_stop_after_an_abbreviated_name():
    assert single_stop("Successfully signed in as Ana G..") == "Successfully signed in as Ana G."
    assert single_stop("Wait... then go.") == "Wait... then go."


def test_signing_in_names_an_abbreviated_name_with_one_full_stop(client, password):
    person = UserFactory(display_name="Ana G.", email="ana@example.org")
    person.set_password(password)
    person.save()
    response = client.post(reverse("account_login"),
                           {"login": person.email, "password": password})  # fmt: skip
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Successfully signed in as Ana G." in shown, shown


def test_the_greeting_uses_a_chosen_name_or_none():
    named = UserFactory.build(display_name="Ana G.")
    assert render_to_string("includes/email_hello.txt", {"user": named}) == "Hello Ana G.,"
    unnamed = UserFactory.build(display_name="")
    assert render_to_string("includes/email_hello.txt", {"user": unnamed}) == "Hello,"


def test_every_email_greets_through_the_one_greeting():
    """One greeting for all the apps' emails (training may not depend on cohorts, not even for
    a template): a chosen name or a neutral "Hello,", never a hand-written "Hello {{ name }}"."""

    root = Path(settings.BASE_DIR) / "templates"
    emails = [*root.glob("cohorts/email/*.txt"), *root.glob("certificates/email/*.txt"),
              *root.glob("training/email/*_message.txt")]  # fmt: skip
    assert len(emails) > 15
    for path in emails:
        text = path.read_text()
        assert "cohorts/email/_hello.txt" not in text, path.name
        assert "Hello {{ name }}" not in text, path.name
        if not path.name.startswith("_"):
            assert '{% include "includes/email_hello.txt"' in text, path.name
    assert not (root / "cohorts/email/_hello.txt").exists()


def test_the_greeting_never_doubles_a_full_stop_and_stays_neutral_without_a_person():
    named = UserFactory.build(display_name="Ana G.")
    with translation.override("es"):
        assert render_to_string("includes/email_hello.txt", {"user": named}) == "Hola, Ana G.:"
    assert render_to_string("includes/email_hello.txt", {}) == "Hello,"
    anonymised = UserFactory.build(display_name="Someone", anonymised_at=timezone.now())
    assert render_to_string("includes/email_hello.txt", {"user": anonymised}) == "Hello,"
