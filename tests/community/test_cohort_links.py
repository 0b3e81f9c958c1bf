"""`cohorts` knows neither the space nor care: they add their links to the cohort's page and to
the trainer's menu of a cohort through cohorts.links, and those render as they always did
(same links, order and translated labels). That no template of cohorts reverses a later app's
URL is tests/test_layers.py's (test_no_template_reverses_a_later_apps_url)."""

import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from cohorts import links
from cohorts.models import Membership
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db

# The trainer's menu of a cohort as it always was: (URL name, label).
MENU = [
    ("cohorts:trainer_cohort", "Applications and members"),
    ("cohorts:trainer_enrol", "Invite from a list"),
    ("cohorts:trainer_progress", "Progress"),
    ("cohorts:trainer_releases", "Module release"),
    ("cohorts:trainer_skills", "Skills"),
    ("cohorts:trainer_sessions", "Live sessions"),
    ("cohorts:trainer_messages", "Messages"),
    ("community:space", "Discussion space"),
    ("care:trainer_care", "Care"),
    ("cohorts:trainer_questions", "Screening questions"),
    ("cohorts:trainer_cohort_edit", "Settings"),
    ("cohorts:detail", "Public page"),
]


def menu(page: str) -> list[tuple[str, str]]:
    """The menu's links as a person reads them: (address, label)."""
    nav = page.split('<nav class="account-nav"')[1].split("</nav>")[0]
    return [
        (href, html.unescape(label))
        for href, label in re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', nav)
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_trainer_menu_is_as_it_was(space, language):
    space.trainer.preferred_language = language
    space.trainer.save(update_fields=["preferred_language"])
    client = space.client(space.trainer)
    slug = space.cohort.slug
    with translation.override(language):
        expected = [(reverse(name, args=[slug]), gettext(label)) for name, label in MENU]
    for page in ("cohorts:trainer_cohort", "cohorts:trainer_sessions", "care:trainer_care"):
        response = client.get(reverse(page, args=[slug]), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        assert menu(response.content.decode()) == expected, page
    if language == "es":
        assert (expected[7][1], expected[8][1]) != ("Discussion space", "Care")  # translated


def test_the_cohort_page_links_the_space_for_its_members_and_trainers_only(space):
    space_url = reverse("community:space", args=[space.cohort.slug])
    detail = reverse("cohorts:detail", args=[space.cohort.slug])
    button = (f'<p><a class="button secondary" href="{space_url}">'
              "The cohort's discussion space</a></p>")  # fmt: skip
    for person in (space.ana, space.trainer):
        assert button in html.unescape(space.client(person).get(detail).content.decode())
    former = UserFactory()
    Membership.objects.create(cohort=space.cohort, user=former, left_at=timezone.now(),
                              source=Membership.Source.DEMO, left_reason="withdrew")  # fmt: skip
    other_trainer = UserFactory(roles=[Role.TRAINER])
    for person in (UserFactory(), former, other_trainer):
        assert space_url not in space.client(person).get(detail).content.decode()
    assert space_url not in Client().get(detail).content.decode()  # signed out


def test_a_listed_trainer_whose_role_was_removed_gets_no_link_to_the_space(space):
    """The space would refuse them (404): the cohort's page offers no way there."""
    space_url = reverse("community:space", args=[space.cohort.slug])
    detail = reverse("cohorts:detail", args=[space.cohort.slug])
    client = space.client(space.trainer)
    assert space_url in client.get(detail).content.decode()
    space.trainer.groups.clear()
    assert space_url not in client.get(detail).content.decode()
    assert client.get(space_url).status_code in (302, 404)


def test_the_registry_refuses_a_link_for_nobody_or_nowhere():
    with pytest.raises(ValueError):
        links.register(links.Link(name="x", place="footer", label="X", url_name="cohorts:detail",
                                  shown_to=frozenset({links.MEMBER})))  # fmt: skip
    with pytest.raises(ValueError):
        links.register(links.Link(name="x", place=links.TRAINER_MENU, label="X",
                                  url_name="cohorts:detail"))  # fmt: skip
    with pytest.raises(ValueError):
        links.register(links.Link(name="x", place=links.COHORT_PAGE, label="X",
                                  url_name="cohorts:detail",
                                  shown_to=frozenset({links.ADMINISTRATOR})))  # fmt: skip
