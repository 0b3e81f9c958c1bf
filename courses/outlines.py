"""Course outlines: what the course, module and catalog pages show that is the same for
everyone who reads the same copy in the same language (the original course behind a copy, its
published modules in order, titled in the copy's words, the prerequisite courses, languages and
topics), cached by courses.page_cache under its generation.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import translation

from training import i18n

from .models import CoursePage, ModulePage, ModuleProgress
from .page_cache import cached, partial


# --- Module summaries and languages -----------------------------------------------------------
@dataclass
class ModuleSummary:
    """A module as the course outline shows it: no body, its URL derived from the course's."""

    pk: int
    title: str
    slug: str
    summary: str
    estimated_minutes: int
    required: bool
    requires_previous: bool
    translation_key: uuid.UUID  # the same in every language copy of the module (courses.i18n)
    url: str
    my_progress: ModuleProgress | None = None


SUMMARY_FIELDS = ["pk", "title", "slug", "summary", "estimated_minutes", "required",
                  "requires_previous", "translation_key"]  # fmt: skip
SUMMARY_PROGRESS_FIELDS = ["id", "status", "last_visited_at", "content_notes_acknowledged_at",
                           "set_aside_at"]  # fmt: skip


def course_languages(courses) -> dict[int, set[str]]:
    """The languages of each course (by pk), as the catalog and the course page both say them:
    those its editors teach it in, and every language it is translated into (translations, not
    aliases, which show the original's words). `course_languages` prefetched; one query."""
    translated: dict[Any, set[str]] = {}
    for key, code in (
        CoursePage.objects.live()
        .filter(translation_key__in=[c.translation_key for c in courses], alias_of__isnull=True)
        .values_list("translation_key", "locale__language_code")
    ):
        translated.setdefault(key, set()).add(code)
    return {
        course.pk: {row.language for row in course.course_languages.all()}
        | translated.get(course.translation_key, set())
        for course in courses
    }


def language_names(codes) -> list[str]:
    """Names of `codes`, in the platform's order of languages."""
    return [name for code, name in settings.ALL_LANGUAGES.items() if code in codes]


# --- The course behind a page -------------------------------------------------------------------
# Fields of the original course and modules kept (anything else is loaded when read).
COURSE_FIELDS = ("id", "page_ptr_id", "path", "depth", "url_path", "title", "draft_title",
                 "seo_title", "slug", "live", "locale_id", "translation_key", "content_type_id",
                 "alias_of_id", "self_paced", "free_preview", "live_revision_id")  # fmt: skip
# `heavy` too: the module page reads the original's (courses.module_extras), never a copy's.
# NOTE: bump OUTLINE_VERSION whenever MODULE_FIELDS, COURSE_FIELDS or CourseOutline change.
MODULE_FIELDS = ("id", "page_ptr_id", "path", "depth", "url_path", "title", "draft_title",
                 "seo_title", "slug", "live", "locale_id", "translation_key", "content_type_id",
                 "alias_of_id", "required", "requires_previous", "estimated_minutes", "heavy",
                 "live_revision_id")  # fmt: skip
# In the outline's cache key: outlines cached by a release with other fields (kept up to a day,
# courses.page_cache) are never read by this one, which would load each missing field with a
# query of its own (2: `heavy` added to MODULE_FIELDS; 3: CourseOutline.url).
OUTLINE_VERSION = 3
# ModuleSummary's fields, in order, but its URL.
OUTLINE_FIELDS = ("pk", "title", "slug", "summary", "estimated_minutes", "required",
                  "requires_previous", "translation_key")  # fmt: skip


@dataclass
class CourseOutline:
    """A copy of a course (`shown_pk`) as everyone reads it in one language."""

    shown_pk: int
    record_course: dict  # COURSE_FIELDS of the original
    # The published modules in order: OUTLINE_FIELDS values (the copy's words, the original's
    # pk) and the URL.
    modules: list[tuple] = field(default_factory=list)
    # The original modules by translation key (str): MODULE_FIELDS.
    record_modules: dict[str, dict] = field(default_factory=dict)
    # For the course page.
    prerequisites: list = field(default_factory=list)  # pages
    language_names: list[str] = field(default_factory=list)
    topic_names: list[str] = field(default_factory=list)
    # The copy's address (its `url`), which its modules' derive from.
    url: str = ""

    def course(self):
        return partial(CoursePage, self.record_course)

    def module(self, translation_key):
        values = self.record_modules.get(str(translation_key))
        return partial(ModulePage, values) if values is not None else None

    def summaries(self):
        return [ModuleSummary(*values, url=url) for *values, url in self.modules]


def locales_known() -> bool:
    """Whether the site's locales are known (read): a value built while they are not (the
    locale of originals None) is not cached for everyone."""
    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return True
    return i18n.default_locale_id() is not None


def course_outline(shown, *, fresh: bool = False) -> CourseOutline:
    """The outline of `shown` (a course page served: the original or a copy), cached. `fresh`:
    built from the database (previews)."""
    parts = [f"v{OUTLINE_VERSION}", shown.pk, translation.get_language()]
    build = lambda: _build_outline(shown, fresh=fresh)  # noqa: E731
    return cached("outline", parts, build, fresh=fresh or not locales_known())


def _build_outline(shown, *, fresh: bool) -> CourseOutline:
    default = i18n.default_locale_id()
    if not fresh:
        # The page whole, as published (routing may have loaded only what it routes by).
        shown = CoursePage.objects.prefetch_related("course_languages", "topics__names").get(
            pk=shown.pk
        )
    record = shown
    if default is not None and shown.locale_id != default:
        record = (
            CoursePage.objects.filter(translation_key=shown.translation_key, locale_id=default)
            .first() or shown
        )  # fmt: skip
    originals = list(
        ModulePage.objects.live().filter(path__startswith=record.path, depth=record.depth + 1)
        .order_by("path").values(*MODULE_FIELDS, "summary")
    )  # fmt: skip
    words = {}
    if shown.pk != record.pk:
        words = {
            row[0]: row[1:]
            for row in ModulePage.objects.live()
            .filter(path__startswith=shown.path, depth=shown.depth + 1,
                    translation_key__in=[m["translation_key"] for m in originals])
            .values_list("translation_key", "title", "slug", "summary")
        }  # fmt: skip
    # A module the copy has no copy of keeps the original's address (courses.selectors).
    course_url, record_url = shown.url, (record.url if record.pk != shown.pk else None)
    outline = CourseOutline(
        shown_pk=shown.pk,
        record_course={name: getattr(record, name) for name in COURSE_FIELDS},
        url=course_url,
    )
    for row in originals:
        copy = words.get(row["translation_key"])
        title, slug, summary = copy or (row["title"], row["slug"], row["summary"])
        url = f"{course_url if copy or record_url is None else record_url}{slug}/"
        values = {**row, "pk": row["id"], "title": title, "slug": slug, "summary": summary}
        outline.modules.append((*(values[name] for name in OUTLINE_FIELDS), url))
        outline.record_modules[str(row["translation_key"])] = {
            name: row[name] for name in MODULE_FIELDS
        }
    outline.prerequisites = list(shown.prerequisites.live())
    outline.language_names = language_names(course_languages([shown])[shown.pk])
    outline.topic_names = [topic.local_name for topic in shown.topics.all()]
    return outline


def with_progress(outline: CourseOutline, records) -> list:
    """The outline's modules (as ModuleSummary) with this person's progress
    (`records`: courses.selectors.learner_records)."""
    modules = outline.summaries()
    for module in modules:
        module.my_progress = records.modules.get(module.pk)
    return modules
