"""What the cohort spaces keep about a person, for the privacy registry (training/privacy.py):
exported with "download my data"; on deletion the posts and threads stay, their author shown as
"Former member" (other people's replies would make no sense without them), while reports, mutes
and the digest choice are deleted."""

from django.utils.translation import gettext_lazy as _

from training.privacy import Declaration, Erase, declare, iso, shown_name

from .models import HIDDEN_TITLE, DigestChoice, PersonMute, Post, PostReport, Thread, ThreadMute
from .selectors import opening_post


def _title(thread, opening_hidden_at, person) -> str:
    """A thread's title as the person reads it in the space: once a trainer hid its opening
    post, HIDDEN_TITLE (unless they wrote the title themselves)."""
    if opening_hidden_at is not None and thread.author_id != person.pk:
        return str(HIDDEN_TITLE)
    return thread.title


def _threads(person) -> list[dict]:
    rows = (
        Thread.objects.filter(author=person).select_related("cohort")
        .annotate(opening_hidden_at=opening_post("hidden_at")).order_by("created_at")
    )  # fmt: skip
    return [{"cohort": t.cohort.title, "title": t.title, "created_at": iso(t.created_at),
             "title_hidden": t.title_hidden} for t in rows]  # fmt: skip


def _posts(person) -> list[dict]:
    """The person's posts as they read them: whether a trainer hid one, never which trainer,
    when or why (the space shows them "Hidden by a trainer." only)."""
    rows = (
        Post.objects.filter(author=person).select_related("thread__cohort")
        .annotate(thread_hidden_at=opening_post("hidden_at", "thread"))
        .order_by("created_at", "pk")
    )  # fmt: skip
    return [
        {"cohort": p.thread.cohort.title, "thread": _title(p.thread, p.thread_hidden_at, person),
         "text": p.body, "content_note": p.content_note, "created_at": iso(p.created_at),
         "edited_at": iso(p.edited_at), "hidden": p.hidden_at is not None}
        for p in rows
    ]  # fmt: skip


def _reports(person) -> list[dict]:
    rows = (
        PostReport.objects.filter(reporter=person)
        .select_related("post__thread__cohort", "post__author", "resolved_by")
        .annotate(thread_hidden_at=opening_post("hidden_at", "post__thread"))
        .order_by("created_at", "pk")
    )  # fmt: skip
    return [
        {"cohort": r.post.thread.cohort.title,
         "thread": _title(r.post.thread, r.thread_hidden_at, person),
         "author": shown_name(r.post.author), "reason": r.reason, "created_at": iso(r.created_at),
         "resolved_at": iso(r.resolved_at), "resolved_by": shown_name(r.resolved_by)}
        for r in rows
    ]  # fmt: skip


def _thread_mutes(person) -> list[dict]:
    rows = (
        ThreadMute.objects.filter(user=person).select_related("thread__cohort")
        .annotate(thread_hidden_at=opening_post("hidden_at", "thread")).order_by("created_at")
    )  # fmt: skip
    return [{"cohort": m.thread.cohort.title,
             "thread": _title(m.thread, m.thread_hidden_at, person),
             "created_at": iso(m.created_at)} for m in rows]  # fmt: skip


def _person_mutes(person) -> list[dict]:
    rows = PersonMute.objects.filter(user=person).select_related("muted")
    return [{"person": shown_name(m.muted), "created_at": iso(m.created_at)}
            for m in rows.order_by("created_at")]  # fmt: skip


def _digest(person) -> list[dict]:
    choice = DigestChoice.objects.filter(user=person).first()
    if choice is None:
        return []
    return [{"frequency": str(choice.get_frequency_display()),
             "last_sent_at": iso(choice.last_sent_at),
             "updated_at": iso(choice.updated_at)}]  # fmt: skip


KEPT_AS_FORMER_MEMBER = _(
    "Your posts and threads stay in the cohort's space so that the replies around them still "
    'make sense; they name you as "Former member".'
)

declare(
    Declaration(
        model="community.Thread",
        category="cohorts",
        title=_("Threads you started in a cohort's space"),
        labels={"title": _("Title"), "title_hidden": HIDDEN_TITLE},
        holds=_(
            "The titles of the threads you started in your cohorts' spaces, and whether a "
            "trainer hid one (with the thread's first message)."
        ),
        purpose=_("So that your cohort can talk together."),
        seen_by=_(
            "The cohort's members and trainers, by your display name (a hidden title: the "
            "trainers only)."
        ),
        person=("author",),
        export=_threads,
        erase=Erase.KEEP,
        kept_because=KEPT_AS_FORMER_MEMBER,
    ),
    Declaration(
        model="community.Post",
        category="cohorts",
        title=_("Your messages in a cohort's space"),
        labels={
            "thread": _("Thread"),
            "content_note": _("Content note"),
            "edited_at": _("Edited"),
            "hidden": _("Hidden by a trainer"),
        },
        # Which trainer hid a message, when and why are the trainers' own notes: the space
        # shows its author "Hidden by a trainer." only, and so does the download.
        holds=_(
            "What you wrote in your cohorts' spaces, with its content note, and whether a "
            "trainer hid it (which trainer and why: for the trainers only)."
        ),
        purpose=_("So that your cohort can talk together."),
        seen_by=_(
            "The cohort's members and trainers, by your display name (a hidden message: the "
            "trainers only)."
        ),
        person=("author",),
        actors=("hidden_by",),
        export=_posts,
        erase=Erase.KEEP,
        kept_because=KEPT_AS_FORMER_MEMBER,
    ),
    Declaration(
        model="community.PostReport",
        category="cohorts",
        title=_("Messages you reported to the trainers"),
        labels={
            "thread": _("Thread"),
            "author": _("Written by"),
            "reason": _("What you said was wrong"),
            "resolved_at": _("Answered"),
            "resolved_by": _("Answered by"),
        },
        holds=_("The messages you reported to your cohort's trainers, and what you told them."),
        purpose=_("So that the trainers can look after the space."),
        seen_by=_("You and the cohort's trainers."),
        person=("reporter",),
        actors=("resolved_by",),
        export=_reports,
        erase=Erase.DELETE,
    ),
    Declaration(
        model="community.ThreadMute",
        category="cohorts",
        title=_("Threads you muted"),
        labels={"thread": _("Thread")},
        holds=_("The threads you muted in your cohorts' spaces."),
        purpose=_("To leave them folded for you, and out of your digests."),
        seen_by=_("You."),
        export=_thread_mutes,
        erase=Erase.DELETE,
    ),
    Declaration(
        model="community.PersonMute",
        category="cohorts",
        title=_("People you muted"),
        labels={"person": _("Person")},
        holds=_("The people whose messages you chose to leave folded."),
        purpose=_("To leave their messages folded for you, and out of your digests."),
        seen_by=_("You. Nobody is told that you muted them."),
        actors=("muted",),
        export=_person_mutes,
        erase=Erase.DELETE,
    ),
    Declaration(
        model="community.DigestChoice",
        category="messages",
        title=_("Your digest of your cohort's space"),
        labels={"frequency": _("How often"), "last_sent_at": _("Last sent")},
        holds=_("How often you receive an email digest of your cohorts' spaces."),
        purpose=_("To send you the digest you chose, and no other."),
        seen_by=_("You."),
        export=_digest,
        erase=Erase.DELETE,
    ),
)
