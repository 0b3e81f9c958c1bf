"""The progress matrix's headers and filter, the CSV's labels, attendance and skills, the
member page's attendance and skills, and a certification track's skills signed off from every
cohort preparing for the track (issue 15)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from certificates.eligibility import compute
from certificates.models import Requirement, TrackSkill
from cohorts import services
from cohorts.models import Attendance, LiveSession, Skill, SkillSignOff
from courses.models import CourseProgress, ModulePage, ModuleProgress
from tests.certificates.factories import add_requirement, make_track
from tests.cohorts.factories import make_cohort
from tests.cohorts.test_progress import add_members, exports
from tests.conftest import login_with_mfa
from tests.helpers import csv_rows
from training.factories import UserFactory
from training.roles import Role
from training.templatetags.acompana import when

pytestmark = pytest.mark.django_db

LONG_TITLE = "Listening without judgement and defusing blame"


def session(cohort, title, *, days, cancelled=False) -> LiveSession:
    starts = timezone.now() + timedelta(days=days)
    return LiveSession.objects.create(
        cohort=cohort, title=title, starts_at=starts, ends_at=starts + timedelta(hours=1),
        cancelled_at=timezone.now() if cancelled else None,
    )  # fmt: skip


def mark(session, user, status, by):
    return Attendance.objects.create(session=session, user=user, status=status, marked_by=by,
                                     marked_at=timezone.now())  # fmt: skip


def other_trainer_client(*cohorts):
    trainer = UserFactory(display_name="Rosa", roles=[Role.TRAINER])
    for cohort in cohorts:
        cohort.trainers.add(trainer)
    client = Client()
    login_with_mfa(client, trainer)
    client.trainer = trainer
    return client


# --- The matrix ---------------------------------------------------------------------------------
def test_module_names_head_the_columns_shortened_with_the_full_name_on_focus(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    add_members(cohort, 1)
    module = cohort.courses.get().get_children().specific().first()
    ModulePage.objects.filter(pk=module.pk).update(title=LONG_TITLE)
    page = trainer_client.get(reverse("cohorts:trainer_progress", args=[cohort.slug]))
    body = page.content.decode()
    header = body[body.index('<th scope="col" class="module-column">') :]
    header = header[: header.index("</th>")]
    # Shortened on screen (hidden from screen readers, which read the full name instead)...
    assert '<span aria-hidden="true">Listening without…</span>' in header
    # ...the full name shown on hover and keyboard focus (a focusable header name).
    assert f'<span class="column-full">{LONG_TITLE}</span>' in header
    assert 'tabindex="0"' in header
    assert ">1</th>" not in body  # no bare column numbers any more


def test_the_matrix_keeps_its_query_count_as_sessions_and_skills_grow(trainer_client):
    trainer = trainer_client.trainer
    track = make_track()
    cohort = make_cohort(trainer=trainer, track=track, capacity=None)
    url = reverse("cohorts:trainer_progress", args=[cohort.slug])

    def grow(count, start):
        people = add_members(cohort, count, start=start)
        for number in range(start, start + count):
            held = session(cohort, f"Session {number}", days=-1 - number)
            for model, scope in ((Skill, {"cohort": cohort}), (TrackSkill, {"track": track})):
                skill = model.objects.create(name=f"Skill {number} {len(scope)}", **scope)
                services.skill_sign_off(cohort=cohort, skill=skill, user=people[0], by=trainer)
            mark(held, people[0], "present", trainer)

    grow(2, 0)
    trainer_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert trainer_client.get(url).status_code == 200
    grow(10, 2)
    with CaptureQueriesContext(connection) as large:
        body = trainer_client.get(url).content.decode()
    assert "Member 0011" in body and ">10 of 12</td>" in body and ">20 of 24</td>" in body
    assert len(large) == len(small), (len(small), len(large))


@pytest.mark.parametrize("value", ["abc", "0", "366", "7.5", "-3", "²"])
def test_an_invalid_filter_value_is_answered_with_a_message(trainer_client, value):
    cohort = make_cohort(trainer=trainer_client.trainer)
    busy, idle = add_members(cohort, 2)
    url = reverse("cohorts:trainer_progress", args=[cohort.slug])
    response = trainer_client.get(url, {"inactive": value})
    body = response.content.decode()
    assert response.status_code == 400
    assert "takes a whole number of days from 1 to 365" in body
    assert "The list below shows every member." in body
    assert 'aria-invalid="true"' in body
    assert busy.display_name in body and idle.display_name in body
    # The export refuses it too, exporting nothing.
    csv_url = reverse("cohorts:trainer_progress_csv", args=[cohort.slug])
    refused = trainer_client.post(csv_url, {"inactive": value})
    assert refused.status_code == 400 and "takes a whole number" in refused.content.decode()
    assert not exports().exists()
    # An empty value is no filter; a good one filters.
    assert trainer_client.get(url, {"inactive": ""}).status_code == 200
    assert trainer_client.get(url, {"inactive": "7"}).status_code == 200


# --- The CSV ------------------------------------------------------------------------------------
def test_the_csv_has_labels_attendance_and_skills(trainer_client):
    trainer = trainer_client.trainer
    cohort = make_cohort(trainer=trainer)
    ana, ben = add_members(cohort, 2)
    course = cohort.courses.get()
    module = course.get_children().specific().first()
    ModuleProgress.objects.create(user=ana, module=module, course=course, status="completed",
                                  completed_at=timezone.now())  # fmt: skip
    first, second = session(cohort, "First", days=-14), session(cohort, "Second", days=-7)
    cancelled = session(cohort, "Cancelled", days=-3, cancelled=True)
    upcoming = session(cohort, "Upcoming", days=7)
    mark(first, ana, "present", trainer)
    mark(second, ana, "absent", trainer)
    mark(cancelled, ana, "present", trainer)  # not held: does not count
    mark(upcoming, ana, "present", trainer)  # not yet: does not count
    mark(first, ben, "caught_up", trainer)  # the cohort counts catching up
    skill = Skill.objects.create(cohort=cohort, name="Role-play: first contact")
    unsigned = Skill.objects.create(course=course, name="Safety planning")
    services.skill_sign_off(cohort=cohort, skill=skill, user=ana, by=trainer)
    response = trainer_client.post(reverse("cohorts:trainer_progress_csv", args=[cohort.slug]))
    header, *rows = csv_rows(response)
    assert header == [
        "Member", "Modules completed", "Last activity (UTC)",
        "Live sessions attended (of 2 held)",
        module.title,
        # The course's skills, then the cohort's own.
        "Skill signed off: Safety planning", "Skill signed off: Role-play: first contact",
    ]  # fmt: skip
    by_name = {row[0]: row for row in rows}
    today = timezone.localdate().isoformat()
    assert by_name[ana.display_name][1:] == ["1", "", "1", "Completed", "", today]
    assert by_name[ben.display_name][1:] == ["0", "", "1", "Not started", "", ""]
    assert unsigned.pk  # a column, even signed off by nobody


def test_the_csv_keeps_its_query_count_as_the_cohort_grows(trainer_client):
    trainer = trainer_client.trainer
    cohort = make_cohort(trainer=trainer, capacity=None)
    url = reverse("cohorts:trainer_progress_csv", args=[cohort.slug])

    def grow(members, start):
        people = add_members(cohort, members, start=start)
        held = session(cohort, f"Session {start}", days=-1 - start)
        skill = Skill.objects.create(cohort=cohort, name=f"Skill {start}")
        for person in people:
            mark(held, person, "present", trainer)
            services.skill_sign_off(cohort=cohort, skill=skill, user=person, by=trainer)

    def export():
        with CaptureQueriesContext(connection) as queries:
            rows = csv_rows(trainer_client.post(url))
        return len(queries), rows

    grow(5, 0)
    export()
    small, _rows = export()
    for start in (10, 20, 30):
        grow(20, start)
    large, rows = export()
    assert len(rows) == 66 and len(rows[0]) == 3 + 1 + 1 + 4
    assert large == small, (small, large)


# --- The member page ----------------------------------------------------------------------------
def test_the_member_page_shows_attendance_per_session_in_the_viewers_zone(trainer_client):
    trainer = trainer_client.trainer
    trainer.time_zone = "America/Mexico_City"
    trainer.save(update_fields=["time_zone"])
    cohort = make_cohort(trainer=trainer)
    (member,) = add_members(cohort, 1)
    first = session(cohort, "Listening circle", days=-14)
    second = session(cohort, "Documenting abuse", days=-7)
    session(cohort, "Unmarked role-play", days=-2)
    session(cohort, "Called off", days=-3, cancelled=True)
    session(cohort, "Next week's session", days=7)
    mark(first, member, "present", trainer)
    mark(second, member, "caught_up", trainer)
    page = trainer_client.get(reverse("cohorts:trainer_member", args=[cohort.slug, member.pk]))
    body = page.content.decode()
    with timezone.override(ZoneInfo("America/Mexico_City")):
        expected = when(first.starts_at)
    assert expected.endswith("(Mexico City)") and expected in body
    rows = body[body.index('id="attendance"') : body.index('id="skills"')]
    assert "Listening circle" in rows and "Present" in rows
    assert "Documenting abuse" in rows and "Caught up from the recording" in rows
    assert "Unmarked role-play" in rows and "Not marked" in rows
    # Nothing for a session not held (cancelled) or not yet held.
    assert "Called off" not in rows and "Next week" not in rows
    assert "Attended 2 of the 3 sessions held so far." in rows


def test_the_member_page_keeps_its_query_count_as_sessions_and_skills_grow(trainer_client):
    trainer = trainer_client.trainer
    track = make_track()
    cohort = make_cohort(trainer=trainer, track=track)
    (member,) = add_members(cohort, 1)
    url = reverse("cohorts:trainer_member", args=[cohort.slug, member.pk])

    def grow(count, start):
        for number in range(start, start + count):
            held = session(cohort, f"Session {number}", days=-1 - number)
            mark(held, member, "present", trainer)
            for model, scope in ((Skill, {"cohort": cohort}), (TrackSkill, {"track": track})):
                skill = model.objects.create(name=f"Skill {number} {len(scope)}", **scope)
                services.skill_sign_off(cohort=cohort, skill=skill, user=member, by=trainer)

    grow(2, 0)
    trainer_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert trainer_client.get(url).status_code == 200
    grow(12, 2)
    with CaptureQueriesContext(connection) as large:
        body = trainer_client.get(url).content.decode()
    assert "Session 13" in body and "Attended 14 of the 14 sessions" in body
    assert len(large) == len(small), (len(small), len(large))


# --- A certification track's skills -------------------------------------------------------------
def test_two_cohorts_on_a_track_sign_off_its_skill_and_a_member_of_the_second_is_eligible(
    trainer_client,
):
    track = make_track()
    first = make_cohort("first", trainer=trainer_client.trainer, track=track)
    second = make_cohort("second", trainer=UserFactory(), track=track)
    second_trainer = other_trainer_client(second)
    skill = TrackSkill.objects.create(track=track, name="First contact role-play")
    add_requirement(track, Requirement.Kind.SKILL, skill=skill)
    (ana,) = add_members(first, 1)
    (ben,) = add_members(second, 1, start=1)
    assert not compute(ben, track).eligible
    for client, cohort, member in ((trainer_client, first, ana), (second_trainer, second, ben)):
        # Both cohorts' trainers see the track's skill on the member's page...
        page = client.get(reverse("cohorts:trainer_member", args=[cohort.slug, member.pk]))
        sign = reverse("cohorts:trainer_sign_off", args=[cohort.slug, member.pk, skill.pk])
        assert "First contact role-play" in page.content.decode()
        assert f'action="{sign}"' in page.content.decode()
        # ...and sign it off.
        response = client.post(sign, {"action": "sign", "notes": "Calm."})
        assert response.status_code == 302
    assert set(SkillSignOff.objects.values_list("cohort__slug", "user", "skill")) == {
        ("first", ana.pk, skill.pk), ("second", ben.pk, skill.pk),
    }  # fmt: skip
    assert compute(ben, track).eligible and compute(ana, track).eligible


def test_a_track_skill_signed_off_in_another_cohort_is_said_without_details(trainer_client):
    track = make_track()
    here = make_cohort("here", trainer=trainer_client.trainer, track=track)
    there = make_cohort("there", trainer=UserFactory(), track=track)
    skill = TrackSkill.objects.create(track=track, name="Safety planning")
    (member,) = add_members(here, 1)
    services._admit(there, member, "csv")
    services.skill_sign_off(cohort=there, skill=skill, user=member, by=there.trainers.get(),
                            notes="Private to the other cohort")  # fmt: skip
    body = trainer_client.get(
        reverse("cohorts:trainer_member", args=[here.slug, member.pk])
    ).content.decode()
    assert "Signed off in another cohort preparing for this track" in body
    assert "Private to the other cohort" not in body


def test_a_skill_of_another_track_or_cohort_is_not_signed_off_here(trainer_client):
    track, elsewhere = make_track(), make_track()
    cohort = make_cohort(trainer=trainer_client.trainer, track=track)
    other_cohort = make_cohort("other", trainer=UserFactory(), track=track)
    (member,) = add_members(cohort, 1)
    foreign = [
        TrackSkill.objects.create(track=elsewhere, name="Another track's"),
        Skill.objects.create(cohort=other_cohort, name="Another cohort's"),
    ]
    for skill in foreign:
        url = reverse("cohorts:trainer_sign_off", args=[cohort.slug, member.pk, skill.pk])
        assert trainer_client.post(url, {"action": "sign"}).status_code == 404
        with pytest.raises(services.CohortError, match="not signed off in this cohort"):
            services.skill_sign_off(cohort=cohort, skill=skill, user=member,
                                    by=trainer_client.trainer)  # fmt: skip
    assert not SkillSignOff.objects.exists()
    # A cohort on no track has no track skills.
    loose = make_cohort("loose", trainer=trainer_client.trainer)
    services._admit(loose, member, "csv")
    mine = TrackSkill.objects.create(track=track, name="Track skill")
    url = reverse("cohorts:trainer_sign_off", args=[loose.slug, member.pk, mine.pk])
    assert trainer_client.post(url, {"action": "sign"}).status_code == 404


def test_the_skills_page_lists_the_tracks_skills_read_only(trainer_client):
    track = make_track(title="Peer supporter")
    cohort = make_cohort(trainer=trainer_client.trainer, track=track)
    skill = TrackSkill.objects.create(track=track, name="First contact role-play")
    own = Skill.objects.create(cohort=cohort, name="Our own skill")
    url = reverse("cohorts:trainer_skills", args=[cohort.slug])
    body = trainer_client.get(url).content.decode()
    assert "First contact role-play" in body
    assert "From the certification track “Peer supporter”; coordinators edit them" in body
    assert f'value="{skill.pk}"' not in body  # no "Remove" for it
    assert f'value="{own.pk}"' in body
    # Its order: the track's first.
    assert body.index("First contact role-play") < body.index("Our own skill")
    response = trainer_client.post(url, {"delete": str(skill.pk)}, follow=True)
    assert "edited by coordinators" in response.content.decode()
    assert Skill.objects.filter(pk=skill.pk).exists()


def test_the_matrix_rows_escape_names_and_say_the_last_activity_in_the_viewers_zone(
    trainer_client,
):
    """The rows are written in Python (issue 18): the same escaping, links, cells and times as
    the template wrote them."""
    trainer = trainer_client.trainer
    trainer.time_zone = "America/Mexico_City"
    trainer.save(update_fields=["time_zone"])
    cohort = make_cohort(trainer=trainer)
    member, idle = add_members(cohort, 2)
    member.display_name = '<b>Ana</b> & "Co"'
    member.save(update_fields=["display_name"])
    moment = datetime(2026, 12, 4, 20, 32, tzinfo=UTC)
    CourseProgress.objects.update_or_create(user=member, course=cohort.courses.get(),
                                            defaults={"last_activity_at": moment})  # fmt: skip
    body = trainer_client.get(reverse("cohorts:trainer_progress", args=[cohort.slug]))
    body = body.content.decode()
    assert "&lt;b&gt;Ana&lt;/b&gt; &amp; &quot;Co&quot;" in body and "<b>Ana" not in body
    with timezone.override(ZoneInfo("America/Mexico_City")):
        assert f"<td>{when(moment)}</td>" in body
    assert '<td><span class="muted">Never</span></td>' in body  # the member never active
    for person in (member, idle):
        link = reverse("cohorts:trainer_member", args=[cohort.slug, person.pk])
        assert f'<th scope="row"><a href="{link}">' in body
    assert ('<td class="state-not_started"><span class="muted" aria-hidden="true">·</span>'
            '<span class="visually-hidden"> Not started</span></td>') in body  # fmt: skip
    assert "<td>0 of 0</td>" in body
