"""Courses and modules (Wagtail pages), enrolment, and the learner's records on the server."""

import copy
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.utils.formats import localize
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext, override
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index
from wagtail.snippets.models import register_snippet

from training.i18n import in_active_language
from training.models import ChildRoutingMixin
from training.storage import StorageAlias
from training.templatetags.acompana import content_lang

from . import page_cache
from .activities import activities_in
from .admin_forms import CoursePageForm
from .blocks import ModuleBodyBlock

# What a page needs to route, link to and be named, without its content.
ROUTING_FIELDS = (
    "title", "slug", "path", "depth", "url_path", "live", "locale_id", "content_type_id",
    "draft_title", "seo_title", "translation_key", "alias_of_id",
)  # fmt: skip


def language_choices():
    return [(code, name) for code, name in settings.ALL_LANGUAGES.items()]


@register_snippet
class Topic(ClusterableModel):
    """A subject courses are filed under. Its name is given in other languages below it (a
    short label: no translation workflow needed)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        InlinePanel("names", label=_("Name in other languages")),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name

    @property
    def local_name(self) -> str:
        """The name in the active language, when one is given (reads prefetched `names`)."""
        row = in_active_language(self.names.all())
        return row.name if row else self.name


class TopicName(Orderable):
    topic = ParentalKey(Topic, on_delete=models.CASCADE, related_name="names")
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    name = models.CharField(_("name"), max_length=80)

    panels = [FieldPanel("language"), FieldPanel("name")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["topic", "language"], name="topic_name_once"),
        ]

    def __str__(self):
        return self.name


class CourseIndexPage(ChildRoutingMixin, Page):
    """The catalog at /courses/: every published course, filterable by language and topic."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["training.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("course catalog")

    def get_child_for_route(self, request, slug, remaining=()):
        """The course, with whether the viewer is enrolled in it, in one query. On the way to
        one of its modules, the course is only a parent: its own content is not loaded."""
        courses = CoursePage.objects.filter(
            path__startswith=self.path, depth=self.depth + 1, slug=slug
        )
        if remaining:
            # On the way to a module, the course must be published itself.
            courses = courses.filter(live=True).only(*ROUTING_FIELDS)
        if request.user.is_authenticated:
            courses = courses.annotate(
                viewer_enrolled=Exists(
                    Enrolment.objects.filter(course=OuterRef("pk"), user=request.user)
                )
            )
        return courses.get()

    def routed_to_child(self, request, child, remaining) -> None:
        # On the way to a module, the course must be published itself.
        if remaining and not child.live:
            raise Http404

    def get_context(self, request, *args, **kwargs):
        from .selectors import catalog_cached  # noqa: PLC0415 — selectors read these models

        context = super().get_context(request, *args, **kwargs)
        context.update(catalog_cached(self, request.GET))
        return context


