"""allauth's sign-up, sign-in, code and reset forms with the platform's defences (ACCOUNT_FORMS).

They subclass `allauth.account.forms`, which imports `training.forms` while it loads (it is
ACCOUNT_SIGNUP_FORM_CLASS, the base of allauth's sign-up form), so they cannot live there.
"""

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from allauth.core import context
from allauth.mfa.base.forms import ReauthenticateForm
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from .adapters import THROTTLED, consume_per_client

CODE_REQUESTS_THROTTLED = _(
    "Too many codes or links were asked for this address. Please wait a while before asking "
    "again; the ones already sent still work."
)


class SignupForm(allauth_forms.SignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            # A new account costs a password hash (save_user → set_password); an address that
            # is taken costs the same, or the time of the answer would tell whether it is taken.
            get_user_model()().set_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


class LoginForm(allauth_forms.LoginForm):
    @property
    def password_throttled(self) -> bool:
        """The password path is paused for this address here: the page offers a sign-in code."""
        return self.has_error(NON_FIELD_ERRORS, THROTTLED)


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        # This client's own allowance first: a harasser who spends theirs leaves the address's
        # wider allowance (allauth's "request_login_code", keyed on the address) to its owner.
        if email and not consume_per_client(context.request, "request_login_code", email):
            raise ValidationError(CODE_REQUESTS_THROTTLED, code=THROTTLED)
        try:
            return super().clean_email()
        except ValidationError as error:
            if error.code != THROTTLED:
                raise
            # allauth words its own limit as failed logins; these are requests for a code.
            raise ValidationError(CODE_REQUESTS_THROTTLED, code=THROTTLED) from error


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def clean_email(self) -> str:
        email = super().clean_email()
        # As for codes: each client has its own allowance before the view spends the address's.
        if not consume_per_client(context.request, "reset_password", email):
            raise ValidationError(CODE_REQUESTS_THROTTLED, code=THROTTLED)
        return email


class AccountDeleteForm(forms.Form):
    """Confirm "delete my account" by proving it is the person: their current password and,
    with an authenticator app, a current code or a recovery code. Both are checked by allauth's
    own re-authentication (its password check, its MFA code check with its rate limit)."""

    password = forms.CharField(
        label=_("Your current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip
    code = forms.CharField(
        label=_("A code from your authenticator app, or one of your recovery codes"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )  # fmt: skip

    def __init__(self, *args, user, needs_code: bool, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not needs_code:
            del self.fields["code"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not get_adapter().reauthenticate(self.user, password):
            raise ValidationError(_("That is not your current password."), code="incorrect")
        return password

    def clean(self):
        cleaned = super().clean()
        # A recovery code is spent when it is checked: only with the right password.
        if "code" in self.fields and "password" in cleaned and "code" in cleaned:
            check = ReauthenticateForm({"code": cleaned["code"]}, user=self.user)
            if not check.is_valid():
                for error in check.errors.get("code", []):
                    self.add_error("code", error)
        return cleaned
