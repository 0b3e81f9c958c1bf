"""Forms for volunteers (applying) and trainers (cohorts, questions, decisions, codes)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, validate_slug
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from courses.models import CoursePage
from training.models import User
from training.roles import GROUP_FOR_ROLE, Role
from training.timezones import grouped_choices
from training.widgets import DatePicker

from .models import Cohort, InvitationCode, LiveSession, ScreeningQuestion
from .services import MAX_NOTES_LENGTH, Decision
from .sessions import too_long


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
            "nudge_after_days",
        ]  # fmt: skip
        widgets = {
            "starts_on": DatePicker(),
            "ends_on": DatePicker(),
            "applications_open_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "applications_close_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args, user=None, origin=None, **kwargs):
        """`origin`: the site's address as the trainer reaches it (scheme and host), to show
        the cohort's page address; ACOMPANA_PLATFORM_ORIGIN when not given."""
        super().__init__(*args, **kwargs)
        # Only published courses open to everyone: a cohort never opens a restricted course.
        # The originals (training.i18n): their copies in other languages follow the same record.
        self.fields["courses"].queryset = (
            CoursePage.objects.live().public()
            .filter(locale__language_code=settings.LANGUAGE_CODE).order_by("title")
        )  # fmt: skip
        self.fields["interpretation_languages"].choices = list(settings.ALL_LANGUAGES.items())
        # A zone stored before the list was narrowed to places is shown, not silently replaced.
        self.fields["time_zone"].choices = grouped_choices(self.instance.time_zone)
        self.fields["trainers"].queryset = User.objects.filter(
            groups__name=GROUP_FOR_ROLE[Role.TRAINER]
        ).order_by("display_name")
        self.fields["trainers"].label_from_instance = lambda user: user.display_name
        # Fields later apps add (certificates: the certification track), after the cohort's own.
        for extension in _EXTENSIONS.values():
            self.fields[extension.name] = extension.field(cohort=self.instance, user=user)
        for name in ("starts_on", "ends_on", "applications_open_at", "applications_close_at"):
            self.fields[name].validators.append(check_date_in_range)
        for name in ("applications_open_at", "applications_close_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]
            self.fields[name].widget.format = "%Y-%m-%dT%H:%M"
        # The address: made from the title when left empty (the page's script shows it while
        # the title is typed), explained in plain words.
        slug = self.fields["slug"]
        slug.required = False
        slug.label = _("Web address")
        # Django's own words about "slugs" and "underscores" are not for people.
        slug.validators = [v for v in slug.validators if v is not validate_slug]
        slug.validators.append(RegexValidator(ADDRESS_PATTERN, SLUG_RULE, code="invalid"))
        prefix = (origin or settings.ACOMPANA_PLATFORM_ORIGIN).rstrip("/") + reverse(
            "cohorts:detail", args=["x"]
        ).removesuffix("x/")
        slug.help_text = _(
            "The cohort's page will be at %(prefix)s<address>/: the address is the end. Made "
            "from the title if you leave it empty. Use only letters a–z, digits and hyphens, "  # noqa: RUF001
            "e.g. spring-2027. People share this address: changing it later breaks the links "
            "they have."
        ) % {"prefix": prefix}
        slug.widget.attrs.update({"data-slug-from": "id_title", "autocomplete": "off"})

    def _get_validation_exclusions(self):
        # The form's list (places, and the cohort's own zone) has checked the zone; the model's
        # choices (places only) would refuse a zone stored before the list was narrowed.
        return {*super()._get_validation_exclusions(), "time_zone"}

    def clean_slug(self):
        slug = self.cleaned_data.get("slug") or ""
        if slug:
            if Cohort.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
                raise ValidationError(
                    _("Another cohort already uses this address: try “%(suggestion)s”."),
                    code="unique",
                    params={"suggestion": unique_slug(slug, exclude=self.instance.pk)},
                )  # fmt: skip
            return slug
        return unique_slug(self.cleaned_data.get("title") or "", exclude=self.instance.pk)

    def save(self, commit=True):
        cohort = super().save(commit=commit)
        if commit:
            self._save_extensions()
        else:  # saved with the many-to-many fields, once the cohort has its id
            save_m2m = self.save_m2m

            def save_all():
                save_m2m()
                self._save_extensions()

            self.save_m2m = save_all
        return cohort

    def _save_extensions(self):
        for extension in _EXTENSIONS.values():
            field = self.fields[extension.name]
            if not field.disabled:
                extension.save(cohort=self.instance, value=self.cleaned_data.get(extension.name))

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The cohort cannot end before it starts."))
        opens, closes = data.get("applications_open_at"), data.get("applications_close_at")
        if opens and closes and closes <= opens:
            self.add_error("applications_close_at", _("Applications must close after they open."))
        return data


ADDRESS_PATTERN = r"\A[a-z0-9]+(?:-[a-z0-9]+)*\Z"
SLUG_RULE = _("Use only letters a–z, digits and hyphens, e.g. spring-2027.")  # noqa: RUF001


def unique_slug(title: str, *, exclude=None) -> str:
    """An address made from a title ("Acompañar 2026" → "acompanar-2026"), unused by any other
    cohort ("…-2", "…-3" otherwise); "cohort" for a title with no Latin letter or digit."""
    max_length = Cohort._meta.get_field("slug").max_length
    base = slugify(title)[: max_length - 4].strip("-") or "cohort"  # slugify drops accents
    taken = set(
        Cohort.objects.filter(slug__startswith=base).exclude(pk=exclude)
        .values_list("slug", flat=True)
    )  # fmt: skip
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


@dataclass(frozen=True)
class FormExtension:
    """A field a later app adds to the cohort form, so `cohorts` never imports it: registered
    in its AppConfig.ready(). `field(cohort=, user=)` builds the field (its initial value
    the cohort's, disabled for who may not change it); `save(cohort=, value=)` keeps the value
    once the cohort is saved (not called for a disabled field)."""

    name: str
    field: Callable[..., forms.Field]
    save: Callable[..., None]


_EXTENSIONS: dict[str, FormExtension] = {}


def register_form_extension(extension: FormExtension) -> None:
    _EXTENSIONS[extension.name] = extension


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
    waitlist_message = forms.CharField(
        label=_("Message to those who go on the waitlist"), required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The cohort is full for them: they get this message instead."),
    )  # fmt: skip
    save_template = forms.BooleanField(
        label=_("Start from this message next time for this decision in this cohort"),
        required=False,
    )

    def __init__(self, *args, overflow=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Asked only when accepting would put someone on the waitlist (the confirmation step).
        if not overflow:
            del self.fields["waitlist_message"]
        else:
            self.fields["message"].label = _("Message to those who get a place")
            self.fields["save_template"].label = _("Start from these messages next time in "
                                                   "this cohort")  # fmt: skip


class MemberLeaveForm(forms.Form):
    """A trainer removes a member, or moves them to another cohort of the same course."""

    action = forms.ChoiceField(
        label=_("What to do"),
        # No default: the trainer says which, on purpose.
        choices=[("", _("Choose…")), ("move", _("Move to another cohort of the same course")),
                 ("remove", _("Remove from this cohort"))],
    )  # fmt: skip
    to = forms.ModelChoiceField(
        label=_("Cohort to move them to"), queryset=Cohort.objects.none(), required=False,
        help_text=_("Cohorts you train that take one of this cohort's courses."),
    )  # fmt: skip
    message = forms.CharField(
        label=_("Message to the person"), required=False,
        max_length=MAX_NOTES_LENGTH, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Whether you move or remove them: sent to them by email with the news, "
                    "and shown to them on the cohort's page. Their progress is kept either "
                    "way."),
    )  # fmt: skip

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = Cohort.objects.filter(pk__in=[c.pk for c in targets])
        if not targets:
            choices = self.fields["action"].choices
            self.fields["action"].choices = [c for c in choices if c[0] != "move"]
            del self.fields["to"]

    def clean(self):
        data = super().clean()
        if data.get("action") == "move" and not data.get("to"):
            self.add_error("to", _("Choose the cohort to move them to."))
        return data


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
    kind = forms.ChoiceField(
        label=_("Kind"), choices=LiveSession.Kind.choices, initial=LiveSession.Kind.SESSION,
        widget=forms.RadioSelect, required=False,  # not chosen: a live session
        help_text=_("A debrief / supervision session counts toward no attendance requirement, "
                    "and its attendance is never exported."),
    )  # fmt: skip
    description = forms.CharField(label=_("Description"), required=False,
                                  max_length=MAX_SESSION_DESCRIPTION_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    day = forms.DateField(label=_("Day"), widget=DatePicker(),
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

    def __init__(self, *args, editing=False, series_to_come=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interpretation_languages"].choices = list(settings.ALL_LANGUAGES.items())
        if editing:
            del self.fields["weeks"]
        if editing and series_to_come:
            # An occurrence of a weekly series: change it alone, or the series with it.
            whole = ngettext(
                "This session and the next one of its series",
                "This session and the %(count)s later ones of its series",
                series_to_come,
            ) % {"count": series_to_come}
            self.fields["scope"] = forms.ChoiceField(
                label=_("Which sessions to change"), widget=forms.RadioSelect, initial="one",
                required=False,  # not chosen: this session only
                choices=[("one", _("This session only")), ("series", whole)],
                help_text=_("Earlier sessions of the series, cancelled ones and those that "
                            "took place stay as they were. A new day moves each later one by "
                            "as many days, to the new times."),
            )  # fmt: skip

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] == data["end"]:
            self.add_error("end", _("A session needs some time between its start and end."))
        elif (
            data.get("start")
            and data.get("end")
            and (reason := too_long(data["start"], data["end"]))
        ):
            self.add_error("end", reason)
        return data


class AfterSessionForm(forms.Form):
    recording_url = forms.URLField(label=_("Recording link"), required=False,
                                   assume_scheme="https")  # fmt: skip
    notes = forms.CharField(label=_("Notes"), required=False, max_length=MAX_NOTES_LENGTH,
                            widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