class CoursePage(ChildRoutingMixin, Page):
    summary = models.TextField(_("summary"))
    learning_outcomes = StreamField(
        [("outcome", blocks.CharBlock(label=_("Outcome")))],
        verbose_name=_("learning outcomes"),
        blank=True,
    )
    estimated_hours = models.DecimalField(
        _("estimated hours"), max_digits=5, decimal_places=1, default=1
    )
    topics = ParentalManyToManyField(Topic, blank=True, verbose_name=_("topics"))
    content_notes = models.TextField(
        _("content notes"),
        blank=True,
        help_text=_("Which difficult subjects this course covers, so people can prepare."),
    )
    prerequisites = ParentalManyToManyField(
        "self", blank=True, symmetrical=False, verbose_name=_("prerequisite courses")
    )
    how_to_join = RichTextField(
        _("how to join"),
        blank=True,
        help_text=_("Shown to people who are not enrolled: which cohort or contact to ask."),
    )
    self_paced = models.BooleanField(
        _("open for self-paced learning"),
        default=False,
        help_text=_("Anyone signed in can start the course on their own, with one click. "
                    "Cohorts that teach it keep their own rules."),
    )  # fmt: skip
    free_preview = models.BooleanField(
        _("the first module is a free preview"),
        default=False,
        help_text=_("Anyone, signed in or not, can read the first module before joining. "
                    "Nothing is recorded for them, and activities wait until they join."),
    )  # fmt: skip

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("learning_outcomes"),
        MultiFieldPanel(
            [
                FieldPanel("estimated_hours"),
                FieldPanel("topics"),
                InlinePanel("course_languages", label=_("Languages"), min_num=1),
            ],
            heading=_("About the course"),
        ),
        FieldPanel("content_notes"),
        FieldPanel("prerequisites"),
        MultiFieldPanel(
            [FieldPanel("self_paced"), FieldPanel("free_preview"), FieldPanel("how_to_join")],
            heading=_("Joining"),
        ),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.ModulePage"]
    # Prerequisites: each course once, the original, titled in the editor's language.
    base_form_class = CoursePageForm

    class Meta:
        verbose_name = _("course")

    def get_child_for_route(self, request, slug, remaining=()):
        return ModulePage.objects.get(path__startswith=self.path, depth=self.depth + 1, slug=slug)

    def routed_to_child(self, request, child, remaining) -> None:
        # The module page needs its course: keep the one routing already loaded.
        request.acompana_course = self

    @cached_property
    def language_codes(self) -> list[str]:
        return [row.language for row in self.course_languages.all()]

    def serve(self, request, *args, **kwargs):
        request.is_preview = False
        return TemplateResponse(
            request, self.get_template(request, *args, **kwargs),
            self.get_context(request, *args, served=True, **kwargs),
        )  # fmt: skip

    def get_context(self, request, *args, served: bool = False, **kwargs):
        """The course as this person reads it (courses.selectors), when served; Wagtail's
        preview panel renders the page's own fields only."""
        from .selectors import course_page_context  # noqa: PLC0415 — selectors read these models

        context = super().get_context(request, *args, **kwargs)
        if served:
            context.update(course_page_context(self, request.user, preview=request.is_preview))
        return context


class CourseLanguage(Orderable):
    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="course_languages")
    language = models.CharField(_("language"), max_length=10, choices=language_choices)

    panels = [FieldPanel("language")]

    class Meta(Orderable.Meta):
        verbose_name = _("language")
        constraints = [
            models.UniqueConstraint(fields=["page", "language"], name="course_language_once"),
        ]

    @property
    def name(self):
        return settings.ALL_LANGUAGES.get(self.language, self.language)


# The header static/js/offline.js sends when it saves a module page for offline reading.
OFFLINE_SAVE_HEADER = "Acompana-Offline"


# The activity blocks of module bodies as Python values (quiz, reflection, H5P, acknowledgement:
# StructBlocks of text, numbers and an activity's UUID, made from their stored JSON alone), by
# page, block type and id, with the JSON they were made from: a module page served again reuses
# them when its JSON is the same, instead of converting them on every request (issue 18). Shared
# and never changed (nothing changes an activity's value); JSON that changed is converted anew.
# Values that read the database (images, documents, pages) are never kept here.
_ACTIVITY_BLOCKS: dict[tuple, tuple[object, object]] = {}
_ACTIVITY_BLOCKS_SIZE = 2000
_PURE_ACTIVITY_BLOCKS = frozenset({"quiz", "reflection", "h5p", "acknowledge"})


