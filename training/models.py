import uuid
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page, PageViewRestriction

from .prepared import Prepared
from .roles import PRIVILEGED_ROLES, ROLE_FOR_GROUP, Role
from .storage import StorageAlias
from .timezones import flat_choices


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a time zone we know."), params={"value": value})


def validate_language(value):
    if value and value not in dict(settings.LANGUAGES):
        raise ValidationError(
            _("%(value)s is not a language the platform offers."), params={"value": value}
        )


def time_zone_choices(current: str = ""):
    """The zones offered in a list, as places in the reader's language ("Santiago de Chile",
    "Jakarta (Indonesia)"), without legacy aliases; a stored zone outside them (still valid, see
    validate_time_zone) stays selectable for whoever already has it. Forms show them grouped by
    region: training.timezones.grouped_choices."""
    return flat_choices(current)


def language_choices():
    return list(settings.LANGUAGES)


class AccountManager(UserManager):
    """Accounts are identified by email; there are no usernames."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


# What an anonymised account's display name is stored as (training/deletion.py): shown to each
# reader as "Former member" in their own language. A display name cannot hold a control
# character, so no person can choose it.
FORMER_MEMBER = "\x01former-member"
FORMER_MEMBER_LABEL = _("Former member")


def validate_display_name(value):
    if any(ord(char) < 32 or ord(char) == 127 for char in str(value)):
        raise ValidationError(_("A display name cannot contain control characters."))


class DisplayNameField(models.CharField):
    """A display name; an anonymised account's reads as "Former member" in the reader's
    language, wherever it is read (model instances, values(), values_list())."""

    def from_db_value(self, value, expression, connection):
        return FORMER_MEMBER_LABEL if value == FORMER_MEMBER else value

    def to_python(self, value):
        return value if value is FORMER_MEMBER_LABEL else super().to_python(value)

    def get_prep_value(self, value):
        return FORMER_MEMBER if value is FORMER_MEMBER_LABEL else super().get_prep_value(value)


def _group_names(*, user):
    """The names of the groups of `user` (a pk), as `user.groups` reads them."""
    return Group.objects.filter(user=user).values_list("name")


# Compiled once per process (training.prepared): every signed-in page reads a person's roles.
_GROUP_NAMES = Prepared(_group_names)


class User(AbstractUser):
    """A person on the platform. Others see only `display_name`; the email stays private."""

    username = None
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    email = models.EmailField(_("email address"), unique=True)
    display_name = DisplayNameField(
        _("display name"),
        max_length=80,
        validators=[validate_display_name],
        help_text=_("What other people on the platform see. A pseudonym is fine."),
    )
    legal_name = models.CharField(
        _("legal name"),
        max_length=200,
        blank=True,
        help_text=_(
            "Optional. Used only on a certificate, and only if you choose it there. "
            "Nobody else on the platform sees it."
        ),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        blank=True,
        default="",
        validators=[validate_language],
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_time_zone]
    )

    # Set when the account was deleted and anonymised (training/deletion.py): the row stays as
    # an anonymous "former member" so that counts and other people's records stay right.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    low_bandwidth = models.BooleanField(
        _("low bandwidth"),
        default=False,
        help_text=_("Show transcripts instead of videos, and load fewer images."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = AccountManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(display_name=""), name="user_display_name_not_empty"
            ),
        ]

    def __str__(self):
        # str(): an anonymised account's display name is the lazy "Former member" label, and
        # Python refuses a __str__ that returns anything but a str (Wagtail's user list: a 500).
        return str(self.display_name or _("(no display name)"))

    def get_full_name(self):
        # Wagtail and Django show this in lists and logs: it must never leak the legal name.
        return str(self.display_name)

    def get_short_name(self):
        return str(self.display_name)

    @cached_property
    def roles(self) -> frozenset[str]:
        """Every role this person holds, from one query on their groups."""
        if not self.pk:
            return frozenset()
        return self._roles_from(_GROUP_NAMES.run(user=self.pk))

    def queue_roles(self, together) -> None:
        """`roles` read with the other reads of `together` (training.prepared.Together), known
        as soon as they have run (nothing to read if already known)."""
        if not self.pk or "roles" in self.__dict__:
            return
        pending = together.prepared(_GROUP_NAMES, user=self.pk)

        def known():
            self.__dict__.setdefault("roles", self._roles_from(pending.rows))

        together.after(known)

    def _roles_from(self, group_names) -> frozenset[str]:
        roles = {Role.VOLUNTEER}
        roles.update(ROLE_FOR_GROUP[name] for (name,) in group_names if name in ROLE_FOR_GROUP)
        if self.is_superuser:
            roles.add(Role.ADMINISTRATOR)
        return frozenset(roles)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def requires_mfa(self) -> bool:
        return bool(self.roles & PRIVILEGED_ROLES)


class ChildRoutingMixin:
    """Route to a child page with fewer queries than Wagtail's default.

    Pages are served through training.routing, which finds the way down from cached rows and
    fetches the page served only, calling the hooks below on the way (`routed_to_child`,
    `routed_queryset`). `route()` here is the slow way, for what training.routing does not serve
    (another site's pages, a type with its own route()): Wagtail fetches the child, then its
    specific instance (two queries per level). A page whose children are all of one type can name
    it in `child_page_model` and fetch it in one query; otherwise, when the path goes on below the
    child, the child only needs its tree position to route further, so its specific fields are not
    loaded. A subclass that overrides `get_child_for_route` must do the same through the hooks,
    or set `fast_routing = False`.
    """

    child_page_model = None
    fast_routing = True

    @classmethod
    def routed_queryset(cls, request):
        """Where the page served is fetched from (by its id)."""
        return cls.objects.all()

    @classmethod
    def served_rows_cache(cls):
        """None (the page served is read from the database), or `keep(pk, read)`: the page's
        row as `read()` gives it, kept in a cache that is never stale (no page of this type
        changes without it forgetting)."""
        return None

    def _get_site_root_paths(self, cache_object=None, **kwargs):
        """Wagtail's, from training.routing's caches rather than the Django cache: a page asked
        for its URL without the request (a dashboard's, an outline's) reads nothing."""
        # routing imports this module (ChildRoutingMixin): imported when first asked.
        from .routing import site_root_paths  # noqa: PLC0415

        cache_object = cache_object or kwargs.get("request") or self
        try:
            return cache_object._wagtail_cached_site_root_paths
        except AttributeError:
            cache_object._wagtail_cached_site_root_paths = site_root_paths()
            return cache_object._wagtail_cached_site_root_paths

    def routed_to_child(self, request, child, remaining) -> None:
        """Called with each child routing goes through or ends at; may refuse it (Http404)."""

    def get_child_for_route(self, request, slug, remaining=()):
        if self.child_page_model is not None:
            return self.child_page_model.objects.get(
                path__startswith=self.path, depth=self.depth + 1, slug=slug
            )
        return self.get_children().get(slug=slug)

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        slug, remaining = path_components[0], path_components[1:]
        try:
            child = self.get_child_for_route(request, slug, remaining)
        except ObjectDoesNotExist as error:
            raise Http404 from error
        child._cached_parent_obj = self
        if self.child_page_model is None:
            child = child.specific_deferred if remaining else child.specific
        self.routed_to_child(request, child, remaining)
        return child.route(request, remaining)

    def get_view_restrictions(self):
        """Wagtail's (the page's and its ancestors', after aliases), without a query when no
        restriction applies anywhere above the page (training.routing keeps the paths that
        carry one)."""
        from .routing import may_be_restricted  # noqa: PLC0415 — a cycle: routing reads these models

        if not may_be_restricted(self):
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class StandardPage(ChildRoutingMixin, Page):
    """A plain content page (about the programme, privacy, contact…)."""

    introduction = models.CharField(_("introduction"), max_length=400, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("introduction"), FieldPanel("body")]

    class Meta:
        verbose_name = _("standard page")


class HomePage(ChildRoutingMixin, Page):
    """The public front page: what the programme is, and the way into courses and cohorts."""

    intro = models.CharField(_("introduction"), max_length=400, blank=True)
    body = RichTextField(_("body"), blank=True)
    how_it_works = RichTextField(_("how it works"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("how_it_works"),
    ]

    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        """The sections below the home page (course catalog, cohorts…), by page type, so the
        home page links to them without knowing the apps that define them: one query."""
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = {
            child.specific_class._meta.model_name: child
            for child in self.get_children().live().select_related("content_type")
            if child.specific_class
        }
        return context


# --- The audit log ------------------------------------------------------------------------------
class AuditQuerySet(models.QuerySet):
    """Entries are appended, never changed; only `audit.purge` (retention) removes them."""

    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only; entries leave by retention only.")


class AuditEntry(models.Model):
    """One action on other people's data (training/audit.py writes them; nothing else does).

    `actor` and `subjects` are references that survive any deletion of the person (no database
    constraint; a deleted account is kept as an anonymous "former member" anyway). `address` is
    the client address after the trusted proxies."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True,
        blank=True, related_name="+", verbose_name=_("who"),
    )  # fmt: skip
    action = models.CharField(_("what"), max_length=60, db_index=True)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True,
        blank=True, related_name="+", verbose_name=_("about whom"),
    )  # fmt: skip
    # How many people an action on many (an export, a page of the pool) concerned; each of them
    # is one AuditSubject row.
    count = models.PositiveIntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)
    address = models.GenericIPAddressField(_("from where"), null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("audit log entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["action", "-at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} · {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only; entries leave by retention only.")

    @property
    def label(self) -> str:
        """What was done, in the reader's language (training.audit.ACTIONS)."""
        from .audit import action_label  # noqa: PLC0415 — a cycle: audit writes these models

        return action_label(self.action)


class AuditSubject(models.Model):
    """One of the people an audit entry on many people concerned (who was in an export)."""

    entry = models.ForeignKey(AuditEntry, on_delete=models.CASCADE, related_name="subjects")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+",
    )  # fmt: skip

    objects = AuditQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["person", "entry"])]

    def __str__(self):
        return f"{self.entry_id} · {self.person_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only; entries leave by retention only.")


