from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import translation


@receiver(user_logged_in)
def speak_the_persons_language(sender, request, user, **kwargs):
    """From the moment of sign-in (its own messages included), use the person's language."""
    code = getattr(user, "preferred_language", "")
    if request is not None and code in dict(settings.LANGUAGES):
        translation.activate(code)
        request.LANGUAGE_CODE = code
