"""StreamField blocks for modules. Activities (quiz, reflection) are graded on the server.

Blocks that are activities keep the StreamField block id as their identity: completion records
point at it, so it survives edits to the module around it.
"""

from html import escape as html_escape

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat, linebreaksbr
from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html
from wagtail.snippets.blocks import SnippetChooserBlock
from wagtail.snippets.models import get_snippet_models
from wagtail_localize.segments import OverridableSegmentValue

from training.templatetags.acompana import when

from .acknowledge import AcknowledgeBlock
from .h5p.content_types import Completion, completion_for

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
        label = _("Quiz")

    def render(self, value, context=None):
        """The quiz as one learner sees it (`activity`: courses.selectors.quiz_view), written
        here rather than in a template: a module page shows every option of every question, and
        nested template loops were most of its rendering time."""
        return render_quiz(value, context or {})


def esc(value) -> str:
    """`conditional_escape`, without its lazy-string wrapper (called for every option)."""
    if isinstance(value, SafeData):
        return value
    return html_escape(str(value))


# The module's own words (titles, questions, options, feedback: the same for everyone), escaped
# once per process: the activities' values are kept between requests (courses.models), so these
# are the same strings on every page served. Never a person's words (their answers, reflections).
_ESCAPED_CONTENT: dict[str, str] = {}
_ESCAPED_CONTENT_SIZE = 20_000


def esc_content(value) -> str:
    """`esc` of a value from the module's content, kept once escaped."""
    if type(value) is not str:
        return esc(value)
    escaped = _ESCAPED_CONTENT.get(value)
    if escaped is None:
        if len(_ESCAPED_CONTENT) >= _ESCAPED_CONTENT_SIZE:
            _ESCAPED_CONTENT.clear()
        escaped = _ESCAPED_CONTENT[value] = html_escape(value)
    return escaped


# Activities' action addresses, by URLconf, script prefix, language, module, activity and action:
# reverse() cost more than the rest of a reflection's HTML (issue 18). The same for everyone.
_ACTION_URLS: dict[tuple, str] = {}


def action_url(module_pk, activity_id, action: str) -> str:
    """reverse("courses:activity_action", args=[module_pk, activity_id, action]), kept."""
    key = (
        get_resolver(get_urlconf()), get_script_prefix(), translation.get_language(),
        module_pk, activity_id, action,
    )  # fmt: skip
    url = _ACTION_URLS.get(key)
    if url is None:
        url = reverse("courses:activity_action", args=[module_pk, activity_id, action])
        if len(_ACTION_URLS) >= 5000:
            _ACTION_URLS.clear()
        _ACTION_URLS[key] = url
    return url


def _html_text(text) -> str:
    """A translation put into HTML (text or a double-quoted attribute): `&`, `<`, `>` and `"`
    escaped, as {% translate %} did (an apostrophe, harmless there, is left as written)."""
    return html_escape(str(text), quote=False).replace('"', "&quot;")


# Through the module (translation.gettext), read when called: as the templates' {% translate %}.
# Kept once escaped, by language and message (the catalogues do not change while the process
# runs): a quiz asks for twenty of them on every module page (issue 18).
_ESCAPED: dict[tuple[str | None, str], str] = {}


def _escaped_gettext(message) -> str:
    key = (translation.get_language(), message)
    escaped = _ESCAPED.get(key)
    if escaped is None:
        escaped = _ESCAPED[key] = _html_text(translation.gettext(message))
    return escaped


def _escaped_gettext_in(language):
    """`_escaped_gettext` for a block rendered in `language` (the active one, read once: a block
    asks for a dozen translations or more)."""

    def gettext(message) -> str:
        escaped = _ESCAPED.get((language, message))
        if escaped is None:
            escaped = _escaped_gettext(message)
        return escaped

    return gettext


def _escaped_ngettext(singular, plural, number) -> str:
    return _html_text(translation.ngettext(singular, plural, number))


