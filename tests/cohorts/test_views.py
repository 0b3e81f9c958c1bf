"""Cohort pages for volunteers and trainers: applying, deciding, codes, privacy, permissions."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import services
from cohorts.models import Application, Cohort, InvitationCode, Membership
from cohorts.selectors import WAITLIST_PER_PAGE
from cohorts.sessions import sessions_save
from courses.factories import make_course
from courses.models import Enrolment
from tests.cohorts.factories import make_cohort
from training import ratelimit
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db


def answers_post(cohort, why="I moderate a community.", when="Evenings") -> dict:
    first, second = cohort.questions.all()
    return {f"answer-{first.pk}": why, f"answer-{second.pk}": when}


# --- Volunteers ---------------------------------------------------------------------------------
def test_the_list_shows_open_cohorts_with_their_places_in_constant_queries(client, volunteer):
    client.force_login(volunteer)
    make_cohort("a")
    Cohort.objects.create(
        slug="hidden", title="Draft cohort", working_language="en", time_zone="UTC",
        starts_on=date.today(), ends_on=date.today(), status=Cohort.Status.DRAFT,
    )  # fmt: skip
    client.get(reverse("cohorts:list"))
    with CaptureQueriesContext(connection) as small:
        page = client.get(reverse("cohorts:list")).content.decode()
    assert "Cohort a" in page and "Draft cohort" not in page
    assert "10 places left" in page
    for number in range(8):
        cohort = make_cohort(f"more-{number}")
        Membership.objects.create(cohort=cohort, user=UserFactory(), source="demo")
    with CaptureQueriesContext(connection) as large:
        page = client.get(reverse("cohorts:list")).content.decode()
    assert "9 places left" in page
    assert len(large) == len(small)


def test_a_volunteer_applies_and_nothing_is_lost_when_an_answer_is_missing(client, volunteer):
    cohort = make_cohort()
    client.force_login(volunteer)
    url = reverse("cohorts:apply", args=[cohort.slug])
    response = client.post(url, answers_post(cohort, when=""))
    assert response.status_code == 400
    page = response.content.decode()
    assert "I moderate a community." in page  # what they wrote comes back
    assert "Please answer this question." in page
    assert not Application.objects.exists()

    response = client.post(url, answers_post(cohort))
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert set(application.answers.values()) == {"I moderate a community.", "Evenings"}
    page = client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert "Waiting for a decision" in page
    assert "Withdraw my application" in page


def test_an_invalid_choice_is_refused(client, volunteer):
    cohort = make_cohort()
    client.force_login(volunteer)
    response = client.post(
        reverse("cohorts:apply", args=[cohort.slug]), answers_post(cohort, when="Midnight")
    )
    assert response.status_code == 400
    assert "Please choose one of the options." in response.content.decode()


def test_an_open_cohort_is_joined_and_left(client, volunteer):
    cohort = make_cohort(mode=Cohort.Mode.OPEN, questions=False)
    client.force_login(volunteer)
    client.post(reverse("cohorts:join", args=[cohort.slug]))
    assert Membership.objects.get(cohort=cohort, user=volunteer).active
    assert Enrolment.objects.filter(user=volunteer, course__in=cohort.courses.all()).exists()
    client.post(reverse("cohorts:withdraw", args=[cohort.slug]))
    assert not Membership.objects.get(cohort=cohort, user=volunteer).active


def test_an_invitation_code_lets_a_volunteer_in_once(client, volunteer):
    cohort = make_cohort(mode=Cohort.Mode.INVITATION, questions=False)
    code = InvitationCode.objects.create(cohort=cohort, max_uses=1)
    client.force_login(volunteer)
    bad = client.post(reverse("cohorts:join", args=[cohort.slug]), {"code": "WRONGCODE"})
    assert bad.status_code == 400 and not Membership.objects.exists()
    client.post(reverse("cohorts:join", args=[cohort.slug]), {"code": code.code.lower()})
    assert Membership.objects.filter(cohort=cohort, user=volunteer).exists()
    other = UserFactory()
    client.force_login(other)
    again = client.post(reverse("cohorts:join", args=[cohort.slug]), {"code": code.code})
    assert again.status_code == 400
    assert not Membership.objects.filter(user=other).exists()


def test_the_invitation_code_form_is_rate_limited_per_account_and_per_address(
    client, volunteer, settings, monkeypatch
):

    settings.ACOMPANA_INVITATION_CODE_RATE = 3
    settings.ACOMPANA_INVITATION_CODE_RATE_PER_ADDRESS = 5
    minute = timezone.now()  # one minute for the whole test: the counters are per minute
    monkeypatch.setattr(ratelimit.timezone, "now", lambda: minute)
    cohort = make_cohort(mode=Cohort.Mode.INVITATION, questions=False)
    code = InvitationCode.objects.create(cohort=cohort, max_uses=5)
    url = reverse("cohorts:join", args=[cohort.slug])
    client.force_login(volunteer)
    for guess in ("GUESS1", "GUESS2", "GUESS3"):
        assert client.post(url, {"code": guess}).status_code == 400
    refused = client.post(url, {"code": code.code})  # even the right code, once over the limit
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "Too many codes tried in a short time." in refused.content.decode()
    assert not Membership.objects.exists()
    assert InvitationCode.objects.get().uses == 0
    # Another account from the same address has what is left of the address's allowance.
    other = UserFactory()
    client.force_login(other)
    assert client.post(url, {"code": code.code}).status_code == 302
    assert Membership.objects.filter(user=other).exists()
    assert client.post(url, {"code": "GUESS4"}).status_code == 429
    # Another cohort mode is not counted (nothing to guess there).
    open_cohort = make_cohort("open", mode=Cohort.Mode.OPEN, questions=False)
    assert client.post(reverse("cohorts:join", args=[open_cohort.slug])).status_code == 302


def test_members_see_each_other_only_by_display_name_and_only_when_the_cohort_says_so(client):
    cohort = make_cohort(mode=Cohort.Mode.OPEN, questions=False)
    alba = UserFactory(display_name="Alba", email="alba.private@example.org")
    bea = UserFactory(display_name="Bea", email="bea.private@example.org")
    for person in (alba, bea):
        services.join_open(cohort=cohort, user=person)
    client.force_login(alba)
    page = client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert "Bea" not in page
    cohort.show_member_list = True
    cohort.save()
    page = client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert "Bea" in page
    assert "bea.private@example.org" not in page and "alba.private@example.org" not in page


def test_a_draft_cohort_is_not_found_by_volunteers(client, volunteer):
    cohort = make_cohort(status=Cohort.Status.DRAFT)
    client.force_login(volunteer)
    assert client.get(reverse("cohorts:detail", args=[cohort.slug])).status_code == 404


# --- Trainers -----------------------------------------------------------------------------------
def test_a_trainer_creates_a_cohort_and_becomes_its_trainer(trainer_client):
    course, _modules = make_course("new-course", modules=1)
    response = trainer_client.post(reverse("cohorts:trainer_cohort_new"), {
        "title": "Autumn", "slug": "autumn", "description": "", "courses": [course.pk],
        "working_language": "es", "time_zone": "America/Santiago",
        "starts_on": "2027-03-01", "ends_on": "2027-05-01", "capacity": "12",
        "mode": "application", "module_release": "all", "status": "open",
        "catch_up_counts": "on",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    cohort = Cohort.objects.get(slug="autumn")
    assert list(cohort.trainers.all()) == [trainer_client.trainer]
    assert list(cohort.courses.all()) == [course]
    desk = trainer_client.get(reverse("trainer_desk")).content.decode()
    assert "Autumn" in desk


def test_the_cohort_cannot_end_before_it_starts(trainer_client):
    response = trainer_client.post(reverse("cohorts:trainer_cohort_new"), {
        "title": "Backwards", "slug": "backwards", "working_language": "es",
        "time_zone": "UTC", "starts_on": "2027-03-01", "ends_on": "2027-02-01",
        "mode": "open", "module_release": "all", "status": "draft",
    })  # fmt: skip
    assert response.status_code == 200
    assert "The cohort cannot end before it starts." in response.content.decode()
    assert not Cohort.objects.exists()


def test_a_trainer_accepts_in_bulk_and_the_applicant_reads_the_message(trainer_client, client):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=1)
    first, second = UserFactory(display_name="Uno"), UserFactory(display_name="Dos")
    for person in (first, second):
        services.application_submit(
            cohort=cohort, user=person,
            answers={str(q.pk): "Evenings" for q in cohort.questions.all()},
        )  # fmt: skip
    page = trainer_client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    html = page.content.decode()
    assert "Uno" in html and "Dos" in html and "Evenings" in html
    assert first.email not in html
    applications = Application.objects.order_by("pk")
    chosen = {"application": [str(a.pk) for a in applications], "decision": "accept",
              "message": "Welcome, see you on Monday."}  # fmt: skip
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    confirm = trainer_client.post(url, chosen)
    assert confirm.status_code == 200  # who gets a place, who waits: asked before doing it
    assert not Application.objects.filter(status="accepted").exists()
    response = trainer_client.post(url, {**chosen, "confirm": "1", "waitlist_message": ""})
    assert response.status_code == 302
    statuses = dict(Application.objects.values_list("user__display_name", "status"))
    assert statuses == {"Uno": "accepted", "Dos": "waitlisted"}  # one place only
    client.force_login(first)
    page = client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert "Welcome, see you on Monday." in page
    client.force_login(second)
    page = client.get(reverse("cohorts:detail", args=[cohort.slug])).content.decode()
    assert re.search(r"Your place on the waitlist: 1", page)


def test_a_trainer_creates_and_stops_invitation_codes(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, mode=Cohort.Mode.INVITATION)
    url = reverse("cohorts:trainer_codes", args=[cohort.slug])
    trainer_client.post(url, {"note": "For the Lima group", "max_uses": "5"})
    code = InvitationCode.objects.get(cohort=cohort)
    assert (code.max_uses, code.created_by) == (5, trainer_client.trainer)
    trainer_client.post(url, {"deactivate": str(code.pk)})
    code.refresh_from_db()
    assert not code.usable()


def test_a_trainer_edits_screening_questions(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, questions=False)
    url = reverse("cohorts:trainer_questions", args=[cohort.slug])
    assert trainer_client.get(url).status_code == 200
    response = trainer_client.post(url, {
        "questions-TOTAL_FORMS": "1", "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "1000",
        "questions-0-text": "Which languages do you speak?", "questions-0-kind": "choice",
        "questions-0-choices_text": "Spanish\nPortuguese\n", "questions-0-required": "on",
        "questions-0-sort_order": "0",
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    question = cohort.questions.get()
    assert question.choices == ["Spanish", "Portuguese"]


def test_a_trainer_of_one_cohort_gets_404_for_everything_in_another(trainer_client):
    theirs = make_cohort("theirs", trainer=UserFactory(roles=[Role.TRAINER]))
    application = services.application_submit(
        cohort=theirs, user=UserFactory(),
        answers={str(q.pk): "Evenings" for q in theirs.questions.all()},
    )  # fmt: skip
    for name in ("trainer_cohort", "trainer_cohort_edit", "trainer_questions"):
        url = reverse(f"cohorts:{name}", args=[theirs.slug])
        assert trainer_client.get(url).status_code == 404, name
        assert trainer_client.post(url, {}).status_code == 404, name
    codes = reverse("cohorts:trainer_codes", args=[theirs.slug])
    assert trainer_client.post(codes, {"max_uses": "1"}).status_code == 404
    decision = trainer_client.post(
        reverse("cohorts:trainer_cohort", args=[theirs.slug]),
        {"application": [str(application.pk)], "decision": "accept"},
    )
    assert decision.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert "Cohort theirs" not in trainer_client.get(reverse("trainer_desk")).content.decode()


def test_volunteers_cannot_open_trainer_pages(client, volunteer):
    cohort = make_cohort(trainer=UserFactory(roles=[Role.TRAINER]))
    client.force_login(volunteer)
    response = client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    assert response.status_code in (302, 403)
    assert "Why do you want to join?" not in response.content.decode()


def test_the_dashboard_shows_the_next_session_in_the_members_zone(client):
    cohort = make_cohort(mode=Cohort.Mode.OPEN, questions=False)
    member = UserFactory(time_zone="Asia/Kolkata")
    services.join_open(cohort=cohort, user=member)
    sessions_save(cohort=cohort, day=date(2099, 1, 12), start=time(18, 0), end=time(19, 0),
                  title="Practice call", meeting_url="https://meet.example.org/x")  # fmt: skip
    client.force_login(member)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Practice call" in page
    assert "22:30\N{EN DASH}23:30 (Kolkata, India)" in page  # 18:00 in Madrid in winter
    assert "Add to calendar" in page


def test_the_trainers_waitlist_shows_a_page_at_a_time_with_true_positions(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=0, questions=False)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    total = WAITLIST_PER_PAGE + 5
    Application.objects.bulk_create([
        Application(cohort=cohort, user=UserFactory(display_name=f"Waiting {n:03}"),
                    status="waitlisted", waitlisted_at=start + timedelta(minutes=n))
        for n in range(1, total + 1)
    ])  # fmt: skip
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    first = trainer_client.get(url).content.decode()
    listed = re.search(r'id="waitlist".*?<ol>(.*?)</ol>', first, re.S).group(1)
    assert listed.count("<li>") == WAITLIST_PER_PAGE
    assert "Waiting 001" in listed and f"Waiting {total:03}" not in listed
    assert f"{total} people are waiting." in first
    assert "waitlist_page=2" in first
    second = trainer_client.get(url, {"waitlist_page": 2}).content.decode()
    match = re.search(r'id="waitlist".*?<ol start="(\d+)">(.*?)</ol>', second, re.S)
    assert match.group(1) == str(WAITLIST_PER_PAGE + 1)  # the 51st in the queue is 51st
    assert match.group(2).count("<li>") == 5
    assert f"Waiting {WAITLIST_PER_PAGE + 1:03}" in match.group(2)
    for wrong in ("x", "0", "999"):
        assert trainer_client.get(url, {"waitlist_page": wrong}).status_code == 200
