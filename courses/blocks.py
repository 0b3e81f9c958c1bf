"""StreamField blocks for modules. Activities (quiz, reflection) are graded on the server.

Blocks that are activities keep the StreamField block id as their identity: completion records
point at it, so it survives edits to the module around it.
"""

from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html

RICH_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3", "h4", "blockquote"]


class HeadingBlock(blocks.CharBlock):
    """Rendered without a template: modules have many of these, on slow devices too."""

    class Meta:
        icon = "title"
        label = _("Heading")

    def render_basic(self, value, context=None):
        return format_html("<h2>{}</h2>", value)


class ProseBlock(blocks.RichTextBlock):
    """Rich text rendered straight to HTML (no template per block: a module has many)."""

    def render_basic(self, value, context=None):
        return format_html('<div class="prose">{}</div>', mark_safe(expand_db_html(value.source)))  # noqa: S308


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        help_text=_("Describe the image for people who cannot see it. Required."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False)

    class Meta:
        icon = "image"
        template = "blocks/image.html"
        label = _("Image")


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(
        label=_("Kind"),
        choices=[("tip", _("Tip")), ("important", _("Important")), ("self_care", _("Self-care"))],
        default="tip",
    )
    title = blocks.CharBlock(label=_("Title"), required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_FEATURES)

    class Meta:
        icon = "help"
        template = "blocks/callout.html"
        label = _("Callout")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    description = blocks.CharBlock(label=_("Description"), required=False)

    class Meta:
        icon = "doc-full"
        template = "blocks/document.html"
        label = _("Downloadable document")


class VideoBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"))
    embed = EmbedBlock(label=_("Embed URL"), required=False)
    file = DocumentChooserBlock(
        label=_("Uploaded video file"), required=False, help_text=_("MP4 or WebM.")
    )
    captions = DocumentChooserBlock(
        label=_("Captions (WebVTT)"), required=False, help_text=_("A .vtt file.")
    )
    transcript = blocks.RichTextBlock(
        label=_("Transcript"),
        features=RICH_FEATURES,
        help_text=_("Shown instead of the video to people who chose low bandwidth."),
    )

    class Meta:
        icon = "media"
        template = "blocks/video.html"
        label = _("Video")

    def clean(self, value):
        value = super().clean(value)
        if not value.get("embed") and not value.get("file"):
            raise StructBlockValidationError(
                block_errors={"embed": ValidationError(_("Give an embed URL or upload a file."))}
            )
        return value


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer"))
    is_correct = blocks.BooleanBlock(label=_("Correct"), required=False)
    feedback = blocks.TextBlock(
        label=_("Feedback"), required=False, help_text=_("Shown when this answer is chosen.")
    )

    class Meta:
        icon = "radio-full"
        label = _("Option")


class ChoiceQuestionBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Question"))
    options = blocks.ListBlock(OptionBlock(), label=_("Options"), min_num=2)

    multiple = False

    class Meta:
        icon = "list-ul"

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for option in value["options"] if option["is_correct"])
        if correct == 0:
            raise ValidationError(_("Mark at least one option as correct."))
        if not self.multiple and correct != 1:
            raise ValidationError(_("A single-choice question has exactly one correct option."))
        return value


class SingleChoiceQuestionBlock(ChoiceQuestionBlock):
    class Meta:
        label = _("Single choice")
        icon = "radio-full"


class MultipleChoiceQuestionBlock(ChoiceQuestionBlock):
    multiple = True

    class Meta:
        label = _("Multiple choice")
        icon = "tick-inverse"


class TrueFalseQuestionBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Statement"))
    answer = blocks.BooleanBlock(label=_("The statement is true"), required=False)
    feedback_true = blocks.TextBlock(label=_("Feedback when answering “true”"), required=False)
    feedback_false = blocks.TextBlock(label=_("Feedback when answering “false”"), required=False)

    class Meta:
        label = _("True or false")
        icon = "tick"


class QuizBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), default=_("Check your understanding"))
    introduction = blocks.TextBlock(label=_("Introduction"), required=False)
    questions = blocks.StreamBlock(
        [
            ("single_choice", SingleChoiceQuestionBlock()),
            ("multiple_choice", MultipleChoiceQuestionBlock()),
            ("true_false", TrueFalseQuestionBlock()),
        ],
        label=_("Questions"),
        min_num=1,
    )
    pass_mark = blocks.IntegerBlock(
        label=_("Pass mark (%)"), min_value=0, max_value=100, default=80
    )
    max_attempts = blocks.IntegerBlock(
        label=_("Attempts allowed"),
        min_value=0,
        default=0,
        help_text=_("0 means unlimited."),
    )
    required = blocks.BooleanBlock(label=_("Required for completion"), required=False, default=True)

    class Meta:
        icon = "form"
        template = "blocks/quiz.html"
        label = _("Quiz")


