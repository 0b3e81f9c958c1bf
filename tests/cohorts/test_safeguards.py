"""Holes a hostile trainer or visitor found in cohorts, each closed: self-certification, numbers
that crash `int()`, former members and trainers, mass mail, far-future dates, cached secrets,
unbounded text."""

import re
from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certificates.models import Track, track_of
from cohorts import invitations, notify, services, sessions
from cohorts.inputs import whole_number, whole_numbers
from cohorts.models import (
    Application,
    Attendance,
    Cohort,
    CohortInvitation,
    InvitationCode,
    InvitationSend,
    LiveSession,
    Membership,
    Skill,
    SkillSignOff,
)
from courses.factories import make_course
from tests.cohorts.factories import make_cohort
from tests.cohorts.test_views import answers_post
from tests.conftest import login_with_mfa
from tests.helpers import page
from training.factories import UserFactory
from training.roles import Role
from training.services import user_set_roles

pytestmark = pytest.mark.django_db


def past_session(cohort, title="Role-play") -> LiveSession:
    start = timezone.now() - timedelta(days=1)
    return LiveSession.objects.create(cohort=cohort, title=title, starts_at=start,
                                      ends_at=start + timedelta(hours=1),
                                      recording_url="https://video.example.org/1")  # fmt: skip


# --- 1. Nobody certifies themselves -------------------------------------------------------------
def test_a_trainer_cannot_join_a_cohort_they_train_in_any_mode(trainer_client):
    trainer = trainer_client.trainer
    open_cohort = make_cohort("open", trainer=trainer, mode=Cohort.Mode.OPEN, questions=False)
    detail = page(trainer_client.get(reverse("cohorts:detail", args=[open_cohort.slug])))
    assert "You are a trainer of this cohort, so you cannot join it" in detail
    assert reverse("cohorts:join", args=[open_cohort.slug]) not in detail
    response = trainer_client.post(reverse("cohorts:join", args=[open_cohort.slug]))
    assert response.status_code == 400
    assert "you cannot also join it as a member" in page(response)
    assert not Membership.objects.filter(user=trainer).exists()

    applied = make_cohort("applied", trainer=trainer)
    response = trainer_client.post(reverse("cohorts:apply", args=[applied.slug]),
                                   answers_post(applied))  # fmt: skip
    assert response.status_code == 400
    assert "you cannot also join it as a member" in page(response)
    assert not Application.objects.filter(user=trainer).exists()

    by_code = make_cohort("by-code", trainer=trainer, mode=Cohort.Mode.INVITATION)
    code = InvitationCode.objects.create(cohort=by_code, max_uses=1)
    response = trainer_client.post(reverse("cohorts:join", args=[by_code.slug]),
                                   {"code": code.code})  # fmt: skip
    assert response.status_code == 400
    assert "you cannot also join it as a member" in page(response)
    code.refresh_from_db()
    assert code.uses == 0  # the code stays for the person it was meant for

    invited = CohortInvitation.objects.create(cohort=open_cohort, email=trainer.email,
                                              expires_at=invitations.expiry())  # fmt: skip
    link = reverse("cohorts:invitation", args=[invitations.invitation_token(invited)])
    response = trainer_client.post(link, {"action": "accept"})
    assert response.status_code == 400
    assert "you cannot also join it as a member" in page(response)
    assert not Membership.objects.filter(user=trainer).exists()
    assert CohortInvitation.objects.get().status == CohortInvitation.Status.PENDING


