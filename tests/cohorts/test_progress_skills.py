"""A trainer adds a skill for their cohort or for a course it takes, through
cohorts.services.skill_create: never one named like a skill of the certification track the
cohort prepares for (the member would be "signed off" on the trainer's page under a "not signed
off yet" checklist), whatever the case and the spacing (issue 15, review)."""

import pytest
from django.urls import reverse

from certificates import requirement_kinds
from certificates.models import TrackSkill
from cohorts import services
from cohorts.models import Skill, same_skill
from courses.factories import make_course
from tests.certificates.factories import make_track
from tests.cohorts.factories import make_cohort
from training.factories import UserFactory

pytestmark = pytest.mark.django_db

TRACKS_SKILL = "First contact role-play"


def on_a_track(trainer, slug="spring"):
    track = make_track(title="Peer supporter")
    cohort = make_cohort(slug, trainer=trainer, track=track)
    return cohort, TrackSkill.objects.create(track=track, name=TRACKS_SKILL)


def test_one_name_whatever_the_case_and_the_spacing():
    assert same_skill("  first   CONTACT role-play ") == same_skill(TRACKS_SKILL)
    assert same_skill("First contact") != same_skill(TRACKS_SKILL)


def test_certification_reads_skill_names_the_way_cohorts_do():
    # The skill requirement's check lives with its kind (certificates.requirement_kinds).
    assert requirement_kinds.same_skill is same_skill


def test_a_skill_named_like_one_of_the_tracks_is_refused_for_the_cohort_and_its_courses(trainer):
    cohort, _skill = on_a_track(trainer)
    course = cohort.courses.get()
    for name, scope in ((" first CONTACT  role-play", None), ("FIRST CONTACT ROLE-PLAY", course)):
        with pytest.raises(services.CohortError) as refused:
            services.skill_create(cohort=cohort, course=scope, name=name, description="",
                                  by=trainer)  # fmt: skip
        message = str(refused.value)
        assert "“Peer supporter” already has the skill “First contact role-play”" in message
    assert not Skill.objects.filter(track_skill__isnull=True).exists()


def test_a_course_skill_named_like_a_skill_of_another_cohorts_track_is_refused(trainer):
    """A course's skill is signed off in every cohort taking the course: in one preparing for
    a track with that skill too."""
    loose = make_cohort("loose", trainer=trainer)
    on_track, _skill = on_a_track(UserFactory(), "on-track")
    course = loose.courses.get()
    on_track.courses.add(course)
    with pytest.raises(services.CohortError, match="already has the skill"):
        services.skill_create(cohort=loose, course=course, name=TRACKS_SKILL, description="",
                              by=trainer)  # fmt: skip
    # The cohort's own skill is fine: that cohort prepares for no track.
    own = services.skill_create(cohort=loose, name=TRACKS_SKILL, description="", by=trainer)
    assert (own.cohort, own.course, own.is_shared) == (loose, None, False)


def test_other_names_are_added_in_order_and_checked(trainer):
    cohort, _skill = on_a_track(trainer)
    course = cohort.courses.get()
    own = services.skill_create(cohort=cohort, name="  Documenting abuse ",
                                description="Dates, links, screenshots.", by=trainer)  # fmt: skip
    assert (own.cohort, own.course, own.name) == (cohort, None, "Documenting abuse")
    assert own.description == "Dates, links, screenshots."
    shared = services.skill_create(cohort=cohort, course=course, name="Safety planning",
                                   description="", by=trainer)  # fmt: skip
    assert (shared.cohort, shared.course) == (None, course)
    assert shared.sort_order > own.sort_order
    with pytest.raises(services.CohortError, match="at most 200 characters"):
        services.skill_create(cohort=cohort, name="x" * 201, description="", by=trainer)
    with pytest.raises(services.CohortError, match="name"):
        services.skill_create(cohort=cohort, name="   ", description="", by=trainer)

    elsewhere, _modules = make_course("not-taken", modules=0)
    with pytest.raises(services.CohortError, match="course this cohort takes"):
        services.skill_create(cohort=cohort, course=elsewhere, name="Other", description="",
                              by=trainer)  # fmt: skip
    with pytest.raises(services.CohortError, match="trainers"):
        services.skill_create(cohort=cohort, name="Other", description="", by=UserFactory())
    assert Skill.objects.filter(track_skill__isnull=True).count() == 2


def test_the_skills_page_refuses_the_tracks_name_and_keeps_what_was_typed(trainer_client):
    cohort, skill = on_a_track(trainer_client.trainer)
    course = cohort.courses.get()
    url = reverse("cohorts:trainer_skills", args=[cohort.slug])
    response = trainer_client.post(url, {"name": " first contact ROLE-PLAY", "scope": course.pk,
                                         "description": "Listens first & believes."})  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert ("The certification track “Peer supporter” already has the skill “First contact "
            "role-play”") in page  # fmt: skip
    assert 'id="name-error"' in page and 'aria-invalid="true"' in page
    assert 'value=" first contact ROLE-PLAY"' in page
    assert "Listens first &amp; believes.</textarea>" in page
    assert f'<option value="{course.pk}" selected>' in page
    assert list(Skill.objects.values_list("pk", flat=True)) == [skill.pk]
    # Another name is added, as before.
    response = trainer_client.post(url, {"name": "Safety planning", "scope": "cohort"})
    assert response.status_code == 302
    assert Skill.objects.get(name="Safety planning").cohort == cohort
