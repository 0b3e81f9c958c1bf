"""Reads for course pages, module pages, the catalog and the dashboard, in fixed query counts."""

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.formats import localize
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page
from wagtail_localize.models import TranslationSource

from training import i18n
from training.prepared import Pending, Prepared, Together, parallel, read_now
from training.roles import Role
from training.templatetags.acompana import when

from . import access, module_extras, page_cache
from .models import (
    CourseIndexPage,
    CoursePage,
    CourseProgress,
    Enrolment,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
    Topic,
)
from .next_steps import NextStep, contributed
from .outlines import (
    COURSE_FIELDS,
    SUMMARY_FIELDS,
    SUMMARY_PROGRESS_FIELDS,
    ModuleSummary,
    course_languages,
    course_outline,
    language_names,
    locales_known,
    with_progress,
)
from .page_cache import cached


# --- Access and outlines ---------------------------------------------------------------------
def free_preview_module_id(course: CoursePage, modules) -> int | None:
    """The module anyone may read before joining: the first published one of a course whose
    editors made it a free preview. `modules`: from `modules_with_progress`, in order."""
    if not course.free_preview or not modules:
        return None
    return modules[0].pk


def can_preview(user) -> bool:
    """Editors and administrators open any module without enrolling (to check their content);
    other roles with admin access (coordinators edit tracks there) do not."""
    return user.is_authenticated and (user.is_superuser or user.has_role(Role.EDITOR))


def is_enrolled(user, course: CoursePage) -> bool:
    if not user.is_authenticated:
        return False
    if hasattr(course, "viewer_enrolled"):  # annotated by the catalog's routing
        return course.viewer_enrolled
    return Enrolment.objects.filter(user=user, course=course).exists()


def modules_with_progress(course: CoursePage, user, course_url: str | None = None, *,
                          shown_course: CoursePage | None = None):  # fmt: skip
    """The course's published modules in order (as ModuleSummary), each with `.my_progress`:
    this learner's record, or None. One query, whatever the size of the course.

    `course` is the original (where progress is kept, see courses.i18n); with `shown_course`, a
    copy in another language, titles, summaries and addresses come from the copy (one more
    query) while `pk` stays the original module's."""
    if shown_course is not None and shown_course.pk != course.pk:
        return _localized(modules_with_progress(course, user), shown_course)
    urls = {course.pk: course_url if course_url is not None else course.url}
    return outlines([course], user, urls=urls)[course.pk]


def outlines(
    courses, user, *, urls: dict[int, str] | None = None
) -> dict[int, list[ModuleSummary]]:
    """The published modules of several courses in order (as ModuleSummary), each with this
    learner's record (`.my_progress`, or None), by course pk: one query for all of them.
    `urls`: each course's address, when already known (else `course.url`)."""
    if not courses:
        return {}
    condition = Q()
    for course in courses:
        condition |= Q(path__startswith=course.path, depth=course.depth + 1)
    by_path = {course.path: course for course in courses}
    urls = {course.pk: (urls or {}).get(course.pk) or course.url for course in courses}
    modules = ModulePage.objects.live().filter(condition).order_by("path")
    fields, progress_fields = SUMMARY_FIELDS, SUMMARY_PROGRESS_FIELDS
    if user.is_authenticated:
        # The learner's record rides along on a LEFT JOIN: one query for the whole outline.
        modules = modules.annotate(
            mine=FilteredRelation("progress", condition=Q(progress__user=user))
        ).values_list("path", *fields, *[f"mine__{name}" for name in progress_fields])
    else:
        modules = modules.values_list("path", *fields)
    result: dict[int, list[ModuleSummary]] = {course.pk: [] for course in courses}
    for path, *row in modules:
        course = by_path.get(path[: -ModulePage.steplen])
        if course is None:
            continue
        values, record = row[: len(fields)], row[len(fields) :]
        summary = ModuleSummary(*values, url=f"{urls[course.pk]}{values[2]}/")
        mine = dict(zip(progress_fields, record, strict=True)) if record else {}
        if mine.get("id") is not None:
            summary.my_progress = ModuleProgress(
                user=user, module_id=summary.pk, course_id=course.pk, **mine
            )
        result[course.pk].append(summary)
    return result


@dataclass
class LearnerRecords:
    """One person's records about one course (the original): whether they are enrolled, their
    progress in each module (by module pk) and in the course."""

    enrolled: bool = False
    modules: dict[int, ModuleProgress] | None = None
    course: CourseProgress | None = None


def learner_records(user, course_id: int) -> LearnerRecords:
    """Enrolment, module progress and course progress of `user` in a course, in one query (none
    for someone signed out): one row, with the person's records on LEFT JOINs. Written in SQL:
    the ORM takes longer to build this one than the database to answer it."""
    together = Together()
    pending = queue_learner_records(together, user, course_id)
    together.run()
    return pending.rows


