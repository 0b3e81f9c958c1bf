"""Cohorts: a group that starts together, takes courses, and is followed by its trainers.

A person joins a cohort by its enrolment mode: open (join), by application (screening questions
answered, then a trainer decides), or with an invitation code. Places are limited by the
capacity; when the cohort is full, people wait in order on the waitlist and the first is
promoted when a place frees up. Membership enrols the person in the cohort's courses.
"""

import datetime
import secrets
import uuid
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel

from courses.models import language_choices
from training.models import time_zone_choices, validate_time_zone

from . import shared_skills


def language_names(codes) -> list[str]:
    names = settings.ALL_LANGUAGES
    return [str(names.get(code, code)) for code in codes]


class Cohort(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for enrolment")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")
        ARCHIVED = "archived", _("Archived")

    class Mode(models.TextChoices):
        OPEN = "open", _("Open: anyone may join")
        APPLICATION = "application", _("By application")
        INVITATION = "invitation", _("By invitation code")

    class Release(models.TextChoices):
        ALL = "all", _("All modules at once")
        SCHEDULED = "scheduled", _("A release date per module")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("address"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    courses = models.ManyToManyField(
        "courses.CoursePage", through="CohortCourse", related_name="cohorts",
        verbose_name=_("courses"),
    )  # fmt: skip
    working_language = models.CharField(
        _("working language"), max_length=10, choices=language_choices
    )
    interpretation_languages = models.JSONField(
        _("interpretation languages"), default=list, blank=True
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=time_zone_choices, validators=[validate_time_zone],
        help_text=_("Live sessions are entered in this zone."),
    )  # fmt: skip
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    applications_open_at = models.DateTimeField(_("applications open"), null=True, blank=True)
    applications_close_at = models.DateTimeField(_("applications close"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    mode = models.CharField(
        _("enrolment"), max_length=20, choices=Mode.choices, default=Mode.APPLICATION
    )
    module_release = models.CharField(
        _("module release"), max_length=20, choices=Release.choices, default=Release.ALL
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices,
                              default=Status.DRAFT)  # fmt: skip
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cohorts_trained", blank=True,
        verbose_name=_("trainers"),
    )  # fmt: skip
    show_member_list = models.BooleanField(
        _("members see each other's display names"), default=False
    )
    catch_up_counts = models.BooleanField(
        _("catching up from a recording counts as attending"), default=True
    )
    nudge_after_days = models.PositiveSmallIntegerField(
        _("gentle reminder after days without activity"), null=True, blank=True,
        help_text=_("Empty: no reminder. Sent at most once a week."),
    )  # fmt: skip
    # The certification track it prepares for is certificates' (certificates.CohortTrack).
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def interpretation_language_names(self) -> list[str]:
        return language_names(self.interpretation_languages)

    def local_today(self, now=None):
        """Today's date where the cohort is (its own time zone)."""
        try:
            zone = zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = timezone.get_current_timezone()
        return timezone.localtime(now or timezone.now(), zone).date()

    def is_over(self, now=None) -> bool:
        """Finished or archived, or past its last day (in its own time zone)."""
        if self.status in (self.Status.FINISHED, self.Status.ARCHIVED):
            return True
        return self.ends_on < self.local_today(now)

    def accepts_applications(self, now=None) -> bool:
        """Whether people may apply or join now (an invitation code still needs its code)."""
        now = now or timezone.now()
        if self.status not in (self.Status.OPEN, self.Status.RUNNING):
            return False
        if self.applications_open_at and now < self.applications_open_at:
            return False
        return not (self.applications_close_at and now >= self.applications_close_at)


class CohortCourse(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="cohort_courses")
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.CASCADE, related_name="cohort_links"
    )
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "course"], name="cohort_course_once"),
        ]

    def __str__(self):
        return f"{self.cohort_id} · {self.course_id}"


class ScreeningQuestion(models.Model):
    """A question people answer when they apply. Answers are seen by the cohort's trainers."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Free text")
        CHOICE = "choice", _("Choice")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]

    def __str__(self):
        return self.text


class Application(models.Model):
    """A person's request to join a cohort, and where it stands. Also holds the waitlist: an
    application (or a join) that found the cohort full waits here, in order."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for a decision")
        ACCEPTED = "accepted", _("Accepted")
        WAITLISTED = "waitlisted", _("On the waitlist")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_applications"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    answers = models.JSONField(default=dict, blank=True)  # {question id: answer}
    submitted_at = models.DateTimeField(default=timezone.now)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # What the trainers wrote to the person with their decision (from an editable template).
    message = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="application_once"),
        ]
        indexes = [models.Index(fields=["cohort", "status", "waitlisted_at"])]

    def __str__(self):
        return f"{self.user_id} · {self.cohort_id} · {self.status}"


