"""Writes to a cohort's space. Every function checks who may do it (the space's members and
trainers; moderation is the trainers'), validates, and runs in one transaction; moderation
leaves an entry in the audit log (training.audit)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort
from training import audit
from training.errors import ServiceError

from .models import DigestChoice, PersonMute, Post, PostReport, Thread, ThreadMute
from .selectors import TRAINER, space_role


class CommunityError(ServiceError):
    """What the person asked for cannot be done in the space; the message says why."""

    code = "community"


def _role(cohort: Cohort, user) -> str:
    role = space_role(cohort, user)
    if role is None:
        raise CommunityError(_("Only the cohort's members and trainers can do this."),
                             code="not_in_space")  # fmt: skip
    return role


def _trainer(cohort: Cohort, user) -> None:
    if _role(cohort, user) != TRAINER:
        raise CommunityError(_("Only the cohort's trainers can do this."), code="not_trainer")


def _valid(instance) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise CommunityError(" ".join(error.messages), code="invalid") from error


# --- Writing --------------------------------------------------------------------------------------
@transaction.atomic
def thread_create(*, cohort: Cohort, by, title: str, body: str, content_note: str = "") -> Thread:
    """A new thread and its first post."""
    _role(cohort, by)
    now = timezone.now()
    thread = Thread(cohort=cohort, author=by, title=" ".join(title.split()), created_at=now,
                    last_post_at=now)  # fmt: skip
    _valid(thread)
    thread.save()
    _post(thread, by, body, content_note, now)
    return thread


def _post(thread: Thread, by, body: str, content_note: str, now) -> Post:
    post = Post(thread=thread, author=by, body=body.strip(), created_at=now,
                content_note=" ".join(content_note.split()))  # fmt: skip
    _valid(post)
    post.save()
    return post


@transaction.atomic
def post_create(*, thread: Thread, by, body: str, content_note: str = "") -> Post:
    """A reply. A locked thread takes none."""
    thread = Thread.objects.select_for_update().select_related("cohort").get(pk=thread.pk)
    _role(thread.cohort, by)
    if thread.locked:
        raise CommunityError(_("This thread is locked by the trainers: it takes no new replies."),
                             code="locked")  # fmt: skip
    now = timezone.now()
    post = _post(thread, by, body, content_note, now)
    Thread.objects.filter(pk=thread.pk).update(last_post_at=now)
    return post


# --- Moderation (trainers) --------------------------------------------------------------------
# Its audit entries name the cohort, thread and post, never the post's author as their subject:
# an entry about a person reaches their data download (training.personal_data), and the author
# is not told of reports nor of which trainer hid their post, nor why.
def _detail(post: Post, **more) -> dict:
    return {"cohort": post.thread.cohort_id, "thread": post.thread_id, "post": post.pk, **more}


@transaction.atomic
def post_hide(*, post: Post, by, reason: str, request=None) -> Post:
    """Hide a post from the members (the trainers still see it, with who hid it and why); a
    thread's opening post takes the thread's title with it (Thread.title_hidden). Its open
    reports are answered by it."""
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    _trainer(post.thread.cohort, by)
    reason = " ".join(reason.split())
    if not reason:
        raise CommunityError(_("Say why the post is hidden: the other trainers will read it."),
                             code="no_reason")  # fmt: skip
    now = timezone.now()
    post.hidden_at, post.hidden_by, post.hidden_reason = now, by, reason
    _valid(post)
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    PostReport.objects.filter(post=post, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=by
    )
    audit.record(action="community.post_hidden", actor=by, request=request,
                 detail=_detail(post, reason=reason))  # fmt: skip
    return post


@transaction.atomic
def post_unhide(*, post: Post, by, request=None) -> Post:
    post = Post.objects.select_for_update().select_related("thread").get(pk=post.pk)
    _trainer(post.thread.cohort, by)
    if post.hidden_at is None:
        return post
    post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    audit.record(action="community.post_unhidden", actor=by, request=request,
                 detail=_detail(post))  # fmt: skip
    return post


def _thread_flag(thread: Thread, by, field: str, value: bool, action: str, request) -> Thread:
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _trainer(thread.cohort, by)
    if getattr(thread, field) != value:
        setattr(thread, field, value)
        thread.save(update_fields=[field])
        detail = {"cohort": thread.cohort_id, "thread": thread.pk, field: value}
        audit.record(action=action, actor=by, request=request, detail=detail)
    return thread


@transaction.atomic
def thread_pin(*, thread: Thread, by, pinned: bool = True, request=None) -> Thread:
    """Pin a thread at the top of the list (or unpin it)."""
    return _thread_flag(thread, by, "pinned", pinned, "community.thread_pinned", request)


@transaction.atomic
def thread_lock(*, thread: Thread, by, locked: bool = True, request=None) -> Thread:
    """Lock a thread (no new replies) or reopen it."""
    return _thread_flag(thread, by, "locked", locked, "community.thread_locked", request)


# --- Reports ----------------------------------------------------------------------------------
@transaction.atomic
def post_report(*, post: Post, by, reason: str = "") -> PostReport:
    """A member tells the trainers about a post (once; reporting again after the trainers
    answered opens the report again)."""
    post = Post.objects.select_related("thread__cohort").get(pk=post.pk)
    _role(post.thread.cohort, by)
    if post.author_id == by.pk:
        raise CommunityError(_("You cannot report your own post."), code="own_post")
    if post.hidden_at is not None:
        raise CommunityError(_("A trainer has already hidden this post."), code="hidden")
    report, created = PostReport.objects.get_or_create(
        post=post, reporter=by, defaults={"reason": reason.strip()}
    )
    if not created:
        report.reason = reason.strip() or report.reason
        report.resolved_at, report.resolved_by = None, None
    _valid(report)
    report.save()
    return report


@transaction.atomic
def report_resolve(*, post: Post, by, request=None) -> int:
    """The trainers looked at a post's reports and leave the post as it is: the reports close.
    Returns how many closed."""
    post = Post.objects.select_related("thread").get(pk=post.pk)
    _trainer(post.thread.cohort, by)
    closed = PostReport.objects.filter(post=post, resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by
    )
    if closed:
        audit.record(action="community.report_resolved", actor=by, request=request,
                     detail=_detail(post))  # fmt: skip
    return closed


# --- For oneself: mutes and the digest --------------------------------------------------------
@transaction.atomic
def thread_mute(*, thread: Thread, by, muted: bool = True) -> None:
    """Mute a thread for oneself (folded in the list, out of one's digests), or unmute it."""
    _role(thread.cohort, by)
    if muted:
        ThreadMute.objects.get_or_create(user=by, thread=thread)
    else:
        ThreadMute.objects.filter(user=by, thread=thread).delete()


@transaction.atomic
def person_mute(*, person, by, muted: bool = True, cohort: Cohort | None = None) -> None:
    """Mute a person for oneself: their posts come folded, out of one's digests. Nobody is
    told. `cohort`: the space it was done from (both must be in it)."""
    if person is None or person.pk == by.pk:
        raise CommunityError(_("You cannot mute yourself."), code="self")
    if not muted:
        PersonMute.objects.filter(user=by, muted=person).delete()
        return
    if cohort is not None:
        _role(cohort, by)
    try:
        with transaction.atomic():
            PersonMute.objects.get_or_create(user=by, muted=person)
    except IntegrityError:  # the same click twice at once
        pass


@transaction.atomic
def digest_choice_save(*, user, frequency: str) -> DigestChoice:
    choice, _created = DigestChoice.objects.get_or_create(user=user)
    if choice.frequency != frequency:
        choice.frequency = frequency
        _valid(choice)
        choice.save()
    return choice
