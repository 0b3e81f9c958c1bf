"""The trainer's progress matrix, member detail, skill sign-offs and CSV export."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.models import Application, Cohort, Membership, ModuleRelease, Skill, SkillSignOff
from cohorts.progress import skills_of
from courses import services as course_services
from courses.factories import make_course
from courses.models import Enrolment, ModuleProgress, Reflection
from courses.services import LearningError, module_assert_open
from tests.audit import sent, sent_ids
from tests.cohorts.factories import make_cohort
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.models import AuditEntry

pytestmark = pytest.mark.django_db


def exports():
    return AuditEntry.objects.filter(action="cohort.progress_export")


def add_members(cohort, count, start=0):
    people = []
    for number in range(start, start + count):
        person = UserFactory(display_name=f"Member {number:04d}")
        services._admit(cohort, person, Membership.Source.CSV)
        people.append(person)
    return people


def test_the_matrix_keeps_its_query_count_as_the_cohort_grows(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=None)
    url = reverse("cohorts:trainer_progress", args=[cohort.slug])
    add_members(cohort, 10)
    trainer_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert trainer_client.get(url).status_code == 200
    add_members(cohort, 60, start=10)
    with CaptureQueriesContext(connection) as large:
        page = trainer_client.get(url).content.decode()
    assert "Member 0069" in page
    assert len(large) == len(small), (len(small), len(large))


def test_the_matrix_shows_each_members_state_and_filters_the_inactive(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    busy, idle = add_members(cohort, 2)
    course = cohort.courses.get()
    module = course.get_children().specific().first()
    course_services.module_visit(user=busy, module=module, course=course)
    ModuleProgress.objects.filter(user=busy, module=module).update(
        status="completed", completed_at=timezone.now()
    )
    url = reverse("cohorts:trainer_progress", args=[cohort.slug])
    page = trainer_client.get(url).content.decode()
    assert "state-completed" in page
    inactive = trainer_client.get(url, {"inactive": "7"}).content.decode()
    assert idle.display_name in inactive and busy.display_name not in inactive


def test_the_csv_export_is_logged_and_neutralises_formulas(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    member = UserFactory(display_name='=HYPERLINK("x")')
    services._admit(cohort, member, Membership.Source.CSV)
    response = trainer_client.post(reverse("cohorts:trainer_progress_csv", args=[cohort.slug]))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][0] == '\'=HYPERLINK("x")'
    log = exports().get()
    assert (log.actor, log.detail["cohort"], log.count) == (trainer_client.trainer, cohort.pk, 1)
    assert sent_ids(log) == {member.pk}  # who was in the export


def test_the_csv_export_is_a_post_with_csrf_and_a_get_exports_nothing(trainer_client):
    """A link or an image elsewhere cannot make a trainer's browser export their members."""
    cohort = make_cohort(trainer=trainer_client.trainer)
    add_members(cohort, 2)
    url = reverse("cohorts:trainer_progress_csv", args=[cohort.slug])
    assert trainer_client.get(url).status_code == 405
    # The old address of the export shows the page, never the file.
    page = trainer_client.get(reverse("cohorts:trainer_progress", args=[cohort.slug]),
                              {"format": "csv"})  # fmt: skip
    assert page["Content-Type"].startswith("text/html")
    body = page.content.decode()
    assert f'action="{url}"' in body and "csrfmiddlewaretoken" in body
    assert not exports().exists()
    # Without the CSRF token (a form on another site), the POST is refused.
    strict = Client(enforce_csrf_checks=True)
    login_with_mfa(strict, trainer_client.trainer)
    assert strict.post(url).status_code == 403
    assert not exports().exists()
    # The filter travels with the form.
    response = trainer_client.post(url, {"inactive": "7"})
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert exports().get().count == 2  # both members matched the filter
    b"".join(response.streaming_content)
    assert sent(exports().get()) == 2  # and were sent


