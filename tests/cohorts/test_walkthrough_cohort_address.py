"""Walkthrough finding: a cohort's address (slug) is explained and refused in plain words, with
the real address it makes, and a free one suggested when it is taken."""

import html

import pytest
from django.urls import reverse

from cohorts.models import Cohort
from tests.cohorts.factories import make_cohort
from tests.cohorts.test_wording import _new_cohort_post

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    return html.unescape(response.content.decode())


def test_a_bad_address_is_refused_in_plain_words(trainer_client):
    url = reverse("cohorts:trainer_cohort_new")
    for bad in ("spring_2027", "Spring 2027", "otoño", "-spring"):
        response = trainer_client.post(url, _new_cohort_post("Spring", slug=bad))
        assert response.status_code == 200
        page = _page(response)
        assert "Use only letters a–z, digits and hyphens, e.g. spring-2027." in page, bad  # noqa: RUF001
        assert "underscores" not in page and "valid “slug”" not in page
    assert not Cohort.objects.exists()


def test_a_taken_address_suggests_a_free_one(trainer_client):
    make_cohort("spring-2027")
    make_cohort("spring-2027-2")
    url = reverse("cohorts:trainer_cohort_new")
    page = _page(trainer_client.post(url, _new_cohort_post("Spring", slug="spring-2027")))
    assert "Another cohort already uses this address: try “spring-2027-3”." in page
    assert "already exists" not in page
    # Its own address is not "taken" when a cohort is edited.
    cohort = Cohort.objects.get(slug="spring-2027")
    cohort.trainers.add(trainer_client.trainer)
    edit = reverse("cohorts:trainer_cohort_edit", args=[cohort.slug])
    data = _new_cohort_post("Spring", slug="spring-2027")
    data["courses"] = [cohort.courses.get().pk]
    assert trainer_client.post(edit, data).status_code == 302


def test_the_help_names_the_real_address(trainer_client, settings):
    settings.ACOMPANA_PLATFORM_ORIGIN = "https://elsewhere.example"
    settings.ALLOWED_HOSTS = ["*"]
    page = _page(trainer_client.get(reverse("cohorts:trainer_cohort_new"),
                                    HTTP_HOST="learn.example.org", secure=True))  # fmt: skip
    assert "https://learn.example.org/cohorts/<address>/" in page
