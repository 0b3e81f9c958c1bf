from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter

# The same rate-limit machinery allauth's own adapter uses (it keeps the usage for a rollback).
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from .services import user_has_mfa

# allauth's error code when the password path is paused (the sign-in page then offers a code).
THROTTLED = "too_many_login_attempts"


def _per_client_key(request, address: str) -> str:
    """One address tried from one client: its IP address, or its IPv6 /64 network."""
    return f"{address.strip().lower()}|{ratelimit.get_ip(request)}"


def consume_per_client(request, action: str, address: str) -> ratelimit.RateLimitUsage | None:
    """Spend one of `<action>_per_client` for this address from this client; None if spent.

    allauth's own `<action>` limits count per client IP and per address. Per address alone, a
    harasser who knows someone's email could spend that person's allowance from their own
    machine: each client first spends its own, tighter, allowance (ACCOUNT_RATE_LIMITS).
    """
    return ratelimit.consume(
        request,
        app="allauth.account",
        action=f"{action}_per_client",
        key=_per_client_key(request, address),
    )


def recipient(email: str, context: dict) -> dict | None:
    """The language and time zone of the person an account email goes to; None for a stranger.

    The account is the one in the email's context (a notice about a change goes to the *old*
    address, no longer the account's), else the one whose sign-in address it is. Not an address
    merely waiting for confirmation on some account: anyone can type any address there, and the
    link to confirm it is asked for from a page already in that account's language.
    """
    languages = {code for code, _name in settings.LANGUAGES}
    user = context.get("user")
    if getattr(user, "pk", None) is None:
        user = (
            get_user_model()
            .objects.filter(email__iexact=email)
            .only("preferred_language", "time_zone")
            .first()
        )
    if user is None or user.preferred_language not in languages:
        return None
    return {"language": user.preferred_language, "zone": user.time_zone or "UTC"}


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        """There are no usernames: nothing to fill in."""

    def save_user(self, request, user, form, commit=True):
        # The display name is required by a database constraint: take it from the form before
        # the first save. allauth calls SignupForm.signup() afterwards for the other fields.
        user.display_name = form.cleaned_data.get("display_name", "").strip()
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix, email, context):
        if template_prefix == "account/email/login_code":
            # The email says how long the code works.
            context = {**context, "code_minutes": app_settings.LOGIN_BY_CODE_TIMEOUT // 60}
        # An email to an account is written in that person's language and time zone, whatever
        # page asked for it (a code or a reset asked from a page in another language, "you
        # already have an account" from someone signing up again in English). One lookup on
        # every path, so the time of the answer tells nothing about the address.
        person = recipient(email, context)
        if person is None:
            return super().send_mail(template_prefix, email, context)
        with translation.override(person["language"]), timezone.override(person["zone"]):
            return super().send_mail(template_prefix, email, context)

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        """A notice about a change (perhaps to the old address) in the account holder's language."""
        context = {"user": user, **(context or {})}
        return super().send_notification_mail(template_prefix, user, context, email)

    def pre_authenticate(self, request, **credentials):
        """Count a password attempt per (address, client) first, then per client IP and address.

        A success rolls all of it back (allauth's `authenticate`). The per-address cap is looser
        than what one client may spend, so a harasser alone cannot lock the owner out; and the
        owner can always sign in with a code sent to their email.
        """
        address = credentials.get("email") or credentials.get("username") or ""
        per_client = consume_per_client(request, "login_failed", address)
        if not per_client:
            raise self.validation_error(THROTTLED)
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            per_client.rollback()  # a refused attempt tested no password
            raise
        self._login_failed_rl_usage = ratelimit.RateLimitUsage(
            usage=per_client.usage + self._login_failed_rl_usage.usage
        )

    def _delete_login_attempts_cached_email(self, request, **credentials):
        """A completed password reset also clears the resetting client's own count."""
        super()._delete_login_attempts_cached_email(request, **credentials)
        address = credentials.get("email") or ""
        ratelimit.clear(
            request,
            app="allauth.account",
            action="login_failed_per_client",
            key=_per_client_key(request, address),
        )

    def get_login_redirect_url(self, request):
        """People whose role needs a second factor are taken to set it up first."""
        user = request.user
        if user.is_authenticated and user.requires_mfa and not user_has_mfa(user):
            return reverse("mfa_required")
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user):
        # The label sits in the person's authenticator app; the display name is enough there.
        return str(user.display_name) or "Acompaña"

    def can_delete_authenticator(self, authenticator):
        """A person whose role requires a second factor cannot switch it off."""
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.requires_mfa:
            return False
        return super().can_delete_authenticator(authenticator)
