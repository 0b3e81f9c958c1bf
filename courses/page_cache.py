"""What the course, module and catalog pages show that is the same for everyone who reads the
same copy in the same language: the original course behind a copy, its published modules in
order (titled in the copy's words), the prerequisite courses, languages and topics; the
catalog's courses. Kept in the Django cache (Redis in production: every process agrees), under
a generation that moves whenever published content could have changed (see `invalidate`), so
a page never shows a stale outline. Each read is copied: nothing a request changes is shared.

The generation is the one the module blocks' HTML is cached under (courses.views): one cache
read a request serves both.
"""

import secrets
import threading
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import translation

GENERATION_KEY = "module-blocks-generation"
SECONDS = 60 * 60 * 24


# The generations read during the current request, by key: read from the cache once per request
# (a page asks several times: outline, titles, catalog, blocks), forgotten at the start and end of
# every request and whenever this process moves one. Outside a request they are read every time.
_REQUEST = threading.local()


def _request_started(**kwargs) -> None:
    _REQUEST.generations = {}


def _request_finished(**kwargs) -> None:
    _REQUEST.generations = None


def connect() -> None:
    request_started.connect(_request_started, dispatch_uid="courses-page-cache-request-started")
    request_finished.connect(_request_finished, dispatch_uid="courses-page-cache-request-finished")


def generation(key: str = GENERATION_KEY) -> int:
    read = getattr(_REQUEST, "generations", None)
    if read is not None and key in read:
        return read[key]
    # A random start (not 1): a cache emptied (a restart, `cache.clear()`) never brings back a
    # generation that values kept in a process (_LOCAL) were read under.
    value = cache.get_or_set(key, _start, None)
    if read is not None:
        read[key] = value
    return value


def _start() -> int:
    return secrets.randbits(48)


def _bump(key: str = GENERATION_KEY) -> None:
    read = getattr(_REQUEST, "generations", None)
    if read:
        read.pop(key, None)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, _start(), None)


def generation_invalidator(key: str):
    """A signal receiver moving the generation `key` now and once the change is committed (see
    `invalidate`): for values that depend on less than every page (cohorts' release dates)."""

    def receiver(**kwargs) -> None:
        _bump(key)
        transaction.on_commit(lambda: _bump(key))

    return receiver


def invalidate(**kwargs) -> None:
    """Connected (courses.apps) to every change of pages (save, delete, publish, unpublish,
    move), sites, locales, view restrictions, topics, course languages, images and documents.
    Moved now, and again once the change is committed: a request that read the old rows while
    the change was not committed yet may have cached them under the first new generation."""
    _bump()
    transaction.on_commit(_bump)


# The values last read in this process, by key (the generation is in the key, so a value kept
# here is as valid as the cache's): no unpickling on every request. Never changed once read.
_LOCAL: dict[str, object] = {}
LOCAL_SIZE = 500


def cached(name: str, parts, build, *, fresh: bool = False, generation_key=GENERATION_KEY):
    """`build()`, cached under `name`, `parts` and the generation (not when `fresh`). The value
    is shared: callers copy what they change."""
    if fresh:
        return build()
    key = ":".join(["courses-page", name, str(generation(generation_key)), *map(str, parts)])
    value = _LOCAL.get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, SECONDS)
    if len(_LOCAL) >= LOCAL_SIZE:
        _LOCAL.clear()
    _LOCAL[key] = value
    return value


def partial(model, values: dict):
    """An instance of `model` with only these fields (attnames) loaded, as the ORM makes one
    from `.only()`: any other field is read from the database if someone needs it."""
    names = set(values)
    row = [values[f.attname] for f in model._meta.concrete_fields if f.attname in names]
    return model.from_db(DEFAULT_DB_ALIAS, names, row)


# --- The course behind a page -------------------------------------------------------------------
# Fields of the original course and modules kept (anything else is loaded when read).
COURSE_FIELDS = ("id", "page_ptr_id", "path", "depth", "url_path", "title", "draft_title",
                 "seo_title", "slug", "live", "locale_id", "translation_key", "content_type_id",
                 "alias_of_id", "self_paced", "free_preview", "live_revision_id")  # fmt: skip
MODULE_FIELDS = ("id", "page_ptr_id", "path", "depth", "url_path", "title", "draft_title",
                 "seo_title", "slug", "live", "locale_id", "translation_key", "content_type_id",
                 "alias_of_id", "required", "requires_previous", "estimated_minutes",
                 "live_revision_id")  # fmt: skip
# ModuleSummary's fields, in order (courses.services), but its URL.
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

    def course(self):
        from .models import CoursePage

        return partial(CoursePage, self.record_course)

    def module(self, translation_key):
        from .models import ModulePage

        values = self.record_modules.get(str(translation_key))
        return partial(ModulePage, values) if values is not None else None

    def summaries(self):
        from .services import ModuleSummary

        return [ModuleSummary(*values, url=url) for *values, url in self.modules]


def locales_known() -> bool:
    """Whether the site's locales are known (read): a value built while they are not (the
    locale of originals None) is not cached for everyone."""
    from django.conf import settings

    from . import i18n

    if not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return True
    return i18n.default_locale_id() is not None


def course_outline(shown, *, fresh: bool = False) -> CourseOutline:
    """The outline of `shown` (a course page served: the original or a copy), cached. `fresh`:
    built from the database (previews)."""
    parts = [shown.pk, translation.get_language()]
    build = lambda: _build_outline(shown, fresh=fresh)  # noqa: E731
    return cached("outline", parts, build, fresh=fresh or not locales_known())


def _build_outline(shown, *, fresh: bool) -> CourseOutline:
    from . import i18n
    from .models import CoursePage, ModulePage
    from .selectors import course_languages, language_names

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
    # A module the copy has no copy of keeps the original's address (courses.services).
    course_url, record_url = shown.url, (record.url if record.pk != shown.pk else None)
    outline = CourseOutline(
        shown_pk=shown.pk,
        record_course={name: getattr(record, name) for name in COURSE_FIELDS},
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
    """The outline's modules (as courses.services.ModuleSummary) with this person's progress
    (`records`: courses.services.learner_records)."""
    modules = outline.summaries()
    for module in modules:
        module.my_progress = records.modules.get(module.pk)
    return modules