def render_quiz(value, context) -> str:
    """The HTML of a quiz block: the form with the questions, their options (the learner's
    choices checked, the feedback on what they chose), the last result and the attempts left.
    Reads `block_id`, `activity`, `page`, `device_key` and `csrf_token` from `context`. As in a
    template, values and the translations of the interface's own words are escaped."""
    # The translations escaped (named so makemessages finds them).
    gettext, ngettext = _escaped_gettext_in(translation.get_language()), _escaped_ngettext

    raw_id = context.get("block_id", "")
    block_id = esc(raw_id)
    activity = context.get("activity") or {}
    page = context.get("page")
    last = activity.get("last")
    can_attempt = activity.get("can_attempt")
    html = [
        # A named group, not a region: several quizzes may share a title, and landmarks must not.
        f'<section class="activity quiz" id="activity-{block_id}" role="group" '
        f'aria-labelledby="quiz-title-{block_id}">\n'
        f'<h2 id="quiz-title-{block_id}">{esc_content(value.get("title"))}</h2>\n'
    ]
    if activity.get("passed"):
        passed = gettext("Passed")
        html.append(f'<p class="badge done">✓ {passed}</p>\n')
    if value.get("introduction"):
        html.append(f"<p>{esc_content(value['introduction'])}</p>\n")
    mark = esc(value.get("pass_mark"))
    if last:
        scored = gettext("Your last attempt scored %(score)s%% (pass mark %(mark)s%%).") % {
            "score": floatformat(last.score, "0"), "mark": mark,
        }  # fmt: skip
        verdict = (
            gettext("You passed.") if last.passed
            else gettext("Not passed yet: read the feedback and try again.")
        )  # fmt: skip
        html.append(f'<p class="quiz-result" role="status">\n{scored}\n{verdict}\n</p>\n')
    else:
        pass_mark = gettext("Pass mark: %(mark)s%%.") % {"mark": mark}
        html.append(f'<p class="muted">{pass_mark}</p>\n')
    page_pk = esc(page.pk) if page is not None else ""
    action = (
        action_url(page.pk, raw_id, "submit") if page is not None
        else ""
    )  # fmt: skip
    csrf = context.get("csrf_token")
    # What the page says of answers sent by the device queue (static/js/learning.js).
    queued = gettext("Answer saved. You will see your result when you are back online.")
    sent, refused = gettext("Sent."), gettext("This was not recorded.")
    show_result = gettext("Show my result")
    html.append(
        f'<form method="post" action="{esc(action)}" data-quiz data-draft-key="acompana:'
        f'{esc(context.get("device_key", ""))}:quiz:{page_pk}:{block_id}" '
        f'data-attempts="{esc(activity.get("attempt_count") or 0)}"\n'
        f'data-msg-queued="{queued}" data-msg-sent="{sent}" data-msg-refused="{refused}" '
        f'data-msg-result="{show_result}">\n'
    )
    if csrf and csrf != "NOTPROVIDED":
        html.append(f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf)}">\n')
    html.append(
        '<input type="hidden" name="submission_id" '
        f'value="{esc(activity.get("submission_id", ""))}">\n'
    )
    questions = activity.get("questions") or ()
    if questions:
        choose_all = gettext("choose all that apply")
        a_correct_answer = gettext("a correct answer")
        answer_key = f' <span class="answer-key">({a_correct_answer})</span>'
        correct_word, not_yet = gettext("Correct"), gettext("Not correct yet")
        results = {
            True: (" correct", f'<p class="result">✓ {correct_word}</p>\n'),
            False: (" incorrect", f'<p class="result">✗ {not_yet}</p>\n'),
        }
        disabled = "" if can_attempt else " disabled"
    for number, question in enumerate(questions, start=1):
        correct = question["correct"]
        css, result = results[correct] if correct is True or correct is False else ("", "")
        qid = esc_content(question["id"])
        multiple = question["multiple"]
        kind = "checkbox" if multiple else "radio"
        hint = f' <span class="muted">({choose_all})</span>' if multiple else ""
        html.append(
            f'<fieldset class="question{css}">\n'
            f"<legend>{number}. {esc_content(question['text'])}{hint}</legend>\n{result}"
        )
        for option in question["options"]:
            oid = esc_content(option["id"])
            feedback = option["feedback"]
            html.append(
                f'<div class="option">\n<input type="{kind}" name="q-{qid}" id="q-{qid}-{oid}" '
                f'value="{oid}"{" checked" if option["checked"] else ""}{disabled}>\n'
                f'<label for="q-{qid}-{oid}">{esc_content(option["text"])}'
                f"{answer_key if option['is_correct'] else ''}</label>\n"
                + (f'<p class="feedback">{esc_content(feedback)}</p>\n' if feedback else "")
                + "</div>\n"
            )
        html.append("</fieldset>\n")
    if can_attempt:
        label = gettext("Submit new answers") if last else gettext("Submit answers")
        html.append(f'<button type="submit">{label}</button>\n')
        left = activity.get("attempts_left")
        if left is not None:
            text = ngettext("%(left)s attempt left.", "%(left)s attempts left.", left)
            html.append(f'<p class="muted">{text % {"left": esc(left)}}</p>\n')
    else:
        used = gettext("You have used all the attempts for this quiz.")
        html.append(f'<p class="notice">{used}</p>\n')
    kept = gettext("Your answers are kept on this device until you submit them.")
    html.append(
        '<p class="queue-status" role="status" tabindex="-1"></p>\n'
        f'<p class="muted draft-note" hidden>{kept}</p>\n'
        "</form>\n</section>"
    )
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


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
        label = _("Reflection prompt")

    def render(self, value, context=None):
        """The prompt and one learner's reflection (`activity`: courses.selectors.
        reflection_view), written here rather than in a template, as the quiz (render_quiz)."""
        return render_reflection(value, context or {})


