"""Only the cohort's current members and its trainers reach its space: everyone else gets a 404
(never a hint that a space or a thread exists), whatever address they try."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Membership
from cohorts.selectors import is_current_trainer
from community import services
from community.digests import send_digests
from community.models import Post
from tests.cohorts.factories import make_cohort
from tests.community.test_digests import choose, noon_utc
from training.factories import UserFactory
from training.roles import Role

pytestmark = pytest.mark.django_db


def addresses(space, thread) -> list[tuple[str, str]]:
    slug, post = space.cohort.slug, thread.posts.first()
    return [
        ("get", reverse("community:space", args=[slug])),
        ("get", reverse("community:thread_new", args=[slug])),
        ("get", reverse("community:thread", args=[slug, thread.pk])),
        ("post", reverse("community:thread", args=[slug, thread.pk])),
        ("post", reverse("community:post_report", args=[slug, post.pk])),
        ("post", reverse("community:thread_mute", args=[slug, thread.pk])),
        ("post", reverse("community:person_mute", args=[slug, post.pk])),
        ("post", reverse("community:post_hide", args=[slug, post.pk])),
        ("post", reverse("community:thread_pin", args=[slug, thread.pk])),
        ("get", reverse("community:reports", args=[slug])),
    ]


def test_members_and_trainers_read_the_space(space, thread):
    for person in (space.ana, space.bea, space.trainer):
        client = space.client(person)
        page = client.get(reverse("community:space", args=[space.cohort.slug]))
        assert page.status_code == 200
        assert "First steps" in page.content.decode()
        page = client.get(reverse("community:thread", args=[space.cohort.slug, thread.pk]))
        assert "With a cup of tea." in page.content.decode()
        # Display names only, never an email address.
        assert "ana@example.org" not in page.content.decode()
        assert "Ana" in page.content.decode()


@pytest.mark.parametrize("who", ["stranger", "former", "other_trainer", "listed_no_role"])
def test_everyone_else_gets_a_404(space, thread, who):
    if who == "stranger":
        person = UserFactory()
    elif who == "former":
        person = space.bea
        Membership.objects.filter(user=person).update(
            left_at=timezone.now(), left_reason="withdrew"
        )
    elif who == "other_trainer":
        person = UserFactory(roles=[Role.TRAINER])
        make_cohort("elsewhere", trainer=person, questions=False, course=False)
    else:  # listed among the trainers, but the trainer role was taken away
        person = UserFactory()
        space.cohort.trainers.add(person)
    client = space.client(person, second_factor=True)
    before = Post.objects.count()
    for method, url in addresses(space, thread):
        response = getattr(client, method)(url, {"body": "Hello", "reason": "x", "muted": "1"})
        assert response.status_code == 404, (who, url)
    assert Post.objects.count() == before
    assert not Post.objects.filter(hidden_at__isnull=False).exists()


def test_a_missing_thread_or_a_thread_of_another_cohort_is_a_404(space, thread):
    other = make_cohort("other", trainer=space.trainer, questions=False, course=False)
    client = space.client(space.trainer)
    assert client.get(reverse("community:thread", args=[other.slug, thread.pk])).status_code == 404
    assert (
        client.get(reverse("community:thread", args=[space.cohort.slug, 999999])).status_code == 404
    )


def test_signed_out_people_are_sent_to_sign_in(space, client):
    response = client.get(reverse("community:space", args=[space.cohort.slug]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_trainer_passes_a_second_factor_first(space, thread):
    client = space.client(space.trainer, second_factor=False)
    response = client.get(reverse("community:space", args=[space.cohort.slug]))
    assert response.status_code == 302
    assert "mfa" in response["Location"] or "two-factor" in response["Location"]


def test_members_cannot_moderate_nor_see_the_reports(space, thread):
    client = space.client(space.bea)
    post = thread.posts.first()
    slug = space.cohort.slug
    assert client.get(reverse("community:reports", args=[slug])).status_code == 404
    client.post(reverse("community:post_hide", args=[slug, post.pk]), {"reason": "mine"})
    client.post(reverse("community:thread_pin", args=[slug, thread.pk]), {"pinned": "1"})
    client.post(reverse("community:thread_lock", args=[slug, thread.pk]), {"locked": "1"})
    thread.refresh_from_db()
    post.refresh_from_db()
    assert post.hidden_at is None and not thread.pinned and not thread.locked


def test_the_cohort_page_and_the_trainers_desk_link_to_the_space(space):
    url = reverse("community:space", args=[space.cohort.slug])
    member_page = space.client(space.ana).get(reverse("cohorts:detail", args=[space.cohort.slug]))
    assert url in member_page.content.decode()
    desk = space.client(space.trainer).get(
        reverse("cohorts:trainer_cohort", args=[space.cohort.slug])
    )
    assert url in desk.content.decode()
    stranger = space.client(UserFactory()).get(reverse("cohorts:detail", args=[space.cohort.slug]))
    assert url not in stranger.content.decode()


# --- Administrators -----------------------------------------------------------------------------
@pytest.mark.parametrize("roles", [[Role.ADMINISTRATOR], [Role.ADMINISTRATOR, Role.TRAINER]])
def test_an_administrator_who_neither_trains_nor_belongs_gets_a_404(space, thread, roles):
    """The members talk to their own trainers: running the platform gives no way into a
    cohort's space, its hidden posts or its reports; nor a link to it, nor its digest."""
    root = UserFactory(display_name="Root", roles=roles)
    services.post_report(post=thread.posts.last(), by=space.ana, reason="Names someone")
    client = space.client(root, second_factor=True)
    for method, url in addresses(space, thread):
        response = getattr(client, method)(url, {"body": "Hello", "reason": "x", "muted": "1"})
        assert response.status_code == 404, url
    assert not Post.objects.filter(hidden_at__isnull=False).exists()
    with pytest.raises(services.CommunityError):
        services.post_hide(post=thread.posts.last(), by=root, reason="Mine to hide")

    space_url = reverse("community:space", args=[space.cohort.slug])
    cohort_page = client.get(reverse("cohorts:detail", args=[space.cohort.slug]))
    assert space_url not in cohort_page.content.decode()
    if Role.TRAINER in roles:  # the trainer's pages of any cohort: without the space
        menu = client.get(reverse("cohorts:trainer_cohort", args=[space.cohort.slug]))
        assert menu.status_code == 200
        assert space_url not in menu.content.decode()
        assert (
            reverse("cohorts:trainer_questions", args=[space.cohort.slug]) in menu.content.decode()
        )

    choose(root)
    assert send_digests(now=noon_utc()) == 0 and mail.outbox == []


