"""Wagtail's user administration, taught that people have a display name and no username."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet


class _DisplayNameMixin(forms.Form):
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        help_text=_("What other people on the platform see. A pseudonym is fine."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People are known by their display name; first and last names are optional here.
        for name in ("first_name", "last_name"):
            if name in self.fields:
                self.fields[name].required = False


class AccountCreationForm(_DisplayNameMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"display_name"}


class AccountEditForm(_DisplayNameMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"display_name"}


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return AccountEditForm if for_update else AccountCreationForm
