"""Trainers' messages to a cohort: sent once per person whatever runs twice, only to the audience
chosen (a waitlisted person never gets the members' message), in the language the trainer wrote
in with the email's frame in each person's, kept on the cohort's page, trainers only."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db import connection as ours
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts import announcements, services
from cohorts.models import Announcement, Application, Membership
from cohorts.tasks import send_announcement
from tests.cohorts.factories import make_cohort
from tests.conftest import skip_or_fail
from training.factories import UserFactory
from training.models import AuditEntry, NotificationLog

pytestmark = pytest.mark.django_db


def _people(cohort):
    """Two members, one person on the waitlist, one waiting for a decision."""
    members = [UserFactory(display_name=f"Member {n}", preferred_language="es") for n in (1, 2)]
    for person in members:
        services._admit(cohort, person, Membership.Source.CSV)
    waiting = UserFactory(display_name="Wendy", preferred_language="en")
    Application.objects.create(cohort=cohort, user=waiting, status=Application.Status.WAITLISTED,
                               waitlisted_at=timezone.now())  # fmt: skip
    applicant = UserFactory(display_name="Ana", preferred_language="fr")
    Application.objects.create(cohort=cohort, user=applicant)
    return members, waiting, applicant


def _send(trainer, cohort, captured, **fields):
    values = {"audience": Announcement.Audience.MEMBERS, "subject": "Lunes",
              "body": "Nos vemos el lunes a las 18:00.", "language": "es"} | fields  # fmt: skip
    with captured(execute=True):
        return announcements.announcement_send(cohort=cohort, by=trainer, **values)


def test_members_get_it_once_even_when_the_task_runs_twice(
    trainer, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer, questions=False)
    members, waiting, applicant = _people(cohort)
    announcement = _send(trainer, cohort, django_capture_on_commit_callbacks)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in members)
    assert send_announcement(announcement.pk) == 0  # the task again (a retry): nobody twice
    assert len(mail.outbox) == 2
    assert NotificationLog.objects.filter(kind="announcement").count() == 2
    announcement.refresh_from_db()
    assert announcement.recipients == 2 and announcement.sent_at is not None
    # Never the waitlisted person or the applicant.
    assert waiting.email not in [m.to[0] for m in mail.outbox]
    assert applicant.email not in [m.to[0] for m in mail.outbox]


@pytest.mark.django_db(transaction=True)
def test_a_second_run_at_the_same_time_leaves_the_sending_to_the_first(trainer):
    """A redelivered task while the first run still sends (it holds the announcement's row,
    as each batch does): the second sends nothing."""
    if ours.vendor != "postgresql":
        # SQLite has no row locks: there the second run waits for the first one's write lock
        # (and NotificationLog's keys keep anyone from being sent it twice), it does not skip.
        skip_or_fail("skipping a row another run holds (SKIP LOCKED) needs PostgreSQL")
    cohort = make_cohort(trainer=trainer, questions=False)
    _people(cohort)
    # Saved as announcement_send saves it (here its task is not queued: committed at once).
    announcement = Announcement.objects.create(cohort=cohort, sent_by=trainer, subject="Hi",
                                               body="Hello", language="en")  # fmt: skip
    first = ours.copy()  # another connection: the run already sending
    try:
        first.set_autocommit(False)
        with first.cursor() as cursor:
            cursor.execute("SELECT id FROM cohorts_announcement WHERE id = %s FOR UPDATE",
                           [announcement.pk])  # fmt: skip
        assert send_announcement(announcement.pk) == 0
        assert mail.outbox == []
        first.rollback()
    finally:
        first.close()
    assert send_announcement(announcement.pk) == 2


def test_each_audience_reaches_only_its_people(trainer, django_capture_on_commit_callbacks):
    cohort = make_cohort(trainer=trainer, questions=False)
    _members, waiting, applicant = _people(cohort)
    _send(trainer, cohort, django_capture_on_commit_callbacks,
          audience=Announcement.Audience.WAITLIST, subject="Your place")  # fmt: skip
    assert [m.to for m in mail.outbox] == [[waiting.email]]
    _send(trainer, cohort, django_capture_on_commit_callbacks,
          audience=Announcement.Audience.APPLICANTS, subject="Decisions on Friday")  # fmt: skip
    assert [m.to for m in mail.outbox[1:]] == [[applicant.email]]
    assert announcements.audience_counts(cohort) == {"members": 2, "waitlist": 1,
                                                     "applicants": 1}  # fmt: skip


def test_someone_promoted_from_the_waitlist_before_it_leaves_is_not_told_they_wait(
    trainer, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer, questions=False)
    _members, waiting, _applicant = _people(cohort)
    announcement = announcements.announcement_send(
        cohort=cohort, by=trainer, audience="waitlist", subject="Still waiting",
        body="Thank you for your patience.", language="en",
    )  # fmt: skip
    # A place opened before the task ran: they are a member now.
    services._admit(cohort, waiting, Membership.Source.APPLICATION)
    Application.objects.filter(user=waiting).update(status=Application.Status.ACCEPTED)
    assert send_announcement(announcement.pk) == 0
    assert mail.outbox == []


def test_people_who_joined_after_it_was_written_are_not_sent_it_on_a_late_retry(
    trainer, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer, questions=False)
    _members, _waiting, _applicant = _people(cohort)
    announcement = _send(trainer, cohort, django_capture_on_commit_callbacks)
    Announcement.objects.filter(pk=announcement.pk).update(
        created_at=timezone.now() - timedelta(hours=3)
    )
    late = UserFactory()
    services._admit(cohort, late, Membership.Source.CSV)
    assert send_announcement(announcement.pk) == 0
    assert late.email not in [m.to[0] for m in mail.outbox]


def test_the_message_is_as_written_and_the_frame_in_each_persons_language(
    trainer, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer, questions=False, title="Harassment response cohort")
    member_es = UserFactory(display_name="Lucía", preferred_language="es")
    member_en = UserFactory(display_name="Grace", preferred_language="en")
    for person in (member_es, member_en):
        services._admit(cohort, person, Membership.Source.CSV)
    _send(trainer, cohort, django_capture_on_commit_callbacks, subject="Lunes")
    by_person = {m.to[0]: m for m in mail.outbox}
    spanish, english = by_person[member_es.email], by_person[member_en.email]
    for message in (spanish, english):
        assert "Nos vemos el lunes a las 18:00." in message.body  # the trainer's words, as is
        # The subject line carries none of the trainer's words (lock screens), nor the cohort's
        # title: the trainer's subject heads their message in the body.
        assert "Lunes" not in message.subject and "Harassment" not in message.subject
        assert "\n\nLunes\n\nNos vemos el lunes a las 18:00." in message.body
    assert english.subject == "A message from your cohort's trainers"
    assert english.body.startswith("Hello Grace,")
    assert "Choose which messages you receive" in english.body
    assert spanish.body.startswith("Hola Lucía,") or spanish.body.startswith("Hola, Lucía")
    assert "Choose which messages you receive" not in spanish.body
    announcement = Announcement.objects.get()
    assert announcement.language == "es"


def test_a_double_click_sends_once(trainer, django_capture_on_commit_callbacks):
    cohort = make_cohort(trainer=trainer, questions=False)
    _people(cohort)
    _send(trainer, cohort, django_capture_on_commit_callbacks)
    with pytest.raises(services.CohortError):
        _send(trainer, cohort, django_capture_on_commit_callbacks)
    assert Announcement.objects.count() == 1 and len(mail.outbox) == 2


# --- Pages --------------------------------------------------------------------------------------
def test_a_trainer_writes_from_the_messages_page_and_it_is_kept_there(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, questions=False)
    _members, _waiting, _applicant = _people(cohort)
    url = reverse("cohorts:trainer_messages", args=[cohort.slug])
    page = trainer_client.get(url).content.decode()
    cohort_page = trainer_client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug]))
    assert url in cohort_page.content.decode()  # the "Messages" tab
    assert "The cohort&#x27;s members (2)" in page and "People on the waitlist (1)" in page
    assert 'value="en" selected' in page  # the cohort's working language by default
    with django_capture_on_commit_callbacks(execute=True):
        posted = {"audience": "members", "language": "es", "subject": "Lunes",
                  "body": "¡Hola a todas!"}  # fmt: skip
        response = trainer_client.post(url, posted)
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    page = trainer_client.get(url).content.decode()
    assert "¡Hola a todas!" in page and 'lang="es"' in page and "Sent to 2 people" in page


def test_an_empty_message_is_refused_with_the_form_back(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, questions=False)
    url = reverse("cohorts:trainer_messages", args=[cohort.slug])
    response = trainer_client.post(url, {"audience": "members", "language": "en",
                                         "subject": "Only a subject", "body": ""})  # fmt: skip
    assert response.status_code == 400
    assert "Only a subject" in response.content.decode()
    assert not Announcement.objects.exists()


def test_other_trainers_and_members_get_a_404(
    trainer_client, client, django_capture_on_commit_callbacks
):
    theirs = make_cohort("theirs", trainer=UserFactory(), questions=False)
    url = reverse("cohorts:trainer_messages", args=[theirs.slug])
    assert trainer_client.get(url).status_code == 404
    response = trainer_client.post(url, {"audience": "members", "language": "en",
                                         "subject": "Hi", "body": "Hello"})  # fmt: skip
    assert response.status_code == 404
    assert not Announcement.objects.exists()
    member = UserFactory()
    services._admit(theirs, member, Membership.Source.CSV)
    client.force_login(member)
    assert client.get(url).status_code in (302, 403, 404)
    # The service refuses too, whoever calls it.
    with pytest.raises(services.CohortError):
        announcements.announcement_send(cohort=theirs, by=trainer_client.trainer,
                                        audience="members", subject="x", body="y",
                                        language="en")  # fmt: skip


def test_the_messages_page_keeps_its_query_count_as_messages_and_people_grow(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, questions=False, capacity=None)
    url = reverse("cohorts:trainer_messages", args=[cohort.slug])

    def grow(count, start):
        for number in range(start, start + count):
            services._admit(cohort, UserFactory(), Membership.Source.CSV)
            Announcement.objects.create(
                cohort=cohort, sent_by=UserFactory(display_name=f"Trainer {number}"),
                subject=f"Subject {number}", body="Body", language="en", recipients=number,
                sent_at=timezone.now(),
            )  # fmt: skip

    grow(2, 0)
    trainer_client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert trainer_client.get(url).status_code == 200
    grow(30, 2)
    with CaptureQueriesContext(connection) as large:
        page = trainer_client.get(url).content.decode()
    assert "Subject 31" in page and "Trainer 31" in page
    assert len(large) == len(small)


def test_members_see_the_members_messages_and_the_waitlist_only_theirs(
    trainer, client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer, questions=False)
    (member, _other), waiting, _applicant = _people(cohort)
    _send(trainer, cohort, django_capture_on_commit_callbacks, subject="Members only news")
    _send(trainer, cohort, django_capture_on_commit_callbacks, audience="waitlist",
          subject="Waitlist news", body="A place may open soon.", language="en")  # fmt: skip
    detail = reverse("cohorts:detail", args=[cohort.slug])
    client.force_login(member)
    page = client.get(detail).content.decode()
    assert "Members only news" in page and "Waitlist news" not in page
    assert page.index("Members only news") < page.index('id="sessions-heading"')  # at the top
    client.force_login(waiting)
    page = client.get(detail).content.decode()
    assert "Waitlist news" in page and "Members only news" not in page
    client.logout()
    page = client.get(detail).content.decode()
    assert "Waitlist news" not in page and "Members only news" not in page


def test_the_dashboard_shows_a_recent_message_to_members(
    trainer, client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer, questions=False)
    (member, _other), waiting, _applicant = _people(cohort)
    _send(trainer, cohort, django_capture_on_commit_callbacks, subject="Bring headphones")
    client.force_login(member)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Bring headphones" in page and "#announcements" in page
    client.force_login(waiting)
    assert "Bring headphones" not in client.get(reverse("dashboard")).content.decode()


def test_the_subject_line_never_carries_the_trainers_words(
    trainer, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer, questions=False)
    members, _waiting, _applicant = _people(cohort)
    _send(trainer, cohort, django_capture_on_commit_callbacks,
          subject="About Maria's crisis call", language="en")  # fmt: skip
    assert len(mail.outbox) == len(members)
    for message in mail.outbox:
        assert "Maria" not in message.subject and "crisis" not in message.subject
        assert "About Maria's crisis call" in message.body


def test_sending_is_in_the_audit_log_with_the_audience_and_how_many(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, questions=False)
    _people(cohort)  # two members, one waiting, one applicant
    url = reverse("cohorts:trainer_messages", args=[cohort.slug])
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(url, {"audience": "members", "language": "en", "subject": "Hi",
                                  "body": "See you on Monday."})  # fmt: skip
    entry = AuditEntry.objects.get(action="cohort.announcement_sent")
    assert entry.actor_id == trainer_client.trainer.pk
    assert entry.count == 2
    assert entry.detail["cohort"] == cohort.pk and entry.detail["audience"] == "members"
    assert entry.detail["announcement"] == Announcement.objects.get().pk
    assert "See you" not in str(entry.detail)  # never the words


def test_the_messages_page_shows_20_a_page(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, questions=False)
    now = timezone.now()
    for number in range(45):
        Announcement.objects.create(
            cohort=cohort, sent_by=trainer_client.trainer, subject=f"Subject {number:02}",
            body="Body", language="en", sent_at=now,
        )  # fmt: skip
    for number, announcement in enumerate(Announcement.objects.order_by("pk")):
        # created_at is set on creation: spread them out, the last written the newest.
        Announcement.objects.filter(pk=announcement.pk).update(
            created_at=now - timedelta(minutes=45 - number)
        )
    url = reverse("cohorts:trainer_messages", args=[cohort.slug])
    first = trainer_client.get(url).content.decode()
    assert first.count('class="card" id="announcement-') == 20
    assert "Subject 44" in first and "Subject 24" not in first  # newest first
    assert "Page 1 of 3" in first and "page=2" in first
    last = trainer_client.get(url, {"page": "3"}).content.decode()
    assert last.count('class="card" id="announcement-') == 5 and "Subject 00" in last
    for wrong in ("abc", "0", "-1", "9999", "2.5"):
        response = trainer_client.get(url, {"page": wrong})
        assert response.status_code in (200, 404), wrong
