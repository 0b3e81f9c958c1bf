import zoneinfo

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from wagtail.users.models import UserProfile

from .services import session_used_mfa, user_has_mfa


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
    """Trainer, coordinator and admin tools need a second factor, used in this very session.

    Someone without an authenticator is led to set one up; someone who has one but whose session
    did not pass it (however they signed in) is asked for a code. The paths are a setting;
    views of later tools also use `training.permissions.role_required`, which checks the same.
    The Wagtail admin requires it of everyone who reaches it signed in.
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
            and (user.requires_mfa or request.path_info.startswith("/admin/"))
        ):
            redirect_to = mfa_redirect(request)
            if redirect_to:
                return redirect(redirect_to)
        return self.get_response(request)


def mfa_redirect(request) -> str | None:
    """Where to send a signed-in person who must pass a second factor first, or None."""
    query = urlencode({"next": request.get_full_path()})
    if not user_has_mfa(request.user):
        return f"{reverse('mfa_required')}?{query}"
    if not session_used_mfa(request):
        return f"{reverse('mfa_reauthenticate')}?{query}"
    return None


class AdminAccessMiddleware:
    """A signed-in person without access to the Wagtail admin gets a 403 that says so.

    Wagtail would send them to its login page, which sends signed-in people back to the admin:
    a loop. Anonymous visitors still go to the sign-in page (Wagtail's own redirect).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path_info.startswith("/admin/")
            and user is not None
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            return render(request, "training/admin_forbidden.html", status=403)
        if request.path_info.startswith("/admin/") and user is not None and user.is_authenticated:
            admin_profile_in_own_zone(user)
        return self.get_response(request)


def admin_profile_in_own_zone(user) -> None:
    """Wagtail's admin shows times in its profile's zone (the server's, UTC, unless the editor
    picks another there): show them in the person's own zone, the one set on the platform
    (WAGTAIL_USER_TIME_ZONES hides Wagtail's own choice). In memory only: the profile Wagtail
    reads next is this one, with the zone the person chose."""
    profile = UserProfile.objects.filter(user=user).first() or UserProfile(user=user)
    profile.current_time_zone = user.time_zone or ""
    user.wagtail_userprofile = profile