def queue_learner_records(together: Together, user, course_id: int) -> Pending:
    """`learner_records`, read with the other reads of `together` (the Pending's `rows`, a
    LearnerRecords, once they have run)."""
    if not user.is_authenticated:
        return together.done(LearnerRecords(modules={}))
    sql, module_fields, course_fields = _learner_records_sql(connection)

    def records_from(rows):
        records = LearnerRecords(modules={})
        split = 1 + len(module_fields)
        for row in rows:
            records.enrolled = bool(row[0])
            module_values, course_values = row[1:split], row[split:]
            if module_values[0] is not None:
                progress = _from_row(ModuleProgress, module_fields, module_values, connection)
                records.modules[progress.module_id] = progress
            if course_values[0] is not None and records.course is None:
                records.course = _from_row(CourseProgress, course_fields, course_values, connection)
        return records

    return together.sql(sql, [course_id, user.pk] * 3, finish=records_from)


_RECORDS_SQL: dict[str, tuple] = {}


def _learner_records_sql(connection) -> tuple[str, list, list]:
    found = _RECORDS_SQL.get(connection.vendor)
    if found is None:
        qn = connection.ops.quote_name
        module_fields = list(ModuleProgress._meta.concrete_fields)
        course_fields = list(CourseProgress._meta.concrete_fields)
        columns = [f"mp.{qn(f.column)}" for f in module_fields]
        columns += [f"cp.{qn(f.column)}" for f in course_fields]
        # Names from the models only, values as parameters.
        sql = (
            f"SELECT EXISTS(SELECT 1 FROM {qn(Enrolment._meta.db_table)} e "  # noqa: S608
            f"WHERE e.{qn('course_id')} = %s AND e.{qn('user_id')} = %s), {', '.join(columns)} "
            f"FROM (SELECT 1 AS one) base "
            f"LEFT JOIN {qn(ModuleProgress._meta.db_table)} mp "
            f"ON mp.{qn('course_id')} = %s AND mp.{qn('user_id')} = %s "
            f"LEFT JOIN {qn(CourseProgress._meta.db_table)} cp "
            f"ON cp.{qn('course_id')} = %s AND cp.{qn('user_id')} = %s"
        )
        found = _RECORDS_SQL[connection.vendor] = (sql, module_fields, course_fields)
    return found


_CONVERTERS: dict[tuple, list] = {}


def _from_row(model, fields, values, connection):
    """An instance from raw column values, converted as the ORM converts them (the backend's
    converters, then the field's)."""
    key = (connection.vendor, model)
    converters = _CONVERTERS.get(key)
    if converters is None:
        converters = []
        for model_field in fields:
            expression = model_field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(expression)
            found += expression.get_db_converters(connection)
            converters.append((expression, found))
        _CONVERTERS[key] = converters
    converted = []
    for (expression, found), value in zip(converters, values, strict=True):
        for converter in found:
            value = converter(value, expression, connection)
        converted.append(value)
    return model.from_db(DEFAULT_DB_ALIAS, [f.attname for f in fields], converted)


def _localized(modules: list[ModuleSummary], shown_course: CoursePage) -> list[ModuleSummary]:
    if not modules:
        return modules
    copies = {
        row[0]: row[1:]
        for row in ModulePage.objects.live()
        .filter(path__startswith=shown_course.path, depth=shown_course.depth + 1,
                translation_key__in=[m.translation_key for m in modules])
        .values_list("translation_key", "title", "slug", "summary")
    }  # fmt: skip
    course_url = shown_course.url
    for summary in modules:
        copy = copies.get(summary.translation_key)
        if copy is not None:
            summary.title, summary.slug, summary.summary = copy
            summary.url = f"{course_url}{summary.slug}/"
    return modules


def completed_module_ids(modules) -> set[int]:
    return {
        m.pk for m in modules if m.my_progress and m.my_progress.status == ProgressStatus.COMPLETED
    }


def module_lock_reason(*, module: ModulePage, siblings, completed_ids) -> str | None:
    """Why this module is still locked for a learner, or None when it is open."""
    if not module.requires_previous:
        return None
    for sibling in siblings:
        if sibling.pk == module.pk:
            return None
        if sibling.required and sibling.pk not in completed_ids:
            return gettext("Complete “%(title)s” first.") % {"title": sibling.title}
    return None


# --- Catalog -------------------------------------------------------------------------------------
def catalog_for(index: CourseIndexPage, params) -> dict:
    """The courses under `index` (the catalog in the learner's language), filtered by language
    and topic. A course's languages: those its editors teach it in, and every language it is
    translated into (one query for all of them)."""
    language = params.get("language", "")
    topic = params.get("topic", "")
    courses = (
        CoursePage.objects.live().public().child_of(index)
        .prefetch_related("topics__names", "course_languages")
        .order_by("path")
    )  # fmt: skip
    if topic:
        courses = courses.filter(topics__slug=topic)
    courses = list(courses.distinct())
    languages = course_languages(courses)
    joining = catalog_joining(courses)
    for course in courses:
        course.language_set = languages[course.pk]
        course.language_names = language_names(course.language_set)
        course.starts_alone, course.has_free_preview = joining[course.pk]
    if language in settings.ALL_LANGUAGES:
        courses = [course for course in courses if language in course.language_set]
    else:
        language = ""
    return {
        "courses": courses,
        "topics": list(Topic.objects.prefetch_related("names")),
        "languages": list(settings.ALL_LANGUAGES.items()),
        "selected_language": language,
        "selected_topic": topic,
    }