def test_someone_made_a_trainer_while_applying_or_waiting_never_becomes_a_member(trainer_client):
    colleague = UserFactory(display_name="Colega", roles=[Role.TRAINER])
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=1)
    application = services.application_submit(
        cohort=cohort, user=colleague,
        answers={str(q.pk): "Evenings" for q in cohort.questions.all()},
    )  # fmt: skip
    cohort.trainers.add(colleague)
    response = trainer_client.post(
        reverse("cohorts:trainer_cohort", args=[cohort.slug]),
        {"application": [str(application.pk)], "decision": "accept"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert not Membership.objects.filter(user=colleague).exists()
    # Waiting on the waitlist when made a trainer: a freed place goes to the next person.
    full = make_cohort("full", capacity=0, mode=Cohort.Mode.OPEN, questions=False)
    waiting = UserFactory()
    services.join_open(cohort=full, user=colleague)
    services.join_open(cohort=full, user=waiting)
    full.trainers.add(colleague)
    Cohort.objects.filter(pk=full.pk).update(capacity=2)
    services.promote_waitlist(Cohort.objects.get(pk=full.pk))
    assert list(full.memberships.values_list("user", flat=True)) == [waiting.pk]


@pytest.fixture
def trainer_member(trainer_client):
    """A trainer who is also a member of a cohort they train (a member later made co-trainer),
    a past session with a recording, a skill of the cohort, and a co-trainer signed in too."""
    trainer = trainer_client.trainer
    cohort = make_cohort(trainer=trainer, mode=Cohort.Mode.OPEN, questions=False)
    services._admit(cohort, trainer, Membership.Source.OPEN)
    colleague = UserFactory(display_name="Co Trainer", roles=[Role.TRAINER])
    cohort.trainers.add(colleague)
    colleague_client = Client()
    login_with_mfa(colleague_client, colleague)
    return cohort, past_session(cohort), Skill.objects.create(cohort=cohort, name="Listening"), \
        colleague_client  # fmt: skip


def test_a_trainer_cannot_mark_their_own_attendance_nor_have_a_co_trainer_mark_it(
    trainer_client, trainer_member
):
    cohort, session, _skill, colleague_client = trainer_member
    trainer = trainer_client.trainer
    volunteer = UserFactory(display_name="Vera")
    services._admit(cohort, volunteer, Membership.Source.OPEN)
    url = reverse("cohorts:trainer_attendance", args=[cohort.slug, session.pk])
    form = page(trainer_client.get(url))
    assert f'name="status-{trainer.pk}"' not in form  # not offered
    assert f'name="status-{volunteer.pk}"' in form
    assert "A trainer of this cohort: not marked here." in form
    for client in (trainer_client, colleague_client):
        marks = {f"status-{trainer.pk}": "present", f"status-{volunteer.pk}": "present"}
        response = client.post(url, marks, follow=True)
        assert "Nobody marks their own attendance" in page(response)
    assert not Attendance.objects.exists()  # nothing partially saved
    with pytest.raises(sessions.SessionError):
        sessions.attendance_save(session=session, statuses={trainer.pk: "present"}, by=trainer)
    # An administrator marking themselves (not a listed trainer) is refused the same way.
    admin = UserFactory(roles=[Role.ADMINISTRATOR])
    with pytest.raises(sessions.SessionError):
        sessions.attendance_save(session=session, statuses={admin.pk: "present"}, by=admin)
    # Catching up from the recording is not theirs to confirm either.
    with pytest.raises(sessions.SessionError):
        sessions.caught_up(session=session, user=trainer)
    assert sessions.attendance_save(session=session, statuses={volunteer.pk: "present"},
                                    by=trainer) == 1  # fmt: skip


def test_a_trainer_cannot_sign_off_their_own_skills(trainer_client, trainer_member):
    cohort, _session, skill, colleague_client = trainer_member
    trainer = trainer_client.trainer
    url = reverse("cohorts:trainer_sign_off", args=[cohort.slug, trainer.pk, skill.pk])
    member_page = page(trainer_client.get(reverse("cohorts:trainer_member",
                                                  args=[cohort.slug, trainer.pk])))  # fmt: skip
    assert url not in member_page
    for client in (trainer_client, colleague_client):
        response = client.post(url, {"action": "sign", "notes": "Great"}, follow=True)
        assert "A trainer of this cohort cannot be signed off in it" in page(response)
    assert not SkillSignOff.objects.exists()
    with pytest.raises(services.CohortError):
        services.skill_sign_off(cohort=cohort, skill=skill, user=trainer, by=trainer)


def _cohort_post(**extra) -> dict:
    if "courses" not in extra:
        course, _modules = make_course("track-course", modules=1)
        extra["courses"] = [course.pk]
    return {
        "title": "Self-made", "slug": "self-made", "description": "",
        "working_language": "en", "time_zone": "UTC", "starts_on": "2027-03-01",
        "ends_on": "2027-05-01", "mode": "open", "module_release": "all", "status": "open",
    } | extra  # fmt: skip


def test_only_coordinators_choose_the_certification_track(trainer_client):
    track = Track.objects.create(slug="responders", title="Responders", active=True)
    form = page(trainer_client.get(reverse("cohorts:trainer_cohort_new")))
    assert re.search(r'<select name="track"[^>]*disabled', form), form
    assert "Chosen by the coordinators" in form
    response = trainer_client.post(reverse("cohorts:trainer_cohort_new"),
                                   _cohort_post(track=track.pk))  # fmt: skip
    assert response.status_code == 302
    cohort = Cohort.objects.get(slug="self-made")
    assert track_of(cohort) is None
    edit = reverse("cohorts:trainer_cohort_edit", args=[cohort.slug])
    data = _cohort_post(track=track.pk, courses=[cohort.courses.get().pk])
    assert trainer_client.post(edit, data).status_code == 302
    cohort.refresh_from_db()
    assert track_of(cohort) is None
    # A coordinator (here also a trainer of the cohort) sets it; the trainer's edit keeps it.
    coordinator = UserFactory(roles=[Role.TRAINER, Role.COORDINATOR])
    cohort.trainers.add(coordinator)
    coordinator_client = Client()
    login_with_mfa(coordinator_client, coordinator)
    assert coordinator_client.post(edit, data).status_code == 302
    cohort.refresh_from_db()
    assert track_of(cohort) == track
    assert trainer_client.post(edit, data | {"track": ""}).status_code == 302
    cohort.refresh_from_db()
    assert track_of(cohort) == track


# --- 2. Numbers that are not ASCII digits -------------------------------------------------------
def test_whole_number_takes_only_ascii_digits_within_an_id():
    assert whole_number("42") == 42 and whole_number(7) == 7
    for bad in ("²", "٣", "-1", "1.0", " 1", "1\n", "", "9" * 19, None, True):
        assert whole_number(bad) is None, bad
    assert whole_numbers(["1", "²", "x", "3"]) == [1, 3]


def test_superscript_digits_and_huge_numbers_never_cause_a_500(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, mode=Cohort.Mode.INVITATION)
    skill = Skill.objects.create(cohort=cohort, name="Listening")
    code = InvitationCode.objects.create(cohort=cohort)
    progress = reverse("cohorts:trainer_progress", args=[cohort.slug])
    for value in ("²", "9" * 30):
        # Answered with what to correct (tests/cohorts/test_progress_details.py), never a 500.
        assert trainer_client.get(progress, {"inactive": value}).status_code == 400
        skills = reverse("cohorts:trainer_skills", args=[cohort.slug])
        assert trainer_client.post(skills, {"delete": value}).status_code == 302
        response = trainer_client.post(reverse("cohorts:trainer_cohort", args=[cohort.slug]),
                                       {"application": [value], "decision": "accept"})  # fmt: skip
        assert response.status_code == 200
        assert "Choose at least one application." in page(response)
        codes = reverse("cohorts:trainer_codes", args=[cohort.slug])
        assert trainer_client.post(codes, {"deactivate": value}).status_code == 302
        with pytest.raises(invitations.InvitationError):
            invitations.invitation_cancel(cohort=cohort, pk=value)
    assert Skill.objects.filter(pk=skill.pk).exists()
    code.refresh_from_db()
    assert code.active


# --- 3. People who left -------------------------------------------------------------------------
def test_a_former_members_progress_is_not_found(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, mode=Cohort.Mode.OPEN, questions=False)
    person = UserFactory(display_name="Gone Soon")
    services.join_open(cohort=cohort, user=person)
    url = reverse("cohorts:trainer_member", args=[cohort.slug, person.pk])
    assert trainer_client.get(url).status_code == 200
    services.withdraw(cohort=cohort, user=person)
    response = trainer_client.get(url)
    assert response.status_code == 404
    assert "Gone Soon" not in page(response)


def test_the_answers_of_a_withdrawn_application_are_not_shown(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    person = UserFactory(display_name="Changed Mind")
    why, when = cohort.questions.all()
    services.application_submit(cohort=cohort, user=person,
                                answers={str(why.pk): "A private reason",
                                         str(when.pk): "Evenings"})  # fmt: skip
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    assert "A private reason" in page(trainer_client.get(url))
    # Answers stored before withdrawing deleted them are not shown either.
    Application.objects.filter(user=person).update(status=Application.Status.WITHDRAWN)
    listing = page(trainer_client.get(url, {"status": "withdrawn"}))
    assert "Changed Mind" in listing and "Withdrawn" in listing
    assert "A private reason" not in listing
    assert "the answers are no longer shown" in listing
    Application.objects.filter(user=person).update(status=Application.Status.SUBMITTED)
    services.withdraw(cohort=cohort, user=person)
    assert Application.objects.get(user=person).answers == {}


# --- 4. Mass mail -------------------------------------------------------------------------------
def _preview(trainer_client, cohort, count, start=0):
    text = "".join(f"person{n}@example.org,P{n}\n" for n in range(start, start + count))
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    return trainer_client.post(reverse("cohorts:trainer_enrol", args=[cohort.slug]),
                               {"action": "preview", "file": upload})  # fmt: skip


def _confirm(trainer_client, cohort, preview, callbacks):
    token = re.search(r'name="preview" value="([^"]+)"', page(preview)).group(1)
    with callbacks(execute=True):
        return trainer_client.post(reverse("cohorts:trainer_enrol", args=[cohort.slug]),
                                   {"action": "confirm", "preview": token})  # fmt: skip


def test_a_trainer_sends_at_most_the_daily_allowance_of_invitations(
    settings, trainer_client, django_capture_on_commit_callbacks
):
    settings.ACOMPANA_COHORT_INVITATIONS_PER_DAY = 3
    cohort = make_cohort(trainer=trainer_client.trainer)
    assert "You can send 3 more invitations today" in page(
        trainer_client.get(reverse("cohorts:trainer_enrol", args=[cohort.slug]))
    )
    too_many = _preview(trainer_client, cohort, 4)
    assert too_many.status_code == 400
    assert "This would send 4 invitations, but you can send only 3 more today" in page(too_many)
    assert 'name="preview"' not in page(too_many)  # nothing to confirm
    preview = _preview(trainer_client, cohort, 2)
    assert "You can send 3 more invitations today" in page(preview)
    report = _confirm(trainer_client, cohort, preview, django_capture_on_commit_callbacks)
    assert "You can send 1 more invitation today" in page(report)
    assert CohortInvitation.objects.count() == 2 and len(mail.outbox) == 2
    # Two previews made while one was left: the second confirmation is refused whole.
    first, second = _preview(trainer_client, cohort, 1, 10), _preview(trainer_client, cohort, 1, 20)
    _confirm(trainer_client, cohort, first, django_capture_on_commit_callbacks)
    refused = _confirm(trainer_client, cohort, second, django_capture_on_commit_callbacks)
    assert "You have sent the 3 invitations a trainer may send in 24 hours" in page(refused)
    assert CohortInvitation.objects.count() == 3 and len(mail.outbox) == 3
    # Resending counts too, and another cohort shares the same allowance.
    CohortInvitation.objects.update(sent_at=timezone.now() - timedelta(hours=2))
    invitation = CohortInvitation.objects.first()
    resend = trainer_client.post(
        reverse("cohorts:trainer_invitation", args=[cohort.slug, invitation.pk]),
        {"action": "resend"}, follow=True,
    )  # fmt: skip
    assert "You have sent the 3 invitations" in page(resend)
    assert len(mail.outbox) == 3
    other = make_cohort("other", trainer=trainer_client.trainer)
    assert _preview(trainer_client, other, 1).status_code == 400
    # A day later the allowance is back; counts older than two days are deleted.
    InvitationSend.objects.update(at=timezone.now() - timedelta(days=3))
    assert invitations.invitations_left_today(trainer_client.trainer) == 3
    invitations.invitations_expire()
    assert not InvitationSend.objects.exists()


def test_two_lists_at_once_cannot_both_take_the_last_of_the_allowance(settings, trainer):
    settings.ACOMPANA_COHORT_INVITATIONS_PER_DAY = 3
    cohort = make_cohort(trainer=trainer)
    invitations.invitations_create(cohort=cohort, people=[("a@example.org", "")], by=trainer)
    with pytest.raises(invitations.InvitationError):
        invitations.invitations_create(
            cohort=cohort, people=[(f"{n}@example.org", "") for n in "bcd"], by=trainer
        )
    assert CohortInvitation.objects.count() == 1  # nothing partially sent
    assert invitations.invitations_left_today(trainer) == 2


# --- 5. Far-future dates ------------------------------------------------------------------------
def test_a_session_day_far_in_the_future_or_past_is_refused_with_a_reason(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, time_zone="America/Santiago")
    url = reverse("cohorts:trainer_session_new", args=[cohort.slug])
    base = {"title": "Far", "description": "", "start": "22:00", "end": "01:00",
            "meeting_url": "", "weeks": "1"}  # fmt: skip
    for day, words in (("9999-12-31", "Choose a date within 5 years from today"),
                       ("1999-12-31", "Choose a date from the year 2000 on")):  # fmt: skip
        for action in ("preview", "save"):
            response = trainer_client.post(url, base | {"day": day, "action": action})
            assert response.status_code == 200
            assert words in page(response)
    assert not LiveSession.objects.exists()
    with pytest.raises(sessions.SessionError):
        sessions.local_span(date(9999, 12, 31), time(22), time(1), "America/Santiago")
    with pytest.raises(sessions.SessionError):
        sessions.local_to_utc(date(1, 1, 1), time(0, 30), "Asia/Tokyo")


def test_release_dates_code_expiry_and_application_windows_far_away_are_refused(trainer_client):
    # Behind UTC, 9999-12-31 late in the evening is the year 10000 in UTC: PostgreSQL stores
    # it, and no page can read it back.
    trainer_client.trainer.time_zone = "America/Santiago"
    trainer_client.trainer.save(update_fields=["time_zone"])
    cohort = make_cohort(trainer=trainer_client.trainer, time_zone="America/Santiago",
                         module_release=Cohort.Release.SCHEDULED)  # fmt: skip
    module = cohort.courses.get().get_children().first()
    releases = reverse("cohorts:trainer_releases", args=[cohort.slug])
    response = trainer_client.post(releases, {f"opens-{module.pk}": "9999-12-31T23:30"})
    assert response.status_code == 200
    assert "This date is too far from today" in page(response)
    codes = reverse("cohorts:trainer_codes", args=[cohort.slug])
    trainer_client.post(codes, {"max_uses": "1", "expires_at": "9999-12-31T23:30"})
    assert not InvitationCode.objects.exists()
    edit = reverse("cohorts:trainer_cohort_edit", args=[cohort.slug])
    response = trainer_client.post(edit, _cohort_post(
        slug=cohort.slug, courses=[cohort.courses.get().pk],
        applications_close_at="9999-12-31T23:30"))  # fmt: skip
    assert response.status_code == 200
    assert "Choose a date within 5 years from today" in page(response)
    cohort.refresh_from_db()
    assert cohort.applications_close_at is None
    assert trainer_client.get(reverse("cohorts:list")).status_code == 200


# --- 6. Pages that show a secret are never cached -----------------------------------------------
def test_pages_showing_a_secret_send_no_store(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, mode=Cohort.Mode.INVITATION)
    made = trainer_client.post(reverse("cohorts:calendar"))
    assert re.search(r"/calendar/[A-Za-z0-9_-]{20,}\.ics", page(made))
    assert "no-store" in made["Cache-Control"]
    assert "no-store" in trainer_client.get(reverse("cohorts:calendar"))["Cache-Control"]
    InvitationCode.objects.create(cohort=cohort, code="SECRETCODE")
    codes_page = trainer_client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    assert "SECRETCODE" in page(codes_page)
    assert "no-store" in codes_page["Cache-Control"]
    enrol = trainer_client.get(reverse("cohorts:trainer_enrol", args=[cohort.slug]))
    assert "no-store" in enrol["Cache-Control"]


# --- 7. Former trainers -------------------------------------------------------------------------
def test_a_former_trainer_keeps_no_access_to_the_cohort_sessions_or_feed(client):
    former = UserFactory(display_name="Former", roles=[Role.TRAINER])
    draft = make_cohort("draft", trainer=former, status=Cohort.Status.DRAFT)
    session = LiveSession.objects.create(
        cohort=draft, title="Preparation", starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1),
    )  # fmt: skip
    client.force_login(former)
    detail = reverse("cohorts:detail", args=[draft.slug])
    ics = reverse("cohorts:session_ics", args=[draft.slug, session.pk])
    assert client.get(detail).status_code == 200
    assert client.get(ics).status_code == 200
    token = re.search(r"/calendar/([A-Za-z0-9_-]{20,})\.ics",
                      page(client.post(reverse("cohorts:calendar")))).group(1)  # fmt: skip
    feed = reverse("cohorts:calendar_feed_url", args=[token])
    assert str(session.uid) in page(Client().get(feed))

    user_set_roles(user=former, roles=())  # still listed among the cohort's trainers
    assert client.get(detail).status_code == 404
    assert client.get(ics).status_code == 404
    assert str(session.uid) not in page(Client().get(feed))


def test_the_digest_goes_only_to_people_who_still_train(trainer):
    former = UserFactory(roles=[Role.TRAINER])
    cohort = make_cohort(trainer=trainer)
    cohort.trainers.add(former)
    user_set_roles(user=former, roles=())
    answers = {str(q.pk): "Evenings" for q in cohort.questions.all()}
    services.application_submit(cohort=cohort, user=UserFactory(), answers=answers)
    mail.outbox.clear()  # the applicant's receipt
    assert notify.digests() == 1
    assert [message.to for message in mail.outbox] == [[trainer.email]]


# --- 8. Text without end ------------------------------------------------------------------------
def test_long_texts_are_refused_with_a_reason_and_what_was_typed_is_kept(trainer_client, client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    typed = "Words " * 1000  # 6,000 characters
    edit = reverse("cohorts:trainer_cohort_edit", args=[cohort.slug])
    response = trainer_client.post(edit, _cohort_post(
        slug=cohort.slug, courses=[cohort.courses.get().pk], description=typed))  # fmt: skip
    assert response.status_code == 200
    assert "at most 5000 characters" in page(response)
    assert typed.strip() in page(response)
    cohort.refresh_from_db()
    assert cohort.description == ""

    new = reverse("cohorts:trainer_session_new", args=[cohort.slug])
    response = trainer_client.post(new, {
        "title": "Long", "description": typed[:2001], "day": "2027-01-11", "start": "18:00",
        "end": "19:00", "meeting_url": "", "weeks": "1", "action": "save",
    })  # fmt: skip
    assert response.status_code == 200
    assert "at most 2000 characters" in page(response)
    assert not LiveSession.objects.exists()

    session = past_session(cohort)
    after = reverse("cohorts:trainer_session_after", args=[cohort.slug, session.pk])
    response = trainer_client.post(after, {"recording_url": "https://video.example.org/2",
                                           "notes": typed})  # fmt: skip
    assert response.status_code == 200
    assert "at most 5000 characters" in page(response)
    assert typed.strip() in page(response) and "https://video.example.org/2" in page(response)
    edit = reverse("cohorts:trainer_session_edit", args=[cohort.slug, session.pk])
    assert f'action="{edit}"' in page(response)  # the session's own form still goes there
    session.refresh_from_db()
    assert session.notes == "" and session.recording_url == "https://video.example.org/1"

    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("cohorts:apply", args=[cohort.slug]),
                           answers_post(cohort, why=typed))  # fmt: skip
    assert response.status_code == 400
    assert "Please keep it under 5000 characters." in page(response)
    assert typed.strip() in page(response)
    assert not Application.objects.exists()
