"""The trainers' writes as services (cohorts.services), called without a view: skills removed,
release dates, invitation codes, decision wording, a cohort's edit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from certificates.models import TrackSkill, track_of
from cohorts import selectors, services
from cohorts.enrolment import CsvError
from cohorts.forms import CohortForm
from cohorts.invitations import InvitationError
from cohorts.models import InvitationCode, MessageTemplate, ModuleRelease, Skill
from cohorts.sessions import SessionError
from courses.models import ModulePage
from tests.certificates.factories import make_track
from tests.cohorts.factories import make_cohort
from training.errors import ServiceError
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer():
    return UserFactory(roles=[Role.TRAINER])


def test_every_refusal_of_cohorts_is_a_service_error_with_a_code():
    for error_class, code in ((services.CohortError, "cohort"), (SessionError, "session"),
                              (InvitationError, "invitation"), (CsvError, "csv")):  # fmt: skip
        error = error_class("Said in words.")
        assert isinstance(error, ServiceError)
        assert (error.code, str(error)) == (code, "Said in words.")


def test_a_trainer_removes_their_cohorts_own_skill_not_a_courses_nor_a_tracks(trainer):
    cohort = make_cohort(trainer=trainer, track=make_track())
    own = Skill.objects.create(cohort=cohort, name="Own")
    course = cohort.courses.get()
    shared = Skill.objects.create(course=course, name="Shared")
    tracks = TrackSkill.objects.create(track=track_of(cohort), name="Track's")

    services.skill_delete(cohort=cohort, skill_id=own.pk, by=trainer)
    assert not Skill.objects.filter(pk=own.pk).exists()
    with pytest.raises(services.CohortError) as refused:
        services.skill_delete(cohort=cohort, skill_id=shared.pk, by=trainer)
    assert refused.value.code == "course_skill"
    with pytest.raises(services.CohortError) as refused:
        services.skill_delete(cohort=cohort, skill_id=tracks.pk, by=trainer)
    assert refused.value.code == "track_skill"
    admin = UserFactory(is_superuser=True)
    services.skill_delete(cohort=cohort, skill_id=shared.pk, by=admin)
    assert set(Skill.objects.values_list("name", flat=True)) == {"Track's"}


def test_release_dates_are_set_changed_and_removed_together(trainer):
    cohort = make_cohort(trainer=trainer)
    module = ModulePage.objects.child_of(cohort.courses.get()).get()
    soon = timezone.now() + timedelta(days=3)
    services.module_releases_set(cohort=cohort, opens={module.pk: soon})
    assert selectors.module_releases(cohort)[module.pk].opens_at == soon
    services.module_releases_set(cohort=cohort, opens={module.pk: soon + timedelta(days=1)})
    assert ModuleRelease.objects.get().opens_at == soon + timedelta(days=1)
    services.module_releases_set(cohort=cohort, opens={module.pk: None})
    assert not ModuleRelease.objects.exists()


def test_an_invitation_code_is_made_then_stops_working_in_its_cohort_only(trainer):
    cohort, other = make_cohort(trainer=trainer), make_cohort("other", trainer=trainer)
    code = services.invitation_code_create(cohort=cohort, by=trainer, note="Flyer", max_uses=5)
    assert (code.cohort, code.created_by, code.max_uses, code.active) == (cohort, trainer, 5, True)
    assert services.invitation_code_deactivate(cohort=other, pk=code.pk) == 0
    assert services.invitation_code_deactivate(cohort=cohort, pk=code.pk) == 1
    assert not InvitationCode.objects.get(pk=code.pk).active


def test_decision_wording_is_kept_and_an_empty_text_keeps_the_last(trainer):
    cohort = make_cohort(trainer=trainer)
    services.message_templates_save(cohort=cohort, texts={"accept": "Hello!", "waitlist": ""})
    services.message_templates_save(cohort=cohort, texts={"accept": ""})
    assert dict(MessageTemplate.objects.values_list("decision", "text")) == {"accept": "Hello!"}
    assert selectors.default_messages(cohort)["accept"] == "Hello!"


def test_editing_a_cohort_keeps_its_other_trainers_and_fills_new_places(trainer):
    colleague = UserFactory(roles=[Role.TRAINER])
    cohort = make_cohort(trainer=trainer, capacity=0, questions=False)
    cohort.trainers.add(colleague)
    waiting = UserFactory()
    services.application_submit(cohort=cohort, user=waiting, answers={})
    (application,) = cohort.applications.all()
    services.decide(application=application, decision=services.Decision.ACCEPT, by=trainer)
    application.refresh_from_db()
    assert application.status == "waitlisted"

    form = CohortForm(instance=cohort, user=trainer, origin="https://example.org/")
    data = {name: form[name].value() for name in form.fields}
    data = {k: v for k, v in data.items() if v is not None}
    data["capacity"] = 1
    form = CohortForm(data, instance=cohort, user=trainer, origin="https://example.org/")
    assert form.is_valid(), form.errors
    cohort, promoted = services.cohort_update(form=form, by=trainer)
    assert [a.user for a in promoted] == [waiting]
    assert set(cohort.trainers.all()) >= {trainer, colleague}
    assert selectors.membership_of(cohort, waiting) is not None
