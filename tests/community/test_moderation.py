"""Trainers pin, lock and hide (with a reason, in the audit log); members report posts and see
"hidden by a trainer"; content notes fold a post; mutes are each person's own."""

import pytest
from django.urls import reverse

from cohorts.models import Announcement
from community import services
from community.models import PersonMute, Post, PostReport, ThreadMute
from training import audit
from training.models import AuditEntry

pytestmark = pytest.mark.django_db


def url(space, name, *args):
    return reverse(f"community:{name}", args=[space.cohort.slug, *args])


def page(client, space, thread) -> str:
    return client.get(url(space, "thread", thread.pk)).content.decode()


# --- Writing ------------------------------------------------------------------------------------
def test_members_start_threads_and_reply(space):
    ana = space.client(space.ana)
    response = ana.post(url(space, "thread_new"), {"title": "  Self care  ",
                                                    "body": "What helps you?"})  # fmt: skip
    thread = space.cohort.threads.get()
    assert response.status_code == 302 and thread.title == "Self care"
    space.client(space.bea).post(url(space, "thread", thread.pk), {"body": "Walking."})
    assert list(thread.posts.values_list("author__display_name", "body")) == [
        ("Ana", "What helps you?"), ("Bea", "Walking."),
    ]  # fmt: skip
    thread.refresh_from_db()
    assert thread.last_post_at == thread.posts.last().created_at


def test_an_empty_reply_is_refused_with_the_form(space, thread):
    response = space.client(space.bea).post(url(space, "thread", thread.pk), {"body": "   "})
    assert response.status_code == 400 and 'class="error-summary"' in response.content.decode()
    assert thread.posts.count() == 2


def test_pinned_threads_come_first(space, thread):
    later = services.thread_create(cohort=space.cohort, by=space.bea, title="Later", body="x")
    listing = space.client(space.ana).get(url(space, "space")).content.decode()
    assert listing.index("Later") < listing.index("First steps")
    space.client(space.trainer).post(url(space, "thread_pin", thread.pk), {"pinned": "1"})
    listing = space.client(space.ana).get(url(space, "space")).content.decode()
    assert listing.index("First steps") < listing.index("Later")
    assert later.pk and AuditEntry.objects.filter(action="community.thread_pinned").count() == 1


def test_a_locked_thread_takes_no_reply_and_says_why(space, thread):
    space.client(space.trainer).post(url(space, "thread_lock", thread.pk), {"locked": "1"})
    bea = space.client(space.bea)
    assert "locked this thread" in page(bea, space, thread)
    assert 'name="body"' not in page(bea, space, thread)
    response = bea.post(url(space, "thread", thread.pk), {"body": "Still here?"})
    assert response.status_code == 400 and "locked" in response.content.decode()
    assert thread.posts.count() == 2
    with pytest.raises(services.CommunityError):
        services.post_create(thread=thread, by=space.trainer, body="Me neither")
    entry = AuditEntry.objects.get(action="community.thread_locked")
    assert entry.actor == space.trainer and entry.detail["locked"] is True
    space.client(space.trainer).post(url(space, "thread_lock", thread.pk), {"locked": "0"})
    bea.post(url(space, "thread", thread.pk), {"body": "Open again"})
    assert thread.posts.count() == 3


def test_a_content_note_folds_the_post_until_opened(space):
    thread = services.thread_create(
        cohort=space.cohort, by=space.ana, title="Heavy", body="What happened to me.",
        content_note="violence",
    )  # fmt: skip
    html = page(space.client(space.bea), space, thread)
    folded = html.split('<details class="content-note">')[1].split("</details>")[0]
    assert "Content note: violence" in folded and "What happened to me." in folded
    assert '<details class="content-note" open' not in html


# --- Hiding -------------------------------------------------------------------------------------
def test_a_trainer_hides_a_post_with_a_reason(space, thread):
    reply = thread.posts.last()
    trainer = space.client(space.trainer)
    trainer.post(url(space, "post_hide", reply.pk), {"reason": ""})
    reply.refresh_from_db()
    assert reply.hidden_at is None  # no reason, no hiding
    trainer.post(url(space, "post_hide", reply.pk), {"reason": "Names a person we support"})
    reply.refresh_from_db()
    assert reply.hidden_by == space.trainer and reply.hidden_reason == "Names a person we support"

    for member in (space.ana, space.bea):
        html = page(space.client(member), space, thread)
        assert "Hidden by a trainer." in html and "With a cup of tea." not in html
        assert "Names a person we support" not in html
    html = page(trainer, space, thread)
    assert "With a cup of tea." in html and "Names a person we support" in html and "Tomás" in html

    entry = AuditEntry.objects.get(action="community.post_hidden")
    # About the post, not its author: an entry about a person reaches their data download.
    assert entry.actor == space.trainer and entry.subject is None
    assert entry.detail == {"cohort": space.cohort.pk, "thread": thread.pk, "post": reply.pk,
                            "reason": "Names a person we support"}  # fmt: skip

    trainer.post(url(space, "post_unhide", reply.pk))
    assert "With a cup of tea." in page(space.client(space.ana), space, thread)
    assert AuditEntry.objects.filter(action="community.post_unhidden").count() == 1


