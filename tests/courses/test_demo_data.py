"""The demo courses are read from YAML (courses/demo_data/) into the structures the seeding
works on; a translation mirrors the English bodies, which keeps learners' block ids across
languages."""

from pathlib import Path

import pytest

from courses import demo, demo_data

TRANSLATIONS = ("es", "pt-br")


def _shape(body: list[tuple]) -> list:
    """What a translation must keep from the English body: kinds, keys and non-text values."""
    shape = []
    for kind, value in body:
        if kind == "quiz":
            questions = [
                (
                    q["type"],
                    q.get("answer"),
                    [is_correct for _t, is_correct, _f in q.get("options", [])],
                )
                for q in value["questions"]
            ]
            shape.append((kind, value["key"], value["pass_mark"], value.get("required"), questions))
        elif kind in ("reflection", "h5p"):
            shape.append((kind, value["key"], value.get("required"), value.get("pass_mark")))
        elif kind == "callout":
            shape.append((kind, value["kind"]))
        else:
            shape.append((kind,))
    return shape


def test_the_english_courses_load_in_order_with_their_modules():
    content = demo_data.load()
    assert [course["slug"] for course in content.COURSES] == [
        "feminist-accompaniment",
        "secondary-trauma-and-care",
        "responding-to-online-harassment",
    ]
    assert [module["slug"] for module in content.COURSES[0]["modules"]] == [
        "welcome",
        "listening-without-judgement",
        "defusing-blame",
        "boundaries-and-limits",
        "practice-with-interactive-exercises",
    ]
    welcome = content.COURSES[0]["modules"][0]
    assert next(iter(welcome)) == "slug" and welcome["body"][0] == ("heading", "Welcome")
    listening = content.COURSES[0]["modules"][1]
    quiz = next(value for kind, value in listening["body"] if kind == "quiz")
    option = quiz["questions"][0]["options"][0]
    assert isinstance(option, tuple) and len(option) == 3 and isinstance(option[1], bool)
    assert content.COURSES[0]["estimated_hours"] == "2.5"  # a string, read as a Decimal
    assert content.H5P_SAMPLES["true-false"] == ("truefalse.h5p", "Practice: true or false")
    assert content.DEMO_PROGRESS[0] == (
        "secondary-trauma-and-care",
        "what-accompanying-does-to-us",
        "visit",
    )
    demo.validate(content.COURSES)


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_a_translation_mirrors_the_english_bodies(code):
    english = {course["slug"]: course for course in demo_data.load().COURSES}
    words = demo_data.load(code)
    assert words.COURSES, code
    for slug, course in words.COURSES.items():
        modules = {module["slug"]: module for module in english[slug]["modules"]}
        if "learning_outcomes" in course:
            assert len(course["learning_outcomes"]) == len(english[slug]["learning_outcomes"])
        for module_slug, module in course["modules"].items():
            assert _shape(module["body"]) == _shape(modules[module_slug]["body"]), module_slug


def test_a_translation_has_rich_text_the_seeding_can_read():
    for code in TRANSLATIONS:
        words = demo_data.load(code)
        assert demo.rich(words.INDEX["intro"]).startswith("<p>")
        for course in words.COURSES.values():
            demo.rich(course.get("how_to_join", ""))
            for module in course["modules"].values():
                for kind, value in module["body"]:
                    if kind == "text":
                        demo.rich(value)
                    elif kind == "callout":
                        demo.rich(value["text"])


def test_a_language_the_demo_is_not_written_in_has_no_words():
    assert demo_data.load("fr") is None


def test_a_body_item_is_one_kind_and_its_value(tmp_path: Path):
    path = tmp_path / "module.yaml"
    path.write_text("title: A module\nbody:\n- heading: Hello\n  text: Two kinds in one item\n")
    with pytest.raises(ValueError, match=r"module\.yaml, body item 1"):
        demo_data._module(path)
