"""Reads for course pages, module pages, the catalog and the dashboard, in fixed query counts."""

import functools
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, FilteredRelation, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from training.prepared import Prepared
from training.templatetags.acompana import when

from . import access, i18n
from .activities import QuizState
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
from .services import (
    ModuleSummary,
    can_preview,
    completed_module_ids,
    free_preview_module_id,
    module_lock_reason,
    modules_with_progress,
)
from .services import outlines as services_outlines


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
    from .page_cache import cached

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
    from .page_cache import cached

    return cached("topic-slugs", [], lambda: set(Topic.objects.values_list("slug", flat=True)))


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


def language_names(codes) -> list[str]:
    """Names of `codes`, in the platform's order of languages."""
    return [name for code, name in settings.ALL_LANGUAGES.items() if code in codes]


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
    from .page_cache import course_outline, with_progress
    from .services import learner_records

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


def module_page_context(module: ModulePage, course: CoursePage, user, progress, modules, *,
                        record: ModulePage | None = None,
                        record_course: CoursePage | None = None) -> dict:  # fmt: skip
    # modules: from services.modules_with_progress; URLs there derive from the course's.
    """Everything the module page shows: the learner's state for each activity, by kind.
    `module` and `course` are the pages served (perhaps copies in the learner's language);
    `record` and `record_course` the originals where progress is kept (courses.i18n)."""
    record = record or module
    record_course = record_course or course
    by_kind: dict[Any, list[str]] = {}
    for activity in module.activities:
        by_kind.setdefault(activity.kind, []).append(activity.id)
    state: dict[str, Any] = {}
    completed_activity_ids: set[str] = set()
    if progress is not None:
        for kind, ids in by_kind.items():
            kind_state = kind.load_state(user=user, module=record, activity_ids=ids, content=module)
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


def _enrolments(*, user, limit=6):
    """The learner's (`user`, a pk) newest enrolments in published courses. Their record of each
    course rides along on a LEFT JOIN (one query)."""
    return (
        Enrolment.objects.filter(user=user, course__live=True)
        .select_related("course")
        .defer("course__learning_outcomes")  # a StreamField the dashboard never shows
        .annotate(
            mine=FilteredRelation("course__progress", condition=Q(course__progress__user=user)),
            **{f"mine_{name}": F(f"mine__{name}") for name in _ENROLMENT_PROGRESS_FIELDS},
        )
        .order_by("-created_at")[:limit]
    )


# Compiled once per process and limit (training.prepared, issue 18: the dashboard's time).
_ENROLMENTS: dict[int, Prepared] = {}


def courses_in_progress(user, limit=6) -> list[dict]:
    """For the dashboard: the learner's courses, most recent first, each with the next thing to
    do in it (`next_module`, the same as on the course page)."""
    fields = _ENROLMENT_PROGRESS_FIELDS
    if (prepared := _ENROLMENTS.get(limit)) is None:
        prepared = _ENROLMENTS[limit] = Prepared(functools.partial(_enrolments, limit=limit))
    enrolments = prepared.run(user=user.pk)
    progress = {
        e.course_id: CourseProgress(
            user=user, course=e.course, **{name: getattr(e, f"mine_{name}") for name in fields}
        )
        for e in enrolments
        if e.mine_id is not None
    }
    courses = [e.course for e in enrolments]
    outlines = _dashboard_outlines(courses, user)
    # The release gates, asked once for every course not completed (module_rows reads them).
    access.unreleased_many(
        user, [c for c in courses if not (progress.get(c.pk) and progress[c.pk].completed_at)]
    )
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


def _titles_in_active_language(pages) -> dict:
    """courses.i18n.titles_in_active_language, the same for everyone: cached while no page
    changes (courses.page_cache)."""
    import hashlib

    from .page_cache import cached, locales_known

    if not pages:
        return {}
    keys = sorted({str(page.translation_key) for page in pages})
    digest = hashlib.sha256(" ".join(keys).encode()).hexdigest()
    return cached("titles", [get_language(), digest],
                  lambda: i18n.titles_in_active_language(pages),
                  fresh=not locales_known())  # fmt: skip


def _progress_of(*, user, modules):
    from .services import SUMMARY_PROGRESS_FIELDS

    return ModuleProgress.objects.filter(user=user, module__in=modules).values(
        "module_id", *SUMMARY_PROGRESS_FIELDS
    )


_PROGRESS_OF = Prepared(_progress_of)