def render_reflection(value, context) -> str:
    """The HTML of a reflection block: the prompt, the form with the learner's text, whether
    it is saved, submitted and shared, and a trainer's answer. Reads `block_id`, `activity`,
    `page`, `device_key` and `csrf_token` from `context`; escapes as a template would."""

    # The translations escaped (named so makemessages finds them).
    gettext = _escaped_gettext_in(translation.get_language())

    raw_id = context.get("block_id", "")
    block_id = esc(raw_id)
    activity = context.get("activity") or {}
    reflection = activity.get("reflection")
    page = context.get("page")
    page_pk = esc(page.pk) if page is not None else ""
    action = (
        action_url(page.pk, raw_id, "save") if page is not None
        else ""
    )  # fmt: skip
    heading = gettext("Reflection")
    html = [
        f'<section class="activity reflection" id="activity-{block_id}" role="group" '
        f'aria-labelledby="reflection-title-{block_id}">\n'
        f'<h2 id="reflection-title-{block_id}">{heading}</h2>\n'
        '<p class="private-note">'
        + gettext(
            "Private: only you can read this, unless you choose to share it with your cohort's "
            "trainers. It is never graded."
        )
        + f'</p>\n<p class="prompt"><strong>{esc_content(value.get("prompt"))}</strong></p>\n'
    ]
    if value.get("guidance"):
        html.append(f'<p class="muted">{esc_content(value["guidance"])}</p>\n')
    saved_at = date_format(reflection.updated_at, "U") if reflection else "0"
    saving, draft_saved = gettext("Saving…"), gettext("Draft saved.")
    offline = gettext(
        "Not saved to the server yet (no connection?). Your text is kept on this device."
    )
    restored = gettext("Restored text you wrote on this device that had not reached the server.")
    queued = gettext("Saved on this device; it will be sent when you are back online.")
    sent, refused = gettext("Sent."), gettext("This was not recorded.")
    html.append(
        f'<form method="post" action="{esc(action)}" data-reflection data-draft-key="acompana:'
        f'{esc(context.get("device_key", ""))}:reflection:{page_pk}:{block_id}" '
        f'data-saved-at="{esc(saved_at)}"\n'
        f'data-msg-saving="{saving}" data-msg-saved="{draft_saved}"\n'
        f'data-msg-offline="{offline}"\ndata-msg-restored="{restored}"\n'
        f'data-msg-queued="{queued}" data-msg-sent="{sent}" data-msg-refused="{refused}">\n'
    )
    csrf = context.get("csrf_token")
    if csrf and csrf != "NOTPROVIDED":
        html.append(f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(csrf)}">\n')
    checked = " checked" if activity.get("shared_with_trainers") else ""
    saved = (
        gettext("Saved %(when)s.") % {"when": esc(when(reflection.updated_at))}
        if reflection
        else ""
    )
    submit = (
        gettext("Update submitted reflection") if activity.get("submitted")
        else gettext("Submit reflection")
    )  # fmt: skip
    your_reflection, save_draft = gettext("Your reflection"), gettext("Save draft")
    html.append(
        f'<label for="reflection-{block_id}">{your_reflection}</label>\n'
        f'<textarea id="reflection-{block_id}" name="text" rows="8" maxlength="20000">'
        f"{esc(activity.get('text', ''))}</textarea>\n"
        f'<div class="option">\n<input type="checkbox" id="share-{block_id}" '
        f'name="shared_with_trainers"{checked}>\n<label for="share-{block_id}">'
        + gettext("When I submit, share it with my cohort's trainers")
        + f'</label>\n</div>\n<p class="autosave-status muted" aria-live="polite">{saved}</p>\n'
        '<div class="actions">\n<button type="submit" name="action" value="save" '
        f'class="button secondary">{save_draft}</button>\n'
        f'<button type="submit" name="action" value="submit">{submit}</button>\n</div>\n'
    )
    if activity.get("draft_differs"):
        html.append(
            '<p class="muted">'
            + gettext(
                "You have changed it since you submitted it. Trainers you shared it with see the "
                "submitted version until you submit again."
            )
            + "</p>\n"
        )
    if activity.get("submitted"):
        submitted = gettext("Submitted %(when)s.") % {"when": esc(when(reflection.submitted_at))}
        html.append(f'<p class="done">✓ {submitted}</p>\n')
    html.append("</form>\n")
    if reflection and reflection.reply:
        replier = reflection.replied_by
        name = replier.display_name if replier else ""
        who = esc(name) if name else gettext("A trainer")
        heading = gettext("Your trainer's answer")
        answered = gettext(
            "%(who)s answered the reflection you shared, %(when)s. Only you and your cohort's "
            "trainers can read this."
        ) % {"who": who, "when": esc(when(reflection.replied_at))}
        html.append(
            f'<section class="reflection-reply" role="group" '
            f'aria-labelledby="reply-title-{block_id}">\n'
            f'<h3 id="reply-title-{block_id}">{heading}</h3>\n'
            f'<p class="private-note">{answered}</p>\n'
            f"<p>{linebreaksbr(reflection.reply, autoescape=True)}</p>\n</section>\n"
        )
    html.append("</section>")
    return mark_safe("".join(html))  # noqa: S308 - every value above is escaped


