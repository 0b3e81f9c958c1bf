"""Demo courses for `seed_demo`: the catalog, three courses with their modules, and some progress
for the demo volunteer. Running it twice changes nothing.

The content lives in `courses/demo_data/` as YAML, one file per module (`demo_data.load` reads
it). Every block, question and option gets a deterministic id (uuid5 of its path), so reseeding
keeps the ids that learners' records point at. A page is published again only when its content
differs from the data here and nobody has edited it in the admin since (an editor's revision
always wins); the learner's progress is written only through `courses.services`, and only the
steps not yet taken.
"""

import html
import re
import uuid
from decimal import Decimal
from textwrap import dedent

from django.db import transaction

from training.demo import ensure_site
from training.models import User

from . import demo_data, demo_i18n, services
from .demo_data import NAMESPACE
from .demo_h5p import h5p_ready, h5p_uuid, seed_h5p
from .models import (
    CourseIndexPage,
    CourseLanguage,
    CoursePage,
    Enrolment,
    ModulePage,
    ModuleProgress,
    ProgressStatus,
    QuizAttempt,
    Topic,
)

ACTIVITY_KINDS = ("quiz", "reflection", "h5p")
QUESTION_TYPES = ("single_choice", "multiple_choice", "true_false")
CALLOUT_KINDS = ("tip", "important", "self_care")


def demo_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


# --- Markup -------------------------------------------------------------------------------------
_LIST_ITEM = re.compile(r"^(- |\d+\. )")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])")


def plain(text: str) -> str:
    """Plain text: line breaks and indentation are layout in the source, not content."""
    return " ".join(text.split())


def _inline(text: str) -> str:
    text = html.escape(plain(text), quote=False)
    text = _BOLD.sub(r"<b>\1</b>", text)
    return _ITALIC.sub(r"<i>\1</i>", text)


def rich(markup: str) -> str:
    """Wagtail rich text from the markup described in `courses.demo_data`."""
    parts = []
    for chunk in re.split(r"\n\s*\n", dedent(markup).strip()):
        lines = [line.strip() for line in chunk.splitlines()]
        marker = _LIST_ITEM.match(lines[0])
        if marker is None:
            if any(_LIST_ITEM.match(line) for line in lines):
                raise ValueError(f"Separate a list from its paragraph by a blank line: {chunk!r}")
            parts.append(f"<p>{_inline(chunk)}</p>")
            continue
        tag = "ul" if marker.group(1) == "- " else "ol"
        items: list[str] = []
        for line in lines:
            if _LIST_ITEM.match(line):
                items.append(_LIST_ITEM.sub("", line, count=1))
            else:
                items[-1] += " " + line
        parts.append(f"<{tag}>{''.join(f'<li>{_inline(item)}</li>' for item in items)}</{tag}>")
    return "".join(parts)


# --- Validation of the data ---------------------------------------------------------------------
def _fail(where: str, message: str):
    raise ValueError(f"Demo course content, {where}: {message}")


def _check_quiz(where: str, quiz: dict) -> None:
    if not 2 <= len(quiz["questions"]) <= 4:
        _fail(where, "a quiz has 2 to 4 questions")
    if not 60 <= quiz["pass_mark"] <= 80:
        _fail(where, "the pass mark is between 60 and 80")
    types = {question["type"] for question in quiz["questions"]}
    if not types <= set(QUESTION_TYPES):
        _fail(where, f"unknown question types {types - set(QUESTION_TYPES)}")
    for number, question in enumerate(quiz["questions"], start=1):
        here = f"{where}, question {number}"
        if not plain(question["text"]):
            _fail(here, "the question has no text")
        if question["type"] == "true_false":
            if not isinstance(question["answer"], bool):
                _fail(here, "a true/false answer is True or False")
            if not (plain(question["feedback_true"]) and plain(question["feedback_false"])):
                _fail(here, "a true/false question has feedback for both answers")
            continue
        options = question["options"]
        correct = sum(1 for _text, is_correct, _feedback in options if is_correct)
        if len(options) < 2:
            _fail(here, "a choice question has at least two options")
        if question["type"] == "single_choice" and correct != 1:
            _fail(here, "a single-choice question has exactly one correct option")
        if question["type"] == "multiple_choice" and correct < 1:
            _fail(here, "a multiple-choice question has at least one correct option")
        if any(not plain(feedback) for _text, _is_correct, feedback in options):
            _fail(here, "every option has feedback")


