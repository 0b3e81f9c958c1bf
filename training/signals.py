from allauth.account.signals import authentication_step_completed
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation

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
