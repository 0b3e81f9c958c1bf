"""Forms for volunteers (applying) and trainers (cohorts, questions, decisions, codes)."""

from datetime import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from courses.models import CoursePage
from training.models import User, time_zone_choices
from training.roles import GROUP_FOR_ROLE, Role

from .models import Cohort, InvitationCode, ScreeningQuestion
from .services import MAX_NOTES_LENGTH, Decision


def application_fields(cohort: Cohort, data=None, errors=None) -> list[dict]:
    """The screening questions as the form shows them, with what the person typed and what
    needs their attention."""
    data, errors = data or {}, errors or {}
    return [
        {"question": question, "name": f"answer-{question.pk}",
         "value": data.get(f"answer-{question.pk}", ""), "error": errors.get(str(question.pk))}
        for question in cohort.questions.all()
    ]  # fmt: skip


def answers_from(post, cohort: Cohort) -> dict[str, str]:
    return {str(q.pk): post.get(f"answer-{q.pk}", "") for q in cohort.questions.all()}


# Dates trainers type: from the year 2000 to a few years ahead. A date near the year 9999 made
# the conversion to UTC overflow (a 500), or stored a moment no page could read back.
EARLIEST_YEAR = 2000
YEARS_AHEAD = 5


def check_date_in_range(value) -> None:
    """Raise a translated ValidationError for a date (or date and time) out of range."""
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    today = timezone.localdate()
    try:
        latest = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + YEARS_AHEAD, day=28)
    if day.year < EARLIEST_YEAR:
        raise ValidationError(_("Choose a date from the year %(year)s on."),
                              code="too_early", params={"year": EARLIEST_YEAR})  # fmt: skip
    if day > latest:
        raise ValidationError(
            _("Choose a date within %(years)s years from today (until %(latest)s)."),
            code="too_late", params={"years": YEARS_AHEAD, "latest": date_format(latest)},
        )  # fmt: skip


MAX_DESCRIPTION_LENGTH = 5000
MAX_SESSION_DESCRIPTION_LENGTH = 2000


