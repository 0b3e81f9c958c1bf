"""Requirement kinds (issue 19): the table eligibility walks, one field per kind held by the
database, the checklist's links from the kinds, and the kind added as its proof: hours of courses
completed ("continuing education")."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from certificates import eligibility, requirement_kinds
from certificates.dashboard_html import render_checklist
from certificates.models import Requirement, RequirementException, TrackSkill
from certificates.requirement_kinds import KINDS, Link
from courses.factories import make_course
from courses.models import CourseProgress
from tests.certificates.test_review import _edit_form
from tests.conftest import login_with_mfa, migrate_to

from .factories import (
    add_requirement,
    make_agreement,
    make_certificate,
    make_track,
    person,
)

pytestmark = pytest.mark.django_db
Kind = Requirement.Kind
HOURS = Kind.CONTINUING_EDUCATION


def completed(user, course, *, days_ago=1):
    return CourseProgress.objects.create(
        user=user, course=course, completed_at=timezone.now() - timedelta(days=days_ago)
    )


def course(slug, hours):
    made, _modules = make_course(slug, modules=1, estimated_hours=Decimal(hours))
    return made


def only_check(result):
    assert len(result.checks) == 1
    return result.checks[0]


# --- The table ----------------------------------------------------------------------------------
def test_every_kind_is_registered_in_the_kinds_order_with_its_own_field():
    assert list(KINDS) == list(Kind.values)
    assert Requirement.KINDS is KINDS
    fields = [KINDS[kind].field for kind in Kind.values]
    assert fields == ["course", "min_attendance", "skill", "agreement", "min_hours"]
    assert set(Requirement.FIELD_FOR_KIND) == set(Kind.values)


def test_a_kind_is_registered_once_and_only_for_a_known_kind():
    class Again(requirement_kinds.RequirementKind):
        name = Kind.COURSE

    class Unknown(requirement_kinds.RequirementKind):
        name = "role_play"

    with pytest.raises(ValueError, match="twice"):
        requirement_kinds.register(Again)
    with pytest.raises(ValueError, match=r"not a Requirement\.Kind"):
        requirement_kinds.register(Unknown)
    assert type(KINDS[Kind.COURSE]) is requirement_kinds.CourseKind


def test_the_label_is_the_kinds():
    track = make_track()
    requirement = add_requirement(track, HOURS, min_hours=Decimal("12.0"))
    assert requirement.label == "Complete at least 12 hours of courses"
    requirement.min_hours = Decimal("2.5")
    assert str(requirement) == "Complete at least 2.5 hours of courses"
    with translation.override("es"):
        assert "2,5" in requirement.label  # the reader's way of writing numbers


# --- One field per kind, in the database --------------------------------------------------------
@pytest.mark.parametrize(
    "kind, fields",
    [
        (Kind.ATTENDANCE, {}),  # its field missing
        (Kind.COURSE, {"min_attendance": 50}),  # its field missing, another set
        (HOURS, {"min_hours": Decimal("0")}),  # not positive
        (HOURS, {"min_hours": Decimal("5"), "min_attendance": 50}),  # another kind's field too
        (Kind.ATTENDANCE, {"min_attendance": 50, "min_hours": Decimal("5")}),
    ],
)
def test_the_database_holds_each_kind_to_its_one_field(kind, fields):
    track = make_track()
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement.objects.create(track=track, kind=kind, **fields)


def test_a_course_requirement_with_another_kinds_field_is_refused_by_the_database():
    course_page = course("listening", "2.0")
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement.objects.create(track=make_track(), kind=Kind.COURSE, course=course_page,
                                   min_hours=Decimal("3"))  # fmt: skip


def test_the_editor_explains_each_kinds_field():
    track = make_track()
    hours = Requirement(track=track, kind=HOURS, min_hours=Decimal("0"))
    with pytest.raises(ValidationError) as error:
        hours.clean()
    assert error.value.message_dict == {"min_hours": ["More than 0."]}

    hours = Requirement(track=track, kind=HOURS, min_attendance=50)
    with pytest.raises(ValidationError) as error:
        hours.clean()
    assert error.value.message_dict == {
        "min_hours": ["This requirement needs it."],
        "min_attendance": ["Leave this empty for this kind of requirement."],
    }
    Requirement(track=track, kind=HOURS, min_hours=Decimal("6")).clean()

    # The other kinds' own checks are still theirs.
    share = Requirement(track=track, kind=Kind.ATTENDANCE, min_attendance=120)
    with pytest.raises(ValidationError) as error:
        share.clean()
    assert error.value.message_dict == {"min_attendance": ["Between 1 and 100."]}
    elsewhere = TrackSkill.objects.create(track=make_track(), name="Another track's")
    with pytest.raises(ValidationError) as error:
        Requirement(track=track, kind=Kind.SKILL, skill=elsewhere).clean()
    assert "is not one of this track's skills" in error.value.message_dict["skill"][0]


# --- Hours of courses ---------------------------------------------------------------------------
def test_hours_of_courses_completed_add_up_to_the_hours_needed(volunteer):
    track = make_track()
    add_requirement(track, HOURS, min_hours=Decimal("4"))
    first, second, third = course("first", "2.5"), course("second", "1.5"), course("third", "3")
    # Started, not completed.
    started = CourseProgress.objects.create(user=volunteer, course=third,
                                            last_activity_at=timezone.now())  # fmt: skip
    completed(person(), second)  # someone else's

    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail, check.done_at) == (False, "0 of 4 hours completed", None)

    completed(volunteer, first, days_ago=5)
    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (False, "2.5 of 4 hours completed")

    reached = completed(volunteer, second, days_ago=3)
    started.completed_at = timezone.now()
    started.save()
    result = eligibility.compute(volunteer, track)
    check = only_check(result)
    assert (check.met, check.detail) == (True, "7 of 4 hours completed")
    # Met when the course that brought the total to 4 hours was completed.
    assert check.done_at == reached.completed_at
    assert result.eligible


def test_on_the_renewal_path_only_courses_completed_since_it_opened_count(volunteer):
    track = make_track(validity_months=12, renewal_opens_days=90)
    add_requirement(track, HOURS, min_hours=Decimal("3"), path=Requirement.Path.RENEWAL)
    today = timezone.localdate()
    # Expires in 65 days: the renewal opened 25 days ago.
    make_certificate(volunteer, track, valid_from=today - timedelta(days=300),
                     expires_on=today + timedelta(days=65))  # fmt: skip
    completed(volunteer, course("before", "3"), days_ago=40)
    completed(volunteer, course("since", "2"), days_ago=10)

    result = eligibility.compute(volunteer, track)
    assert (result.stage, result.path) == ("renewal", Requirement.Path.RENEWAL)
    check = only_check(result)
    assert (check.met, check.detail) == (False, "2 of 3 hours completed")

    completed(volunteer, course("today", "1"), days_ago=0)
    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (True, "3 of 3 hours completed")


def test_hours_on_the_first_path_count_whatever_was_completed_before(volunteer):
    track = make_track()
    add_requirement(track, HOURS, min_hours=Decimal("2"))
    completed(volunteer, course("long-ago", "2"), days_ago=700)
    assert only_check(eligibility.compute(volunteer, track)).met


def test_an_exception_counts_the_hours_as_met(volunteer, coordinator):
    track = make_track()
    hours = add_requirement(track, HOURS, min_hours=Decimal("10"))
    RequirementException.objects.create(requirement=hours, user=volunteer, reason="Prior study",
                                        granted_by=coordinator)  # fmt: skip
    check = only_check(eligibility.compute(volunteer, track))
    assert (check.met, check.detail) == (True, "Exception granted by a coordinator")
    assert check.exception.reason == "Prior study"


def test_hours_are_read_in_one_query_whatever_the_number_of_tracks(volunteer):
    tracks = [make_track() for _ in range(3)]
    for number, track in enumerate(tracks, start=1):
        add_requirement(track, HOURS, min_hours=Decimal(number))
    completed(volunteer, course("first", "1.5"))
    completed(volunteer, course("second", "1"))

    def queries(computed):
        eligibility.compute_many(volunteer, computed)  # warm (compiled once)
        with CaptureQueriesContext(connection) as captured:
            results = eligibility.compute_many(volunteer, computed)
        return len(captured), results

    one, _results = queries(tracks[:1])
    three, results = queries(tracks)
    assert one == three == 3  # certificates, requirements with their evidence, completions
    assert [only_check(result).met for result in results] == [True, True, False]
    assert [only_check(result).detail for result in results] == [
        "2.5 of 1 hours completed", "2.5 of 2 hours completed", "2.5 of 3 hours completed",
    ]  # fmt: skip
    # The completions' query is compiled once, whoever asks.
    other = person()
    eligibility.compute_many(other, tracks)
    assert len(requirement_kinds._COMPLETIONS._compiled) == 1


# --- The checklist's links ----------------------------------------------------------------------
def test_the_checklist_links_each_open_requirement_as_its_kind_says(volunteer):
    track = make_track()
    listening = course("listening", "2")
    agreement = make_agreement("conduct")
    add_requirement(track, Kind.COURSE, course=listening)
    add_requirement(track, Kind.AGREEMENT, agreement=agreement)
    add_requirement(track, Kind.ATTENDANCE, min_attendance=50)
    add_requirement(track, HOURS, min_hours=Decimal("5"))
    result = eligibility.compute(volunteer, track)

    signing = reverse("certificates:agreement", args=["conduct"])
    links = [check.link for check in result.checks]
    assert links == [
        Link(listening.url, "Go to the course"),
        Link(signing, "Read and sign"),
        None,  # nothing to follow: a trainer marks attendance
        Link("/courses/", "Find a course"),
    ]
    html = render_checklist(result, actions=True)
    assert f'<a href="{listening.url}">Go to the course</a>' in html
    assert f'<a href="{signing}">Read and sign</a>' in html
    assert '<a href="/courses/">Find a course</a>' in html
    assert html.count("<a ") == 3
    # Without actions (a trainer's reading), no links.
    html = render_checklist(result, for_trainer=True)
    assert "<a " not in html
    assert "Complete at least 5 hours of courses — " in html


def test_a_requirement_met_has_no_link(volunteer):
    track = make_track()
    add_requirement(track, HOURS, min_hours=Decimal("1"))
    completed(volunteer, course("done", "1"))
    result = eligibility.compute(volunteer, track)
    html = render_checklist(result, actions=True)
    assert "Find a course" not in html and "1 of 1 hours completed" in html


# --- The track editor (Wagtail) -----------------------------------------------------------------
def test_a_coordinator_requires_hours_of_courses_in_the_track_editor(client, coordinator):
    track = make_track()
    edit = f"/admin/snippets/certificates/track/edit/{track.pk}/"
    login_with_mfa(client, coordinator)
    data = _edit_form(client, edit)
    assert "requirements-__prefix__-min_hours" in client.get(edit).content.decode()
    data.update({
        "requirements-TOTAL_FORMS": "1", "requirements-0-id": "", "requirements-0-ORDER": "1",
        "requirements-0-DELETE": "", "requirements-0-path": "renewal",
        "requirements-0-kind": "continuing_education", "requirements-0-skill": "",
        "requirements-0-course": "", "requirements-0-agreement": "",
        "requirements-0-min_attendance": "", "requirements-0-min_hours": "0",
    })  # fmt: skip
    response = client.post(edit, data)
    assert response.status_code == 200 and "More than 0." in response.content.decode()
    assert not track.requirements.exists()

    data["requirements-0-min_hours"] = "7.5"
    assert client.post(edit, data).status_code == 302
    requirement = track.requirements.get()
    assert (requirement.kind, requirement.path, requirement.min_hours) == (
        HOURS, Requirement.Path.RENEWAL, Decimal("7.5"),
    )  # fmt: skip
    assert requirement.label == "Complete at least 7.5 hours of courses"


# --- The migration ------------------------------------------------------------------------------
BEFORE = [("certificates", "0007_pool_consent_per_contact")]
AFTER = [("certificates", "0008_requirement_one_field_per_kind_and_hours")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_empties_other_kinds_fields_and_keeps_every_requirement(
    latest_schema_after,
):
    old = migrate_to(BEFORE)
    Track = old.get_model("certificates", "Track")
    Requirement_ = old.get_model("certificates", "Requirement")
    Exception_ = old.get_model("certificates", "RequirementException")
    Agreement = old.get_model("certificates", "Agreement")
    User = old.get_model("training", "User")
    track = Track.objects.create(slug="old", title="Old")
    agreement = Agreement.objects.create(slug="old-conduct", title="Conduct")
    kept = Requirement_.objects.create(track=track, kind="agreement", agreement=agreement,
                                       min_attendance=50)  # fmt: skip
    share = Requirement_.objects.create(track=track, kind="attendance", min_attendance=60)
    no_share = Requirement_.objects.create(track=track, kind="attendance")
    # A coordinator's exception on the row without a share: its reason is the audit trail.
    person = User.objects.create(email="old@example.org", display_name="Old")
    granted = Exception_.objects.create(requirement=no_share, user=person, reason="Night shifts")

    new = migrate_to(AFTER)
    Requirement_ = new.get_model("certificates", "Requirement")
    rows = {r.pk: r for r in Requirement_.objects.filter(track_id=track.pk)}
    assert set(rows) == {kept.pk, share.pk, no_share.pk}
    assert (rows[kept.pk].agreement_id, rows[kept.pk].min_attendance) == (agreement.pk, None)
    assert rows[share.pk].min_attendance == 60
    # The strictest share: never met more loosely than before; the exception is still there.
    assert rows[no_share.pk].min_attendance == 100
    exception = new.get_model("certificates", "RequirementException").objects.get(pk=granted.pk)
    assert (exception.requirement_id, exception.reason) == (no_share.pk, "Night shifts")
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement_.objects.create(track_id=track.pk, kind="attendance", min_attendance=50,
                                    agreement_id=agreement.pk)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_migration_refuses_a_requirement_without_its_course_and_changes_nothing(
    latest_schema_after,
):
    old = migrate_to(BEFORE)
    Track = old.get_model("certificates", "Track")
    Requirement_ = old.get_model("certificates", "Requirement")
    track = Track.objects.create(slug="old", title="Old")
    broken = Requirement_.objects.create(track=track, kind="course", min_attendance=40)
    migration = importlib.import_module(
        "certificates.migrations.0008_requirement_one_field_per_kind_and_hours"
    )
    with pytest.raises(RuntimeError, match=rf"\[{broken.pk}\].*track editor"):
        migration.one_field_per_kind(old, connection.schema_editor())
    broken.refresh_from_db()
    assert broken.min_attendance == 40  # nothing was changed before refusing
    broken.delete()