def ready_h5p_activities():
    """Choices of the H5P block before the chooser (migration 0001 still names this)."""
    from .models import H5PActivity  # noqa: PLC0415 — the models import this module

    ready = H5PActivity.objects.filter(status=H5PActivity.Status.READY)
    return [(str(activity.uuid), activity.title) for activity in ready]


class H5PActivityChooserBlock(SnippetChooserBlock):
    """The activity of an H5P block, picked in Wagtail's chooser (ready activities only, with
    their language and how they report completion).

    The stored value, and the value everywhere in the code, is the activity's UUID (a string):
    the player, launches and statements are addressed by it. Only the form works with the
    instance.

    In a translation (wagtail-localize) the activity is a value the translator may override,
    in the translation editor's own chooser, so that a module plays the version of the exercise
    in each language; until then the original's activity is kept."""

    def __init__(self, **kwargs):
        super().__init__("courses.H5PActivity", **kwargs)

    @cached_property
    def widget(self):
        get_snippet_models()  # loads the wagtail_hooks modules, where the activity is registered
        return SnippetChooserBlock.widget.func(self)

    @cached_property
    def field(self):
        from .models import H5PActivity  # noqa: PLC0415 — the models import this module

        return forms.ModelChoiceField(
            queryset=H5PActivity.objects.filter(status=H5PActivity.Status.READY),
            widget=self.widget, required=self._required, help_text=self._help_text,
            error_messages={"invalid_choice": _("Choose an activity that is ready to play.")},
        )  # fmt: skip

    def _instance(self, value):
        from .models import H5PActivity  # noqa: PLC0415 — the models import this module

        if value in (None, ""):
            return None
        if isinstance(value, H5PActivity):
            return value
        lookup = {"pk": int(value)} if str(value).isdigit() else {"uuid": str(value)}
        try:
            return H5PActivity.objects.get(**lookup)
        except (H5PActivity.DoesNotExist, ValidationError, ValueError):
            return None

    def _uuid(self, value):
        if value in (None, ""):
            return None
        if str(value).isdigit() or not isinstance(value, str):
            instance = self._instance(value)
            return str(instance.uuid) if instance else None
        return value

    def to_python(self, value):
        return str(value) if value else None

    def bulk_to_python(self, values):
        return [self.to_python(value) for value in values]

    def get_prep_value(self, value):
        return self._uuid(value)

    def normalize(self, value):
        return self._uuid(value)

    def value_from_form(self, value):
        return self._uuid(value)

    def value_for_form(self, value):
        instance = self._instance(value)
        return instance.pk if instance else None

    def get_form_state(self, value):
        return self.widget.get_value_data(self._instance(value))

    def clean(self, value):
        return self.value_from_form(self.field.clean(self.value_for_form(value)))

    def extract_references(self, value):
        # The reference index gives each activity a "Usage" list (modules that play it).
        instance = self._instance(value)
        if instance is not None:
            yield type(instance), str(instance.pk), "", ""

    def get_translatable_segments(self, value):
        # The translation editor's chooser shows and sets the activity by primary key.
        instance = self._instance(value)
        return [OverridableSegmentValue("", instance.pk)] if instance else []

    def restore_translated_segments(self, value, segments):
        for segment in segments:
            if isinstance(segment, OverridableSegmentValue) and segment.data:
                return self._uuid(str(segment.data)) or value
        return value


class H5PBlock(blocks.StructBlock):
    """An H5P activity, played in a sandboxed frame from the H5P origin."""

    activity = H5PActivityChooserBlock(
        label=_("H5P activity"),
        help_text=_(
            "Upload activities under H5P → H5P activities, then choose one that is ready. "
            "A translation may choose the version in its own language."
        ),
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
        from .models import H5PActivity  # noqa: PLC0415 — the models import this module

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
        context = super().get_context(value, parent_context=parent_context)
        # The player's URL is per person (a signed launch): the module page makes it
        # (courses.h5p.activity.h5p_view) and passes it as `activity.player_url`.
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
    acknowledge = AcknowledgeBlock()
