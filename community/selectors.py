"""Reads of a cohort's space: who may enter it, the thread list, a thread's page, the trainers'
reports and what a person muted. Each page takes a fixed number of queries whatever the number
of threads and posts (tests/community/test_queries.py)."""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery

from cohorts.models import Announcement, Cohort
from cohorts.selectors import is_current_trainer, membership_of

from .models import DigestChoice, PersonMute, Post, PostReport, Thread, ThreadMute

TRAINER, MEMBER = "trainer", "member"
THREADS_PER_PAGE = 30
POSTS_PER_PAGE = 50
ANNOUNCEMENTS_SHOWN = 3


def space_role(cohort: Cohort, user) -> str | None:
    """ "trainer" (listed among the cohort's trainers and holding the role now), "member" (a
    current member), or None: nobody else may know the space exists, administrators included
    (the members talk to their own trainers, not to whoever runs the platform)."""
    if not user.is_authenticated or not user.is_active:
        return None
    if is_current_trainer(cohort, user):
        return TRAINER
    if membership_of(cohort, user) is not None:
        return MEMBER
    return None


def opening_post(field: str, thread: str = "pk") -> Subquery:
    """`field` of a thread's opening post (its first), to annotate rows with; `thread` is the
    path from those rows to the thread. Hiding the opening post hides the thread's title."""
    first = Post.objects.filter(thread=OuterRef(thread)).order_by("created_at", "pk")
    return Subquery(first.values(field)[:1])


def with_opening(threads):
    """Threads with their opening post's id and when it was hidden (Thread.title_hidden)."""
    return threads.annotate(opening_post_id=opening_post("pk"),
                            opening_hidden_at=opening_post("hidden_at"))  # fmt: skip


def announcements(cohort: Cohort) -> list[Announcement]:
    """The trainers' newest messages to the members, for the top of the space."""
    members = Announcement.Audience.MEMBERS
    rows = cohort.announcements.filter(audience=members).select_related("sent_by")
    return list(rows[:ANNOUNCEMENTS_SHOWN])


def muted_people(user) -> set[int]:
    return set(PersonMute.objects.filter(user=user).values_list("muted_id", flat=True))


def thread_list(*, cohort: Cohort, user, role: str, page=1):
    """A page of the cohort's threads, pinned first then the latest active: each with its
    author, how many posts it holds (a member does not count hidden ones), whether its title is
    hidden and whether this person muted it. Three queries."""
    visible = Q() if role == TRAINER else Q(posts__hidden_at__isnull=True)
    threads = (
        with_opening(Thread.objects.filter(cohort=cohort)).select_related("author")
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
    author `muted` by them; `opens_thread` for the opening post (`thread` from with_opening).
    Five queries at most."""
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
    opening = getattr(thread, "opening_post_id", None)  # with_opening's
    for post in posts_page.object_list:
        post.muted = post.author_id in muted and post.author_id != user.pk
        post.opens_thread = post.pk == opening
    return posts_page


def thread_muted(thread: Thread, user) -> bool:
    return ThreadMute.objects.filter(thread=thread, user=user).exists()


def open_reports(cohort: Cohort) -> list[Post]:
    """The cohort's posts with reports no trainer has answered, oldest report first, each with
    its reports (and who made them), and its thread with whether its title is hidden. Two
    queries."""
    waiting = PostReport.objects.filter(resolved_at__isnull=True)
    posts = list(
        Post.objects.filter(thread__cohort=cohort, reports__in=waiting).distinct()
        .select_related("thread", "author", "hidden_by")
        .annotate(thread_opening_id=opening_post("pk", "thread"),
                  thread_opening_hidden_at=opening_post("hidden_at", "thread"))
        .prefetch_related(Prefetch(
            "reports", queryset=waiting.select_related("reporter").order_by("created_at", "pk"),
            to_attr="open_reports",
        ))
        .order_by("created_at", "pk")
    )  # fmt: skip
    for post in posts:
        post.thread.opening_post_id = post.thread_opening_id
        post.thread.opening_hidden_at = post.thread_opening_hidden_at
        post.opens_thread = post.pk == post.thread_opening_id
    return posts


def open_report_count(cohort: Cohort) -> int:
    waiting = PostReport.objects.filter(post__thread__cohort=cohort, resolved_at__isnull=True)
    return waiting.values("post_id").distinct().count()


def digest_frequency(user) -> str:
    """How often `user` chose to receive the digest (no choice: never)."""
    choice = DigestChoice.objects.filter(user=user).values_list("frequency", flat=True).first()
    return choice or DigestChoice.Frequency.NONE
