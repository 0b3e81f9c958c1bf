"""Editors get a clear error for a quiz or video that cannot work."""

import pytest
from django.core.exceptions import ValidationError

from courses.blocks import MultipleChoiceQuestionBlock, SingleChoiceQuestionBlock, VideoBlock


def _question(block, corrects):
    return block.to_python(
        {"text": "Q?", "options": [
            {"type": "item", "id": f"id-{i}",
             "value": {"text": f"o{i}", "is_correct": c, "feedback": ""}}
            for i, c in enumerate(corrects)
        ]}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("block", "corrects", "valid"),
    [
        (SingleChoiceQuestionBlock(), [True, False], True),
        (SingleChoiceQuestionBlock(), [True, True], False),
        (SingleChoiceQuestionBlock(), [False, False], False),
        (MultipleChoiceQuestionBlock(), [True, True, False], True),
        (MultipleChoiceQuestionBlock(), [False, False], False),
    ],
)
def test_choice_questions_need_the_right_number_of_correct_options(block, corrects, valid):
    value = _question(block, corrects)
    if valid:
        block.clean(value)
    else:
        with pytest.raises(ValidationError):
            block.clean(value)


def test_a_video_needs_an_embed_or_a_file(db):
    block = VideoBlock()
    value = block.to_python({"title": "Talk", "embed": None, "file": None, "captions": None,
                             "transcript": "<p>Words</p>"})  # fmt: skip
    with pytest.raises(ValidationError):
        block.clean(value)
