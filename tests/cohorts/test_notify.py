"""Cohort messages: each sent once, in the recipient's language and zone, discreet subjects,
non-essential ones can be turned off."""

from datetime import date, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohorts import notify, services
from cohorts.models import Cohort, LiveSession, Membership
from cohorts.sessions import session_cancel, sessions_save
from cohorts.tasks import notify_application
from tests.cohorts.factories import make_cohort
from tests.cohorts.test_views import answers_post
from training.factories import UserFactory
from training.models import NotificationLog, NotificationOptOut

pytestmark = pytest.mark.django_db

SENSITIVE = ("harass", "violence", "trauma", "abuse", "acoso", "violencia")


def subjects():
    return [message.subject for message in mail.outbox]


def test_applying_and_the_decision_are_told_once_in_the_persons_language(
    django_capture_on_commit_callbacks, trainer
):
    cohort = make_cohort(title="Harassment response cohort")
    person = UserFactory(preferred_language="es")
    answers = {str(q.pk): "Evenings" for q in cohort.questions.all()}
    with django_capture_on_commit_callbacks(execute=True):
        application = services.application_submit(cohort=cohort, user=person, answers=answers)
    assert subjects() == ["Recibimos tu solicitud"]
    notify_application(application.pk, "received")  # the task again: nothing new
    assert len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(application=application, decision="accept", by=trainer,
                        message="¡Te esperamos el lunes!")  # fmt: skip
    assert len(mail.outbox) == 2
    assert "¡Te esperamos el lunes!" in mail.outbox[1].body
    assert not any(word in s.lower() for s in subjects() for word in SENSITIVE)


def _member_cohort(members=2, **fields):
    cohort = make_cohort(mode=Cohort.Mode.OPEN, questions=False, **fields)
    people = [UserFactory(time_zone="Asia/Kolkata", preferred_language="en")
              for _ in range(members)]  # fmt: skip
    for person in people:
        services._admit(cohort, person, Membership.Source.CSV)
    return cohort, people


def test_a_changed_or_cancelled_session_is_told_once_per_change(
    django_capture_on_commit_callbacks,
):
    cohort, _people = _member_cohort()
    (session,) = sessions_save(cohort=cohort, day=date(2099, 1, 12), start=time(18),
                               end=time(19), title="Practice")  # fmt: skip
    assert mail.outbox == []  # a new session is not a change
    with django_capture_on_commit_callbacks(execute=True):
        sessions_save(cohort=cohort, session=session, day=date(2099, 1, 12), start=time(19),
                      end=time(20), title="Practice")  # fmt: skip
    assert len(mail.outbox) == 2
    assert "23:30 (Kolkata, India)" in mail.outbox[0].body  # 19:00 in Madrid
    with django_capture_on_commit_callbacks(execute=True):
        sessions_save(cohort=cohort, session=session, day=date(2099, 1, 12), start=time(19),
                      end=time(20), title="Practice")  # unchanged  # fmt: skip
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session)
    assert len(mail.outbox) == 4 and "cancelled" in mail.outbox[-1].body


def test_reminders_go_out_once_and_not_to_people_who_turned_them_off():
    cohort, (keen, quiet) = _member_cohort()
    for kind in ("session_reminder_24h", "session_reminder_1h"):
        NotificationOptOut.objects.create(user=quiet, kind=kind)
    now = timezone.now()
    LiveSession.objects.create(cohort=cohort, title="Tomorrow", starts_at=now + timedelta(hours=23),
                               ends_at=now + timedelta(hours=24))  # fmt: skip
    soon = LiveSession.objects.create(cohort=cohort, title="Soon",
                                      starts_at=now + timedelta(minutes=40),
                                      ends_at=now + timedelta(minutes=100))  # fmt: skip
    assert notify.session_reminders(now) == 2
    assert notify.session_reminders(now) == 0
    assert {m.to[0] for m in mail.outbox} == {keen.email}
    assert sorted(subjects()) == ["Reminder: a live session in an hour",
                                  "Reminder: a live session tomorrow"]  # fmt: skip
    # Moved: it is another session for people's calendars, and they are reminded again.
    soon.sequence += 1
    soon.save()
    assert notify.session_reminders(now) == 1


