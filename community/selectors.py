"""Reads of a cohort's space: who may enter it, the thread list, a thread's page, the trainers'
reports and what a person muted. Each page takes a fixed number of queries whatever the number
of threads and posts (tests/community/test_queries.py)."""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from cohorts.models import Announcement, Cohort
from cohorts.selectors import membership_of, trains

from .models import DigestChoice, PersonMute, Post, PostReport, Thread, ThreadMute

TRAINER, MEMBER = "trainer", "member"
THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 50
ANNOUNCEMENTS_SHOWN = 3


def space_role(cohort: Cohort, user) -> str | None:
    """ "trainer" (the cohort's trainers, administrators), "member" (a current member), or None:
    nobody else may know the space exists."""
    if not user.is_authenticated or not user.is_active:
        return None
    if trains(cohort, user):
        return TRAINER
    if membership_of(cohort, user) is not None:
        return MEMBER
    return None


def announcements(cohort: Cohort) -> list[Announcement]:
    """The trainers' newest messages to the members, for the top of the space."""
    members = Announcement.Audience.MEMBERS
    rows = cohort.announcements.filter(audience=members).select_related("sent_by")
    return list(rows[:ANNOUNCEMENTS_SHOWN])


def muted_people(user) -> set[int]:
    return set(PersonMute.objects.filter(user=user).values_list("muted_id", flat=True))


def thread_list(*, cohort: Cohort, user, role: str, page=1):
    """A page of the cohort's threads, pinned first then the latest active: each with its
    author, how many posts it holds (a member does not count hidden ones), and whether this
    person muted it. Three queries."""
    visible = Q() if role == TRAINER else Q(posts__hidden_at__isnull=True)
    threads = (
        Thread.objects.filter(cohort=cohort).select_related("author")
        .annotate(
            post_count=Count("posts", filter=visible),
            muted=Exists(ThreadMute.objects.filter(user=user, thread=OuterRef("pk"))),
        )
        .order_by("-pinned", "-last_post_at", "-pk")
    )  # fmt: skip
    return Paginator(threads, THREADS_PER_PAGE).get_page(page)


def thread_posts(*, thread: Thread, user, role: str, page=1):
    """A page of the thread's posts in order, each with its author (and for trainers who hid
    it and its open reports), and what this person did about it: `reported` by them, its
    author `muted` by them. Five queries at most."""
    posts = Post.objects.filter(thread=thread).select_related("author", "hidden_by")
    if role == TRAINER:
        posts = posts.prefetch_related(
            Prefetch(
                "reports",
                queryset=PostReport.objects.filter(resolved_at__isnull=True)
                .select_related("reporter").order_by("created_at", "pk"),
                to_attr="open_reports",
            )
        )  # fmt: skip
    else:
        posts = posts.annotate(
            # An open report only: once the trainers closed it, the member may report again.
            reported=Exists(
                PostReport.objects.filter(
                    post=OuterRef("pk"), reporter=user, resolved_at__isnull=True
                )
            )
        )
    posts_page = Paginator(posts.order_by("created_at", "pk"), POSTS_PER_PAGE).get_page(page)
    muted = muted_people(user)
    for post in posts_page.object_list:
        post.muted = post.author_id in muted and post.author_id != user.pk
    return posts_page


def thread_muted(thread: Thread, user) -> bool:
    return ThreadMute.objects.filter(thread=thread, user=user).exists()


def open_reports(cohort: Cohort) -> list[Post]:
    """The cohort's posts with reports no trainer has answered, oldest report first, each with
    its reports (and who made them). Two queries."""
    waiting = PostReport.objects.filter(resolved_at__isnull=True)
    posts = (
        Post.objects.filter(thread__cohort=cohort, reports__in=waiting).distinct()
        .select_related("thread", "author", "hidden_by")
        .prefetch_related(Prefetch(
            "reports", queryset=waiting.select_related("reporter").order_by("created_at", "pk"),
            to_attr="open_reports",
        ))
        .order_by("created_at", "pk")
    )  # fmt: skip
    return list(posts)


def open_report_count(cohort: Cohort) -> int:
    waiting = PostReport.objects.filter(post__thread__cohort=cohort, resolved_at__isnull=True)
    return waiting.values("post_id").distinct().count()


def digest_frequency(user) -> str:
    """How often `user` chose to receive the digest (no choice: never)."""
    choice = DigestChoice.objects.filter(user=user).values_list("frequency", flat=True).first()
    return choice or DigestChoice.Frequency.NONE
