"""The demo courses' words: the English text as YAML files, its translations as PO files.
`load(language)` reads them for `courses.demo` (the English courses it seeds) and
`courses.demo_i18n` (their translations, imported into wagtail-localize).

    progress.yaml              the demo volunteer and the steps of their progress
    en/catalog.yaml            the course index (title, slug, intro), the topics, the courses
                               in order
    en/h5p.yaml                the sample H5P packages: file, title, words replacing the sample's
    en/<course>/course.yaml    the course's fields, and its modules in order
    en/<course>/<module>.yaml  a module's fields and body
    es/…, pt-br/…              the translations, one PO file per page as wagtail-localize's
                               translation editor downloads and uploads them: courses.po (the
                               course index), <course>/course.po, <course>/<module>.po; and
                               topics.po (topic names, msgctxt: the topic's slug), h5p.yaml (the
                               H5P samples' words in that language, same structure as en/h5p.yaml)

English text is written in a small markup so that it stays readable:

- rich text ("text" blocks, callout texts, `how_to_join`, `intro`): paragraphs are separated by a
  blank line; a paragraph whose lines start with "- " is a bulleted list, with "1. " a numbered
  list; **bold** and *italic* work inside a line;
- plain text (summaries, questions, feedback…): line breaks are ignored.

A body is a list of one-key mappings, `- <kind>: <value>`. Kinds: "heading", "text", "callout",
"quiz", "reflection", "h5p". Quizzes, reflections and H5P blocks carry a `key`: it makes their
block id, which learners' records point at, so keep it when you edit the text around it.

A PO entry is one string of a page as wagtail-localize segments it: msgctxt is the string's
place in the page (a field, or a block id and field), msgid the English string (a paragraph or
list item of rich text, with <b>/<i> kept), msgstr its translation. Translations are built by
wagtail-localize from the English page, so they keep its block ids (and learners' progress
carries over between languages); a string left untranslated, or whose English changed, shows the
English. After changing English text, run `seed_demo` then `export_demo_po`: the PO files get the
new strings to translate and keep the rest (as `makemessages` does for the interface).

Writing for volunteers: plain, warm words in short sentences (many readers are not native
speakers), practical rather than clinical, and always clear about the limits of peer support.
In Spanish, address the reader as "tú", gender-inclusive without slashes ("personas
acompañantes", "personas formadoras"), «» quotes; "reportar" is reporting to a platform and
"denunciar" going to the police or the courts. In Portuguese, "você", "pessoa acompanhante",
"turma", "sessões ao vivo".

`load` returns the structures `courses.demo` works on: for English, `INDEX`, `TOPICS` (a list of
{"name", "slug"}), `COURSES` (a list of courses, each with its list of modules, each with its
body as (kind, value) pairs and quiz options as (text, is correct, feedback)), `H5P_SAMPLES`
({key: (file name, title)}), `H5P_WORDS`, `VOLUNTEER_EMAIL` and `DEMO_PROGRESS` (a list of
(course slug, module slug, step)); for a translation, `PAGES` ({PO file name without ".po", such
as "courses" or "<course>/<module>": polib.POFile}), `TOPICS` ({slug: name}), `H5P` ({key:
{"title", "content"}}), and for reading the words, `INDEX` ({field: text}) and `COURSES` ({course
slug: {field: text, "modules": {module slug: {field: text}}}}), a field's strings joined by blank
lines.
"""

import uuid
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import polib
import yaml

FOLDER = Path(__file__).resolve().parent
ENGLISH = "en"
# The namespace of the demo's deterministic ids (uuid5 of a block's or sample's path).
NAMESPACE = uuid.UUID("5f0c8a52-7d1e-4d1b-9a53-2f6c3e8b9d41")

# The C loader when PyYAML was built with libyaml: ten times faster on these files (0.07 s, not
# 0.7 s, for every seed_demo and test that reads them). Both are the safe loaders.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read(path: Path):
    with path.open(encoding="utf-8") as file:
        return yaml.load(file, Loader=_Loader)  # noqa: S506 (a safe loader, see above)