class Membership(models.Model):
    """A member of a cohort (enrolled in its courses). Leaving keeps the record, inactive."""

    class Source(models.TextChoices):
        OPEN = "open", _("Joined")
        APPLICATION = "application", _("Application accepted")
        INVITATION = "invitation", _("Invitation code")
        CSV = "csv", _("Enrolled by a trainer")
        INVITED = "invited", _("Accepted a trainer's invitation")
        MOVED = "moved", _("Moved from another cohort")
        DEMO = "demo", _("Demo data")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cohort_memberships"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    class LeftReason(models.TextChoices):
        WITHDREW = "withdrew", _("Left the cohort")
        REMOVED = "removed", _("Removed by a trainer")
        MOVED = "moved", _("Moved to another cohort")
        DECLINED = "declined", _("Declined by a trainer")
        ACCOUNT = "account", _("Deleted their account")

    # Why the person left (empty while a member, and for rows from before it was recorded).
    left_reason = models.CharField(max_length=20, choices=LeftReason.choices, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="membership_once"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.cohort_id}"

    @property
    def active(self) -> bool:
        return self.left_at is None


def new_code() -> str:
    # No look-alike characters: people type these from a message.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class InvitationCode(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(_("code"), max_length=20, unique=True, default=new_code)
    note = models.CharField(_("note"), max_length=200, blank=True,
                            help_text=_("For you: who it was given to."))  # fmt: skip
    max_uses = models.PositiveIntegerField(_("uses allowed"), default=1)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()  # people type codes in any case
        super().save(*args, **kwargs)

    def usable(self, now=None) -> bool:
        now = now or timezone.now()
        return (
            self.active
            and self.uses < self.max_uses
            and (self.expires_at is None or now < self.expires_at)
        )


def new_invitation_key() -> str:
    return secrets.token_urlsafe(24)


class CohortInvitation(models.Model):
    """A trainer's invitation of one email address to a cohort (bulk enrolment). Nothing happens
    until the owner of the address, signed in as the account with that address, accepts it;
    declining records the answer and nothing else. Whether the address had an account is never
    told to the trainer, and no account is made for it: the person signs up if they wish."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", pgettext_lazy("invitation", "Accepted")
        DECLINED = "declined", pgettext_lazy("invitation", "Declined")
        CANCELLED = "cancelled", pgettext_lazy("invitation", "Cancelled")
        EXPIRED = "expired", pgettext_lazy("invitation", "Expired")

    class Result(models.TextChoices):
        MEMBER = "member", _("Member")
        WAITLISTED = "waitlisted", _("On the waitlist")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))  # normalised: trimmed, lower case
    # The name the trainer typed, for the trainer's own list (the person chooses their own).
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The link carries this key, signed with the secret key (cohorts.invitations). A new key on
    # every resend: the older link stops working.
    key = models.CharField(max_length=64, unique=True, default=new_invitation_key)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    result = models.CharField(max_length=20, choices=Result.choices, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # The email for the current key went out (a task run twice sends it once).
    emailed = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "email"], condition=Q(status="pending"),
                name="cohort_invitation_pending_once",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["status", "expires_at"])]

    def __str__(self):
        return f"{self.cohort_id} · {self.status}"

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    def is_open(self, now=None) -> bool:
        """Waiting for an answer, and not past its date."""
        return self.status == self.Status.PENDING and (now or timezone.now()) < self.expires_at

    @property
    def state(self) -> str:
        """The status as people should read it: a pending invitation past its date is expired
        (the daily task marks it so; until then this says it)."""
        if self.status == self.Status.PENDING and not self.is_open():
            return self.Status.EXPIRED
        return self.status

    def get_state_display(self) -> str:
        return str(self.Status(self.state).label)


class InvitationSend(models.Model):
    """How many invitation emails a trainer asked for, and when (a list, or one sent again): the
    daily allowance (ACOMPANA_COHORT_INVITATIONS_PER_DAY) is counted from these. Kept two days."""

    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    cohort = models.ForeignKey(Cohort, on_delete=models.SET_NULL, null=True, related_name="+")
    count = models.PositiveIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["sent_by", "at"])]

    def __str__(self):
        return f"{self.sent_by_id} · {self.count} · {self.at:%Y-%m-%d %H:%M}"


class LiveSession(models.Model):
    """A live session of a cohort. Entered in the cohort's time zone, stored in UTC; every
    change that matters to a calendar raises `sequence`, so calendars update the event."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Live session")
        # Not counted toward attendance requirements, and its attendance is never exported.
        DEBRIEF = "debrief", _("Debrief / supervision")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.SESSION,
                            db_default=Kind.SESSION)  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    meeting_url = models.URLField(_("meeting link"), blank=True,
                                  help_text=_("Shown to the cohort's members only."))  # fmt: skip
    interpretation_languages = models.JSONField(
        _("interpretation languages"), default=list, blank=True
    )
    recording_url = models.URLField(_("recording link"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    sequence = models.PositiveIntegerField(default=0)
    # The weekly series this session was created in (empty for a single session): trainers
    # change or cancel one occurrence or the whole series.
    series = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def interpretation_language_names(self) -> list[str]:
        return language_names(self.interpretation_languages)


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")
        CAUGHT_UP = "caught_up", _("Caught up from the recording")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance"
    )
    status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    # The member confirmed they caught up from the recording (the cohort decides if it counts).
    caught_up_at = models.DateTimeField(null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="attendance_once"),
        ]

    def __str__(self):
        return f"{self.session_id} · {self.user_id} · {self.status}"


