"""A cohort's space (/cohorts/<slug>/space/): its threads, a thread's posts, writing, the
trainers' moderation and reports, and each person's mutes.

Only the cohort's current members and its trainers reach any of it: everyone else gets a 404,
never a hint that the space or a thread exists. Trainers act here with a second factor, as on
their desk. Every change is a POST that goes back to the page it came from.
"""

import math
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.models import Cohort
from training.middleware import mfa_redirect
from training.models import User

from . import selectors, services
from .forms import HideForm, PostForm, ReportForm, ThreadForm
from .markdown import render as render_markdown
from .models import Post, Thread
from .selectors import POSTS_PER_PAGE, TRAINER


def space_view(view=None, *, trainers_only=False):
    """Resolves the cohort and the person's role in its space (404 for anyone else, and for
    members on the trainers' pages; a trainer passes a second factor first), and gives them to
    `view(request, cohort, role, …)`."""
    if view is None:
        return lambda view: space_view(view, trainers_only=trainers_only)

    @login_required
    @wraps(view)
    def wrapped(request, slug, *args, **kwargs):
        cohort = get_object_or_404(Cohort, slug=slug)
        role = selectors.space_role(cohort, request.user)
        if role is None or (trainers_only and role != TRAINER):
            raise Http404
        if role == TRAINER:
            redirect_to = mfa_redirect(request)
            if redirect_to:
                return redirect(redirect_to)
        return view(request, cohort, role, *args, **kwargs)

    return wrapped


def _thread(cohort, thread_id) -> Thread:
    """The cohort's thread, with its opening post (whether its title is hidden)."""
    threads = selectors.with_opening(Thread.objects.all())
    return get_object_or_404(threads, pk=thread_id, cohort=cohort)


def _post(cohort, post_id) -> Post:
    return get_object_or_404(Post.objects.select_related("thread"), pk=post_id,
                             thread__cohort=cohort)  # fmt: skip


def _opens_thread(post: Post) -> bool:
    """Whether `post` is its thread's first: hiding it hides the thread's title too."""
    first = Post.objects.filter(thread_id=post.thread_id).order_by("created_at", "pk")
    return first.values_list("pk", flat=True).first() == post.pk


def _back_to(post: Post) -> HttpResponseRedirect:
    """The thread's page that holds `post`, at the post."""
    before = Post.objects.filter(thread_id=post.thread_id, created_at__lte=post.created_at)
    page = max(1, math.ceil(before.exclude(created_at=post.created_at, pk__gt=post.pk).count()
                            / POSTS_PER_PAGE))  # fmt: skip
    url = reverse("community:thread", args=[post.thread.cohort.slug, post.thread_id])
    return HttpResponseRedirect(f"{url}?page={page}#post-{post.pk}")


# --- Reading and writing ------------------------------------------------------------------------
@space_view
def space(request, cohort, role):
    """The cohort's threads (pinned first), the trainers' latest messages on top."""
    threads = selectors.thread_list(cohort=cohort, user=request.user, role=role,
                                    page=request.GET.get("page"))  # fmt: skip
    return render(request, "community/space.html", {
        "cohort": cohort, "role": role, "threads": threads,
        "announcements": selectors.announcements(cohort),
        "open_reports": selectors.open_report_count(cohort) if role == TRAINER else 0,
    })  # fmt: skip


@space_view
def thread_new(request, cohort, role):
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = services.thread_create(cohort=cohort, by=request.user, **form.cleaned_data)
        except services.CommunityError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your thread is open."))
            return HttpResponseRedirect(reverse("community:thread", args=[cohort.slug, thread.pk]))
    return render(request, "community/thread_form.html",
                  {"cohort": cohort, "role": role, "form": form})  # fmt: skip


@space_view
def thread(request, cohort, role, thread_id):
    """A thread's posts, and the reply form (or why there is none: the thread is locked)."""
    thread = _thread(cohort, thread_id)
    form = PostForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                post = services.post_create(thread=thread, by=request.user, **form.cleaned_data)
            except services.CommunityError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your reply is posted."))
                return _back_to(post)
        status = 400
    posts = selectors.thread_posts(thread=thread, user=request.user, role=role,
                                   page=request.GET.get("page"))  # fmt: skip
    for post in posts.object_list:
        post.html = render_markdown(post.body)
    return render(request, "community/thread.html", {
        "cohort": cohort, "role": role, "thread": thread, "posts": posts, "form": form,
        "thread_muted": selectors.thread_muted(thread, request.user),
        "hide_form": HideForm(), "report_form": ReportForm(),
    }, status=status)  # fmt: skip