def _dashboard_outlines(courses, user) -> dict[int, list[ModuleSummary]]:
    """As courses.services.outlines: each course's published modules with this learner's
    progress, the modules from the outline everyone reads (courses.page_cache, cached per
    published state) and the person's progress in one query. A course that is not an original
    (progress is kept on originals) is read as outlines() reads it."""
    from .page_cache import course_outline
    from .services import SUMMARY_PROGRESS_FIELDS

    result, others = {}, []
    for course in courses:
        outline = course_outline(course)
        if outline.record_course["id"] == course.pk:
            result[course.pk] = outline.summaries()
        else:
            others.append(course)
    pks = [module.pk for modules in result.values() for module in modules]
    if pks:
        mine = {row["module_id"]: row for row in _PROGRESS_OF.run(user=user.pk, modules=pks)}
        for course_pk, modules in result.items():
            for module in modules:
                if (row := mine.get(module.pk)) is not None:
                    module.my_progress = ModuleProgress(
                        user=user, module_id=module.pk, course_id=course_pk,
                        **{name: row[name] for name in SUMMARY_PROGRESS_FIELDS},
                    )  # fmt: skip
    if others:
        result.update(services_outlines(others, user))
    return result


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


def quiz_view(activity, attempts, *, completed: bool, draft: dict | None) -> dict:
    """What the quiz block shows. Correctness and feedback appear only after an attempt;
    which options are correct only once the quiz is passed or no attempt is left.
    `attempts`: the learner's QuizState (courses.activities), or their attempts in order."""
    if not isinstance(attempts, QuizState):
        attempts = QuizState.of(attempts or ())
    quiz = activity.value
    last = attempts.last
    passed = attempts.passed
    limit = quiz["max_attempts"] or None
    attempts_left = None if limit is None else max(limit - attempts.count, 0)
    can_attempt = attempts_left is None or attempts_left > 0 or passed
    reveal = passed or attempts_left == 0
    chosen_source = draft or (last.answers if last else {})
    questions = []
    for question in quiz["questions"]:
        chosen = set(chosen_source.get(question.id, []))
        last_chosen = set(last.answers.get(question.id, [])) if last else set()
        result = last.results.get(question.id) if last else None
        if question.block_type == "true_false":
            value = question.value
            raw_options = [
                ("true", _("True"), value["answer"] is True, value["feedback_true"]),
                ("false", _("False"), value["answer"] is False, value["feedback_false"]),
            ]
        else:
            raw_options = [
                (o.id, o.value["text"], o.value["is_correct"], o.value["feedback"])
                for o in question.value["options"].bound_blocks
            ]
        options = [
            {
                "id": option_id,
                "text": text,
                "checked": option_id in chosen,
                "feedback": feedback if option_id in last_chosen else "",
                "is_correct": is_correct if reveal else None,
            }
            for option_id, text, is_correct, feedback in raw_options
        ]
        questions.append(
            {
                "id": question.id,
                "text": question.value["text"],
                "multiple": question.block_type == "multiple_choice",
                "options": options,
                "correct": result["correct"] if result else None,
            }
        )
    return {
        "attempt_count": attempts.count,
        "last": last,
        "passed": passed,
        "completed": completed,
        "attempts_left": attempts_left,
        "can_attempt": can_attempt,
        "reveal": reveal,
        "questions": questions,
        "submission_id": uuid.uuid4(),
        "from_draft": bool(draft),
    }


def reflection_view(activity, reflection, *, completed: bool) -> dict:
    return {
        "reflection": reflection,
        "text": reflection.text if reflection else "",
        "shared_with_trainers": bool(reflection and reflection.shared_with_trainers),
        "draft_differs": bool(
            reflection and reflection.submitted_at and reflection.text != reflection.submitted_text
        ),
        "submitted": bool(reflection and reflection.submitted_at),
        "completed": completed,
    }


def dashboard_learning(user) -> dict:
    return {"courses": courses_in_progress(user), "catalog_url": catalog_url()}


def catalog_url() -> str | None:
    """The address of the catalog (the first published course index), the same for everyone:
    cached while no page changes (courses.page_cache)."""
    from .page_cache import cached

    def build() -> str:
        index = CourseIndexPage.objects.live().only("url_path").first()
        return index.url if index else ""

    return cached("catalog-url", [], build) or None


def translations_out_of_date(limit: int = 500) -> list[dict]:
    """Page translations whose original was published after the translation was last brought up
    to date (wagtail-localize's source: it keeps the original as it was when last synced).
    Until an editor syncs them (“Update translations” on the original), learners read the
    translation of the older text. Newest change first; a fixed number of queries."""
    from wagtail.models import Page
    from wagtail_localize.models import TranslationSource

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
