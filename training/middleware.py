import zoneinfo

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from .services import user_has_mfa


class UserPreferencesMiddleware:
    """Show every page in the signed-in person's own language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if user.preferred_language in self.languages:
                translation.activate(user.preferred_language)
                request.LANGUAGE_CODE = user.preferred_language
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequireMFAMiddleware:
    """Trainer, coordinator and admin tools need a second factor; lead people to set it up.

    The paths are a setting so that later tools join by adding their prefix. The Wagtail admin
    requires it of everyone who reaches it signed in.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.ACOMPANA_MFA_REQUIRED_PATHS)

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.path_info.startswith(self.prefixes)
            and not user_has_mfa(user)
        ):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_required')}?{query}")
        return self.get_response(request)