def _body(path: Path, items: list) -> list[tuple]:
    """(kind, value) pairs from the file's one-key mappings; quiz options as tuples."""
    body = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or len(item) != 1:
            raise ValueError(f"{path}, body item {number}: write it as `- <kind>: <value>`")
        ((kind, value),) = item.items()
        if kind == "quiz":
            value = {
                **value,
                "questions": [_question(question) for question in value["questions"]],
            }
        body.append((kind, value))
    return body


def _question(question: dict) -> dict:
    if "options" not in question:
        return question
    options = [
        (option["text"], option["correct"], option["feedback"]) for option in question["options"]
    ]
    return {**question, "options": options}


def _module(path: Path, *, slug: str | None = None) -> dict:
    data = _read(path)
    if "body" in data:
        data["body"] = _body(path, data["body"])
    # An English module's slug is its file name, kept first as in the structure demo.py reads.
    return {"slug": slug, **data} if slug is not None else data


def _english(folder: Path) -> SimpleNamespace:
    catalog = _read(folder / "catalog.yaml")
    courses = []
    for slug in catalog["courses"]:
        course = _read(folder / slug / "course.yaml")
        course["modules"] = [
            _module(folder / slug / f"{module}.yaml", slug=module) for module in course["modules"]
        ]
        courses.append({"slug": slug, **course})
    h5p = _read(folder / "h5p.yaml")
    progress = _read(FOLDER / "progress.yaml")
    return SimpleNamespace(
        INDEX=catalog["index"],
        TOPICS=catalog["topics"],
        COURSES=courses,
        H5P_SAMPLES={key: (sample["file"], sample["title"]) for key, sample in h5p.items()},
        H5P_WORDS={key: sample["words"] for key, sample in h5p.items() if "words" in sample},
        VOLUNTEER_EMAIL=progress["volunteer"],
        DEMO_PROGRESS=[
            (step["course"], step["module"], step["step"]) for step in progress["steps"]
        ],
    )


def po_files(folder: Path) -> dict[str, polib.POFile]:
    """{name: PO file} for the pages translated in `folder` (a language's folder)."""
    return {
        path.relative_to(folder).with_suffix("").as_posix(): polib.pofile(str(path))
        for path in sorted(folder.rglob("*.po"))
        if path.name != "topics.po"
    }


def _fields(po: polib.POFile) -> dict[str, str]:
    """{field: its translated strings joined by blank lines}, for the page's own fields."""
    fields: dict[str, list[str]] = {}
    for entry in po.translated_entries():
        if "." not in entry.msgctxt:
            fields.setdefault(entry.msgctxt, []).append(entry.msgstr)
    return {name: "\n\n".join(strings) for name, strings in fields.items()}


def _translation(folder: Path) -> SimpleNamespace:
    pages = po_files(folder)
    courses: dict[str, dict] = {}
    for name, po in pages.items():
        if "/" not in name:
            continue
        course, page = name.split("/", 1)
        courses.setdefault(course, {"modules": {}})
        if page == "course":
            courses[course].update(_fields(po))
        else:
            courses[course]["modules"][page] = _fields(po)
    topics = folder / "topics.po"
    h5p = folder / "h5p.yaml"
    return SimpleNamespace(
        PAGES=pages,
        INDEX=_fields(pages["courses"]) if "courses" in pages else {},
        COURSES=courses,
        TOPICS={
            entry.msgctxt: entry.msgstr
            for entry in (
                polib.pofile(str(topics)).translated_entries() if topics.is_file() else []
            )
        },
        H5P=_read(h5p) if h5p.is_file() else {},
    )


@cache
def load(language: str = ENGLISH) -> SimpleNamespace | None:
    """The demo's words in `language` (a content language code such as "es" or "pt-br"), or None
    when the demo is not written in it. Read once per process; treat the result as read-only."""
    folder = FOLDER / language
    if language == ENGLISH:
        return _english(folder)
    if not folder.is_dir():
        return None
    return _translation(folder)
