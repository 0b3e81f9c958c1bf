"""Who may open a tool: one decorator for role desks and every later trainer or coordinator view."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .middleware import mfa_redirect


def role_required(role):
    """The person holds `role` and passed a second factor in this session (else 403 or MFA)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(role):
                raise PermissionDenied
            redirect_to = mfa_redirect(request)
            if redirect_to:
                return redirect(redirect_to)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
