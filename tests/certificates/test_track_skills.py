"""A track's skill requirement names a skill of the track, which every cohort preparing for the
track signs off (issue 15, broken #1): the data migration, the requirement's validation, the
Wagtail track editor, and the checklist that never contradicts itself."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.migrations.exceptions import IrreversibleError
from django.urls import reverse
from django.utils import timezone

from certificates import eligibility
from certificates.models import Requirement, Track, TrackSkill
from cohorts.models import Cohort, Skill, SkillSignOff
from cohorts.progress import skills_of
from courses.factories import make_course
from tests.certificates.test_review import _edit_form
from tests.conftest import login_with_mfa, migrate_to
from training.factories import UserFactory
from training.roles import Role

from .factories import add_requirement, join, make_cohort, make_skill, make_track

Kind = Requirement.Kind
BEFORE = [("cohorts", "0008_track_skills_series_announcements")]
AFTER = [("cohorts", "0009_requirement_skills_move_to_their_track")]


# --- The data migration -------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_requirement_skills_to_their_track_and_merges_cohort_copies(
    latest_schema_after,
):
    old = migrate_to(BEFORE)
    Track = old.get_model("certificates", "Track")
    Requirement_ = old.get_model("certificates", "Requirement")
    Cohort = old.get_model("cohorts", "Cohort")
    Skill_ = old.get_model("cohorts", "Skill")
    SignOff = old.get_model("cohorts", "SkillSignOff")
    User = old.get_model("training", "User")

    def person(name):
        return User.objects.create(email=f"{name}@example.org", display_name=name)

    def cohort(slug, track):
        today = date.today()
        return Cohort.objects.create(
            slug=slug, title=slug, working_language="en", time_zone="UTC", track=track,
            starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30),
        )  # fmt: skip

    first = Track.objects.create(slug="first", title="First")
    second = Track.objects.create(slug="second", title="Second")
    autumn, spring = cohort("autumn", first), cohort("spring", first)
    elsewhere = cohort("elsewhere", second)
    ana, ben, trainer, other_trainer = person("ana"), person("ben"), person("t"), person("u")
    long_ago, lately = timezone.now() - timedelta(days=40), timezone.now() - timedelta(days=2)

    # The requirement names the autumn cohort's skill; spring has its own of the same name.
    role_play = Skill_.objects.create(cohort=autumn, name="Role-play: first contact")
    spring_copy = Skill_.objects.create(cohort=spring, name="  role-play: FIRST contact ")
    spring_only = Skill_.objects.create(cohort=spring, name="Spring's own skill")
    on_first = Requirement_.objects.create(track=first, kind="skill", skill=role_play)
    # The same skill is also named by the second track's requirement.
    on_second = Requirement_.objects.create(track=second, kind="skill", skill=role_play)
    SignOff.objects.create(skill=role_play, user=ana, cohort=autumn, signed_by=trainer,
                           signed_at=long_ago)  # fmt: skip
    SignOff.objects.create(skill=spring_copy, user=ben, cohort=spring, signed_by=trainer,
                           signed_at=lately, notes="Clear and warm")  # fmt: skip
    # Ana was signed off in autumn on both copies (the later one is kept).
    SignOff.objects.create(skill=spring_copy, user=ana, cohort=autumn, signed_by=other_trainer,
                           signed_at=lately)  # fmt: skip
    elsewhere_copy = Skill_.objects.create(cohort=elsewhere, name="Role-play: first contact")

    new = migrate_to(AFTER)
    Skill_ = new.get_model("cohorts", "Skill")
    SignOff = new.get_model("cohorts", "SkillSignOff")
    Requirement_ = new.get_model("certificates", "Requirement")

    moved = Skill_.objects.get(pk=role_play.pk)
    assert (moved.track_id, moved.cohort_id, moved.course_id) == (first.pk, None, None)
    assert Requirement_.objects.get(pk=on_first.pk).skill_id == moved.pk
    # The second track got its own copy, with the sign-offs given so far.
    second_skill = Requirement_.objects.get(pk=on_second.pk).skill
    assert second_skill.track_id == second.pk and second_skill.pk != moved.pk
    assert second_skill.name == "Role-play: first contact"
    assert set(SignOff.objects.filter(skill=second_skill).values_list("user_id", flat=True)) == {
        ana.pk
    }
    # Spring's same-named skill merged into the track's: its sign-offs moved, it is gone.
    assert not Skill_.objects.filter(pk=spring_copy.pk).exists()
    rows = {(s.user_id, s.cohort_id): s for s in SignOff.objects.filter(skill=moved)}
    assert set(rows) == {(ana.pk, autumn.pk), (ben.pk, spring.pk)}
    assert rows[(ana.pk, autumn.pk)].signed_by_id == other_trainer.pk  # the latest kept
    assert rows[(ana.pk, autumn.pk)].signed_at == lately
    assert rows[(ben.pk, spring.pk)].notes == "Clear and warm"
    # Skills of no requirement and not named like one of their track's stay as they were.
    assert Skill_.objects.get(pk=spring_only.pk).cohort_id == spring.pk
    # The "elsewhere" cohort prepares for the second track: its copy merged into that one.
    assert not Skill_.objects.filter(pk=elsewhere_copy.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_names_the_tracks_existing_skill_of_the_same_name(latest_schema_after):
    old = migrate_to(BEFORE)
    Track = old.get_model("certificates", "Track")
    Requirement_ = old.get_model("certificates", "Requirement")
    Skill_ = old.get_model("cohorts", "Skill")
    track = Track.objects.create(slug="t", title="T")
    tracks_own = Skill_.objects.create(track=track, name="Debriefing")
    stray = Skill_.objects.create(track=Track.objects.create(slug="u", title="U"),
                                  name="debriefing")  # fmt: skip
    requirement = Requirement_.objects.create(track=track, kind="skill", skill=stray)

    new = migrate_to(AFTER)
    Requirement_ = new.get_model("certificates", "Requirement")
    assert Requirement_.objects.get(pk=requirement.pk).skill_id == tracks_own.pk
    assert new.get_model("cohorts", "Skill").objects.filter(track__slug="t").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_a_skill_of_a_cohort_off_the_track_or_of_a_course(
    latest_schema_after,
):
    """Only a skill of a cohort preparing for the requirement's track moves to the track: a
    cohort on no track (or on another track) and a course keep theirs, the track gets a copy
    with the sign-offs given so far."""
    old = migrate_to(BEFORE)
    Track_ = old.get_model("certificates", "Track")
    Requirement_ = old.get_model("certificates", "Requirement")
    Cohort_ = old.get_model("cohorts", "Cohort")
    Skill_ = old.get_model("cohorts", "Skill")
    SignOff = old.get_model("cohorts", "SkillSignOff")
    User = old.get_model("training", "User")
    CoursePage_ = old.get_model("courses", "CoursePage")

    def cohort(slug, track):
        today = date.today()
        return Cohort_.objects.create(
            slug=slug, title=slug, working_language="en", time_zone="UTC", track=track,
            starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=30),
        )  # fmt: skip

    track = Track_.objects.create(slug="t", title="T")
    other = Track_.objects.create(slug="o", title="O")
    loose, elsewhere = cohort("loose", None), cohort("elsewhere", other)
    trainer = User.objects.create(email="t@example.org", display_name="Trainer T")
    ana = User.objects.create(email="ana@example.org", display_name="Ana")
    course, _modules = make_course("listening-first", modules=0)  # pages: today's models fit
    course = CoursePage_.objects.get(pk=course.pk)
    loose_skill = Skill_.objects.create(cohort=loose, name="Safety planning")
    elsewhere_skill = Skill_.objects.create(cohort=elsewhere, name="Documenting abuse")
    course_skill = Skill_.objects.create(course=course, name="Active listening")
    originals = [(loose_skill, loose), (elsewhere_skill, elsewhere), (course_skill, loose)]
    for skill, on in originals:
        SignOff.objects.create(skill=skill, user=ana, cohort=on, signed_by=trainer)
    requirements = [
        Requirement_.objects.create(track=track, kind="skill", skill=s, sort_order=order)
        for order, (s, _c) in enumerate(originals)
    ]

    new = migrate_to(AFTER)
    Skill_ = new.get_model("cohorts", "Skill")
    SignOff = new.get_model("cohorts", "SkillSignOff")
    Requirement_ = new.get_model("certificates", "Requirement")
    for (original, on), requirement in zip(originals, requirements, strict=True):
        kept = Skill_.objects.get(pk=original.pk)
        assert (kept.cohort_id, kept.course_id, kept.track_id) == (
            original.cohort_id, original.course_id, None
        )  # fmt: skip
        assert SignOff.objects.filter(skill=kept, user_id=ana.pk, cohort_id=on.pk).exists()
        copy = Requirement_.objects.get(pk=requirement.pk).skill
        assert copy.pk != kept.pk and copy.name == kept.name
        assert (copy.track_id, copy.cohort_id, copy.course_id) == (track.pk, None, None)
        assert SignOff.objects.filter(skill=copy, user_id=ana.pk, cohort_id=on.pk).exists()

    # Today's models, the latest schema: the cohort on no track still has its skill to sign
    # off; the course's cohorts theirs.
    migrate_to([("cohorts", "0012_cohort_track_moves_to_certificates")])
    loose, track = Cohort.objects.get(pk=loose.pk), Track.objects.get(pk=track.pk)
    assert Skill.objects.get(pk=loose_skill.pk) in skills_of(loose)
    assert Skill.objects.filter(course_id=course.pk).count() == 1
    assert track.skills.count() == 3 and not Track.objects.get(pk=other.pk).skills.exists()
    assert eligibility.compute(get_user_model().objects.get(pk=ana.pk), track).eligible


@pytest.mark.django_db(transaction=True)
def test_the_migration_refuses_to_go_back_once_a_track_has_skills(latest_schema_after):
    new = migrate_to(AFTER)
    Skill_ = new.get_model("cohorts", "Skill")
    track = new.get_model("certificates", "Track").objects.create(slug="t", title="T")
    skill = Skill_.objects.create(track=track, name="Safety planning")
    with pytest.raises(IrreversibleError, match="Certification tracks have 1 skill: "):
        migrate_to(BEFORE)
    assert Skill_.objects.get(pk=skill.pk).track_id is not None


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_while_no_track_has_skills(latest_schema_after):
    migrate_to(AFTER)
    migrate_to(BEFORE)
    earlier = migrate_to([("cohorts", "0007_export_log_moves_to_the_audit_log")])
    fields = {f.name for f in earlier.get_model("cohorts", "Skill")._meta.get_fields()}
    assert "track" not in fields and "cohort" in fields
    migrate_to(AFTER)


# --- The requirement ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_skill_requirement_must_name_a_skill_of_its_own_track():
    track, other = make_track(), make_track()
    cohort = make_cohort(track)
    ours = TrackSkill.objects.create(track=track, name="Safety planning")
    theirs = TrackSkill.objects.create(track=other, name="Safety planning")
    cohorts_own = make_skill(cohort, "Safety planning")
    for skill in (theirs, cohorts_own):
        requirement = Requirement(track=track, kind=Kind.SKILL, skill=skill)
        with pytest.raises(ValidationError) as refused:
            requirement.full_clean()
        messages = refused.value.message_dict["skill"]
        assert any("is not one of this track's skills" in m for m in messages), messages
    Requirement(track=track, kind=Kind.SKILL, skill=ours).full_clean()


# --- Every cohort preparing for the track meets it ----------------------------------------------
@pytest.mark.django_db
def test_members_of_every_cohort_on_the_track_meet_the_tracks_skill(trainer):
    track = make_track()
    autumn, spring = make_cohort(track, trainer=trainer), make_cohort(track, trainer=trainer)
    skill = TrackSkill.objects.create(track=track, name="First contact role-play")
    add_requirement(track, Kind.SKILL, skill=skill)
    ana, ben = UserFactory(), UserFactory()
    join(autumn, ana), join(spring, ben)
    SkillSignOff.objects.create(skill=skill, user=ana, cohort=autumn, signed_by=trainer)
    SkillSignOff.objects.create(skill=skill, user=ben, cohort=spring, signed_by=trainer)
    assert eligibility.compute(ana, track).eligible
    assert eligibility.compute(ben, track).eligible


@pytest.mark.django_db
def test_a_same_named_skill_signed_off_in_a_cohort_on_the_track_counts(trainer):
    """A cohort's own skill named like the track's (made before the track had it, or since)
    never shows "signed off" on the trainer's page under a "not signed off yet" checklist."""
    track = make_track()
    cohort = make_cohort(track, trainer=trainer)
    skill = TrackSkill.objects.create(track=track, name="First contact role-play")
    add_requirement(track, Kind.SKILL, skill=skill)
    own = make_skill(cohort, " first CONTACT role-play")
    ana = UserFactory()
    join(cohort, ana)
    assert not eligibility.compute(ana, track).eligible
    SkillSignOff.objects.create(skill=own, user=ana, cohort=cohort, signed_by=trainer)
    result = eligibility.compute(ana, track)
    assert result.eligible
    assert result.checks[0].detail == "Signed off by a trainer"


