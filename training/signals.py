from allauth.account import signals as allauth_signals
from allauth.account.signals import authentication_step_completed, email_changed
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

from . import audit
from .deletion import account_deletion_cancel
from .services import user_forget_unproven_password


@receiver(user_logged_in)
def speak_the_persons_language(sender, request, user, **kwargs):
    """From the moment of sign-in (its own messages included), use the person's language."""
    code = getattr(user, "preferred_language", "")
    if request is not None and code in dict(settings.LANGUAGES):
        translation.activate(code)
        request.LANGUAGE_CODE = code


@receiver(authentication_step_completed)
def forget_a_password_nobody_proved(sender, request, method, user, email=None, **kwargs):
    """A sign-in code proves the address (allauth then confirms it): a password set on the
    account before anyone proved that address goes, as someone else may have chosen it."""
    if method == "code" and email:
        user_forget_unproven_password(user=user, email=email)


@receiver(allauth_signals.user_logged_in)
def cancel_a_pending_deletion(sender, request, user, **kwargs):
    """Signing in during the grace period cancels the person's own request to delete their
    account (training/deletion.py); the messages say what that means."""
    account_deletion_cancel(person=user, request=request)


@receiver(email_changed)
def audit_email_change(sender, request, user, from_email_address, to_email_address, **kwargs):
    """A person's address changed (they confirmed a new one, or chose another as primary): in
    the audit log, by whom and from where, without the addresses themselves."""
    by = getattr(request, "user", None)
    audit.record(
        action="account.email_changed", subject=user, request=request,
        actor=by if by is not None and by.is_authenticated else user,
        detail={"via": "account"},
    )  # fmt: skip