def catalog_cached(index: CourseIndexPage, params) -> dict:
    """`catalog_for`, the same for everyone: cached (courses.page_cache) for each filter a
    visitor can choose (any other topic asked is read from the database)."""
    language = params.get("language", "")
    language = language if language in settings.ALL_LANGUAGES else ""
    topic = params.get("topic", "")
    wanted = {"language": language, "topic": topic}
    # Only the filters a visitor can choose are cached (any other topic is read each time: no
    # one fills the cache with keys of their own).
    fresh = bool(topic) and topic not in _topic_slugs()
    found = cached("catalog", [index.pk, get_language(), language, topic],
                   lambda: catalog_for(index, wanted), fresh=fresh)  # fmt: skip
    return {**found, "courses": list(found["courses"]), "topics": list(found["topics"])}


def _topic_slugs() -> set[str]:
    """The slugs of every topic, cached (courses.page_cache: topics' changes move it)."""
    return cached("topic-slugs", [], lambda: set(Topic.objects.values_list("slug", flat=True)))


def catalog_joining(courses) -> dict[int, tuple[bool, bool]]:
    """Whether each course (by pk) can be started alone now (open for self-paced learning) and
    has a free preview (the first of its published modules), as its page says it: the original's
    settings and modules count (courses.i18n.record), whichever copy the catalog lists. One
    query."""
    default = i18n.default_locale_id()
    modules = ModulePage.objects.live().filter(
        path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1
    )
    rows = (
        CoursePage.objects.filter(
            Q(translation_key__in=[c.translation_key for c in courses], locale_id=default)
            | Q(pk__in=[c.pk for c in courses])
        )
        .annotate(has_module=Exists(modules))
        .values_list("pk", "translation_key", "locale_id", "self_paced", "free_preview",
                     "has_module")
    )  # fmt: skip
    originals, own = {}, {}
    for pk, key, locale_id, self_paced, free_preview, has_module in rows:
        flags = (self_paced, free_preview and has_module)
        own[pk] = flags
        if locale_id == default:
            originals[key] = flags
    return {
        course.pk: originals.get(course.translation_key, own.get(course.pk, (False, False)))
        for course in courses
    }


@dataclass
class ModuleRow:
    module: ModulePage
    status: str
    lock_reason: str | None
    progress: ModuleProgress | None

    @property
    def locked(self) -> bool:
        return self.lock_reason is not None


def module_rows(course: CoursePage, user, modules=None) -> list[ModuleRow]:
    """Each published module of the course with this learner's state, in one query."""
    if modules is None:
        modules = modules_with_progress(course, user)
    completed = completed_module_ids(modules)
    closed = access.unreleased(user, course)
    rows = []
    for module in modules:
        status = module.my_progress.status if module.my_progress else ProgressStatus.NOT_STARTED
        reason = None
        if module.pk in closed:
            reason = str(_("Opens on %(when)s.")) % {"when": when(closed[module.pk])}
        elif status != ProgressStatus.COMPLETED:
            reason = module_lock_reason(module=module, siblings=modules, completed_ids=completed)
        rows.append(
            ModuleRow(module=module, status=status, lock_reason=reason, progress=module.my_progress)
        )
    return rows


def _to_do(row: ModuleRow) -> bool:
    """Open (not locked, not waiting for its release date), not completed, not set aside."""
    if row.locked or row.status == ProgressStatus.COMPLETED:
        return False
    return not (row.progress is not None and row.progress.set_aside_at)


def next_module(rows: list[ModuleRow], last_module_id: int | None = None):
    """The next thing to do in a course: the module last visited while it is still to do (the
    person was in the middle of it), otherwise the first module to do in course order; None
    when there is none. Never a module completed, set aside, locked or not released yet."""
    last = next((row for row in rows if row.module.pk == last_module_id), None)
    if last is not None and _to_do(last):
        return last.module
    return next((row.module for row in rows if _to_do(row)), None)


