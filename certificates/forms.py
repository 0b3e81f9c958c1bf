from zoneinfo import available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Certificate, PoolMember
from .pool import spoken_languages

LEVELS = PoolMember.LEVELS
MIN_LANGUAGE_ROWS = 4
MAX_LANGUAGES = 12


class CertificateNameForm(forms.Form):
    name_choice = forms.ChoiceField(label=_("Name on the certificate"),
                                    choices=Certificate.Name.choices,
                                    widget=forms.RadioSelect)  # fmt: skip


class PoolMemberForm(forms.ModelForm):
    """What a volunteer tells the pool, and what coordinators may see and export of it."""

    focus_areas = forms.MultipleChoiceField(
        label=_("Focus areas"), required=False, choices=PoolMember.FOCUS_AREAS,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    channels = forms.MultipleChoiceField(
        label=_("Channels you offer"), required=False, choices=PoolMember.CHANNELS,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False)

    class Meta:
        model = PoolMember
        fields = [
            "region", "time_zone", "focus_areas", "channels", "hours_per_week", "contact_phone",
            "contact_other", "share_languages", "share_region", "share_time_zone",
            "share_focus_areas", "share_channels", "share_availability", "share_contact",
        ]  # fmt: skip
        help_texts = {
            "region": _("As precise as you like, e.g. “Andes” or “West Africa”."),
            "hours_per_week": _("Roughly; you can pause at any time instead."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        zones = sorted(available_timezones())
        self.fields["time_zone"].choices = [("", "—")] + [(z, z.replace("_", " ")) for z in zones]
        languages = [("", "—"), *spoken_languages()]
        current = list(self.instance.languages or [])
        # Every language the person has, one empty row more, at least four rows.
        self.rows = min(MAX_LANGUAGES, max(MIN_LANGUAGE_ROWS, len(current) + 1))
        for index in range(self.rows):
            initial = current[index] if index < len(current) else {}
            self.fields[f"language_{index}"] = forms.ChoiceField(
                label=_("Language %(n)s") % {"n": index + 1}, required=False, choices=languages,
                initial=initial.get("code", ""),
            )  # fmt: skip
            self.fields[f"level_{index}"] = forms.ChoiceField(
                label=_("Level"), required=False, choices=LEVELS,
                initial=initial.get("level", "fluent"),
            )  # fmt: skip

    def language_rows(self):
        return [(self[f"language_{i}"], self[f"level_{i}"]) for i in range(self.rows)]

    @property
    def consent_fields(self):
        return [self[name] for name in self.Meta.fields if name.startswith("share_")]

    @property
    def detail_fields(self):
        return [self[name] for name in self.Meta.fields if not name.startswith("share_")]

    def clean(self):
        data = super().clean()
        languages, seen = [], set()
        for index in range(self.rows):
            code = data.get(f"language_{index}")
            if code and code not in seen:
                seen.add(code)
                languages.append({"code": code, "level": data.get(f"level_{index}") or "fluent"})
        self.instance.languages = languages
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (recorded; never public)"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class ExceptionForm(ReasonForm):
    requirement = forms.TypedChoiceField(label=_("Requirement"), coerce=int)

    def __init__(self, *args, requirements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = [(r.pk, r.label) for r in requirements]


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note (recorded)"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What uses it, e.g. “Zammad helpdesk”."))  # fmt: skip
