"""Build courses for tests and benchmarks: pages with quizzes and reflections, known ids.
`CoursePageFactory` and `ModulePageFactory` (wagtail-factories) make one page each;
`make_course` makes a whole course with them."""

import uuid

import factory
import wagtail_factories

from training.demo import ensure_site

from .models import CourseIndexPage, CourseLanguage, CoursePage, ModulePage

NAMESPACE = uuid.UUID("6f1d2a4e-8a51-4c44-9d3b-0c8f3f1f6a10")


def block_id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def choice_question(key, text, options, *, multiple=False):
    """options: list of (text, is_correct, feedback)."""
    return {
        "type": "multiple_choice" if multiple else "single_choice",
        "id": block_id(key),
        "value": {
            "text": text,
            "options": [
                {
                    "type": "item",
                    "id": block_id(key, "option", i),
                    "value": {"text": o[0], "is_correct": o[1], "feedback": o[2]},
                }
                for i, o in enumerate(options)
            ],
        },
    }


def true_false_question(key, text, answer, feedback_true="", feedback_false=""):
    return {
        "type": "true_false",
        "id": block_id(key),
        "value": {"text": text, "answer": answer, "feedback_true": feedback_true,
                  "feedback_false": feedback_false},
    }  # fmt: skip


def quiz_block(key, questions, *, pass_mark=100, max_attempts=0, required=True):
    return {
        "type": "quiz",
        "id": block_id(key),
        "value": {"title": "Check your understanding", "introduction": "", "questions": questions,
                  "pass_mark": pass_mark, "max_attempts": max_attempts, "required": required},
    }  # fmt: skip


def reflection_block(key, prompt="What did you notice?", *, required=True):
    return {
        "type": "reflection",
        "id": block_id(key),
        "value": {"prompt": prompt, "guidance": "", "required": required},
    }


def text_block(key, html="<p>Listening without judgement.</p>"):
    return {"type": "rich_text", "id": block_id(key), "value": html}


def standard_quiz(key, **kwargs):
    """One single-choice, one multiple-choice and one true/false question."""
    return quiz_block(
        key,
        [
            choice_question(
                f"{key}/q1",
                "What comes first?",
                [
                    ("Listening", True, "Yes: listen first."),
                    ("Advice", False, "Advice can wait; listen first."),
                ],
            ),
            choice_question(
                f"{key}/q2",
                "Which help document abuse?",
                [
                    ("Screenshots with date and URL", True, "Keep the context."),
                    ("An incident log", True, "A log shows a pattern."),
                    ("Deleting the messages", False, "Keep evidence before blocking."),
                ],
                multiple=True,
            ),
            true_false_question(
                f"{key}/q3",
                "Supporters give legal advice.",
                False,
                "No: refer on to legal help.",
                "Right: we refer on.",
            ),
        ],
        **kwargs,
    )


def catalog() -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is None:
        home = ensure_site()
        index = home.add_child(instance=CourseIndexPage(title="Courses", slug="courses"))
    return index


def module_body(key) -> list[dict]:
    """What a module of `make_course` holds unless told: a text, `standard_quiz(f"{key}/quiz")`
    and a reflection."""
    return [
        text_block(f"{key}/text"),
        standard_quiz(f"{key}/quiz"),
        reflection_block(f"{key}/reflection"),
    ]


class CoursePageFactory(wagtail_factories.PageFactory):
    """A published course in the catalogue, offered in English unless `course_languages` (a list
    of unsaved `CourseLanguage`) says otherwise. No modules: `ModulePageFactory(parent=course)`."""

    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"Course {n + 1}")
    summary = "A course."
    parent = factory.LazyFunction(catalog)
    course_languages = factory.LazyFunction(lambda: [CourseLanguage(language="en")])


class ModulePageFactory(wagtail_factories.PageFactory):
    """A published module (in a new course unless `parent` is given) with `module_body`: a text,
    a quiz and a reflection, keyed by its course's slug and its own."""

    class Meta:
        model = ModulePage

    title = factory.Sequence(lambda n: f"Module {n + 1}")
    parent = factory.SubFactory(CoursePageFactory)
    body = factory.LazyAttribute(lambda module: module_body(f"{module.parent.slug}/{module.slug}"))


def make_course(slug="accompaniment", *, modules=3, languages=("en",), body=None, **fields):
    """A published course with `modules` published modules; each gets `body(i)` or
    `module_body(f"{slug}/{i}")` (a text, a quiz and a reflection)."""
    course = CoursePageFactory(
        slug=slug,
        title=fields.pop("title", slug.title()),
        summary=fields.pop("summary", "A course."),
        course_languages=[CourseLanguage(language=code) for code in languages],
        **fields,
    )
    made = []
    for i in range(modules):
        content = body(i) if body else None
        made.append(
            ModulePageFactory(
                parent=course,
                title=f"Module {i + 1}",
                slug=f"module-{i + 1}",
                body=module_body(f"{slug}/{i}") if content is None else content,
            )
        )
    return course, made


def correct_answers(key) -> dict[str, list[str]]:
    """The right answers to `standard_quiz(key)`."""
    return {
        block_id(f"{key}/q1"): [block_id(f"{key}/q1", "option", 0)],
        block_id(f"{key}/q2"): [block_id(f"{key}/q2", "option", 0),
                                block_id(f"{key}/q2", "option", 1)],
        block_id(f"{key}/q3"): ["false"],
    }  # fmt: skip


def wrong_answers(key) -> dict[str, list[str]]:
    answers = correct_answers(key)
    answers[block_id(f"{key}/q1")] = [block_id(f"{key}/q1", "option", 1)]
    return answers