def test_an_administrator_listed_as_a_trainer_moderates_as_one(space, thread):
    root = UserFactory(roles=[Role.ADMINISTRATOR, Role.TRAINER])
    space.cohort.trainers.add(root)
    client = space.client(root, second_factor=True)
    assert client.get(reverse("community:reports", args=[space.cohort.slug])).status_code == 200
    menu = client.get(reverse("cohorts:trainer_cohort", args=[space.cohort.slug]))
    assert reverse("community:space", args=[space.cohort.slug]) in menu.content.decode()


def test_a_current_trainer_is_listed_and_holds_the_role(space, django_assert_max_num_queries):
    """cohorts.selectors.is_current_trainer: no bypass for administrators, one query at most."""
    listed_no_role, root = UserFactory(), UserFactory(roles=[Role.ADMINISTRATOR])
    space.cohort.trainers.add(listed_no_role)
    trainer = type(space.trainer).objects.get(pk=space.trainer.pk)  # roles not read yet
    with django_assert_max_num_queries(1):
        assert is_current_trainer(space.cohort, trainer)
    with django_assert_max_num_queries(1):
        assert not is_current_trainer(space.cohort, listed_no_role)
    with django_assert_max_num_queries(1):
        assert not is_current_trainer(space.cohort, root)
    assert not is_current_trainer(space.cohort, space.ana)
