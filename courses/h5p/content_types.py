"""The H5P content types the platform knows: their names in the reader's language, and how
each tells that a learner finished it (the xAPI statements that complete it, courses/h5p/xapi.py).

A library's own title ("True/False Question") is its author's English; the low-bandwidth card
names the exercise's type to a volunteer, so the usual types get a translated name and any other
falls back to the library's title.
"""

from enum import Enum

from django.utils.translation import gettext_lazy as _

NAMES = {
    "H5P.TrueFalse": _("True or false"),
    "H5P.QuestionSet": _("Question set"),
    "H5P.MultiChoice": _("Multiple choice"),
    "H5P.SingleChoiceSet": _("Single choice set"),
    "H5P.Blanks": _("Fill in the blanks"),
    "H5P.DragQuestion": _("Drag and drop"),
    "H5P.DragText": _("Drag the words"),
    "H5P.MarkTheWords": _("Mark the words"),
    "H5P.Summary": _("Summary"),
    "H5P.Essay": _("Essay"),
    "H5P.Dialogcards": _("Dialog cards"),
    "H5P.Flashcards": _("Flashcards"),
    "H5P.Accordion": _("Accordion"),
    "H5P.BranchingScenario": _("Branching scenario"),
    "H5P.CoursePresentation": _("Course presentation"),
    "H5P.InteractiveVideo": _("Interactive video"),
    "H5P.InteractiveBook": _("Interactive book"),
    "H5P.ImageHotspots": _("Image hotspots"),
    "H5P.Timeline": _("Timeline"),
    "H5P.Audio": _("Audio"),
    "H5P.Video": _("Video"),
}


def content_type_name(main_library: str, fallback: str = "") -> str:
    """The type of an activity whose main library is `main_library` ("H5P.TrueFalse 1.6" or
    "H5P.TrueFalse"), in the active language; else `fallback` (the library's title)."""
    machine_name = (main_library or "").split(" ")[0]
    name = NAMES.get(machine_name)
    return str(name) if name is not None else fallback


class Completion(Enum):
    """How a content type tells that the learner finished it (by its main library)."""

    QUESTION = "question"  # one question: a top-level `answered`
    CONTAINER = "container"  # holds questions: a top-level `completed`, never a child's answer
    NO_SCORE = "no_score"  # content to go through: progressed, experienced or interacted
    NEVER = "never"  # emits nothing that says "finished"
    UNKNOWN = "unknown"  # not classified: a top-level `answered` or `completed`

    @property
    def label(self):
        return COMPLETION_LABELS[self]


COMPLETION_LABELS = {
    Completion.QUESTION: _("completes when answered"),
    Completion.CONTAINER: _("completes when the whole set is finished"),
    Completion.NO_SCORE: _("completes when gone through; no score"),
    Completion.NEVER: _("never reports completion: make it optional"),
    Completion.UNKNOWN: _("completion not known for this type"),
}

CONTENT_TYPES: dict[str, Completion] = {
    **dict.fromkeys(
        [
            "H5P.TrueFalse", "H5P.MultiChoice", "H5P.Blanks", "H5P.AdvancedBlanks",
            "H5P.DragQuestion", "H5P.DragText", "H5P.MarkTheWords", "H5P.Essay",
            "H5P.ImageHotspotQuestion", "H5P.ImageMultipleHotspotQuestion", "H5P.Summary",
            "H5P.ArithmeticQuiz", "H5P.SpeakTheWords", "H5P.SpeakTheWordsSet", "H5P.Dictation",
            "H5P.ImagePair", "H5P.ImageSequencing", "H5P.SortParagraphs", "H5P.FindTheWords",
            "H5P.Crossword", "H5P.MemoryGame", "H5P.MultiMediaChoice", "H5P.SingleChoiceSet",
            "H5P.Flashcards",
        ],
        Completion.QUESTION,
    ),
    **dict.fromkeys(
        [
            "H5P.QuestionSet", "H5P.Column", "H5P.CoursePresentation", "H5P.InteractiveVideo",
            "H5P.InteractiveBook", "H5P.BranchingScenario", "H5P.GameMap",
        ],
        Completion.CONTAINER,
    ),
    **dict.fromkeys(
        [
            "H5P.Accordion", "H5P.DialogCards", "H5P.ImageHotspots", "H5P.Timeline",
            "H5P.Agamotto", "H5P.ImageSlider", "H5P.ImageJuxtaposition", "H5P.Questionnaire",
            "H5P.Documentation", "H5P.ThreeImage",
        ],
        Completion.NO_SCORE,
    ),
    **dict.fromkeys(
        [
            "H5P.Chart", "H5P.Collage", "H5P.IFrameEmbed", "H5P.Table", "H5P.Link",
            "H5P.Image", "H5P.Text", "H5P.AdvancedText", "H5P.Audio", "H5P.Video",
            "H5P.TwitterUserFeed",
        ],
        Completion.NEVER,
    ),
}  # fmt: skip


def completion_for(main_library: str) -> Completion:
    """From the activity's main library as stored ("H5P.TrueFalse 1.6"), never the statement."""
    return CONTENT_TYPES.get(main_library.split(" ", 1)[0], Completion.UNKNOWN)