def test_the_audit_log_report_names_the_action(space, thread):
    assert "community.post_hidden" in audit.ACTIONS
    services.post_hide(post=thread.posts.last(), by=space.trainer, reason="off topic")


# --- Reports ------------------------------------------------------------------------------------
def test_a_member_reports_a_post_and_a_trainer_hides_it(space, thread):
    reply = thread.posts.last()
    ana = space.client(space.ana)
    ana.post(url(space, "post_report", reply.pk), {"reason": "It names someone"})
    ana.post(url(space, "post_report", reply.pk), {"reason": ""})  # twice: one report
    report = PostReport.objects.get()
    assert (report.reporter, report.reason, report.resolved_at) == (space.ana, "It names someone",
                                                                    None)  # fmt: skip
    assert "You reported this post" in page(ana, space, thread)
    # The author is not told, nor the other members.
    assert "It names someone" not in page(space.client(space.bea), space, thread)

    trainer = space.client(space.trainer)
    listing = trainer.get(url(space, "space")).content.decode()
    assert "1 reported post waits for a trainer" in listing
    reports = trainer.get(url(space, "reports")).content.decode()
    assert "It names someone" in reports and "With a cup of tea." in reports and "Ana" in reports

    trainer.post(url(space, "post_hide", reply.pk), {"reason": "Names a person"})
    report.refresh_from_db()
    assert report.resolved_by == space.trainer and report.resolved_at is not None
    assert "No reported post waits" in trainer.get(url(space, "reports")).content.decode()


def test_a_trainer_closes_reports_and_leaves_the_post(space, thread):
    reply = thread.posts.last()
    services.post_report(post=reply, by=space.ana, reason="rude?")
    space.client(space.trainer).post(url(space, "report_resolve", reply.pk))
    reply.refresh_from_db()
    assert reply.hidden_at is None
    assert PostReport.objects.get().resolved_by == space.trainer
    assert AuditEntry.objects.filter(action="community.report_resolved").count() == 1


def test_nobody_reports_their_own_post(space, thread):
    with pytest.raises(services.CommunityError):
        services.post_report(post=thread.posts.first(), by=space.ana)
    assert not PostReport.objects.exists()


# --- Mutes --------------------------------------------------------------------------------------
def test_a_member_mutes_a_person_for_themselves_only(space, thread):
    reply = thread.posts.last()
    ana = space.client(space.ana)
    ana.post(url(space, "person_mute", reply.pk), {"muted": "1"})
    assert PersonMute.objects.filter(user=space.ana, muted=space.bea).exists()
    html = page(ana, space, thread)
    folded = html.split('<details class="muted-post">')[1].split("</details>")[0]
    assert "You muted this person" in folded and "With a cup of tea." in folded
    assert "Unmute Bea" in html
    # Nobody else sees anything of it, Bea least of all.
    for other in (space.bea, space.trainer):
        assert "You muted this person" not in page(space.client(other), space, thread)
    ana.post(url(space, "person_mute", reply.pk), {"muted": "0"})
    assert not PersonMute.objects.exists()
    assert "muted-post" not in page(ana, space, thread)


def test_nobody_mutes_themselves(space, thread):
    space.client(space.ana).post(url(space, "person_mute", thread.posts.first().pk),
                                 {"muted": "1"})  # fmt: skip
    assert not PersonMute.objects.exists()


def test_a_member_mutes_and_unmutes_a_thread(space, thread):
    ana = space.client(space.ana)
    ana.post(url(space, "thread_mute", thread.pk), {"muted": "1"})
    assert ThreadMute.objects.filter(user=space.ana, thread=thread).exists()
    assert "Muted by you" in ana.get(url(space, "space")).content.decode()
    assert "Muted by you" not in space.client(space.bea).get(url(space, "space")).content.decode()
    ana.post(url(space, "thread_mute", thread.pk), {"muted": "0"})
    assert not ThreadMute.objects.exists()


def test_announcements_to_members_are_on_top(space, thread):
    Announcement.objects.create(cohort=space.cohort, subject="Session moved", body="To Friday",
                                language="en", sent_by=space.trainer)  # fmt: skip
    Announcement.objects.create(cohort=space.cohort, subject="For the waitlist", body="Soon",
                                language="en", audience="waitlist")  # fmt: skip
    html = space.client(space.ana).get(url(space, "space")).content.decode()
    assert "Session moved" in html and html.index("Session moved") < html.index("First steps")
    assert "For the waitlist" not in html
    assert Post.objects.count() == 2


def test_once_the_reports_are_closed_the_member_may_report_again(space, thread):
    reply = thread.posts.last()
    services.post_report(post=reply, by=space.ana, reason="rude?")
    ana = space.client(space.ana)
    assert "You reported this post to the trainers." in page(ana, space, thread)
    space.client(space.trainer).post(url(space, "report_resolve", reply.pk))
    shown = page(ana, space, thread)
    assert "You reported this post to the trainers." not in shown
    assert "Report this post to the trainers" in shown