def _check_module(where: str, module: dict, samples: dict) -> bool:
    """Check one module's body; returns whether it has activities."""
    kinds = [kind for kind, _value in module["body"]]
    keys = [value["key"] for kind, value in module["body"] if kind in ACTIVITY_KINDS]
    if len(set(keys)) != len(keys):
        _fail(where, "activity keys are unique within a module")
    if "callout" not in kinds:
        _fail(where, "every module has at least one callout")
    callouts = [value for kind, value in module["body"] if kind == "callout"]
    if any(callout["kind"] not in CALLOUT_KINDS for callout in callouts):
        _fail(where, f"callout kinds are {CALLOUT_KINDS}")
    if plain(module["content_notes"]) and not any(
        callout["kind"] == "self_care" for callout in callouts
    ):
        _fail(where, "a module with content notes has a self-care callout")
    for kind, value in module["body"]:
        if kind == "quiz":
            if value.get("max_attempts", 0) != 0:
                _fail(where, "demo quizzes allow unlimited attempts")
            _check_quiz(f"{where}/{value['key']}", value)
        elif kind == "reflection" and not plain(value["prompt"]):
            _fail(where, "a reflection has a prompt")
        elif kind == "h5p" and value["key"] not in samples:
            _fail(where, "an H5P block names one of H5P_SAMPLES")
    return bool(keys)


def validate(courses=None) -> None:
    """Raise ValueError when the demo data breaks the rules the demo is meant to show."""
    content = demo_data.load()
    courses = content.COURSES if courses is None else courses
    without_activities = []
    course_slugs = [course["slug"] for course in courses]
    if len(set(course_slugs)) != len(course_slugs):
        _fail("courses", "course slugs are unique")
    for course in courses:
        module_slugs = [module["slug"] for module in course["modules"]]
        if len(set(module_slugs)) != len(module_slugs):
            _fail(course["slug"], "module slugs are unique within a course")
        if not set(course["prerequisites"]) <= set(course_slugs):
            _fail(course["slug"], "prerequisites name demo courses")
        for module in course["modules"]:
            where = f"{course['slug']}/{module['slug']}"
            if not _check_module(where, module, content.H5P_SAMPLES):
                without_activities.append(where)
    if len(without_activities) != 1:
        _fail("modules", f"exactly one module has no activities, not {without_activities}")


# --- Building StreamField data ------------------------------------------------------------------
def _block(block_type: str, value, block_id: str) -> dict:
    return {"type": block_type, "value": value, "id": block_id}


def _question(base: str, question: dict) -> dict:
    question_id = demo_id(base)
    if question["type"] == "true_false":
        return _block(
            "true_false",
            {
                "text": plain(question["text"]),
                "answer": question["answer"],
                "feedback_true": plain(question["feedback_true"]),
                "feedback_false": plain(question["feedback_false"]),
            },
            question_id,
        )
    options = [
        _block(
            "item",
            {"text": plain(text), "is_correct": is_correct, "feedback": plain(feedback)},
            demo_id(base, f"o{number}"),
        )
        for number, (text, is_correct, feedback) in enumerate(question["options"], start=1)
    ]
    return _block(
        question["type"], {"text": plain(question["text"]), "options": options}, question_id
    )


def module_body(course_slug: str, module: dict) -> list[dict]:
    """The raw StreamField data of a module's body, with deterministic ids."""
    base = f"{course_slug}/{module['slug']}"
    body = []
    for number, (kind, value) in enumerate(module["body"], start=1):
        block_id = demo_id(base, f"block-{number}")
        if kind == "heading":
            body.append(_block("heading", plain(value), block_id))
        elif kind == "text":
            body.append(_block("rich_text", rich(value), block_id))
        elif kind == "callout":
            callout = {
                "kind": value["kind"],
                "title": plain(value["title"]),
                "text": rich(value["text"]),
            }
            body.append(_block("callout", callout, block_id))
        elif kind == "quiz":
            key = f"{base}/{value['key']}"
            quiz = {
                "title": plain(value["title"]),
                "introduction": plain(value["introduction"]),
                "questions": [
                    _question(f"{key}/q{index}", question)
                    for index, question in enumerate(value["questions"], start=1)
                ],
                "pass_mark": value["pass_mark"],
                "max_attempts": value.get("max_attempts", 0),
                "required": value.get("required", True),
            }
            body.append(_block("quiz", quiz, demo_id(key)))
        elif kind == "reflection":
            reflection = {
                "prompt": plain(value["prompt"]),
                "guidance": plain(value["guidance"]),
                "required": value.get("required", True),
            }
            body.append(_block("reflection", reflection, demo_id(base, value["key"])))
        elif kind == "h5p":
            h5p = {
                "activity": str(h5p_uuid(value["key"])),
                "pass_mark": value.get("pass_mark"),
                "required": value.get("required", True),
            }
            body.append(_block("h5p", h5p, demo_id(base, value["key"])))
        else:
            _fail(base, f"unknown block kind {kind!r}")
    return body


