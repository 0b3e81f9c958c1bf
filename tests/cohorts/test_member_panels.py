"""The trainer's page about a member takes panels from a registry (cohorts.member_panels), so
that later apps add to it without cohorts importing them: certificates adds the checklist."""

import pytest
from django.urls import reverse

from cohorts import member_panels
from tests.cohorts.factories import make_cohort
from tests.cohorts.test_progress import add_members

pytestmark = pytest.mark.django_db

NOTE = "The certification's attendance requirement counts all the cohort's sessions"


@pytest.fixture
def panels(monkeypatch):
    """The registry as the apps left it, restored after the test."""
    monkeypatch.setattr(member_panels, "_PANELS", dict(member_panels._PANELS))
    return member_panels


def test_certificates_registers_its_panel_in_both_places():
    panel = member_panels._PANELS["certification"]
    assert set(panel.templates) == {"top", "attendance"}


def test_a_registered_panel_shows_in_its_place_with_its_data(panels, trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)  # no certification track
    (member,) = add_members(cohort, 1)
    seen = []

    def context(*, cohort, user):
        seen.append((cohort.pk, user.pk))
        return {"anything": True}

    panels.register(panels.Panel(
        name="test-note", context=context,
        templates={"attendance": "certificates/includes/member_certification_attendance.html"},
    ))  # fmt: skip
    url = reverse("cohorts:trainer_member", args=[cohort.slug, member.pk])
    body = trainer_client.get(url).content.decode()
    assert NOTE in body
    # Under the live sessions, before the skills; called once for the page.
    assert body.index('id="attendance"') < body.index(NOTE) < body.index('id="skills"')
    assert seen == [(cohort.pk, member.pk)]


def test_a_panel_with_nothing_to_show_is_left_out(panels, trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    (member,) = add_members(cohort, 1)
    panels.register(panels.Panel(
        name="test-empty", context=lambda *, cohort, user: {},
        templates={"top": "certificates/includes/member_certification_attendance.html"},
    ))  # fmt: skip
    assert panels.panels_for(cohort=cohort, user=member)["top"] == []
    url = reverse("cohorts:trainer_member", args=[cohort.slug, member.pk])
    assert NOTE not in trainer_client.get(url).content.decode()


def test_a_panel_for_a_place_the_page_does_not_have_is_refused(panels):
    with pytest.raises(ValueError, match="sidebar"):
        panels.register(panels.Panel(name="test-nowhere", context=dict,
                                     templates={"sidebar": "x.html"}))  # fmt: skip