# --- Download my data ---------------------------------------------------------------------------
def private_storage():
    """Data-download archives: `storages["private"]` (no URL; served by a view that checks who
    asks)."""
    return StorageAlias("private")


class DataDownload(models.Model):
    """A person's request for a copy of their data (training/data_download.py builds the ZIP in
    Celery). The file is deleted when the link expires; the record of the request stays."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    IN_PROGRESS = (Status.PENDING, Status.RUNNING)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_downloads",
        verbose_name=_("person"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    # Categories of the registry written so far, out of all of them (the progress bar).
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file = models.FileField(storage=private_storage, upload_to="data-downloads/", blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("link works until"))
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data download")
        verbose_name_plural = _("data downloads")
        constraints = [
            # One archive being prepared at a time per person (training/data_download.py).
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status__in=["pending", "running"]),
                name="one_data_download_in_progress",
            ),
        ]

    def __str__(self):
        return f"{self.pk} · {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


# --- Retention you can see ----------------------------------------------------------------------
class RetentionRun(models.Model):
    """One run of a scheduled task that deletes personal data past its period (training/retention.py
    records it; the Retention report shows them). Holds no personal data: the error is the
    exception's kind only, never its message (which may quote a row)."""

    task = models.CharField(_("task"), max_length=200)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    removed = models.PositiveBigIntegerField(_("removed"), default=0)
    ok = models.BooleanField(_("succeeded"), default=False)
    error = models.CharField(_("error"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        indexes = [models.Index(fields=["task", "-started_at"], name="retention_run_latest")]

    def __str__(self):
        return f"{self.task} · {self.started_at:%Y-%m-%d %H:%M}"


# --- Account deletion ---------------------------------------------------------------------------
class AccountDeletion(models.Model):
    """A request to delete an account (training/deletion.py). The person asked (a grace period,
    cancelled by signing in) or an administrator did (with a reason; performed at once). The row
    stays after the deletion, attached to the anonymous "former member" account."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the end of the grace period")
        CANCELLED = "cancelled", _("Cancelled")
        DONE = "done", _("Deleted")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deletions",
        verbose_name=_("person"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("asked on"), default=timezone.now)
    due_at = models.DateTimeField(_("to be deleted on"))
    # The person themselves, or the administrator who deleted the account.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("asked by"),
    )  # fmt: skip
    # The administrator's reason (kept after the deletion: it must not name the person).
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    performed_at = models.DateTimeField(_("deleted on"), null=True, blank=True)
    # What asking did at once (each declaration's `suspend`): {"cohorts": [titles left],
    # "applications": [titles withdrawn from], "pool": true}. The texts to the person say it.
    left = models.JSONField(_("left at once"), default=dict, blank=True)

    class Meta:
        verbose_name = _("account deletion")
        verbose_name_plural = _("account deletions")
        ordering = ["-requested_at"]
        constraints = [
            # One pending request per person: asking twice, or two clicks, make one.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(status="pending"),
                name="account_deletion_one_pending",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self):
        return f"{self.person_id} · {self.status}"

    @property
    def by_administrator(self) -> bool:
        return self.requested_by_id is not None and self.requested_by_id != self.person_id


class NotificationLog(models.Model):
    """Each message sent to a person, once: `key` names what it was about (the invitation to a
    cohort, the reminder of a session…), so a task run twice sends nothing twice
    (training/notifications.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=50)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key


class NotificationOptOut(models.Model):
    """A person does not want one kind of non-essential message (training/notifications.py).
    A row per (person, kind): a new kind needs no migration, and no row means "send"."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_opt_outs"
    )
    kind = models.CharField(max_length=50)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_opt_out_once"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.kind}"


# --- Tasks on their way to the broker (training/outbox.py) ----------------------------------------
class OutboxTask(models.Model):
    """A Celery task queued by a transaction, written in that same transaction: it reaches the
    broker after the commit, or later (training.outbox.relay) when the broker was down then.
    Holds the task's name and arguments (ids and event names, never personal data)."""

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    # The Celery task id: the same on every attempt, so that logs tie a resend to its first try.
    task_id = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Set only once the broker has accepted the message.
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_unsent",
                condition=models.Q(sent_at__isnull=True),
            ),
        ]

    def __str__(self):
        return f"{self.task} · {self.task_id}"


class IdempotencyKey(models.Model):
    """A request a person's device sent with an `Idempotency-Key` header (the device queue,
    static/js/device-queue.js): the first answer, kept so that the same request sent again (its
    answer was lost on a dropped connection) gets that answer and records nothing twice
    (training.idempotency). Kept ACOMPANA_IDEMPOTENCY_DAYS."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.UUIDField()
    # The address it was sent to: the same key sent elsewhere is refused, never answered with
    # another request's answer.
    path = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    status = models.PositiveSmallIntegerField(default=0)
    # The first answer: its JSON (small), or where it redirected.
    answer = models.JSONField(null=True, blank=True)
    location = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_once"),
        ]

    def __str__(self):
        return f"{self.key} · {self.status}"