def _reuse_activity_blocks(page) -> None:
    """Fill the page's body (a StreamValue read from the database, not converted yet) with the
    activity blocks kept from an earlier request when their stored JSON is equal; convert the
    others (as StreamValue does, type by type) and keep them."""
    body = page.body
    raw, bound = getattr(body, "_raw_data", None), getattr(body, "_bound_blocks", None)
    if not getattr(body, "is_lazy", False) or raw is None or bound is None:
        return
    missing = []
    for position, item in enumerate(raw):
        if item is None or bound[position] is not None:
            continue
        block_type, block_id = item.get("type"), item.get("id")
        if block_type not in _PURE_ACTIVITY_BLOCKS or not block_id:
            continue
        kept = _ACTIVITY_BLOCKS.get((page.pk, block_type, block_id))
        if kept is not None and kept[0] == item.get("value"):
            bound[position] = kept[1]
        else:
            missing.append(position)
    if not missing:
        return
    if len(_ACTIVITY_BLOCKS) + len(missing) > _ACTIVITY_BLOCKS_SIZE:
        _ACTIVITY_BLOCKS.clear()
    for position in missing:
        item = raw[position]
        child = body[position]
        kept_json = copy.deepcopy(item.get("value"))
        _ACTIVITY_BLOCKS[(page.pk, item["type"], item["id"])] = (kept_json, child)


def _keep_served_module(pk: int, read):
    """The row of the live module served (training.routing), the same for everyone: cached
    under the page cache's generation, which every change of a page moves (courses.page_cache)."""
    return page_cache.cached("served-module", [pk], read)