def test_a_trainer_signs_off_a_skill_and_reads_only_shared_reflections(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    (member,) = add_members(cohort, 1)
    skill = Skill.objects.create(cohort=cohort, name="Role-play: first contact")
    module = cohort.courses.get().get_children().specific().first()
    now = timezone.now()
    Reflection.objects.create(user=member, module=module, activity_id="a", text="draft",
                              submitted_text="What I shared", shared_with_trainers=True,
                              submitted_at=now)  # fmt: skip
    Reflection.objects.create(user=member, module=module, activity_id="b", text="private",
                              submitted_text="What I kept", shared_with_trainers=False,
                              submitted_at=now)  # fmt: skip
    # Shared before joining this cohort: for the trainers of then, not these.
    Reflection.objects.create(user=member, module=module, activity_id="c", text="",
                              submitted_text="Shared with others", shared_with_trainers=True,
                              submitted_at=now - timedelta(days=30))  # fmt: skip
    detail = reverse("cohorts:trainer_member", args=[cohort.slug, member.pk])
    page = trainer_client.get(detail).content.decode()
    assert "What I shared" in page and "What I kept" not in page and "draft" not in page
    assert "Shared with others" not in page
    trainer_client.post(
        reverse("cohorts:trainer_sign_off", args=[cohort.slug, member.pk, skill.pk]),
        {"notes": "Calm and clear.", "action": "sign"},
    )
    sign_off = SkillSignOff.objects.get()
    assert (sign_off.user, sign_off.signed_by, sign_off.notes) == (
        member, trainer_client.trainer, "Calm and clear.")  # fmt: skip
    assert "Calm and clear." in trainer_client.get(detail).content.decode()


def test_progress_of_another_trainers_cohort_is_not_found(trainer_client):
    theirs = make_cohort("theirs", trainer=UserFactory())
    (member,) = add_members(theirs, 1)
    skill = Skill.objects.create(cohort=theirs, name="Skill")
    for url in (
        reverse("cohorts:trainer_progress", args=[theirs.slug]),
        reverse("cohorts:trainer_member", args=[theirs.slug, member.pk]),
        reverse("cohorts:trainer_skills", args=[theirs.slug]),
    ):
        assert trainer_client.get(url).status_code == 404, url
    sign = reverse("cohorts:trainer_sign_off", args=[theirs.slug, member.pk, skill.pk])
    assert trainer_client.post(sign, {"action": "sign"}).status_code == 404
    csv_url = reverse("cohorts:trainer_progress_csv", args=[theirs.slug])
    assert trainer_client.post(csv_url).status_code == 404
    assert not SkillSignOff.objects.exists() and not exports().exists()


def test_a_module_released_by_date_says_when_it_opens_and_then_opens(trainer_client, client):
    cohort = make_cohort(trainer=trainer_client.trainer, module_release=Cohort.Release.SCHEDULED)
    (member,) = add_members(cohort, 1)
    course = cohort.courses.get()
    module = course.get_children().specific().first()
    url = reverse("cohorts:trainer_releases", args=[cohort.slug])
    response = trainer_client.post(url, {f"opens-{module.pk}": "2099-03-01T18:00"})
    assert response.status_code == 302
    release = ModuleRelease.objects.get()
    assert release.opens_at.isoformat() == "2099-03-01T17:00:00+00:00"  # Madrid, winter
    with pytest.raises(LearningError, match="opens on"):
        module_assert_open(user=member, module=module, course=course)
    client.force_login(member)
    page = client.get(module.url)
    assert page.status_code == 403 and "opens on" in page.content.decode()
    assert "Opens on" in client.get(course.url).content.decode()
    # Someone following the course outside any cohort is not held back.
    outsider = UserFactory()
    course_services.enrolment_create(user=outsider, course=course)
    module_assert_open(user=outsider, module=module, course=course)
    # The date passes: the module opens (for the next request, with its own user object).
    ModuleRelease.objects.update(opens_at=timezone.now() - timedelta(minutes=1))
    member = type(member).objects.get(pk=member.pk)
    module_assert_open(user=member, module=module, course=course)


def test_a_cohort_releasing_everything_at_once_ignores_dates(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    (member,) = add_members(cohort, 1)
    course = cohort.courses.get()
    module = course.get_children().specific().first()
    ModuleRelease.objects.create(cohort=cohort, module=module, opens_at="2099-01-01T00:00Z")
    module_assert_open(user=member, module=module, course=course)


def test_a_course_skill_is_shared_by_every_cohort_taking_the_course(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    course = cohort.courses.get()
    other = make_cohort("other", trainer=UserFactory())
    other.courses.add(course)
    (member,) = add_members(cohort, 1)
    url = reverse("cohorts:trainer_skills", args=[cohort.slug])
    trainer_client.post(url, {"name": "Safety planning", "scope": str(course.pk)})
    skill = Skill.objects.get()
    assert (skill.course, skill.cohort) == (course, None)

    assert list(skills_of(other)) == [skill]
    trainer_client.post(
        reverse("cohorts:trainer_sign_off", args=[cohort.slug, member.pk, skill.pk]),
        {"action": "sign"},
    )
    assert SkillSignOff.objects.filter(skill=skill, user=member).exists()


def test_a_cohort_keeps_its_own_wording_of_a_decision(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    application = services.application_submit(
        cohort=cohort, user=UserFactory(),
        answers={str(q.pk): "Evenings" for q in cohort.questions.all()},
    )  # fmt: skip
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    trainer_client.post(url, {"application": [str(application.pk)], "decision": "waitlist",
                              "message": "Our own words.", "save_template": "on"})  # fmt: skip
    assert Application.objects.get().message == "Our own words."
    page = trainer_client.get(url, {"status": "waitlisted"}).content.decode()
    assert 'data-msg-waitlist="Our own words."' in page


def test_review_fixes_skills_decisions_and_courses(trainer_client):
    """Found in review: a course's skills are not deleted by one cohort's trainer; a decision
    that cannot apply is reported, not a server error; a course added later reaches members."""

    cohort = make_cohort(trainer=trainer_client.trainer)
    course = cohort.courses.get()
    shared = Skill.objects.create(course=course, name="Shared skill")
    url = reverse("cohorts:trainer_skills", args=[cohort.slug])
    trainer_client.post(url, {"delete": str(shared.pk)})
    assert Skill.objects.filter(pk=shared.pk).exists()
    assert trainer_client.post(url, {"delete": "not-a-number"}).status_code == 302

    (member,) = add_members(cohort, 1)
    application = Application.objects.create(cohort=cohort, user=member, status="accepted")
    response = trainer_client.post(
        reverse("cohorts:trainer_cohort", args=[cohort.slug]) + "?status=accepted",
        {"application": [str(application.pk)], "decision": "waitlist"},
    )
    assert response.status_code == 302

    new_course, _modules = make_course("added-later", modules=1)
    data = {
        "title": cohort.title, "slug": cohort.slug, "courses": [course.pk, new_course.pk],
        "working_language": "en", "time_zone": "Europe/Madrid",
        "starts_on": cohort.starts_on.isoformat(), "ends_on": cohort.ends_on.isoformat(),
        "mode": cohort.mode, "module_release": "all", "status": cohort.status,
        "capacity": "10",
    }  # fmt: skip
    edit = trainer_client.post(reverse("cohorts:trainer_cohort_edit", args=[cohort.slug]), data)
    assert edit.status_code == 302, edit.content.decode()[:2000]
    assert Enrolment.objects.filter(user=member, course=new_course).exists()
