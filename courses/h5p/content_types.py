"""Names of the common H5P content types in the reader's language.

A library's own title ("True/False Question") is its author's English; the low-bandwidth card
names the exercise's type to a volunteer, so the usual types get a translated name and any other
falls back to the library's title.
"""

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