def next_steps(user, shown: CoursePage, course: CoursePage, *, enrolled: bool, rows,
               completed: bool = False, last_module_id: int | None = None,
               ) -> list[NextStep]:  # fmt: skip
    """What this person can do next about the course: continue (enrolled), start it (open for
    self-paced learning), sign up or in, read the free preview, and what other apps add
    (cohorts: apply, the application waiting, the place on the waitlist). `shown` is the page
    served, `course` its original (its settings count). A fixed number of queries."""
    steps: list[NextStep] = []
    if enrolled:
        if completed:
            return steps
        following = next_module(rows, last_module_id)
        started = any(row.progress is not None for row in rows)
        if following is not None:
            steps.append(NextStep(
                kind="continue",
                text=str(_("Next: “%(title)s”.")) % {"title": following.title},
                action=str(_("Continue where you left off") if started
                           else _("Start the course")),
                url=following.url, order=0,
            ))  # fmt: skip
        elif any(row.status != ProgressStatus.COMPLETED for row in rows):
            steps.append(NextStep(kind="waiting", order=0, text=str(_(
                "The modules you have not completed are set aside or not open yet: see the "
                "list below."))))  # fmt: skip
        return steps
    course_url = shown.url
    if not user.is_authenticated:
        next_param = urlencode({"next": course_url})
        steps.append(NextStep(
            kind="sign_up", order=0,
            text=str(_("Create a free account to start this course now, at your own pace.")
                     if course.self_paced
                     else _("Create a free account to join this course.")),
            action=str(_("Create an account")), url=f"{reverse('account_signup')}?{next_param}",
        ))  # fmt: skip
        steps.append(NextStep(
            kind="sign_in", order=1, text=str(_("Already have an account?")),
            action=str(_("Sign in")), url=f"{reverse('account_login')}?{next_param}",
        ))  # fmt: skip
    elif course.self_paced:
        steps.append(NextStep(
            kind="start", order=0,
            text=str(_("This course is open for self-paced learning: start now and go at "
                       "your own pace.")),
            action=str(_("Start this course")), post=True,
            url=reverse("courses:start", args=[shown.pk]),
        ))  # fmt: skip
    preview_id = free_preview_module_id(course, [row.module for row in rows])
    if preview_id is not None:
        preview = next(row.module for row in rows if row.module.pk == preview_id)
        steps.append(NextStep(
            kind="preview", order=5,
            text=str(_("The first module, “%(title)s”, is a free preview: read it before "
                       "you join.")) % {"title": preview.title},
            action=str(_("Read the free preview")), url=preview.url,
        ))  # fmt: skip
    steps.extend(contributed(user, course))
    return sorted(steps, key=lambda step: step.order)


def course_page_context(course: CoursePage, user, *, preview: bool = False) -> dict:
    """`course` is the page served: the original or its copy in the learner's language. Progress
    and enrolment are the original's (courses.i18n). What everyone sees is cached (courses.
    page_cache; not in `preview`); this person's records are read in one query."""
    shown = course
    outline = course_outline(shown, fresh=preview)
    course = outline.course()
    shown._acompana_record = course._acompana_record = course
    records = learner_records(user, course.pk)
    enrolled = records.enrolled
    rows = module_rows(course, user, with_progress(outline, records))
    course_progress = records.course if enrolled else None
    required = [row for row in rows if row.module.required]
    done = sum(1 for row in required if row.status == ProgressStatus.COMPLETED)
    completed = bool(course_progress and course_progress.completed_at)
    last = course_progress.last_module_id if course_progress else None
    preview_id = None if enrolled else free_preview_module_id(course, [r.module for r in rows])
    return {
        "enrolled": enrolled,
        "can_open_modules": enrolled or can_preview(user),
        "preview_module_id": preview_id,
        "module_rows": rows,
        "course_progress": course_progress,
        "required_done": done,
        "required_total": len(required),
        "prerequisite_courses": list(outline.prerequisites),
        "catalog_url": _parent_url(shown.url),
        "language_names": outline.language_names,
        "topic_names": outline.topic_names,
        "next_steps": next_steps(
            user,
            shown,
            course,
            enrolled=enrolled,
            rows=rows,
            completed=completed,
            last_module_id=last,
        ),
        **_translation_notice(shown, course),
    }


def activities_by_kind(module: ModulePage) -> dict[Any, list[str]]:
    """The ids of a module's activities, by kind, in the page's order."""
    by_kind: dict[Any, list[str]] = {}
    for activity in module.activities:
        by_kind.setdefault(activity.kind, []).append(activity.id)
    return by_kind