class ModulePage(ChildRoutingMixin, Page):
    summary = models.TextField(_("summary"), blank=True)
    estimated_minutes = models.PositiveIntegerField(_("estimated minutes"), default=30)
    content_notes = models.TextField(
        _("content notes"),
        blank=True,
        help_text=_(
            "Difficult subjects in this module. Shown before the content, with "
            "“continue” and “not now”."
        ),
    )
    requires_previous = models.BooleanField(
        _("requires the previous modules"),
        default=False,
        help_text=_("Locked until the earlier required modules of the course are completed."),
    )
    required = models.BooleanField(
        _("required for the course"),
        default=True,
        help_text=_("The course is complete when all its required modules are."),
    )
    body = StreamField(ModuleBodyBlock(), verbose_name=_("body"), blank=True)
    # A heavy module offers a private well-being check-in once opened (the care app's page).
    heavy = models.BooleanField(
        _("heavy module"),
        default=False,
        db_default=False,
        help_text=_(
            "The module deals with violence or other hard material: learners are offered a "
            "private well-being check-in after it. Their answers are never shown to anyone."
        ),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("content_notes"),
        MultiFieldPanel(
            [FieldPanel("requires_previous"), FieldPanel("required")],
            heading=_("Completion"),
        ),
        FieldPanel("body"),
    ]
    settings_panels = [*Page.settings_panels, FieldPanel("heavy")]
    search_fields = [*Page.search_fields, index.SearchField("summary")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("module")

    @classmethod
    def served_rows_cache(cls):
        return _keep_served_module

    @cached_property
    def activities(self):
        """The activities in the body, in order, as the registry sees them (their blocks reused
        from an earlier request when unchanged: _reuse_activity_blocks)."""
        _reuse_activity_blocks(self)
        return activities_in(self)

    @cached_property
    def required_activity_ids(self) -> frozenset[str]:
        return frozenset(activity.id for activity in self.activities if activity.required)

    def serve(self, request, *args, **kwargs):
        request.is_preview = False
        return self._serve(request, self.get_template(request, *args, **kwargs))

    def serve_preview(self, request, mode_name):
        """Wagtail's preview panel renders the template itself, without `serve`: served the same
        (progress, activities, shared blocks) as to an editor opening the page."""
        request.is_preview = True
        request.preview_mode = mode_name
        return self._serve(request, self.get_preview_template(request, mode_name))

    def _serve(self, request, template):
        """Learners enrolled in the course, and editors previewing, read the content; others
        get a page that says what they can do (403). This page is the original or its copy in
        the learner's language; progress is the original's (courses.i18n)."""
        # Selectors and services read and write these models: imported when serving.
        from . import selectors, services  # noqa: PLC0415 — they import this module

        access = selectors.module_access(self, request)
        if access.closed:
            return _module_unavailable(request, selectors.module_unavailable_context(
                access, request.user))  # fmt: skip
        progress = None
        if access.enrolled:
            try:
                services.module_assert_open(user=request.user, module=access.module,
                                            course=access.course, modules=access.modules,
                                            enrolled=True)  # fmt: skip
            except services.LearningError as error:
                return _module_unavailable(request, selectors.module_unavailable_context(
                    access, request.user, reason=str(error)))  # fmt: skip
            if request.headers.get(OFFLINE_SAVE_HEADER) == "save":
                # Saved for offline reading (courses.offline, static/js/offline.js): not a visit,
                # so "continue where you left off" stays where the person was.
                progress = access.my_progress or ModuleProgress(
                    user=request.user, module=access.module, course=access.course,
                    status=ProgressStatus.NOT_STARTED,
                )  # fmt: skip
            else:
                progress = services.module_visit(
                    user=request.user, module=access.module, course=access.course,
                    progress=access.my_progress,
                )  # fmt: skip
        context = self.get_context(request, access=access, progress=progress)
        return TemplateResponse(request, template, context)

    def get_context(self, request, *args, access=None, progress=None, **kwargs):
        """Everything the page shows this person (courses.selectors.module_page), with `access`
        and `progress` as `serve` found and recorded them. Asked without them (Wagtail's
        password form for a restricted page), only the page's own fields: whether this person
        may read the module (enrolled, released, in order) is decided by `serve`."""
        from . import selectors  # noqa: PLC0415 — selectors read these models

        context = super().get_context(request, *args, **kwargs)
        if access is not None:
            context.update(selectors.module_page(request, access, progress))
            # Asked once here rather than by the template, which says them twice or costs more
            # in tags (issue 18): the page's ` lang dir` when its words are not in the
            # interface's language, and "About N minutes".
            context["page_lang"] = content_lang(self)
            context["about_minutes"] = _about_minutes(self.estimated_minutes)
        return context


# "About N minutes" as the module page says it, by language and number: the same for everyone.
_ABOUT_MINUTES: dict[tuple, str] = {}


def _about_minutes(minutes) -> str:
    """What `{% blocktranslate count minutes=… trimmed %}About {{ minutes }} minute{% plural %}
    About {{ minutes }} minutes{% endblocktranslate %}` gives (the number localized and escaped,
    the translation as it is), kept."""
    key = (get_language(), minutes)
    text = _ABOUT_MINUTES.get(key)
    if text is None:
        words = ngettext("About %(minutes)s minute", "About %(minutes)s minutes", minutes)
        number = conditional_escape(localize(minutes))
        try:
            text = words % {"minutes": number}
        except (KeyError, ValueError):
            # A translation that does not format: the original words, as the tag does.
            with override(None):
                text = ngettext("About %(minutes)s minute", "About %(minutes)s minutes",
                                minutes) % {"minutes": number}  # fmt: skip
        if len(_ABOUT_MINUTES) >= 1000:
            _ABOUT_MINUTES.clear()
        text = _ABOUT_MINUTES[key] = mark_safe(text)  # noqa: S308 - the number is escaped
    return text


def _module_unavailable(request, context):
    return render(request, "courses/module_unavailable.html", context, status=403)


# --- Records ------------------------------------------------------------------------------------
class Enrolment(models.Model):
    """A learner may follow a course. Created in code (and by cohorts, later)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="enrolments")
    source = models.CharField(_("source"), max_length=40, default="manual")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="enrolment_once"),
        ]

    def __str__(self):
        return f"{self.user} → {self.course}"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class ModuleProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="module_progress"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="progress")
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="module_progress")
    status = models.CharField(
        max_length=20, choices=ProgressStatus.choices, default=ProgressStatus.IN_PROGRESS
    )
    started_at = models.DateTimeField(auto_now_add=True)
    last_visited_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    marked_done = models.BooleanField(default=False)
    content_notes_acknowledged_at = models.DateTimeField(null=True, blank=True)
    set_aside_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person chose “not now” at the content notes."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="module_progress_once"),
            models.CheckConstraint(
                condition=~models.Q(status="completed") | models.Q(completed_at__isnull=False),
                name="module_completed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["user", "course"])]

    def __str__(self):
        return f"{self.user} · {self.module_id} · {self.status}"


class ActivityCompletion(models.Model):
    """One activity of a module, completed by one person. Written once, by the server."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_completions"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="completions")
    activity_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=30)
    score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "activity_id"], name="activity_completed_once"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.activity_id}"