class ReflectionBlock(blocks.StructBlock):
    prompt = blocks.TextBlock(label=_("Prompt"))
    guidance = blocks.TextBlock(
        label=_("Guidance"),
        required=False,
        help_text=_("Optional: a gentle note on how to approach the prompt."),
    )
    required = blocks.BooleanBlock(label=_("Required for completion"), required=False, default=True)

    class Meta:
        icon = "openquote"
        template = "blocks/reflection.html"
        label = _("Reflection prompt")


def ready_h5p_activities():
    """Choices for the H5P block: activities ready to play (read when the form is built)."""
    from .h5p.xapi import completion_for
    from .models import H5PActivity

    # Each choice says how its type reports completion: the editor sees it when placing it.
    return [
        (
            str(activity.uuid),
            f"{activity.title} ({activity.main_library}, {activity.language}) — "
            f"{completion_for(activity.main_library).label}",
        )
        for activity in H5PActivity.objects.filter(status=H5PActivity.Status.READY)
    ]


class H5PActivityChoiceBlock(blocks.ChoiceBlock):
    """The activity of an H5P block. In a translation (wagtail-localize) it is a value the
    translator may override, so that a module plays a different activity in each language (the
    version of the exercise in that language); otherwise the original's activity is kept."""

    def get_translatable_segments(self, value):
        from wagtail_localize.segments import OverridableSegmentValue

        return [OverridableSegmentValue("", value)] if value else []

    def restore_translated_segments(self, value, segments):
        from wagtail_localize.segments import OverridableSegmentValue

        for segment in segments:
            if isinstance(segment, OverridableSegmentValue) and segment.data:
                return str(segment.data)
        return value


class H5PBlock(blocks.StructBlock):
    """An H5P activity, played in a sandboxed frame from the H5P origin."""

    activity = H5PActivityChoiceBlock(
        label=_("H5P activity"),
        choices=ready_h5p_activities,
        help_text=_("Upload activities under H5P → H5P activities; ready ones are listed here."),
    )
    pass_mark = blocks.IntegerBlock(
        label=_("Pass mark (%)"), required=False, min_value=0, max_value=100,
        help_text=_("Optional: the score needed for the activity to count as completed."),
    )  # fmt: skip
    required = blocks.BooleanBlock(label=_("Required for completion"), required=False, default=True)

    class Meta:
        icon = "media"
        template = "blocks/h5p.html"
        label = _("H5P activity")

    def clean(self, value):
        from .h5p.xapi import Completion, completion_for
        from .models import H5PActivity

        value = super().clean(value)
        activity = H5PActivity.objects.filter(uuid=value["activity"]).only("main_library").first()
        if activity is None:
            return value
        kind = completion_for(activity.main_library)
        errors = {}
        if kind is Completion.NEVER and value["required"]:
            errors["required"] = ValidationError(
                _("This content type never reports that a learner finished it, so nobody could "
                  "complete the module. Untick “Required for completion”.")
            )  # fmt: skip
        if kind in (Completion.NEVER, Completion.NO_SCORE) and value.get("pass_mark") is not None:
            errors["pass_mark"] = ValidationError(
                _("This content type has no score. Leave the pass mark empty.")
            )
        if errors:
            raise StructBlockValidationError(block_errors=errors)
        return value

    def get_context(self, value, parent_context=None):
        from django.conf import settings

        context = super().get_context(value, parent_context=parent_context)
        context["player_url"] = f"{settings.H5P_ORIGIN}/h5p/play/{value['activity']}/"
        context["h5p_origin"] = settings.H5P_ORIGIN
        return context


class ModuleBodyBlock(blocks.StreamBlock):
    rich_text = ProseBlock(label=_("Text"), features=RICH_FEATURES)
    heading = HeadingBlock()
    image = ImageBlock()
    callout = CalloutBlock()
    document = DocumentBlock()
    video = VideoBlock()
    quiz = QuizBlock()
    reflection = ReflectionBlock()
    h5p = H5PBlock()
