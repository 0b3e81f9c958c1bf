"""Email digests of the space: chosen on /notifications/ (never by default), sent from 08:00 in
each person's own zone, in their language, once per day or week, with a subject that names no
topic; they leave out the person's own posts, hidden posts, muted threads and people."""

import re
import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from community import services
from community.digests import send_digests
from community.models import DigestChoice, Post
from community.tasks import send_space_digests
from training.models import NotificationLog

pytestmark = pytest.mark.django_db

SUBJECT = "New messages in your cohort's space"


def noon_utc():
    """The next 12:00 UTC: posts written now are in the day before it."""
    now = timezone.now()
    at = now.replace(hour=12, minute=0, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def choose(person, frequency="daily", zone="UTC", language="en"):
    person.time_zone, person.preferred_language = zone, language
    person.save(update_fields=["time_zone", "preferred_language"])
    services.digest_choice_save(user=person, frequency=frequency)


def written_at(post, moment) -> None:
    """As if the post was written at `moment` (the digests are sent at moments to come)."""
    Post.objects.filter(pk=post.pk).update(created_at=moment)


def digest_for(person):
    found = [m for m in mail.outbox if m.to == [person.email]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def test_nobody_gets_a_digest_without_choosing_one(space, thread):
    assert send_digests(now=noon_utc()) == 0
    assert mail.outbox == []


def test_the_choice_is_made_on_the_notifications_page(space):
    client = space.client(space.ana)
    url = reverse("cohorts:notification_settings")
    html = client.get(url).content.decode()
    assert 'name="space-frequency"' in html and "Email digest of your cohort" in html
    never = re.search(r'<input[^>]*name="space-frequency"[^>]*value="none"[^>]*>', html)
    assert never and "checked" in never.group(0)  # "never" until chosen
    client.post(url, {"space-frequency": "weekly"})
    assert DigestChoice.objects.get(user=space.ana).frequency == "weekly"
    # A POST without the panel (the other choices only) keeps it.
    client.post(url, {"nudge": "on"})
    assert DigestChoice.objects.get(user=space.ana).frequency == "weekly"


def test_a_daily_digest_lists_threads_with_new_posts_discreetly(space, thread):
    choose(space.ana)
    assert send_digests(now=noon_utc()) == 1
    message = digest_for(space.ana)
    assert message.subject == SUBJECT
    assert "First steps" not in message.subject and space.cohort.title not in message.subject
    assert "First steps (1 new message)" in message.body  # Bea's reply, not Ana's own post
    assert f"/cohorts/{space.cohort.slug}/space/{thread.pk}/" in message.body
    assert "cup of tea" not in message.body  # never the words of a post


def test_nothing_twice(space, thread):
    choose(space.ana)
    at = noon_utc()
    assert send_digests(now=at) == 1
    assert send_digests(now=at + timedelta(minutes=30)) == 0
    assert NotificationLog.objects.filter(kind="space_digest").count() == 1
    # The next day: only what is new since the last digest.
    assert send_digests(now=at + timedelta(days=1)) == 0
    written_at(services.post_create(thread=thread, by=space.trainer, body="Welcome!"),
               at + timedelta(hours=2))  # fmt: skip
    mail.outbox.clear()
    assert send_digests(now=at + timedelta(days=1)) == 1
    assert "First steps (1 new message)" in digest_for(space.ana).body


def test_in_the_persons_zone_and_language(space, thread):
    choose(space.ana, zone="Asia/Tokyo", language="es")  # 21:00 there at 12:00 UTC
    choose(space.trainer, zone="America/Los_Angeles")  # 04:00 or 05:00 there: too early
    at = noon_utc()
    assert send_digests(now=at) == 1
    message = digest_for(space.ana)
    assert message.body.startswith("Hola, Ana:")
    assert "Tokio" in message.body or "Tokyo" in message.body  # the "since" time, in her zone
    mail.outbox.clear()
    assert send_digests(now=at + timedelta(hours=4)) == 1  # 08:00 or 09:00 in Los Angeles
    assert "First steps (2 new messages)" in digest_for(space.trainer).body
    assert "Los Ángeles" not in digest_for(space.trainer).body  # English: "Los Angeles"
    assert "Los Angeles" in digest_for(space.trainer).body


def test_muted_threads_muted_people_and_hidden_posts_are_left_out(space, thread):
    other = services.thread_create(cohort=space.cohort, by=space.bea, title="Tea recipes",
                                   body="Mint")  # fmt: skip
    hidden = services.thread_create(cohort=space.cohort, by=space.trainer, title="Schedule",
                                    body="Friday")  # fmt: skip
    services.post_hide(post=hidden.posts.get(), by=space.trainer, reason="wrong date")
    choose(space.ana)
    services.person_mute(person=space.bea, by=space.ana)
    assert send_digests(now=noon_utc()) == 0  # Bea's posts muted, the trainer's post hidden
    services.person_mute(person=space.bea, by=space.ana, muted=False)
    services.thread_mute(thread=other, by=space.ana)
    assert send_digests(now=noon_utc()) == 1
    body = digest_for(space.ana).body
    assert "First steps" in body and "Tea recipes" not in body and "Schedule" not in body


def test_weekly_digests_come_once_a_week(space, thread):
    choose(space.ana, frequency="weekly")
    at = noon_utc()
    assert send_digests(now=at) == 1
    written_at(services.post_create(thread=thread, by=space.bea, body="And biscuits."),
               at + timedelta(hours=2))  # fmt: skip
    for day in range(1, 8):
        moment = at + timedelta(days=day)
        if moment.isocalendar()[1] != at.isocalendar()[1]:
            break
        assert send_digests(now=moment) == 0  # the same week
    next_week = at + timedelta(days=7)
    assert send_digests(now=next_week) == 1


def test_people_no_longer_in_the_space_get_nothing(space, thread):
    choose(space.ana)
    space.cohort.memberships.filter(user=space.ana).update(left_at=timezone.now())
    assert send_digests(now=noon_utc()) == 0


def test_the_hourly_task_sends_what_is_due(space, thread, settings):
    assert settings.CELERY_BEAT_SCHEDULE["space-digests"]["task"] == send_space_digests.name
    zone = "Pacific/Kiritimati"
    choose(space.ana, zone=zone)
    due = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(zone)).hour >= 8
    assert send_space_digests() == len(mail.outbox) == (1 if due else 0)
