from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_BODY_LENGTH

BODY_HELP = _(
    "Markdown works: **bold**, *italics*, lists, > quotes and [links](https://…). Images are "
    "not shown."
)
NOTE_HELP = _(
    "Optional. If your message is about something heavy, say so in a few words: it stays "
    "folded until each person chooses to open it."
)


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"), widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_BODY_LENGTH, help_text=BODY_HELP,
    )  # fmt: skip
    content_note = forms.CharField(
        label=_("Content note"), max_length=200, required=False, help_text=NOTE_HELP
    )


class ThreadForm(PostForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    field_order = ["title", "body", "content_note"]


class HideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why hide it"), max_length=500,
        help_text=_("The other trainers read it; the members do not."),
    )  # fmt: skip


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong (optional)"), max_length=1000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the cohort's trainers read your report. The author is not told."),
    )  # fmt: skip