class CourseProgress(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_progress"
    )
    course = models.ForeignKey(CoursePage, on_delete=models.CASCADE, related_name="progress")
    last_module = models.ForeignKey(
        ModulePage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="course_progress_once"),
        ]

    def __str__(self):
        return f"{self.user} · {self.course_id}"


class QuizAttempt(models.Model):
    """A submitted quiz, graded on the server. `submission_id` makes a resubmission a no-op."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="quiz_attempts")
    activity_id = models.CharField(max_length=64)
    number = models.PositiveIntegerField()
    submission_id = models.UUIDField(default=uuid.uuid4)
    answers = models.JSONField(default=dict)
    results = models.JSONField(default=dict)
    score = models.DecimalField(max_digits=5, decimal_places=2)
    passed = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["user", "submission_id"], name="quiz_submission_once"),
            models.UniqueConstraint(
                fields=["user", "module", "activity_id", "number"], name="quiz_attempt_number_once"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.activity_id} #{self.number}"


class Reflection(models.Model):
    """A private journal entry. Only its author sees it, unless they share it with trainers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="reflections")
    activity_id = models.CharField(max_length=64)
    text = models.TextField(blank=True)
    # What trainers may read: the text as submitted (drafts written later are not shared), and
    # only when the author chose to share it at submission.
    submitted_text = models.TextField(blank=True)
    shared_with_trainers = models.BooleanField(default=False)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # A trainer's short private reply to a shared reflection: only its author sees it.
    reply = models.TextField(blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "module", "activity_id"], name="reflection_once"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.activity_id}"


# --- H5P ----------------------------------------------------------------------------------------
def h5p_upload_storage():
    """Uploaded packages are kept in the H5P store (storages["h5p"], under uploads/), outside
    MEDIA_ROOT: never served. Looked up at each use, so a changed STORAGES takes effect."""
    return StorageAlias("h5p")


H5P_LIBRARY_VERSION = ["machine_name", "major_version", "minor_version", "patch_version"]


class H5PLibrary(models.Model):
    """One set of files of an H5P library version, stored once and shared by every activity that
    uses it.

    A version the platform has not seen before waits for an administrator's review: content
    that needs an unapproved library does not play and cannot be published in a module. While
    a version waits, a later upload may bring other files under the same name and version: each
    set is kept as a candidate of its own (its own row and folder, by the hash of its files), so
    the first upload cannot squat a well-known library; the review screen shows them side by
    side. At most one candidate of a version is ever approved, and an approved version is never
    replaced (a package bringing other files under it is refused).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    machine_name = models.CharField(_("machine name"), max_length=127)
    major_version = models.PositiveIntegerField(_("major version"))
    minor_version = models.PositiveIntegerField(_("minor version"))
    patch_version = models.PositiveIntegerField(_("patch version"))
    title = models.CharField(_("title"), max_length=255)
    files_hash = models.CharField(_("hash of the files"), max_length=64)
    # [{"path", "size", "sha256"}, …] as uploaded: what the review screen lists and compares.
    files = models.JSONField(_("files"), default=list, blank=True)
    # Below the library store's root; empty for versions stored before candidates had folders
    # of their own (then the folder is "<name>-<version>").
    folder_name = models.CharField(max_length=255, blank=True)
    metadata = models.JSONField(_("library.json"), default=dict)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    reviewed_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("uploaded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("H5P library")
        verbose_name_plural = _("H5P libraries")
        ordering = ["machine_name", "-major_version", "-minor_version", "-patch_version",
                    "-created_at"]  # fmt: skip
        constraints = [
            models.UniqueConstraint(
                fields=[*H5P_LIBRARY_VERSION, "files_hash"],
                name="h5p_library_candidate_once",
            ),
            models.UniqueConstraint(
                fields=H5P_LIBRARY_VERSION,
                condition=models.Q(status="approved"),
                name="h5p_library_one_approved_per_version",
            ),
        ]

    def __str__(self):
        return f"{self.machine_name} {self.version}"

    @property
    def version(self) -> str:
        return f"{self.major_version}.{self.minor_version}.{self.patch_version}"

    @property
    def version_tuple(self) -> tuple[int, int, int]:
        return (self.major_version, self.minor_version, self.patch_version)

    @property
    def folder(self) -> str:
        """Where its files are stored, below the library store's root."""
        return self.folder_name or f"{self.machine_name}-{self.version}"


