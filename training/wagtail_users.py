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

    # People are known by their display name; a legal name is theirs to give (on their profile,
    # for certificates). The admin asks for neither first nor last name.
    first_name = None
    last_name = None


class AccountCreationForm(_DisplayNameMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - {"first_name", "last_name"}) | {"display_name"}


class AccountEditForm(_DisplayNameMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - {"first_name", "last_name"}) | {"display_name"}


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return AccountEditForm if for_update else AccountCreationForm
