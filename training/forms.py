import json
import zoneinfo

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import User
from .timezones import aliases, grouped_choices


class TimeZoneField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault(
            "help_text", _("Every time on the platform is shown to you in this time zone.")
        )
        # Grouped by region (<optgroup>), places in the reader's language, no legacy aliases.
        super().__init__(choices=grouped_choices, **kwargs)

    def valid_value(self, value):
        # The list offers places; a zone stored before (or set elsewhere) stays valid.
        return value in zoneinfo.available_timezones()


class LanguageField(forms.ChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Preferred language"))
        super().__init__(choices=lambda: list(settings.LANGUAGES), **kwargs)


class SignupForm(forms.Form):
    """Extra sign-up fields for allauth: what others see of you, and your language and zone."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("What other people on the platform see. A pseudonym is fine."),
    )
    time_zone = TimeZoneField(initial="UTC")
    preferred_language = LanguageField(required=False)

    field_order = [
        "email",
        "display_name",
        "password1",
        "password2",
        "time_zone",
        "preferred_language",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_language"].initial = (get_language() or "en").lower()
        # The page's script fills in the browser's zone; the person confirms it.
        self.fields["time_zone"].widget.attrs["data-detect-time-zone"] = "true"
        # The browser may name its zone by a legacy alias (Chrome: "Asia/Calcutta"): the script
        # picks the zone it stands for (static/js/site.js).
        self.fields["time_zone"].widget.attrs["data-zone-aliases"] = json.dumps(
            aliases(), separators=(",", ":")
        )

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Please choose a display name."))
        return name

    def signup(self, request, user):
        """Called by allauth once the account exists."""
        user.display_name = self.cleaned_data["display_name"]
        user.time_zone = self.cleaned_data["time_zone"]
        user.preferred_language = self.cleaned_data.get("preferred_language") or ""
        user.save(update_fields=["display_name", "time_zone", "preferred_language"])


class ProfileForm(forms.ModelForm):
    time_zone = TimeZoneField()
    preferred_language = LanguageField(required=False)

    class Meta:
        model = User
        fields = ["display_name", "legal_name", "preferred_language", "time_zone", "low_bandwidth"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A zone outside the list (chosen before it was narrowed) is shown, not silently changed.
        self.fields["time_zone"].choices = grouped_choices(self.instance.time_zone)