def module_page_context(module: ModulePage, course: CoursePage, user, progress, modules, *,
                        record: ModulePage | None = None,
                        record_course: CoursePage | None = None,
                        states: dict | None = None) -> dict:  # fmt: skip
    # modules: from modules_with_progress; URLs there derive from the course's.
    """Everything the module page shows: the learner's state for each activity, by kind.
    `module` and `course` are the pages served (perhaps copies in the learner's language);
    `record` and `record_course` the originals where progress is kept (courses.i18n); `states`
    each kind's state already read (ModuleAccess.states), else read here."""
    record = record or module
    record_course = record_course or course
    state: dict[str, Any] = {}
    completed_activity_ids: set[str] = set()
    if progress is not None:
        for kind, ids in activities_by_kind(module).items():
            if states is not None and kind in states:
                kind_state = states[kind]()
            else:
                kind_state = kind.load_state(user=user, module=record, activity_ids=ids,
                                             content=module)  # fmt: skip
            state.update(kind_state)
            completed_activity_ids |= kind.completed_ids(kind_state)
    rows = module_rows(record_course, user, modules)
    index = next((i for i, row in enumerate(rows) if row.module.pk == record.pk), None)
    following = rows[index + 1].module if index is not None and index + 1 < len(rows) else None
    course_url = course.url
    return {
        "course": course,
        "progress": progress,
        "activity_state": state,
        "completed_activity_ids": completed_activity_ids,
        "module_rows": rows,
        "previous_module": rows[index - 1].module if index else None,
        "next_module": following,
        "course_url": course_url,
        "catalog_url": _parent_url(course_url),
        "module_completed": bool(progress and progress.status == ProgressStatus.COMPLETED),
        "can_mark_done": not module.required_activity_ids,
        "record_module": record,
        **_translation_notice(module, record),
    }


def _translation_notice(shown, record) -> dict:
    """Whether the learner reads the original's words (no translation in their language yet),
    and which language that is: the page says so and offers to switch."""
    untranslated = i18n.is_untranslated(shown)
    return {
        "untranslated": untranslated,
        "original_language": i18n.language_of(record) if untranslated else None,
    }


def _parent_url(url: str) -> str:
    """The URL of the page above: modules and courses sit directly below their parents."""
    return url[: url.rstrip("/").rfind("/") + 1]


_ENROLMENT_PROGRESS_FIELDS = ["id", "last_module_id", "last_activity_at", "completed_at"]


# The fields of each course the dashboard reads with the enrolments (COURSE_FIELDS, the outline's:
# the course is a page instance with these only, as `.only()` makes one), in the model's order.
_ENROLMENT_COURSE_FIELDS = [
    f.attname for f in CoursePage._meta.concrete_fields if f.attname in COURSE_FIELDS
]


def _enrolments(*, user, limit=6):
    """The learner's (`user`, a pk) newest enrolments in published courses: the course's fields
    (_ENROLMENT_COURSE_FIELDS) and their record of it (_ENROLMENT_PROGRESS_FIELDS), which rides
    along on a LEFT JOIN (one query). Plain values: no Enrolment is made."""
    return (
        Enrolment.objects.filter(user=user, course__live=True)
        .annotate(
            mine=FilteredRelation("course__progress", condition=Q(course__progress__user=user)),
            **{f"mine_{name}": F(f"mine__{name}") for name in _ENROLMENT_PROGRESS_FIELDS},
        )
        .order_by("-created_at")
        .values_list(
            *[f"course__{name}" for name in _ENROLMENT_COURSE_FIELDS],
            *[f"mine_{name}" for name in _ENROLMENT_PROGRESS_FIELDS],
        )[:limit]
    )


# Compiled once per process and limit (training.prepared, issue 18: the dashboard's time).
_ENROLMENTS: dict[int, Prepared] = {}


def courses_in_progress(user, limit=6) -> list[dict]:
    """For the dashboard: the learner's courses, most recent first, each with the next thing to
    do in it (`next_module`, the same as on the course page)."""
    return read_now(_stage_courses_in_progress, user, limit)


def _stage_courses_in_progress(together: Together, user, limit=6):
    enrolments = queue_enrolments(together, user, limit)
    yield
    return (yield from _stage_course_items(together, user, enrolments.rows))


def queue_enrolments(together: Together, user, limit=6) -> Pending:
    """The learner's `limit` latest enrolments with their course and progress, read with the
    other reads of `together` (courses_in_progress's first read)."""
    if (prepared := _ENROLMENTS.get(limit)) is None:
        prepared = _ENROLMENTS[limit] = Prepared(functools.partial(_enrolments, limit=limit))
    return together.prepared(prepared, user=user.pk)


