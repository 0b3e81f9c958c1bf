from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from training.roles import Role
from training.timezones import grouped_choices

from . import services
from .models import Certificate, PoolMember, Track, track_of
from .pool import language_name, spoken_languages

LEVELS = PoolMember.LEVELS
MIN_LANGUAGE_ROWS = 4
MAX_LANGUAGES = 12


# --- The cohort form's "certification track" (cohorts.forms.FormExtension) ----------------------
def can_set_track(user) -> bool:
    return user is not None and (user.is_superuser or user.has_role(Role.COORDINATOR))


def cohort_track_field(*, cohort, user) -> forms.ModelChoiceField:
    """The track the cohort prepares for: active tracks, and the cohort's own."""
    current = track_of(cohort) if cohort.pk else None
    field = forms.ModelChoiceField(
        label=capfirst(_("certification track")), required=False, initial=current,
        queryset=Track.objects.filter(Q(active=True) | Q(pk=getattr(current, "pk", None)))
        .order_by("title"),
        help_text=_("The certification this cohort prepares for: its live sessions count "
                    "towards the track's attendance requirement."),
    )  # fmt: skip
    # The track makes the cohort's sessions and sign-offs count towards a certificate: the
    # coordinators (and administrators) who run certification choose it, trainers read it.
    if not can_set_track(user):
        field.disabled = True
        field.help_text = _("Chosen by the coordinators: the certification this cohort "
                            "prepares for.")  # fmt: skip
    return field


def cohort_track_save(*, cohort, value) -> None:
    services.cohort_track_set(cohort=cohort, track=value)


class CertificateNameForm(forms.Form):
    name_choice = forms.ChoiceField(label=_("Name on the certificate"),
                                    choices=Certificate.Name.choices,
                                    widget=forms.RadioSelect)  # fmt: skip


class CertificateLanguageForm(forms.Form):
    """The language the holder's certificate is written in: one of the platform's."""

    language = forms.ChoiceField(label=_("Language of the certificate"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language by its own name, as the language switcher shows them.
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
        ]


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
            "region", "time_zone", "focus_areas", "channels", "hours_per_week", "contact_email",
            "contact_phone", "contact_other", "share_languages", "share_region",
            "share_time_zone", "share_focus_areas", "share_channels", "share_availability",
            "share_email", "share_phone", "share_other",
        ]  # fmt: skip
        help_texts = {
            "region": _("As precise as you like, e.g. “Andes” or “West Africa”."),
            "hours_per_week": _("Roughly; you can pause at any time instead."),
            "contact_email": _(
                "Only for the pool, if you would rather not give coordinators the email you "
                "sign in with: we send it a link to confirm it is yours. Leave it empty to "
                "share your sign-in email instead (only if you tick “My sign-in email” below)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._name_the_shared_email()
        # Places grouped by region, no legacy aliases; a zone stored before stays selectable.
        zones = grouped_choices(self.instance.time_zone or "")
        self.fields["time_zone"].choices = [("", "—"), *zones]
        current = list(self.instance.languages or [])
        offered = spoken_languages()
        # A code no longer offered (e.g. Esperanto) stays choosable for whoever has it.
        kept = {item["code"] for item in current} - {code for code, _name in offered}
        languages = [("", "—"), *offered, *((code, language_name(code)) for code in sorted(kept))]
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

    def _name_the_shared_email(self):
        """The email consent names the very address coordinators would see."""
        field = self.fields["share_email"]
        member = self.instance
        if member.contact_email:
            field.label = _("My email for the pool (%(address)s)") % {
                "address": member.contact_email
            }
        elif member.user_id:
            field.label = _("My sign-in email (%(address)s)") % {"address": member.user.email}
        field.help_text = _(
            "If you give an email for the pool above, that address is shared (once you confirm "
            "it) instead of your sign-in email, never both."
        )

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