class CalendarFeed(models.Model):
    """A person's private calendar address. Only a hash of its token is kept: regenerating
    makes a new token, and the old address stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)
    # When a calendar app last fetched it (to the day): an address unused for
    # ACOMPANA_CALENDAR_FEED_UNUSED_DAYS is deleted (cohorts/retention.py).
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.user_id}"


def same_skill(name: str) -> str:
    """Skills of the same name, whatever the case and spacing, are one skill for a track."""
    return " ".join(name.split()).casefold()


class Skill(models.Model):
    """A skill a trainer signs off for each member, e.g. "role-play: first contact with a person
    being harassed". Defined for one cohort, for a course (every cohort taking the course has
    it), or shared by a later app among the cohorts it groups (neither cohort nor course:
    cohorts.shared_skills; certificates' track skills, signed off in every cohort preparing for
    the track). A sign-off counts wherever it was given."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="skills",
                               null=True, blank=True)  # fmt: skip
    course = models.ForeignKey("courses.CoursePage", on_delete=models.CASCADE, null=True,
                               blank=True, related_name="skills")  # fmt: skip
    name = models.CharField(_("skill"), max_length=200)
    description = models.TextField(_("what the trainer looks for"), blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)

    panels = [FieldPanel("name"), FieldPanel("description")]
    sort_order_field = "sort_order"

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("skill")
        constraints = [
            models.CheckConstraint(
                condition=~Q(cohort__isnull=False, course__isnull=False),
                name="skill_for_a_cohort_a_course_or_shared",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_shared(self) -> bool:
        """Neither a cohort's nor a course's: shared by a later app (cohorts.shared_skills)."""
        return self.cohort_id is None and self.course_id is None

    @property
    def shared_by(self):
        """The group that shares this skill among cohorts (a certification track), or None."""
        return shared_skills.group_of_skill(self) if self.is_shared else None


class SkillSignOff(models.Model):
    """A trainer's sign-off of one skill for one member, in one cohort. A course's skill may be
    signed off in each cohort taking the course (each cohort's trainers see only their own); for
    certification any of them counts, the latest first (hence the ordering)."""

    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="sign_offs")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_sign_offs"
    )
    # Where it was signed off. Empty for a sign-off whose cohort was deleted (it still counts).
    cohort = models.ForeignKey(
        Cohort, on_delete=models.SET_NULL, null=True, blank=True, related_name="sign_offs"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    notes = models.TextField(_("notes"), blank=True)
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Readers that keep one sign-off per skill (certificates.eligibility) keep the latest.
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["skill", "user", "cohort"], name="skill_signed_once_per_cohort"
            ),
        ]

    def __str__(self):
        return f"{self.skill_id} · {self.user_id}"


class ModuleRelease(models.Model):
    """When a module opens for the members of a cohort whose modules are released by date."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="releases")
    module = models.ForeignKey("courses.ModulePage", on_delete=models.CASCADE, related_name="+")
    opens_at = models.DateTimeField(_("opens"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "module"], name="module_release_once"),
        ]

    def __str__(self):
        return f"{self.cohort_id} · {self.module_id} · {self.opens_at:%Y-%m-%d}"


class MessageTemplate(models.Model):
    """A cohort's own wording of the message sent with a decision (trainers edit it)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="message_templates")
    decision = models.CharField(max_length=20)
    text = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "decision"], name="message_template_once"),
        ]

    def __str__(self):
        return f"{self.cohort_id} · {self.decision}"


class Announcement(models.Model):
    """A trainer's message to the cohort's members, its waitlist or its applicants: sent once
    through the notification path, and kept on the cohort's page."""

    class Audience(models.TextChoices):
        MEMBERS = "members", _("The cohort's members")
        WAITLIST = "waitlist", _("People on the waitlist")
        APPLICANTS = "applicants", _("People waiting for a decision")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="announcements")
    audience = models.CharField(_("to"), max_length=20, choices=Audience.choices,
                                default=Audience.MEMBERS)  # fmt: skip
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    # The language the trainer wrote in: the message is sent as written, in it.
    language = models.CharField(_("written in"), max_length=10, choices=language_choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # How many people it was sent to (set by the task that sends it; it sends each once).
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    # Sending (cohorts.announcements): the task and its retries take seconds; after
    # STALLED_AFTER a periodic task sends what is left, until GIVE_UP_AFTER.
    STALLED_AFTER = datetime.timedelta(minutes=10)
    GIVE_UP_AFTER = datetime.timedelta(days=2)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["cohort", "audience", "created_at"])]

    def __str__(self):
        return f"{self.cohort_id} · {self.subject}"

    @property
    def delivery(self) -> str:
        """Where sending is: "sent"; "sending" (just written); "retrying" (stopped part way,
        or never started: tried again every few minutes); "failed" (given up after
        GIVE_UP_AFTER)."""
        if self.sent_at is not None:
            return "sent"
        age = timezone.now() - self.created_at
        if age < self.STALLED_AFTER:
            return "sending"
        return "retrying" if age < self.GIVE_UP_AFTER else "failed"
