"""Certificates owns the cohort-track link (issue 19): the track a cohort prepares for is a
certificates.CohortTrack, a track's skill a certificates.TrackSkill (a cohorts.Skill that cohorts
sees as shared, through cohorts.shared_skills). The migration copies every link, and back."""

from datetime import date, timedelta

import pytest

from certificates import eligibility
from certificates.models import CohortTrack, Requirement, Track, TrackSkill, track_of
from cohorts.models import Cohort, Skill, SkillSignOff
from cohorts.progress import offers_skill, skills_of
from tests.conftest import migrate_to
from training.factories import UserFactory

from .factories import add_requirement, join, make_cohort, make_skill, make_track

BEFORE = [("cohorts", "0010_notifications_move_to_training")]
AFTER = [("cohorts", "0012_cohort_track_moves_to_certificates")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_every_cohort_and_skill_link_and_back(latest_schema_after):
    old = migrate_to(BEFORE)
    Track_ = old.get_model("certificates", "Track")
    Requirement_ = old.get_model("certificates", "Requirement")
    Cohort_ = old.get_model("cohorts", "Cohort")
    Skill_ = old.get_model("cohorts", "Skill")
    SignOff = old.get_model("cohorts", "SkillSignOff")
    User = old.get_model("training", "User")

    def cohort(slug, track):
        today = date.today()
        return Cohort_.objects.create(
            slug=slug, title=slug, working_language="en", time_zone="UTC", track=track,
            starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30),
        )  # fmt: skip

    first = Track_.objects.create(slug="first", title="First")
    second = Track_.objects.create(slug="second", title="Second")
    autumn, spring = cohort("autumn", first), cohort("spring", first)
    other, loose = cohort("other", second), cohort("loose", None)
    role_play = Skill_.objects.create(track=first, name="Role-play", sort_order=0)
    debrief = Skill_.objects.create(track=first, name="Debriefing", sort_order=1)
    seconds = Skill_.objects.create(track=second, name="Safety planning")
    own = Skill_.objects.create(cohort=loose, name="Loose cohort's own")
    requirement = Requirement_.objects.create(track=first, kind="skill", skill=role_play)
    ana = User.objects.create(email="ana@example.org", display_name="Ana")
    trainer = User.objects.create(email="t@example.org", display_name="T")
    sign_off = SignOff.objects.create(skill=role_play, user=ana, cohort=spring,
                                      signed_by=trainer)  # fmt: skip

    migrate_to(AFTER)
    # Every link, as it was; the skills keep their ids, names, order and sign-offs.
    assert dict(CohortTrack.objects.values_list("cohort_id", "track_id")) == {
        autumn.pk: first.pk, spring.pk: first.pk, other.pk: second.pk
    }  # fmt: skip
    assert dict(TrackSkill.objects.values_list("pk", "track_id")) == {
        role_play.pk: first.pk, debrief.pk: first.pk, seconds.pk: second.pk
    }  # fmt: skip
    track = Track.objects.get(pk=first.pk)
    assert [s.name for s in track.skills.all()] == ["Role-play", "Debriefing"]
    assert Skill.objects.get(pk=own.pk).cohort_id == loose.pk
    assert not TrackSkill.objects.filter(pk=own.pk).exists()
    assert Requirement.objects.get(pk=requirement.pk).skill_id == role_play.pk
    assert SkillSignOff.objects.get(pk=sign_off.pk).skill_id == role_play.pk
    autumn_now = Cohort.objects.get(pk=autumn.pk)
    assert track_of(autumn_now) == track and track_of(Cohort.objects.get(pk=loose.pk)) is None
    assert [s.pk for s in skills_of(autumn_now)] == [role_play.pk, debrief.pk]

    # And back: the cohorts' and the skills' tracks as they were.
    old = migrate_to(BEFORE)
    Cohort_, Skill_ = old.get_model("cohorts", "Cohort"), old.get_model("cohorts", "Skill")
    assert dict(Cohort_.objects.values_list("pk", "track_id")) == {
        autumn.pk: first.pk, spring.pk: first.pk, other.pk: second.pk, loose.pk: None
    }  # fmt: skip
    assert dict(Skill_.objects.values_list("pk", "track_id")) == {
        role_play.pk: first.pk, debrief.pk: first.pk, seconds.pk: second.pk, own.pk: None
    }  # fmt: skip
    assert old.get_model("certificates", "Requirement").objects.get().skill_id == role_play.pk


@pytest.mark.django_db
def test_a_tracks_skills_are_shared_with_the_cohorts_preparing_for_it_only(trainer):
    track, other = make_track(), make_track()
    on_track, elsewhere, loose = make_cohort(track), make_cohort(other), make_cohort(None)
    shared = TrackSkill.objects.create(track=track, name="Safety planning")
    own = make_skill(on_track, "Own")
    assert list(skills_of(on_track)) == [Skill.objects.get(pk=shared.pk), own]
    assert offers_skill(on_track, Skill.objects.get(pk=shared.pk))
    assert not offers_skill(elsewhere, shared) and not offers_skill(loose, shared)
    assert list(skills_of(elsewhere)) == [] and list(skills_of(loose)) == []
    skill = skills_of(on_track)[0]
    assert skill.is_shared and skill.shared_by == track and not own.is_shared
    assert own.shared_by is None


@pytest.mark.django_db
def test_a_cohort_leaving_its_track_stops_counting_and_a_deleted_track_takes_its_links(trainer):
    track = make_track()
    cohort = make_cohort(track, trainer=trainer)
    skill = TrackSkill.objects.create(track=track, name="Safety planning")
    add_requirement(track, Requirement.Kind.SKILL, skill=skill)
    ana = UserFactory()
    join(cohort, ana)
    SkillSignOff.objects.create(skill=skill, user=ana, cohort=cohort, signed_by=trainer)
    assert eligibility.compute(ana, track).eligible
    assert list(eligibility.followed_tracks(ana)) == [track]
    CohortTrack.objects.filter(cohort=cohort).delete()
    assert list(eligibility.followed_tracks(ana)) == []
    assert skill.pk not in {s.pk for s in skills_of(cohort)}
    # A track deleted: its cohorts stay (on no track), its skills and their sign-offs go.
    CohortTrack.objects.create(cohort=cohort, track=track)
    track.requirements.all().delete()
    Track.objects.filter(pk=track.pk).delete()
    assert Cohort.objects.filter(pk=cohort.pk).exists()
    assert track_of(Cohort.objects.get(pk=cohort.pk)) is None
    assert not Skill.objects.filter(pk=skill.pk).exists()
    assert not SkillSignOff.objects.filter(user=ana).exists()
