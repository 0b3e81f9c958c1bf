"""Content-Security-Policy of the platform's own pages, through django-csp.

The policy is `CONTENT_SECURITY_POLICY` in the settings. Two things are decided per request:
`frame-src` gets the H5P origin (each environment sets `H5P_ORIGIN` after the shared settings,
and tests move it to their live server), and the Wagtail admin, whose templates carry inline
scripts and styles, gets the looser directives of `ACOMPANA_ADMIN_CSP_REPLACE`. Requests for the
H5P origin never reach this middleware: `courses.h5p.origin` answers them first, with its own
policy.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

ADMIN_PREFIX = "/admin/"


class PlatformCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the H5P frame source and the admin's own policy."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only:
            return parts
        replace = {}
        if request.path_info.startswith(ADMIN_PREFIX):
            replace.update(settings.ACOMPANA_ADMIN_CSP_REPLACE)
        # A view's own @csp_replace wins over the admin's defaults.
        replace.update(parts.replace or {})
        parts.replace = replace
        parts.update = {**(parts.update or {})}
        parts.update["frame-src"] = [*parts.update.get("frame-src", ()), settings.H5P_ORIGIN]
        return parts
