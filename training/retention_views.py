"""The Retention report in the admin: administrators only."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.defaults import permission_denied

from .audit_views import is_administrator
from .retention import REPORT_WINDOW_DAYS, report_rows


def viewer_zone(user) -> str:
    """The zone times are shown in: the one chosen in the admin's own settings, else the
    person's (Wagtail's admin otherwise shows the server's, UTC)."""
    profile = getattr(user, "wagtail_userprofile", None)
    return getattr(profile, "current_time_zone", "") or user.time_zone or "UTC"


def retention_report(request):
    """Each retention task of the privacy registry: what it removes and after how long, its last
    run, how much it removed, when it runs next."""
    # A plain 403 (Wagtail turns a raised PermissionDenied into a redirect to the dashboard).
    if not is_administrator(request.user):
        return permission_denied(request, PermissionDenied())
    with timezone.override(viewer_zone(request.user)):
        return render(
            request,
            "training/admin/retention_report.html",
            {"rows": report_rows(), "window_days": REPORT_WINDOW_DAYS,
             "header_title": _("Retention")},
        )  # fmt: skip