def test_reminders_for_many_members_go_out_in_batches(settings):
    cohort, _people = _member_cohort(members=450)
    now = timezone.now()
    LiveSession.objects.create(cohort=cohort, title="Big", starts_at=now + timedelta(minutes=30),
                               ends_at=now + timedelta(minutes=90))  # fmt: skip
    assert notify.session_reminders(now) == 450
    assert len(mail.outbox) == 450
    assert NotificationLog.objects.filter(kind="session_reminder_1h").count() == 450


def test_trainers_get_one_digest_a_day(trainer):
    cohort = make_cohort(trainer=trainer)
    for _ in range(3):
        services.application_submit(
            cohort=cohort, user=UserFactory(),
            answers={str(q.pk): "Evenings" for q in cohort.questions.all()},
        )  # fmt: skip
    mail.outbox.clear()
    assert notify.digests() == 1
    assert notify.digests() == 0
    assert mail.outbox[0].to == [trainer.email] and ": 3" in mail.outbox[0].body


def test_a_quiet_member_is_nudged_at_most_weekly():
    _cohort, (member,) = _member_cohort(members=1, status=Cohort.Status.RUNNING,
                                       nudge_after_days=7)  # fmt: skip
    Membership.objects.filter(user=member).update(joined_at=timezone.now() - timedelta(days=30))
    now = timezone.now()
    assert notify.nudges(now) == 1
    assert notify.nudges(now + timedelta(days=1)) == 0
    assert notify.nudges(now + timedelta(days=8)) == 1


def test_a_nudge_on_sunday_is_not_followed_by_one_on_monday():
    """At most one nudge in seven days, whatever the calendar week (a new ISO week starts on
    Monday: a key per week alone would nudge on Sunday and again on Monday)."""
    _cohort, (member,) = _member_cohort(members=1, status=Cohort.Status.RUNNING,
                                       nudge_after_days=7)  # fmt: skip
    Membership.objects.filter(user=member).update(joined_at=timezone.now() - timedelta(days=30))
    now = timezone.now()
    sunday = now + timedelta(days=(6 - now.weekday()) % 7)
    assert sunday.weekday() == 6
    NotificationLog.objects.all().delete()
    assert notify.nudges(sunday) == 1
    NotificationLog.objects.filter(kind="nudge").update(sent_at=sunday)
    assert notify.nudges(sunday + timedelta(days=1)) == 0  # Monday, a new ISO week
    assert notify.nudges(sunday + timedelta(days=6)) == 0
    assert notify.nudges(sunday + timedelta(days=7, minutes=1)) == 1


def test_people_choose_their_messages(client, volunteer):
    client.force_login(volunteer)
    url = reverse("cohorts:notification_settings")
    page = client.get(url).content.decode()
    assert "reminders before live sessions" in page.lower()
    assert "daily summary" not in page  # not a trainer
    client.post(url, {"module_released": "on", "nudge": "on"})
    off = set(NotificationOptOut.objects.filter(user=volunteer).values_list("kind", flat=True))
    assert off == {"session_reminder_24h", "session_reminder_1h"}


def test_applying_through_the_page_sends_the_acknowledgement(
    client, volunteer, django_capture_on_commit_callbacks
):
    cohort = make_cohort()
    client.force_login(volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("cohorts:apply", args=[cohort.slug]), answers_post(cohort))
    assert subjects() == ["We received your application"]


def test_plain_text_emails_are_not_html_escaped():
    cohort, (member,) = _member_cohort(members=1)
    member.display_name = "O'Brien"
    member.save()
    now = timezone.now()
    LiveSession.objects.create(cohort=cohort, title="Q&A", starts_at=now + timedelta(minutes=30),
                               ends_at=now + timedelta(minutes=90),
                               meeting_url="https://meet.example.org/j/1?pwd=a&b=c")  # fmt: skip
    notify.session_reminders(now)
    body = mail.outbox[0].body
    assert "https://meet.example.org/j/1?pwd=a&b=c" in body
    assert "O'Brien" in body and "“Q&A”" in body and "&amp;" not in body


def test_news_of_a_decision_that_changed_since_is_not_sent(trainer):
    cohort = make_cohort(trainer=trainer)
    application = services.application_submit(
        cohort=cohort, user=UserFactory(),
        answers={str(q.pk): "Evenings" for q in cohort.questions.all()},
    )  # fmt: skip
    mail.outbox.clear()
    services.decide(application=application, decision="accept", by=trainer)
    services.withdraw(cohort=cohort, user=application.user)
    # The task queued with "accepted" runs after the withdrawal: nothing is sent.
    assert notify_application(application.pk, "decided", "accepted") == 0
    assert mail.outbox == []
