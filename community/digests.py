"""Email digests of the cohort spaces: how often (none, daily, weekly: DigestChoice, chosen on
/notifications/ through the panel registered here) and what they hold.

Sent by the hourly task community.tasks.send_space_digests through training.notifications: once
per person and period (the NotificationLog key names the person and the day or the week, in the
person's own time zone), in the person's language, with a subject that names no cohort, thread or
topic. A digest lists threads with new posts since the last one, never the posts' words (an
email leaves the platform), nor the title of a thread whose opening post a trainer hid (named
"Title hidden by a trainer", models.HIDDEN_TITLE); it leaves out the person's own posts,
hidden posts, muted threads and people, and spaces the person is no longer in. Nothing new: no
email.
"""

import zoneinfo
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, Membership
from training.models import NotificationLog
from training.notification_views import Panel, register_panel
from training.notifications import BATCH, Kind, group, register, send
from training.roles import GROUP_FOR_ROLE, Role

from .models import DigestChoice, PersonMute, Post, ThreadMute
from .selectors import digest_frequency, opening_post
from .services import digest_choice_save

KIND = "space_digest"
# Digests go out from this hour of the morning, in each person's own time zone.
SEND_FROM_HOUR = 8
PERIODS = {DigestChoice.Frequency.DAILY: timedelta(days=1),
           DigestChoice.Frequency.WEEKLY: timedelta(days=7)}  # fmt: skip


def _never(user) -> bool:
    return False


group("community", _("Your cohort's space"), order=25)
register(
    # Non-essential, but never a checkbox: its choice is the frequency panel below (DigestChoice),
    # which is "never" until the person picks a frequency.
    Kind(KIND, _("New messages in your cohort's space"), "community/email/digest.txt",
         essential=False, group="community", label=_("a digest of your cohort's space"),
         shown_to=_never),
)  # fmt: skip