# --- Trainers -----------------------------------------------------------------------------------
def _done(request, text) -> None:
    messages.success(request, text)


@require_POST
@space_view(trainers_only=True)
def thread_pin(request, cohort, role, thread_id):
    thread = _thread(cohort, thread_id)
    pinned = request.POST.get("pinned") == "1"
    services.thread_pin(thread=thread, by=request.user, pinned=pinned, request=request)
    _done(
        request, _("The thread is pinned at the top.") if pinned else _("The thread is unpinned.")
    )
    return HttpResponseRedirect(reverse("community:thread", args=[cohort.slug, thread.pk]))


@require_POST
@space_view(trainers_only=True)
def thread_lock(request, cohort, role, thread_id):
    thread = _thread(cohort, thread_id)
    locked = request.POST.get("locked") == "1"
    services.thread_lock(thread=thread, by=request.user, locked=locked, request=request)
    _done(request, _("The thread is locked: no new replies.") if locked
          else _("The thread is open to replies again."))  # fmt: skip
    return HttpResponseRedirect(reverse("community:thread", args=[cohort.slug, thread.pk]))


@require_POST
@space_view(trainers_only=True)
def post_hide(request, cohort, role, post_id):
    post = _post(cohort, post_id)
    form = HideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the post is hidden: the other trainers will read it."))
        return _back_to(post)
    services.post_hide(post=post, by=request.user, reason=form.cleaned_data["reason"],
                       request=request)  # fmt: skip
    if _opens_thread(post):  # its title goes with it
        _done(request, _("The post and the thread's title are hidden from the members."))
    else:
        _done(request, _("The post is hidden from the members."))
    return _back_to(post)


@require_POST
@space_view(trainers_only=True)
def post_unhide(request, cohort, role, post_id):
    post = _post(cohort, post_id)
    services.post_unhide(post=post, by=request.user, request=request)
    if _opens_thread(post):
        _done(request, _("The post and the thread's title are shown to the members again."))
    else:
        _done(request, _("The post is shown to the members again."))
    return _back_to(post)


@require_POST
@space_view(trainers_only=True)
def report_resolve(request, cohort, role, post_id):
    post = _post(cohort, post_id)
    services.report_resolve(post=post, by=request.user, request=request)
    _done(request, _("The reports are closed; the post stays as it is."))
    return HttpResponseRedirect(reverse("community:reports", args=[cohort.slug]))


@space_view(trainers_only=True)
def reports(request, cohort, role):
    """The posts members reported that no trainer has answered yet."""
    posts = selectors.open_reports(cohort)
    for post in posts:
        post.html = render_markdown(post.body)
    return render(request, "community/reports.html", {
        "cohort": cohort, "role": role, "posts": posts, "hide_form": HideForm(),
    })  # fmt: skip


# --- Members: reports and mutes -----------------------------------------------------------------
@require_POST
@space_view
def post_report(request, cohort, role, post_id):
    post = _post(cohort, post_id)
    form = ReportForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.post_report(post=post, by=request.user, reason=reason)
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        _done(request, _("Thank you. The cohort's trainers will look at it."))
    return _back_to(post)


@require_POST
@space_view
def thread_mute(request, cohort, role, thread_id):
    thread = _thread(cohort, thread_id)
    muted = request.POST.get("muted") == "1"
    services.thread_mute(thread=thread, by=request.user, muted=muted)
    _done(request, _("You muted this thread. It stays out of your digests.") if muted
          else _("You follow this thread again."))  # fmt: skip
    return HttpResponseRedirect(reverse("community:thread", args=[cohort.slug, thread.pk]))


@require_POST
@space_view
def person_mute(request, cohort, role, post_id):
    """Mute or unmute the author of a post (the post says who, by display name only)."""
    post = _post(cohort, post_id)
    muted = request.POST.get("muted") == "1"
    person = User.objects.filter(pk=post.author_id).first()
    try:
        services.person_mute(person=person, by=request.user, muted=muted, cohort=cohort)
    except services.CommunityError as error:
        messages.error(request, str(error))
    else:
        _done(request, _("You muted this person. Nobody is told.") if muted
              else _("You see this person's messages again."))  # fmt: skip
    return _back_to(post)