class CohortForm(forms.ModelForm):
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses"), queryset=CoursePage.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    interpretation_languages = forms.MultipleChoiceField(
        label=_("Interpretation languages"), required=False, choices=(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    trainers = forms.ModelMultipleChoiceField(
        label=_("Trainers"), queryset=User.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You are always one of the trainers of a cohort you create."),
    )  # fmt: skip
    description = forms.CharField(
        label=_("Description"), required=False, max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip

    class Meta:
        model = Cohort
        fields = [
            "title", "slug", "description", "courses", "working_language",
            "interpretation_languages", "time_zone", "starts_on", "ends_on",
            "applications_open_at", "applications_close_at", "capacity", "mode",
            "module_release", "status", "trainers", "show_member_list", "catch_up_counts",
            "nudge_after_days", "track",
        ]  # fmt: skip
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "applications_open_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "applications_close_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only published courses open to everyone: a cohort never opens a restricted course.
        # The originals (courses.i18n): their copies in other languages follow the same record.
        self.fields["courses"].queryset = (
            CoursePage.objects.live().public()
            .filter(locale__language_code=settings.LANGUAGE_CODE).order_by("title")
        )  # fmt: skip
        self.fields["interpretation_languages"].choices = list(settings.ALL_LANGUAGES.items())
        # A zone stored before the list was narrowed to places is shown, not silently replaced.
        self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone)
        self.fields["trainers"].queryset = User.objects.filter(
            groups__name=GROUP_FOR_ROLE[Role.TRAINER]
        ).order_by("display_name")
        self.fields["trainers"].label_from_instance = lambda user: user.display_name
        from certificates.models import Track

        current = self.instance.track_id if self.instance.pk else None
        self.fields["track"].queryset = Track.objects.filter(
            Q(active=True) | Q(pk=current)
        ).order_by("title")
        # The track makes the cohort's sessions and sign-offs count towards a certificate: the
        # coordinators (and administrators) who run certification choose it, trainers read it.
        if not can_set_track(user):
            self.fields["track"].disabled = True
            self.fields["track"].help_text = _("Chosen by the coordinators: the certification "
                                               "this cohort prepares for.")  # fmt: skip
        for name in ("starts_on", "ends_on", "applications_open_at", "applications_close_at"):
            self.fields[name].validators.append(check_date_in_range)
        for name in ("applications_open_at", "applications_close_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]
            self.fields[name].widget.format = "%Y-%m-%dT%H:%M"

    def _get_validation_exclusions(self):
        # The form's list (places, and the cohort's own zone) has checked the zone; the model's
        # choices (places only) would refuse a zone stored before the list was narrowed.
        return {*super()._get_validation_exclusions(), "time_zone"}

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The cohort cannot end before it starts."))
        opens, closes = data.get("applications_open_at"), data.get("applications_close_at")
        if opens and closes and closes <= opens:
            self.add_error("applications_close_at", _("Applications must close after they open."))
        return data


def can_set_track(user) -> bool:
    return user is not None and (user.is_superuser or user.has_role(Role.COORDINATOR))


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Options (one per line)"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for a choice question."),
    )  # fmt: skip

    class Meta:
        model = ScreeningQuestion
        fields = ["text", "help_text", "kind", "required", "sort_order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(self.instance.choices)

    def clean(self):
        data = super().clean()
        options = [line.strip() for line in data.get("choices_text", "").splitlines()]
        options = [option for option in options if option]
        if data.get("kind") == ScreeningQuestion.Kind.CHOICE and len(options) < 2:
            self.add_error("choices_text", _("A choice question needs at least two options."))
        data["choices"] = options if data.get("kind") == ScreeningQuestion.Kind.CHOICE else []
        return data

    def save(self, commit=True):
        self.instance.choices = self.cleaned_data["choices"]
        return super().save(commit=commit)


QuestionFormSet = forms.inlineformset_factory(
    Cohort, ScreeningQuestion, form=QuestionForm, extra=1, can_delete=True
)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.ACCEPT, _("Accept")),
            (Decision.WAITLIST, _("Waitlist")),
            (Decision.DECLINE, _("Decline")),
        ],
    )
    message = forms.CharField(
        label=_("Message to the people concerned"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip
    save_template = forms.BooleanField(
        label=_("Start from this message next time for this decision in this cohort"),
        required=False,
    )


class CodeForm(forms.ModelForm):
    max_uses = forms.IntegerField(label=_("Uses allowed"), min_value=1, max_value=10_000,
                                  initial=1)  # fmt: skip

    class Meta:
        model = InvitationCode
        fields = ["note", "max_uses", "expires_at"]
        widgets = {"expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].input_formats = ["%Y-%m-%dT%H:%M"]
        self.fields["expires_at"].validators.append(check_date_in_range)


class SessionForm(forms.Form):
    """A live session as trainers think of it: a day and times in the cohort's zone."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False,
                                  max_length=MAX_SESSION_DESCRIPTION_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}),
                          validators=[check_date_in_range])  # fmt: skip
    start = forms.TimeField(label=_("Starts"), widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label=_("Ends"), widget=forms.TimeInput(attrs={"type": "time"}))
    meeting_url = forms.URLField(
        label=_("Meeting link"), required=False, assume_scheme="https",
        help_text=_("Shown to the cohort's members only."),
    )  # fmt: skip
    interpretation_languages = forms.MultipleChoiceField(
        label=_("Interpretation languages"), required=False, choices=(),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    weeks = forms.IntegerField(
        label=_("Repeat weekly"), min_value=1, max_value=52, initial=1,
        help_text=_("How many weeks in a row (1: a single session). Each keeps its local time."),
    )  # fmt: skip

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interpretation_languages"].choices = list(settings.ALL_LANGUAGES.items())
        if editing:
            del self.fields["weeks"]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] == data["end"]:
            self.add_error("end", _("A session needs some time between its start and end."))
        return data


class AfterSessionForm(forms.Form):
    recording_url = forms.URLField(label=_("Recording link"), required=False,
                                   assume_scheme="https")  # fmt: skip
    notes = forms.CharField(label=_("Notes"), required=False, max_length=MAX_NOTES_LENGTH,
                            widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
