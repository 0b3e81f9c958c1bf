"""The space's pages take the same number of queries with 5 threads or 100, 5 posts or 100
(hidden posts, reports, mutes and content notes among them)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from community.models import PersonMute, Post, PostReport, Thread, ThreadMute
from tests.community.conftest import member

pytestmark = pytest.mark.django_db


def fill(space, *, threads: int, posts: int) -> Thread:
    """`threads` threads by several people (every third muted by Ana), and in the first `posts`
    posts: some hidden, some reported, some with a content note, some by a muted person."""
    people = [space.ana, space.bea, space.trainer] + [
        member(space.cohort, display_name=f"M{n}") for n in range(3)
    ]
    now = timezone.now()
    made = Thread.objects.bulk_create([
        Thread(cohort=space.cohort, author=people[n % len(people)], title=f"Thread {n}",
               pinned=n == 3, created_at=now, last_post_at=now - timedelta(minutes=n))
        for n in range(threads)
    ])  # fmt: skip
    ThreadMute.objects.bulk_create([ThreadMute(user=space.ana, thread=t) for t in made[::3]])
    first = made[0]
    rows = Post.objects.bulk_create([
        Post(thread=first, author=people[n % len(people)], body=f"Post **{n}**",
             content_note="heavy" if n % 4 == 0 else "", created_at=now + timedelta(seconds=n),
             hidden_at=now if n % 5 == 1 else None, hidden_by=space.trainer if n % 5 == 1 else None,
             hidden_reason="off" if n % 5 == 1 else "")
        for n in range(posts)
    ])  # fmt: skip
    PostReport.objects.bulk_create([PostReport(post=p, reporter=space.bea) for p in rows[::7]
                                    if p.author_id != space.bea.pk])  # fmt: skip
    PersonMute.objects.get_or_create(user=space.ana, muted=people[3])
    return first


def count(client, url) -> int:
    client.get(url)  # warm: sessions, roles, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["ana", "trainer"])
def test_the_thread_list_does_not_grow_with_threads(space, who):
    person = getattr(space, who)
    client = space.client(person)
    url = reverse("community:space", args=[space.cohort.slug])
    fill(space, threads=5, posts=1)
    small = count(client, url)
    Thread.objects.all().delete()
    fill(space, threads=100, posts=1)
    large = count(client, url)
    assert small == large, (small, large)


@pytest.mark.parametrize("who", ["ana", "trainer"])
def test_a_thread_page_does_not_grow_with_posts(space, who):
    client = space.client(getattr(space, who))
    small_thread = fill(space, threads=1, posts=5)
    small = count(client, reverse("community:thread", args=[space.cohort.slug, small_thread.pk]))
    large_thread = fill(space, threads=1, posts=100)
    large = count(client, reverse("community:thread", args=[space.cohort.slug, large_thread.pk]))
    assert small == large, (small, large)


def test_the_reports_page_does_not_grow_with_reports(space):
    client = space.client(space.trainer)
    url = reverse("community:reports", args=[space.cohort.slug])
    fill(space, threads=1, posts=5)
    small = count(client, url)
    fill(space, threads=1, posts=100)
    large = count(client, url)
    assert small == large, (small, large)


def opened(space, *, threads: int) -> None:
    """`threads` threads, each with its opening post; every other one hidden (title and all)."""
    now = timezone.now()
    made = Thread.objects.bulk_create([
        Thread(cohort=space.cohort, author=space.bea, title=f"Opened {n}", created_at=now,
               last_post_at=now - timedelta(minutes=n))
        for n in range(threads)
    ])  # fmt: skip
    Post.objects.bulk_create([
        Post(thread=t, author=space.bea, body="Hello", created_at=now,
             hidden_at=now if n % 2 else None, hidden_by=space.trainer if n % 2 else None,
             hidden_reason="harassing title" if n % 2 else "")
        for n, t in enumerate(made)
    ])  # fmt: skip


@pytest.mark.parametrize("who", ["ana", "trainer"])
def test_hidden_titles_cost_no_query_per_thread(space, who):
    client = space.client(getattr(space, who))
    url = reverse("community:space", args=[space.cohort.slug])
    opened(space, threads=4)
    small = count(client, url)
    Thread.objects.all().delete()
    opened(space, threads=30)
    large = count(client, url)
    assert small == large, (small, large)
    html = client.get(url).content.decode()
    if who == "ana":  # 15 titles hidden from her, 15 shown
        assert html.count("Title hidden by a trainer") == 15 and "Opened 1<" not in html
        assert "Opened 0<" in html
    else:
        assert html.count("Title hidden from the members") == 15 and "Opened 1<" in html
