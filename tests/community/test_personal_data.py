"""The spaces in the privacy registry: a person's threads, posts, reports, mutes and digest
choice leave with "download my data"; deleting the account keeps their posts under "Former
member" and deletes their reports, mutes and digest choice."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from community import services
from community.models import DigestChoice, PersonMute, Post, PostReport, Thread, ThreadMute
from training import data_download, privacy
from training.deletion import account_delete_now
from training.models import FORMER_MEMBER_LABEL

pytestmark = pytest.mark.django_db

LABELS = ["community.Thread", "community.Post", "community.PostReport", "community.ThreadMute",
          "community.PersonMute", "community.DigestChoice"]  # fmt: skip


def export(person) -> dict[str, list[dict]]:
    return {label: privacy.REGISTRY[label].export_rows(person) for label in LABELS}


@pytest.fixture
def busy(space, thread):
    """Bea replied, reported Ana's post, muted Ana and the thread, and chose a weekly digest;
    a trainer hid Bea's reply."""
    services.post_create(thread=thread, by=space.ana, body="Ana again", content_note="grief")
    services.post_report(post=thread.posts.first(), by=space.bea, reason="Too personal")
    services.person_mute(person=space.ana, by=space.bea)
    services.thread_mute(thread=thread, by=space.bea)
    services.digest_choice_save(user=space.bea, frequency="weekly")
    services.post_hide(post=thread.posts.get(author=space.bea), by=space.trainer, reason="Name")
    return thread


def test_every_model_is_declared():
    assert set(LABELS) <= set(privacy.REGISTRY)
    assert privacy.undeclared() == []


def test_the_export_holds_the_persons_own_rows_others_by_display_name(space, busy):
    exported = export(space.bea)
    assert exported["community.Thread"] == []
    (post,) = exported["community.Post"]
    assert post["text"] == "With a cup of tea." and post["thread"] == "First steps"
    # What the space shows her: that a trainer hid it; not who, when nor why.
    assert post["hidden"] is True
    assert not {"hidden_at", "hidden_by", "hidden_reason"} & set(post)
    (report,) = exported["community.PostReport"]
    assert report["author"] == "Ana" and report["reason"] == "Too personal"
    assert [m["thread"] for m in exported["community.ThreadMute"]] == ["First steps"]
    assert [m["person"] for m in exported["community.PersonMute"]] == ["Ana"]
    assert exported["community.DigestChoice"][0]["frequency"] == "Once a week"
    text = json.dumps(exported, ensure_ascii=False)
    assert "ana@example.org" not in text and "Ana again" not in text  # nobody else's words

    ana = export(space.ana)
    assert [t["title"] for t in ana["community.Thread"]] == ["First steps"]
    assert [p["text"] for p in ana["community.Post"]] == ["How do you **start**?", "Ana again"]
    assert ana["community.PostReport"] == [] and ana["community.PersonMute"] == []


def test_a_deleted_account_leaves_its_posts_as_former_member(
    space, busy, administrator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_delete_now(person=space.bea, by=administrator, reason="Asked by email")
    space.bea.refresh_from_db()
    assert space.bea.anonymised_at is not None
    reply = Post.objects.get(body="With a cup of tea.")
    assert reply.author_id == space.bea.pk and str(reply.author.display_name) == str(
        FORMER_MEMBER_LABEL
    )
    assert not PostReport.objects.filter(reporter=space.bea).exists()
    assert not ThreadMute.objects.filter(user=space.bea).exists()
    assert not PersonMute.objects.filter(user=space.bea).exists()
    assert not DigestChoice.objects.filter(user=space.bea).exists()
    assert Thread.objects.count() == 1 and Post.objects.count() == 3

    html = (
        space.client(space.trainer)
        .get(reverse("community:thread", args=[space.cohort.slug, busy.pk]))
        .content.decode()
    )
    assert "Former member" in html and "Bea" not in html.split("<main")[1]


def archive_text(person) -> str:
    """Everything the person's "download my data" holds (every JSON file and index.html)."""
    handle = io.BytesIO()
    data_download.write_archive(handle, person)
    with zipfile.ZipFile(handle) as archive:
        return "\n".join(archive.read(name).decode() for name in archive.namelist()
                         if name.endswith((".json", ".html")))  # fmt: skip


def test_an_author_downloads_what_the_space_shows_them_of_reports_and_hiding(space, thread):
    """The report form promises "Only the cohort's trainers read your report. The author is not
    told.", and the author reads "Hidden by a trainer." only: the download says no more (no
    reporter, no report, which trainer nor why, no audit entry about them)."""
    reply = thread.posts.get(author=space.bea)
    services.post_report(post=reply, by=space.ana, reason="It names someone")
    services.report_resolve(post=reply, by=space.trainer)
    services.post_report(post=reply, by=space.ana, reason="Still names someone")
    services.post_hide(post=reply, by=space.trainer, reason="Names a person we support")

    text = archive_text(space.bea)
    assert "With a cup of tea." in text  # her own words are there, marked hidden
    (post,) = export(space.bea)["community.Post"]
    assert post["hidden"] is True and post["text"] == "With a cup of tea."
    for secret in ("It names someone", "Still names someone", "Names a person we support",
                   "Tomás", "Ana", "Closed the reports", "Hid a post"):  # fmt: skip
        assert secret not in text, secret
    # The reporter's own download keeps her report; the trainer's, what they did.
    assert "It names someone" not in archive_text(space.trainer)
    assert "Still names someone" in archive_text(space.ana)
