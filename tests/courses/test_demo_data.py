"""The demo courses are read from YAML (courses/demo_data/) into the structures the seeding
works on; their translations are PO files of the strings wagtail-localize finds in the English
pages, which builds each translation from its English page (keeping learners' block ids)."""

import re
from pathlib import Path

import pytest
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments

from courses import demo, demo_data
from courses.models import CourseIndexPage, CoursePage, ModulePage

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


def _english_pages() -> dict:
    """{PO file name: the English page, unsaved} as courses.demo seeds them."""
    content = demo_data.load()
    pages = {"courses": CourseIndexPage(title=content.INDEX["title"],
                                        intro=demo.rich(content.INDEX["intro"]))}  # fmt: skip
    for course in content.COURSES:
        pages[f"{course['slug']}/course"] = CoursePage(
            title=course["title"], summary=demo.plain(course["summary"]),
            content_notes=demo.plain(course["content_notes"]),
            how_to_join=demo.rich(course["how_to_join"]),
            learning_outcomes=demo.learning_outcomes(course),
        )  # fmt: skip
        for module in course["modules"]:
            pages[f"{course['slug']}/{module['slug']}"] = ModulePage(
                title=module["title"], summary=demo.plain(module["summary"]),
                content_notes=demo.plain(module["content_notes"]),
                body=demo.module_body(course["slug"], module),
            )  # fmt: skip
    return pages


def _strings(page) -> set[tuple[str, str]]:
    return {
        (segment.path, segment.string.data)
        for segment in extract_segments(page)
        if isinstance(segment, StringSegmentValue)
    }


@pytest.mark.django_db
@pytest.mark.parametrize("code", TRANSLATIONS)
def test_a_translation_translates_every_string_of_its_english_pages(code):
    """Each PO file has exactly the strings of its English page (at their place in the page),
    each translated: none is lost on import, none shows in English unnoticed. Edit the English
    text, and this fails until `export_demo_po` has brought the PO files up to date."""
    english = _english_pages()
    words = demo_data.load(code)
    assert words.PAGES, code
    assert "feminist-accompaniment/welcome" in words.PAGES
    for name, po in words.PAGES.items():
        assert name in english, f"{code}/{name}.po names no demo page"
        entries = [entry for entry in po if not entry.obsolete]
        assert {(entry.msgctxt, entry.msgid) for entry in entries} == _strings(english[name]), name
        assert all(entry.msgstr for entry in entries), f"{code}/{name}.po has untranslated strings"


_TAG = re.compile(r"</?\w+")


@pytest.mark.parametrize("code", TRANSLATIONS)
def test_a_translation_keeps_the_markup_of_its_strings(code):
    """Rich text strings keep their inline tags (<b>, <i>), which wagtail-localize requires."""
    words = demo_data.load(code)
    assert words.INDEX["intro"].strip() and words.TOPICS
    for name, po in words.PAGES.items():
        for entry in po.translated_entries():
            assert sorted(_TAG.findall(entry.msgstr)) == sorted(_TAG.findall(entry.msgid)), (
                name,
                entry.msgid,
            )


def test_a_language_the_demo_is_not_written_in_has_no_words():
    assert demo_data.load("fr") is None


def test_a_body_item_is_one_kind_and_its_value(tmp_path: Path):
    path = tmp_path / "module.yaml"
    path.write_text("title: A module\nbody:\n- heading: Hello\n  text: Two kinds in one item\n")
    with pytest.raises(ValueError, match=r"module\.yaml, body item 1"):
        demo_data._module(path)