def _stage_course_items(together: Together, user, enrolments):
    """The dashboard's courses from the enrolments read: the learner's progress in their
    modules and the release gates in one round trip (with the other reads of `together`)."""
    fields, split = _ENROLMENT_PROGRESS_FIELDS, len(_ENROLMENT_COURSE_FIELDS)
    courses, progress = [], {}
    for row in enrolments:
        course = CoursePage.from_db(DEFAULT_DB_ALIAS, _ENROLMENT_COURSE_FIELDS, row[:split])
        courses.append(course)
        if row[split] is not None:
            progress[course.pk] = CourseProgress(
                user=user, course=course, **dict(zip(fields, row[split:], strict=True))
            )
    # The release gates, asked once for every course not completed (module_rows reads them).
    (outlines, urls), _gates = yield from parallel(
        _stage_dashboard_outlines(together, courses, user),
        access.stage_unreleased_many(
            together, user,
            [c for c in courses if not (progress.get(c.pk) and progress[c.pk].completed_at)],
        ),
    )  # fmt: skip
    items = []
    for course in courses:
        course_progress = progress.get(course.pk)
        completed = bool(course_progress and course_progress.completed_at)
        modules = outlines.get(course.pk, [])
        rows = [] if completed else module_rows(course, user, modules)
        required = [m for m in modules if m.required]
        items.append(
            {
                "course": course,
                "url": urls[course.pk],
                "progress": course_progress,
                "completed": completed,
                "started": any(m.my_progress is not None for m in modules),
                "continue_module": next_module(
                    rows, course_progress.last_module_id if course_progress else None
                ),
                "done": sum(1 for m in required if _completed(m)),
                "total": len(required),
            }
        )
    titles = _titles_in_active_language(
        courses + [i["continue_module"] for i in items if i["continue_module"] is not None]
    )
    for item in items:
        item["title"] = titles.get(item["course"].translation_key, item["course"].title)
        # The counts written as `{{ number }}` writes them (localized), once: the section writes
        # each thrice.
        item["done_shown"], item["total_shown"] = _count(item["done"]), _count(item["total"])
        if item["continue_module"] is not None:
            module = item["continue_module"]
            item["continue_title"] = titles.get(module.translation_key, module.title)
    items.sort(
        key=lambda item: (
            item["completed"],
            -(item["progress"].last_activity_at.timestamp()
              if item["progress"] and item["progress"].last_activity_at else 0),
        )
    )  # fmt: skip
    return items


def _count(number: int) -> str:
    """A count as `{{ number }}` writes it: localized, which changes nothing below a thousand
    (no language groups fewer than three digits), so only larger counts pay for it."""
    return str(number) if 0 <= number < 1000 else localize(number)


def _titles_in_active_language(pages) -> dict:
    """courses.i18n.titles_in_active_language, the same for everyone: cached while no page
    changes (courses.page_cache)."""
    if not pages:
        return {}
    keys = sorted({str(page.translation_key) for page in pages})
    digest = hashlib.sha256(" ".join(keys).encode()).hexdigest()
    return cached("titles", [get_language(), digest],
                  lambda: i18n.titles_in_active_language(pages),
                  fresh=not locales_known())  # fmt: skip


def _progress_of(*, user, modules):
    return ModuleProgress.objects.filter(user=user, module__in=modules).values(
        "module_id", *SUMMARY_PROGRESS_FIELDS
    )


_PROGRESS_OF = Prepared(_progress_of)


def _stage_dashboard_outlines(together: Together, courses, user):
    """As outlines(): each course's published modules with this learner's
    progress, the modules from the outline everyone reads (courses.page_cache, cached per
    published state) and the person's progress in one query. A course that is not an original
    (progress is kept on originals) is read as outlines() reads it. With each course's address
    (its `url`, kept with the outline), by pk."""
    result, urls, others = {}, {}, []
    for course in courses:
        outline = course_outline(course)
        if outline.record_course["id"] == course.pk:
            result[course.pk] = outline.summaries()
            urls[course.pk] = outline.url
        else:
            others.append(course)
    pks = [module.pk for modules in result.values() for module in modules]
    if pks:
        pending = together.prepared(_PROGRESS_OF, user=user.pk, modules=pks)
        yield
        mine = {row["module_id"]: row for row in pending.rows}
        for course_pk, modules in result.items():
            for module in modules:
                if (row := mine.get(module.pk)) is not None:
                    module.my_progress = ModuleProgress(
                        user=user, module_id=module.pk, course_id=course_pk,
                        **{name: row[name] for name in SUMMARY_PROGRESS_FIELDS},
                    )  # fmt: skip
    if others:
        urls.update((course.pk, course.url) for course in others)
        result.update(outlines(others, user, urls=urls))
    return result, urls


def _completed(module: ModuleSummary) -> bool:
    return bool(module.my_progress and module.my_progress.status == ProgressStatus.COMPLETED)


def completion_counts() -> list[dict]:
    """For editors: per course, how many are enrolled, in progress and have completed it
    (counted in subqueries: no join of enrolments with progress rows)."""

    def count(model, **filters):
        rows = model.objects.filter(course=OuterRef("pk"), **filters).values("course")
        return Subquery(rows.annotate(n=Count("pk")).values("n")[:1])

    courses = CoursePage.objects.annotate(
        enrolled=Coalesce(count(Enrolment), 0),
        started=Coalesce(count(CourseProgress), 0),
        completed=Coalesce(count(CourseProgress, completed_at__isnull=False), 0),
    ).order_by("path")
    return [
        {
            "course": course,
            "enrolled": course.enrolled,
            "completed": course.completed,
            "in_progress": max(course.started - course.completed, 0),
        }
        for course in courses
    ]


def dashboard_learning(user) -> dict:
    return {"courses": courses_in_progress(user), "catalog_url": catalog_url()}