# --- The choice on /notifications/ --------------------------------------------------------------
class DigestChoiceForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Email digest of your cohort's space"),
        choices=DigestChoice.Frequency.choices,
        widget=forms.RadioSelect,
        required=False,  # a POST without it (an older page) keeps the choice as it is
        help_text=_(
            "The titles of threads with new messages, never the messages themselves. Threads "
            "and people you muted are left out."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["frequency"].initial = digest_frequency(user)

    def save(self) -> None:
        frequency = self.cleaned_data.get("frequency")
        if frequency:
            digest_choice_save(user=self.user, frequency=frequency)


def _in_a_space(user) -> bool:
    return (
        Membership.objects.filter(user=user, left_at__isnull=True).exists()
        or user.cohorts_trained.exists()
        or DigestChoice.objects.filter(user=user).exclude(frequency="none").exists()
    )


register_panel(Panel(name="space", form=DigestChoiceForm, template="community/digest_panel.html",
                     order=25, shown_to=_in_a_space))  # fmt: skip


# --- Sending ------------------------------------------------------------------------------------
def _local(now, user):
    try:
        zone = zoneinfo.ZoneInfo(user.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.localtime(now, zone)


def _period_key(choice: DigestChoice, local) -> str | None:
    """The digest's key for the period `local` (the person's own time) is in, or None before
    SEND_FROM_HOUR there."""
    if local.hour < SEND_FROM_HOUR:
        return None
    if choice.frequency == DigestChoice.Frequency.DAILY:
        return f"space-digest:{choice.user_id}:{local:%Y-%m-%d}"
    year, week, _day = local.isocalendar()
    return f"space-digest:{choice.user_id}:{year}-W{week:02d}"


def _spaces(user_ids) -> dict[int, set[int]]:
    """Each person's spaces now: the cohorts they are a current member of, or train (holding
    the trainer role still; administrators' digests come from their memberships only)."""
    spaces: dict[int, set[int]] = {pk: set() for pk in user_ids}
    rows = Membership.objects.filter(user_id__in=user_ids, left_at__isnull=True)
    for user_id, cohort_id in rows.values_list("user_id", "cohort_id"):
        spaces[user_id].add(cohort_id)
    trainers = Cohort.trainers.through.objects.filter(
        user_id__in=user_ids, user__groups__name=GROUP_FOR_ROLE[Role.TRAINER]
    )
    for user_id, cohort_id in trainers.values_list("user_id", "cohort_id"):
        spaces[user_id].add(cohort_id)
    return spaces


def _rows(choice, since, spaces, posts, muted_threads, muted_people) -> list[dict]:
    """The person's threads with new posts: [{"cohort", "thread", "count"}], cohort by cohort."""
    found: dict[int, dict] = {}
    for post in posts:
        thread = post.thread
        if (thread.cohort_id not in spaces or post.created_at <= since
                or post.author_id == choice.user_id or post.author_id in muted_people
                or thread.pk in muted_threads):  # fmt: skip
            continue
        row = found.setdefault(thread.pk, {"cohort": thread.cohort, "thread": thread, "count": 0})
        row["count"] += 1
    return sorted(
        found.values(), key=lambda r: (r["cohort"].title, -r["thread"].last_post_at.timestamp())
    )


def send_digests(now=None) -> int:
    """Send the digests due now (each person's period started and not yet sent). Safe to run
    twice: the NotificationLog key of a period is written once."""
    now = now or timezone.now()
    sent = 0
    choices = (
        DigestChoice.objects.exclude(frequency=DigestChoice.Frequency.NONE)
        .filter(user__is_active=True, user__anonymised_at__isnull=True)
        .select_related("user").order_by("pk")
    )  # fmt: skip
    for start in range(0, choices.count(), BATCH):
        batch = list(choices[start : start + BATCH])
        sent += _send_batch(batch, now)
    return sent


def _send_batch(batch: list[DigestChoice], now) -> int:
    due = {}
    for choice in batch:
        key = _period_key(choice, _local(now, choice.user))
        if key is not None:
            period_start = now - PERIODS[choice.frequency]
            since = max(choice.last_sent_at or period_start, period_start)
            due[choice.user_id] = (choice, key, since)
    if not due:
        return 0
    spaces = _spaces(list(due))
    cohorts = set().union(*spaces.values())
    earliest = min(since for _choice, _key, since in due.values())
    posts = []
    if cohorts:
        new = Post.objects.filter(
            thread__cohort__in=cohorts, created_at__gt=earliest, hidden_at__isnull=True
        )
        posts = list(
            new.select_related("thread__cohort")
            .annotate(thread_opening_hidden_at=opening_post("hidden_at", "thread"))
            .order_by("created_at", "pk")
        )  # fmt: skip
        for post in posts:  # a hidden opening post hides the thread's title (Thread.title_hidden)
            post.thread.opening_hidden_at = post.thread_opening_hidden_at
    mutes = ThreadMute.objects.filter(user_id__in=list(due)).values_list("user_id", "thread_id")
    muted_threads: dict[int, set[int]] = {}
    for user_id, thread_id in mutes:
        muted_threads.setdefault(user_id, set()).add(thread_id)
    people = PersonMute.objects.filter(user_id__in=list(due)).values_list("user_id", "muted_id")
    muted_people: dict[int, set[int]] = {}
    for user_id, muted_id in people:
        muted_people.setdefault(user_id, set()).add(muted_id)

    contents, todo = {}, []
    for user_id, (choice, key, since) in due.items():
        rows = _rows(choice, since, spaces[user_id], posts, muted_threads.get(user_id, set()),
                     muted_people.get(user_id, set()))  # fmt: skip
        if rows:
            contents[user_id] = {"rows": rows, "since": since, "frequency": choice.frequency}
            todo.append((choice.user, key))
    if not todo:
        return 0
    keys = [key for _user, key in todo]
    before = set(NotificationLog.objects.filter(key__in=keys).values_list("key", flat=True))
    count = send(KIND, todo, lambda user: contents[user.pk])
    after = set(NotificationLog.objects.filter(key__in=keys).values_list("key", flat=True))
    newly = [user.pk for user, key in todo if key in after - before]
    DigestChoice.objects.filter(user_id__in=newly).update(last_sent_at=now)
    return count
