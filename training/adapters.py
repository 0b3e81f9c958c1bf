from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.urls import reverse

from .services import user_has_mfa


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        """There are no usernames: nothing to fill in."""

    def save_user(self, request, user, form, commit=True):
        # The display name is required by a database constraint: take it from the form before
        # the first save. allauth calls SignupForm.signup() afterwards for the other fields.
        user.display_name = form.cleaned_data.get("display_name", "").strip()
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        """People whose role needs a second factor are taken to set it up first."""
        user = request.user
        if user.is_authenticated and user.requires_mfa and not user_has_mfa(user):
            return reverse("mfa_required")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user):
        # The label sits in the person's authenticator app; the display name is enough there.
        return user.display_name or "Acompaña"

    def can_delete_authenticator(self, authenticator):
        """A person whose role requires a second factor cannot switch it off."""
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.requires_mfa:
            return False
        return super().can_delete_authenticator(authenticator)