def queue_dashboard_learning(together: Together, user):
    """`dashboard_learning` in stages, sent with the other reads of `together`."""
    courses = yield from _stage_courses_in_progress(together, user)
    return {"courses": courses, "catalog_url": catalog_url()}


def catalog_url() -> str | None:
    """The address of the catalog (the first published course index), the same for everyone:
    cached while no page changes (courses.page_cache)."""

    def build() -> str:
        index = CourseIndexPage.objects.live().only("url_path").first()
        return index.url if index else ""

    return cached("catalog-url", [], build) or None


def translations_out_of_date(limit: int = 500) -> list[dict]:
    """Page translations whose original was published after the translation was last brought up
    to date (wagtail-localize's source: it keeps the original as it was when last synced).
    Until an editor syncs them (“Update translations” on the original), learners read the
    translation of the older text. Newest change first; a fixed number of queries."""
    originals = Page.objects.filter(
        translation_key=OuterRef("object_id"), locale_id=OuterRef("locale_id")
    )
    stale = (
        TranslationSource.objects.annotate(
            page_id=Subquery(originals.values("pk")[:1]),
            published=Subquery(originals.values("last_published_at")[:1]),
        )
        .filter(published__gt=F("last_updated_at"))
        .order_by("-published")[:limit]
    )
    sources = {source.pk: source for source in stale}
    if not sources:
        return []
    pages = Page.objects.in_bulk([source.page_id for source in sources.values()])
    # The copies that are translations (not aliases, which follow the original by themselves).
    copies = (
        Page.objects.filter(translation_key__in={s.object_id for s in sources.values()},
                            alias_of__isnull=True)
        .select_related("locale")
        .order_by("locale__language_code")
    )  # fmt: skip
    by_key: dict = {}
    for copy in copies:
        by_key.setdefault(copy.translation_key, []).append(copy)
    rows = []
    for source in sources.values():
        locales = [c.locale for c in by_key.get(source.object_id, [])
                   if c.locale_id != source.locale_id]  # fmt: skip
        if not locales:
            continue
        rows.append({
            "page": pages.get(source.page_id), "source": source, "changed_at": source.published,
            "synced_at": source.last_updated_at, "locales": locales,
        })  # fmt: skip
    return rows


# --- The module page ----------------------------------------------------------------------------
@dataclass
class ModuleAccess:
    """Who may read a module page, and how: `shown` and `shown_course` are the pages served
    (perhaps copies in the reader's language), `module` and `course` the originals where
    progress is kept (courses.i18n); `modules` the course's outline with this person's
    progress. `preview_reader`: someone not enrolled reading the course's free preview (nothing
    they do is recorded); `closed`: nobody who may read it (not enrolled, not an editor)."""

    shown: ModulePage
    shown_course: CoursePage
    module: ModulePage
    course: CoursePage
    modules: list
    enrolled: bool
    preview_reader: bool
    closed: bool
    # Each kind's state of this person's activities, read with their records (one round trip):
    # by kind, a function that gives it (ActivityKind.queue_state).
    states: dict | None = None

    @property
    def my_progress(self) -> ModuleProgress | None:
        return next((m.my_progress for m in self.modules if m.pk == self.module.pk), None)


def module_course(module: ModulePage, request=None) -> CoursePage:
    """The course of a module page: the one routing loaded on the way (courses.models), else
    from the database."""
    course = getattr(request, "acompana_course", None)
    if course is not None and module.path.startswith(course.path):
        return course
    return CoursePage.objects.get(path=module.path[: -ModulePage.steplen])


def module_access(shown: ModulePage, request) -> ModuleAccess:
    """Learners enrolled in the course, and editors previewing, read the content; someone not
    enrolled reads the course's free preview (its first module) and nothing else. What everyone
    reading this copy sees is cached (previews read the database); this person's enrolment and
    progress come in one query."""
    user = request.user
    shown_course = module_course(shown, request)
    outline = course_outline(shown_course, fresh=getattr(request, "is_preview", False))
    module, course = _module_records(shown, shown_course, outline)
    # The person's records and the state of each activity, in one round trip: the state is
    # read before anyone knows whether the person is enrolled (nothing of it is shown if not).
    together = Together()
    pending = queue_learner_records(together, user, course.pk)
    states = (
        {
            kind: kind.queue_state(
                together, user=user, module=module, activity_ids=ids, content=shown
            )
            for kind, ids in activities_by_kind(shown).items()
        }
        if user.is_authenticated
        else None
    )
    together.run()
    records = pending.rows
    modules = with_progress(outline, records)
    editor = not records.enrolled and can_preview(user)
    preview_reader = (
        not records.enrolled and not editor and free_preview_module_id(course, modules) == module.pk
    )
    return ModuleAccess(
        shown=shown, shown_course=shown_course, module=module, course=course, modules=modules,
        enrolled=records.enrolled, preview_reader=preview_reader,
        closed=not (records.enrolled or preview_reader or editor), states=states,
    )  # fmt: skip


