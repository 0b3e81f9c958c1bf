"""What the module page keeps between requests (issue 18) gives what it would make anew: the
activities' blocks (only while their stored JSON is the same), the activities' action addresses,
the module's own words escaped, and "About N minutes"."""

import json

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from courses import models
from courses.blocks import action_url, esc, esc_content
from courses.models import ModulePage, _about_minutes

pytestmark = pytest.mark.django_db


def _quiz(title, option_text):
    return {
        "type": "quiz",
        "id": "quiz-1",
        "value": {
            "title": title, "introduction": "", "pass_mark": 80, "max_attempts": 0,
            "required": True,
            "questions": [{"type": "single_choice", "id": "q-1", "value": {
                "text": "Which?",
                "options": [
                    {"type": "item", "id": "o-1",
                     "value": {"text": option_text, "is_correct": True, "feedback": ""}},
                    {"type": "item", "id": "o-2",
                     "value": {"text": "Other", "is_correct": False, "feedback": ""}},
                ],
            }}],
        },
    }  # fmt: skip


def _page(pk, blocks):
    page = ModulePage(pk=pk, title="Module", slug="module")
    page.body = json.dumps(blocks)
    return page


def test_activity_blocks_are_reused_only_while_their_json_is_the_same():
    text = {"type": "heading", "id": "h-1", "value": "Hello"}
    first = _page(99001, [text, _quiz("Check", "Yes")]).activities
    again = _page(99001, [text, _quiz("Check", "Yes")]).activities
    assert again[0].value is first[0].value
    changed = _page(99001, [text, _quiz("Check again", "Yes!")]).activities
    assert changed[0].value is not first[0].value
    assert changed[0].value["title"] == "Check again"
    options = changed[0].value["questions"][0].value["options"]
    assert options[0]["text"] == "Yes!"
    # Another page with the same block ids (a translation) keeps its own.
    other = _page(99002, [text, _quiz("Comprueba", "Sí")]).activities
    assert other[0].value["title"] == "Comprueba"
    assert _page(99001, [text, _quiz("Check again", "Yes!")]).activities[0].value is (
        changed[0].value
    )


def test_reused_blocks_are_not_kept_for_other_block_types():
    assert _page(99003, [{"type": "heading", "id": "h-9", "value": "Hi"}]).activities == []
    assert not any(key[0] == 99003 for key in models._ACTIVITY_BLOCKS)


def test_action_url_is_reverse():
    for args in ([1, "abc-def", "submit"], [22, "x" * 36, "save"]):
        assert action_url(*args) == reverse("courses:activity_action", args=args)


@pytest.mark.parametrize(
    "value", ["plain", "<b>&'\"</b>", mark_safe("<i>kept</i>"), 12, "", "Ünïcödé <>"]
)
def test_esc_content_escapes_as_esc(value):
    assert esc_content(value) == esc(value)
    assert esc_content(value) == esc(value)  # kept


@pytest.mark.parametrize("language", ["en", "es", "fr", "pt-br", "ar"])
def test_about_minutes_is_what_the_template_tag_said(language):
    template = engines["django"].from_string(
        "{% load i18n %}{% blocktranslate count minutes=n trimmed %}About {{ minutes }} minute"
        "{% plural %}About {{ minutes }} minutes{% endblocktranslate %}"
    )
    with translation.override(language):
        for n in (0, 1, 2, 30, 1500):
            assert _about_minutes(n) == template.render({"n": n})