class H5PActivityQuerySet(models.QuerySet):
    def playable(self):
        """Ready, and every library it uses approved by an administrator: nothing else plays."""
        unapproved = H5PLibrary.objects.filter(activities=OuterRef("pk")).exclude(
            status=H5PLibrary.Status.APPROVED
        )
        return self.filter(status=H5PActivity.Status.READY).exclude(Exists(unapproved))


class H5PActivity(models.Model):
    """An uploaded H5P package: validated and extracted in the background."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Refused")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=255)
    language = models.CharField(_("language"), max_length=10, choices=language_choices)
    package = models.FileField(_("H5P file"), upload_to="uploads/", storage=h5p_upload_storage)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    errors = models.JSONField(_("reasons"), default=list, blank=True)
    main_library = models.CharField(_("content type"), max_length=255, blank=True)
    h5p_json = models.JSONField(default=dict, blank=True)
    libraries = models.ManyToManyField(H5PLibrary, blank=True, related_name="activities")
    # Every subContentId in content.json: statements about a part of the content must name one.
    sub_content_ids = models.JSONField(default=list, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = H5PActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("H5P activity")
        verbose_name_plural = _("H5P activities")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def status_label(self) -> str:
        return self.get_status_display()

    @property
    def reasons(self) -> str:
        return " · ".join(self.errors)


class H5PStatement(models.Model):
    """An xAPI statement from the player, as the server accepted it: the actor replaced by the
    account identifier, bound to the learner, module block and activity of its launch. Kept
    for audit for ACOMPANA_H5P_STATEMENT_DAYS; the completion it led to is kept with progress.
    """

    id = models.UUIDField(primary_key=True)  # the statement id, assigned by the module page
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="h5p_statements"
    )
    module = models.ForeignKey(ModulePage, on_delete=models.CASCADE, related_name="+")
    activity_id = models.CharField(max_length=64)
    h5p_activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="+")
    verb = models.CharField(max_length=255)
    sub_content_id = models.CharField(max_length=64, blank=True)
    score_scaled = models.DecimalField(max_digits=6, decimal_places=5, null=True, blank=True)
    counted = models.BooleanField(default=False)  # it completed the activity
    raw = models.JSONField()
    stored_at = models.DateTimeField(auto_now_add=True, db_index=True)

    # Wagtail's reference index would add queries and rows to every statement (it follows the
    # foreign key to the module page once the admin lists statements): nothing needs it here.
    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("H5P statement")
        verbose_name_plural = _("H5P statements")
        indexes = [models.Index(fields=["user", "module", "activity_id"])]

    def __str__(self):
        return f"{self.user_id} · {self.verb} · {self.activity_id}"

    @property
    def learner(self) -> str:
        return str(self.user.display_name)

    @property
    def verb_name(self) -> str:
        return self.verb.rsplit("/", 1)[-1]


class H5PState(models.Model):
    """Where a learner was in an H5P activity (the player's own state), to resume there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="h5p_states"
    )
    h5p_activity = models.ForeignKey(H5PActivity, on_delete=models.CASCADE, related_name="+")
    data = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    wagtail_reference_index_ignore = True

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "h5p_activity"], name="h5p_state_once"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.h5p_activity_id}"
