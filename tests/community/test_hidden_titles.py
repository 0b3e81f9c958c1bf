"""A thread's title belongs to its opening post: once a trainer hides that post, the members
read "Title hidden by a trainer" instead of the title everywhere (the list, the thread's page,
digests, data downloads), while the trainers still read it, marked hidden."""

import pytest
from django.core import mail
from django.urls import reverse

from community import services
from community.digests import send_digests
from tests.community.test_digests import choose, digest_for, noon_utc
from tests.helpers import export_rows

pytestmark = pytest.mark.django_db

TITLE = "First steps"
PLACEHOLDER = "Title hidden by a trainer"
MARK = "Title hidden from the members"


def url(space, name, *args):
    return reverse(f"community:{name}", args=[space.cohort.slug, *args])


def read(client, address) -> str:
    response = client.get(address)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def hidden(space, thread):
    """A trainer hid Ana's opening post of "First steps" (Bea's reply stays)."""
    opening = thread.posts.first()
    trainer = space.client(space.trainer)
    response = trainer.post(url(space, "post_hide", opening.pk), {"reason": "A harassing title"},
                            follow=True)  # fmt: skip
    said = "The post and the thread&#x27;s title are hidden from the members."
    assert said in response.content.decode()
    return thread


def test_members_read_a_placeholder_instead_of_the_title(space, hidden):
    for person in (space.ana, space.bea):  # the author too, as for a hidden post
        client = space.client(person)
        for address in (url(space, "space"), url(space, "thread", hidden.pk)):
            html = read(client, address)
            assert TITLE not in html, (person, address)
            assert PLACEHOLDER in html and MARK not in html
        # The reply is still there to read and to answer.
        assert "With a cup of tea." in read(client, url(space, "thread", hidden.pk))
    thread_page = read(space.client(space.bea), url(space, "thread", hidden.pk))
    assert f"<h1>{PLACEHOLDER}</h1>" in thread_page
    assert f"<title>{PLACEHOLDER} · Discussion space" in thread_page


def test_trainers_read_the_title_marked_hidden(space, hidden):
    trainer = space.client(space.trainer)
    listing = read(trainer, url(space, "space"))
    assert TITLE in listing and MARK in listing and PLACEHOLDER not in listing
    page = read(trainer, url(space, "thread", hidden.pk))
    assert f"<h1>{TITLE}</h1>" in page and MARK in page
    assert "title is hidden from the members too" in page

    # On the reports page too (another post of the thread reported).
    services.post_report(post=hidden.posts.last(), by=space.ana, reason="Rude")
    reports = read(trainer, url(space, "reports"))
    assert TITLE in reports and MARK in reports


def test_showing_the_post_again_shows_the_title(space, hidden):
    space.client(space.trainer).post(url(space, "post_unhide", hidden.posts.first().pk))
    html = read(space.client(space.bea), url(space, "space"))
    assert TITLE in html and PLACEHOLDER not in html


def test_hiding_a_reply_leaves_the_title(space, thread):
    services.post_hide(post=thread.posts.last(), by=space.trainer, reason="Off topic")
    html = read(space.client(space.ana), url(space, "thread", thread.pk))
    assert f"<h1>{TITLE}</h1>" in html and PLACEHOLDER not in html
    trainer = read(space.client(space.trainer), url(space, "thread", thread.pk))
    assert MARK not in trainer
    assert "This post opens the thread" in trainer  # the opening post's hide form says so


def test_digests_never_hold_a_hidden_title(space, hidden):
    services.post_create(thread=hidden, by=space.ana, body="Still here")
    choose(space.bea)
    choose(space.trainer)
    assert send_digests(now=noon_utc()) == 2
    for person in (space.bea, space.trainer):
        body = digest_for(person).body
        assert TITLE not in body and f"- {PLACEHOLDER} (" in body
        assert f"/space/{hidden.pk}/" in body
    assert all(TITLE not in message.subject for message in mail.outbox)


def test_data_downloads_hold_the_placeholder_except_the_titles_author(space, hidden):
    services.thread_mute(thread=hidden, by=space.bea)
    services.post_report(post=services.post_create(thread=hidden, by=space.ana, body="Hm"),
                         by=space.bea, reason="Rude")  # fmt: skip
    bea = {label: export_rows(label, space.bea) for label in
           ("community.Post", "community.ThreadMute", "community.PostReport")}  # fmt: skip
    assert [row["thread"] for rows in bea.values() for row in rows] == [PLACEHOLDER] * 3
    # Ana wrote the title: her download gives it back, saying it is hidden.
    (started,) = export_rows("community.Thread", space.ana)
    assert started["title"] == TITLE and started["title_hidden"] is True
    assert {row["thread"] for row in export_rows("community.Post", space.ana)} == {TITLE}