def _module_records(shown, shown_course, outline):
    """The originals of the module and course served, where progress is kept (courses.i18n),
    from the cached outline; the database only for a module outside it (a draft previewed, an
    original not published)."""
    course = outline.course()
    shown_course._acompana_record = course._acompana_record = course
    if shown.locale_id == i18n.default_locale_id():
        return i18n.record(shown), course
    module = outline.module(shown.translation_key) if shown.translation_key else None
    if module is None:
        return i18n.record(shown), course
    shown._acompana_record = module._acompana_record = module
    return module, course


def module_unavailable_context(access: ModuleAccess, user, *, reason=None) -> dict:
    """A module closed to this person, with what they can do next about the course."""
    rows = module_rows(access.course, user, access.modules)
    steps = next_steps(user, access.shown_course, access.course, enrolled=access.enrolled,
                       rows=rows)  # fmt: skip
    return {"page": access.shown, "course": access.shown_course, "reason": reason,
            "next_steps": steps}  # fmt: skip


def module_page(request, access: ModuleAccess, progress: ModuleProgress | None) -> dict:
    """Everything the module page shows this person (`progress`: their record of the module,
    None for a preview), on top of module_page_context: each activity's block as its kind
    renders it (courses.activities), and the blocks that are the same for everyone."""
    user, shown = request.user, access.shown
    context = module_page_context(shown, access.shown_course, user, progress, access.modules,
                                  record=access.module, record_course=access.course,
                                  states=access.states)  # fmt: skip
    context["preview_reader"] = access.preview_reader
    if access.preview_reader:
        # Activities wait until the person joins: each shows what it is and how to join.
        context["activity_views"] = {
            activity.id: {"join": True, "label": activity.kind.label,
                          "title": _activity_title(activity)}
            for activity in shown.activities
        }  # fmt: skip
        context["next_steps"] = next_steps(
            user, access.shown_course, access.course, enrolled=False, rows=context["module_rows"]
        )
    else:
        context["activity_views"] = _activity_views(request, access, progress, context)
    context["shared_blocks"] = shared_blocks_html(shown, request)
    context["has_h5p"] = not access.preview_reader and any(
        a.kind.block_type == "h5p" for a in shown.activities
    )
    # Drafts kept in the browser are filed under an opaque key of this person: on a shared
    # device, nobody else's page ever finds them.
    context["device_key"] = salted_hmac("device-drafts", str(user.pk)).hexdigest()[:16]
    context["show_content_notes"] = bool(
        shown.content_notes
        and (progress is None or not progress.content_notes_acknowledged_at)
        and request.GET.get("notes") != "seen"
    )
    # What later apps add (care's check-in after a heavy module), from the original's settings.
    context["module_extras"] = module_extras.extras_for(request, module=access.module, shown=shown,
                                                        progress=progress)  # fmt: skip
    return context


def _activity_views(request, access: ModuleAccess, progress, context: dict) -> dict:
    """Each activity's block for this learner, by activity id: what each kind reads once for the
    page first (its `page_context`), then each block's `view`."""
    activities = access.shown.activities
    kinds = list(dict.fromkeys(activity.kind for activity in activities))
    for kind in kinds:
        context.update(kind.page_context(request, module=access.module, activities=activities,
                                         progress=progress))  # fmt: skip
    state, completed = context["activity_state"], context["completed_activity_ids"]
    return {
        activity.id: activity.kind.view(
            request, module=access.module, activity=activity, state=state.get(activity.id),
            completed=activity.id in completed, page=context,
        )
        for activity in activities
    }  # fmt: skip


def _activity_title(activity) -> str:
    value = activity.value
    title = value.get("title") if hasattr(value, "get") else None
    return str(title or activity.kind.label)


def shared_blocks_html(module: ModulePage, request) -> dict[str, str]:
    """HTML of the blocks that are the same for every learner (text, headings, callouts,
    media), by block id, cached per published revision, language and low-bandwidth choice.
    Activities are rendered per learner and are not in here. Previews are never cached."""

    def render():
        context = {"request": request, "user": request.user, "page": module}
        activity_ids = {activity.id for activity in module.activities}
        return {
            child.id: child.render(context) for child in module.body if child.id not in activity_ids
        }

    if getattr(request, "is_preview", False) or not module.live_revision_id:
        return render()
    low_bandwidth = bool(getattr(request.user, "low_bandwidth", False))
    # Under the page cache's generation, which moves whenever any page, image or document is
    # published or changed: a link to a renamed page or a replaced image is never served stale.
    # Kept in this process too once read (courses.page_cache.cached): no cache read a page.
    return page_cache.cached(
        "module-blocks",
        [module.pk, module.live_revision_id, get_language(), int(low_bandwidth)],
        render,
    )