@pytest.mark.django_db
def test_a_same_named_skill_of_a_cohort_on_another_track_does_not_count(trainer):
    track, other = make_track(), make_track()
    skill = TrackSkill.objects.create(track=track, name="First contact role-play")
    add_requirement(track, Kind.SKILL, skill=skill)
    elsewhere = make_cohort(other, trainer=trainer)
    ana = UserFactory()
    join(make_cohort(track), ana), join(elsewhere, ana)
    SkillSignOff.objects.create(skill=make_skill(elsewhere, "First contact role-play"), user=ana,
                                cohort=elsewhere, signed_by=trainer)  # fmt: skip
    assert not eligibility.compute(ana, track).eligible


@pytest.fixture
def admin_client(client, db):
    admin = UserFactory(email="admin@example.org", roles=[Role.COORDINATOR], is_superuser=True,
                        is_staff=True)  # fmt: skip
    client.force_login(admin)
    return client


# --- The track editor (Wagtail) -----------------------------------------------------------------
ADD = "/admin/snippets/certificates/track/add/"


def _edit(track) -> str:
    return f"/admin/snippets/certificates/track/edit/{track.pk}/"


@pytest.mark.django_db
def test_a_coordinator_creates_a_track_with_skills_then_requires_one(client, coordinator):
    login_with_mfa(client, coordinator)
    page = client.get(ADD).content.decode()
    assert "Skills" in page and "skills-TOTAL_FORMS" in page
    data = _edit_form(client, ADD)
    data.update({
        "title": "Peer supporter", "slug": "peer-supporter", "validity_months": "24",
        "renewal_opens_days": "90", "approval": "automatic", "active": "on",
        "skills-TOTAL_FORMS": "2",
        "skills-0-skill": "", "skills-0-ORDER": "1", "skills-0-DELETE": "",
        "skills-0-name": "First contact role-play",
        "skills-0-description": "Listens first, believes, does not blame.",
        "skills-1-skill": "", "skills-1-ORDER": "2", "skills-1-DELETE": "",
        "skills-1-name": "Documenting abuse", "skills-1-description": "",
    })  # fmt: skip
    response = client.post(ADD, data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    track = Track.objects.get(slug="peer-supporter")
    assert [s.name for s in track.skills.all()] == ["First contact role-play",
                                                     "Documenting abuse"]  # fmt: skip
    first = track.skills.get(name="First contact role-play")
    assert (first.cohort_id, first.course_id) == (None, None)

    # Another track's skill is refused beside the field, with the reason.
    other = TrackSkill.objects.create(track=make_track(), name="Somebody else's skill")
    data = _edit_form(client, _edit(track))
    assert data["skills-TOTAL_FORMS"] == "2"
    data.update({
        "requirements-TOTAL_FORMS": "1", "requirements-0-id": "", "requirements-0-ORDER": "1",
        "requirements-0-DELETE": "", "requirements-0-path": "initial",
        "requirements-0-kind": "skill", "requirements-0-skill": str(other.pk),
        "requirements-0-course": "", "requirements-0-agreement": "",
        "requirements-0-min_attendance": "",
    })  # fmt: skip
    response = client.post(_edit(track), data)
    assert response.status_code == 200
    assert "is not one of this track&#x27;s skills" in response.content.decode()
    assert not track.requirements.exists()

    # The track's own skill is accepted.
    data["requirements-0-skill"] = str(first.pk)
    response = client.post(_edit(track), data)
    form = response.context and response.context.get("form")
    assert response.status_code == 302, (form.errors, {
        name: [f.errors for f in formset.forms] for name, formset in form.formsets.items()
    })  # fmt: skip
    requirement = track.requirements.get()
    assert (requirement.kind, requirement.skill_id) == ("skill", first.pk)
    # The editor shows it again (skills and the requirement naming one) and saves unchanged.
    data = _edit_form(client, _edit(track))
    assert data["requirements-0-skill"] == str(first.pk)
    assert client.post(_edit(track), data).status_code == 302
    assert track.skills.count() == 2 and track.requirements.get().skill_id == first.pk


@pytest.mark.django_db
def test_a_skill_named_by_a_requirement_or_signed_off_stays_in_the_editor(
    client, coordinator, trainer
):
    track = make_track()
    named = TrackSkill.objects.create(track=track, name="Named by a requirement", sort_order=0)
    signed = TrackSkill.objects.create(track=track, name="Signed off for someone", sort_order=1)
    add_requirement(track, Kind.SKILL, skill=named)
    SkillSignOff.objects.create(skill=signed, user=UserFactory(), signed_by=trainer)
    login_with_mfa(client, coordinator)
    client.raise_request_exception = False
    for skill in (named, signed):
        data = _edit_form(client, _edit(track))
        # A track's skill is a cohorts.Skill: its key is the `skill` it extends.
        index = next(k for k, v in data.items() if k.startswith("skills-") and k.endswith("-skill")
                     and v == str(skill.pk)).split("-")[1]  # fmt: skip
        data[f"skills-{index}-DELETE"] = "1"
        response = client.post(_edit(track), data)
        assert response.status_code == 200
        assert "stays: a requirement names it" in response.content.decode()
        assert Skill.objects.filter(pk=skill.pk).exists()


@pytest.mark.django_db
def test_the_coordinators_page_never_shows_signed_off_under_not_signed_off_yet(
    client, coordinator, trainer
):
    track = make_track()
    cohort = make_cohort(track, trainer=trainer)
    add_requirement(
        track, Kind.SKILL, skill=TrackSkill.objects.create(track=track, name="Safety planning")
    )
    ana = UserFactory(display_name="Ana")
    join(cohort, ana)
    # Signed off on the cohort's own skill of the same name (made before the track had it).
    SkillSignOff.objects.create(skill=make_skill(cohort, "Safety planning"), user=ana,
                                cohort=cohort, signed_by=trainer)  # fmt: skip
    login_with_mfa(client, coordinator)
    page = client.get(
        reverse("certificates:track_person", args=[track.slug, ana.pk])
    ).content.decode()
    assert "“Safety planning” signed off in " in page and "<td>Trainer T</td>" in page
    assert "Not signed off yet" not in page
    assert "1 of 1 requirements met" in page