def learning_outcomes(course: dict) -> list[dict]:
    return [
        _block("outcome", plain(outcome), demo_id(course["slug"], "outcomes", str(number)))
        for number, outcome in enumerate(course["learning_outcomes"], start=1)
    ]


def _stream(model, field_name: str, value):
    """Validated, normalised StreamField data: what the database would hold."""
    block = model._meta.get_field(field_name).stream_block
    if isinstance(value, list):
        value = block.to_python(value)
    return block.get_prep_value(block.clean(value))


# --- Pages --------------------------------------------------------------------------------------
def _differs(page, fields: dict, streams: dict) -> list[str]:
    changed = [name for name, value in fields.items() if getattr(page, name) != value]
    changed += [
        name
        for name, value in streams.items()
        if _stream(type(page), name, getattr(page, name)) != value
    ]
    return changed


def _publish(stdout, page, *, created: bool, changed=()) -> None:
    page.save_revision().publish()
    if created:
        stdout.write(f"Created and published {page._meta.verbose_name} “{page.title}”")
    else:
        stdout.write(f"Updated {page._meta.verbose_name} “{page.title}” ({', '.join(changed)})")


def _sync_page(stdout, parent, model, slug: str, fields: dict, streams: dict, relations=None):
    """The child of `parent` with this slug, created or updated to match; published if changed.

    `relations(page)` sets the cluster relations (topics, languages…) and returns the names of
    those that changed.
    """
    streams = {name: _stream(model, name, value) for name, value in streams.items()}
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, **fields, **streams)
        if relations is not None:
            relations(page)
        parent.add_child(instance=page)
        _publish(stdout, page, created=True)
        return page
    latest = page.get_latest_revision()
    if latest is not None and latest.user_id is not None:
        # Someone edited this page in the admin: their work wins over the demo data.
        return page
    changed = _differs(page, fields, streams)
    if relations is not None:
        changed += relations(page)
    if not page.live:
        changed.append("unpublished")
    if changed:
        for name, value in {**fields, **streams}.items():
            setattr(page, name, value)
        _publish(stdout, page, created=False, changed=changed)
    return page


def seed_topics(stdout) -> dict[str, Topic]:
    topics = {}
    for data in demo_data.load().TOPICS:
        topic, created = Topic.objects.get_or_create(
            slug=data["slug"], defaults={"name": data["name"]}
        )
        if created:
            stdout.write(f"Created topic “{topic.name}”")
        topics[topic.slug] = topic
    return topics


def seed_index(stdout) -> CourseIndexPage:
    home = ensure_site()
    content = demo_data.load()
    fields = {"title": content.INDEX["title"], "intro": rich(content.INDEX["intro"])}
    existing = CourseIndexPage.objects.child_of(home).first()
    slug = existing.slug if existing is not None else content.INDEX["slug"]
    return _sync_page(stdout, home, CourseIndexPage, slug, fields, {})


def _course_relations(course: dict, topics: dict, courses: dict):
    wanted_topics = [topics[slug] for slug in course["topics"]]
    wanted_prerequisites = [courses[slug] for slug in course["prerequisites"]]

    def relations(page: CoursePage) -> list[str]:
        changed = []
        if page.pk is None or {t.pk for t in page.topics.all()} != {t.pk for t in wanted_topics}:
            page.topics.set(wanted_topics)
            changed.append("topics")
        if page.pk is None or {p.pk for p in page.prerequisites.all()} != {
            p.pk for p in wanted_prerequisites
        }:
            page.prerequisites.set(wanted_prerequisites)
            changed.append("prerequisites")
        languages = [row.language for row in page.course_languages.all()] if page.pk else []
        if languages != course["languages"]:
            page.course_languages = [CourseLanguage(language=code) for code in course["languages"]]
            changed.append("languages")
        return changed

    return relations


