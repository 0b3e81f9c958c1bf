"""The demo has a lively discussion in its running cohort; seeding twice adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from cohorts.models import Announcement, Cohort
from community.models import Post, Thread
from tests.conftest import login_with_mfa
from training.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_space_is_lively_and_seeded_once(client):
    call_command("seed_demo", stdout=StringIO())
    cohort = Cohort.objects.get(slug="harassment-response-autumn-2026")
    threads = Thread.objects.filter(cohort=cohort)
    assert threads.count() >= 3 and threads.filter(pinned=True).count() == 1
    posts = Post.objects.filter(thread__cohort=cohort)
    assert posts.exclude(content_note="").exists()
    assert posts.values("author").distinct().count() >= 4
    trainer = User.objects.get(email="trainer@example.org")
    assert posts.filter(author=trainer).exists()
    assert Announcement.objects.filter(cohort=cohort, audience="members").exists()
    counts = (Thread.objects.count(), Post.objects.count(), Announcement.objects.count())

    call_command("seed_demo", stdout=StringIO())
    assert (Thread.objects.count(), Post.objects.count(), Announcement.objects.count()) == counts

    # The demo volunteer reads it, the announcement on top and the pinned thread first.
    client.force_login(User.objects.get(email="volunteer@example.org"))
    html = client.get(reverse("community:space", args=[cohort.slug])).content.decode()
    assert html.index("Our space is open") < html.index("Agreements for this space")
    assert html.index("Agreements for this space") < html.index("Questions about documenting")
    login_with_mfa(client, trainer)
    assert client.get(reverse("community:reports", args=[cohort.slug])).status_code == 200
