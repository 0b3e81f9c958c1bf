"""A cohort's discussion space: threads and posts by display name, seen only by the cohort's
current members and its trainers. Trainers pin and lock threads and hide posts (kept, with who
hid them and why; hiding a thread's opening post hides its title too); members report posts,
and mute a thread or a person for themselves only. A person chooses email digests of the space
(none, daily, weekly) on /notifications/.

Posts keep their Markdown source; community.markdown renders it, sanitised, for reading.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MAX_BODY_LENGTH = 10_000
# What the members read instead of a thread's title once a trainer hid its opening post (the
# title belongs to it): on every page, in digests and in data downloads.
HIDDEN_TITLE = _("Title hidden by a trainer")


class Thread(models.Model):
    cohort = models.ForeignKey("cohorts.Cohort", on_delete=models.CASCADE, related_name="threads")
    # Empty only for a thread whose author's row is gone (an account deleted keeps a "former
    # member" row, so this rarely happens).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    pinned = models.BooleanField(_("pinned"), default=False)
    locked = models.BooleanField(_("locked"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # The newest post's time: the list is ordered by it (pinned threads first).
    last_post_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        ordering = ["-pinned", "-last_post_at", "-pk"]
        indexes = [models.Index(fields=["cohort", "-pinned", "-last_post_at"])]

    def __str__(self):
        return self.title

    @property
    def title_hidden(self) -> bool:
        """Whether a trainer hid the thread's opening post, and with it its title: members read
        HIDDEN_TITLE instead. Lists annotate `opening_hidden_at` (community.selectors.
        with_opening); without it, one query."""
        if not hasattr(self, "opening_hidden_at"):
            opening = self.posts.order_by("created_at", "pk").values_list("hidden_at", flat=True)
            self.opening_hidden_at = opening.first()
        return self.opening_hidden_at is not None


class Post(models.Model):
    """One message of a thread (the first is the thread's opening). A hidden post stays for the
    trainers, with who hid it and why; members see that a trainer hid it."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    body = models.TextField(_("message"), validators=[MaxLengthValidator(MAX_BODY_LENGTH)])
    # A short warning ("describes self-harm"): the post stays folded until the reader opens it.
    content_note = models.CharField(_("content note"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    hidden_reason = models.CharField(_("why it is hidden"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="community_post_hidden_with_a_reason",
            ),
        ]

    def __str__(self):
        return f"{self.thread_id} · {self.pk}"

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class PostReport(models.Model):
    """A member's report of a post to the cohort's trainers (once per person and post)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("what is wrong"), max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["post", "reporter"], name="community_report_once"),
        ]

    def __str__(self):
        return f"{self.post_id} · {self.reporter_id}"


class ThreadMute(models.Model):
    """A person no longer follows a thread: folded in the list, left out of their digests."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="mutes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="community_thread_mute_once"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.thread_id}"


class PersonMute(models.Model):
    """A person no longer reads another's posts (folded, for them only; never told to anyone)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    muted = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "muted"], name="community_person_mute_once"),
            models.CheckConstraint(
                condition=~Q(user=models.F("muted")), name="community_no_self_mute"
            ),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.muted_id}"


class DigestChoice(models.Model):
    """How often a person receives an email digest of their cohorts' spaces (none by default:
    no row means none)."""

    class Frequency(models.TextChoices):
        NONE = "none", _("Never")
        DAILY = "daily", _("Once a day")
        WEEKLY = "weekly", _("Once a week")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="space_digest"
    )
    frequency = models.CharField(
        _("digest of your cohort's space"), max_length=10, choices=Frequency.choices,
        default=Frequency.NONE,
    )  # fmt: skip
    # Posts after this were not in a digest yet (empty: none sent).
    last_sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user_id} · {self.frequency}"