def seed_course(stdout, index, course: dict, topics: dict, courses: dict) -> CoursePage:
    fields = {
        "title": course["title"],
        "summary": plain(course["summary"]),
        "estimated_hours": Decimal(course["estimated_hours"]),
        "content_notes": plain(course["content_notes"]),
        "how_to_join": rich(course["how_to_join"]),
        "self_paced": course.get("self_paced", False),
        "free_preview": course.get("free_preview", False),
    }
    page = _sync_page(
        stdout, index, CoursePage, course["slug"], fields,
        {"learning_outcomes": learning_outcomes(course)},
        _course_relations(course, topics, courses),
    )  # fmt: skip
    for module in course["modules"]:
        if not h5p_ready(module):
            stdout.write(f"Left out “{module['title']}”: its H5P samples are not imported.")
            continue
        module_fields = {
            "title": module["title"],
            "summary": plain(module["summary"]),
            "estimated_minutes": module["estimated_minutes"],
            "content_notes": plain(module["content_notes"]),
            "requires_previous": module["requires_previous"],
            "required": module["required"],
        }
        _sync_page(
            stdout, page, ModulePage, module["slug"], module_fields,
            {"body": module_body(course["slug"], module)},
        )  # fmt: skip
    return page


# --- The demo volunteer's progress --------------------------------------------------------------
def correct_answers(quiz) -> dict[str, list[str]]:
    """{question id: [the right option ids, or "true"/"false"]} for a quiz block value."""
    answers = {}
    for question in quiz["questions"]:
        if question.block_type == "true_false":
            answers[question.id] = ["true" if question.value["answer"] else "false"]
        else:
            answers[question.id] = [
                option.id
                for option in question.value["options"].bound_blocks
                if option.value["is_correct"]
            ]
    return answers


def _step(stdout, user, course: CoursePage, module: ModulePage, step: str) -> None:
    progress = ModuleProgress.objects.filter(user=user, module=module).first()
    if progress is None:
        services.module_visit(user=user, module=module, course=course)
        stdout.write(f"Demo progress: visited “{module.title}”")
    completed = progress is not None and progress.status == ProgressStatus.COMPLETED
    if step == "mark_done" and not completed:
        services.module_mark_done(user=user, module=module, course=course)
        stdout.write(f"Demo progress: marked “{module.title}” as done")
    elif step == "pass_quizzes":
        for activity in module.activities:
            if activity.kind.block_type != "quiz":
                continue
            submission_id = uuid.uuid5(
                NAMESPACE, f"submission/{user.email}/{module.url_path}/{activity.id}"
            )
            if QuizAttempt.objects.filter(user=user, submission_id=submission_id).exists():
                continue
            attempt = services.quiz_submit(
                user=user, module=module, course=course, activity_id=activity.id,
                answers=correct_answers(activity.value), submission_id=submission_id,
            )  # fmt: skip
            if not attempt.passed:
                _fail(module.url_path, "the demo answers did not pass the quiz")
            stdout.write(f"Demo progress: passed the quiz of “{module.title}”")
    elif step not in ("visit", "mark_done"):
        _fail(module.url_path, f"unknown progress step {step!r}")


def seed_progress(stdout, courses: dict[str, CoursePage]) -> None:
    """Enrol the demo volunteer in every demo course and take the steps of DEMO_PROGRESS."""
    content = demo_data.load()
    user = User.objects.filter(email=content.VOLUNTEER_EMAIL).first()
    if user is None:
        return
    for course in courses.values():
        if not Enrolment.objects.filter(user=user, course=course).exists():
            services.enrolment_create(user=user, course=course, source="demo")
            stdout.write(f"Enrolled {user.email} in “{course.title}”")
    for course_slug, module_slug, step in content.DEMO_PROGRESS:
        course = courses[course_slug]
        module = ModulePage.objects.child_of(course).get(slug=module_slug)
        _step(stdout, user, course, module, step)


# --- Entry point --------------------------------------------------------------------------------
@transaction.atomic
def seed(stdout) -> None:
    """The demo catalog, courses and modules, and the demo volunteer's progress. Idempotent."""
    validate()
    seed_h5p(stdout)
    index = seed_index(stdout)
    topics = seed_topics(stdout)
    courses: dict[str, CoursePage] = {}
    for course in demo_data.load().COURSES:
        courses[course["slug"]] = seed_course(stdout, index, course, topics, courses)
    seed_progress(stdout, courses)
    # The site in Spanish (and a module in Portuguese), through wagtail-localize's PO import.
    demo_i18n.seed(stdout)
