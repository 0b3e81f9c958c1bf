"""Size limits on what people send: whole request bodies here; files in their forms.

Documents and images are checked by Wagtail's own form fields (WAGTAILDOCS_MAX_UPLOAD_SIZE,
WAGTAILIMAGES_MAX_UPLOAD_SIZE), in every uploader (single, multiple, chooser), with a message
naming the limit in the editor's language. Those limits sit well below the request cap below,
so an editor who picks a file too big gets that message and keeps the rest of the form; the cap
only stops bodies that no form of the platform accepts, before Django reads a byte of them.
"""

from django.conf import settings
from django.core import checks
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext

# Room for the other fields of a form that carries the largest file.
FORM_OVERHEAD_BYTES = 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuse with 413 any request whose declared body is above ACOMPANA_REQUEST_MAX_BYTES.

    Django reads a body only as far as its Content-Length (none means no body), so the declared
    length is the one that counts. Runs before sessions and CSRF: nothing reads the body first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats a malformed length as no body at all.
        limit = settings.ACOMPANA_REQUEST_MAX_BYTES
        if length > limit:
            return too_large_response(request, limit=limit)
        return self.get_response(request)


def too_large_response(request, *, limit: int) -> HttpResponse:
    # LocaleMiddleware has not run yet: choose the language the way it would.
    language = translation.get_language_from_request(request)
    with translation.override(language):
        message = gettext(
            "This request is too large: the platform accepts at most %(limit)s at once. "
            "Go back and choose a smaller file."
        ) % {"limit": filesizeformat(limit)}
    response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
    response["Content-Language"] = language
    return response


@checks.register(checks.Tags.security)
def check_request_limit_above_upload_limits(app_configs, **kwargs):
    """The request cap must let through every upload a form accepts, with its other fields."""
    uploads = {
        name: getattr(settings, name, None)
        for name in ("WAGTAILDOCS_MAX_UPLOAD_SIZE", "WAGTAILIMAGES_MAX_UPLOAD_SIZE")
    }
    errors = [
        checks.Error(
            f"{name} is not set: uploads of that kind would have no size limit of their own.",
            id="training.E001",
        )
        for name, size in uploads.items()
        if size is None
    ]
    # The H5P upload form refuses packages above this (courses/h5p/admin.py).
    h5p = getattr(settings, "ACOMPANA_H5P_LIMITS", {}).get("max_total_bytes")
    uploads["ACOMPANA_H5P_LIMITS['max_total_bytes']"] = h5p
    limit = settings.ACOMPANA_REQUEST_MAX_BYTES
    for name, size in uploads.items():
        if size is not None and size + FORM_OVERHEAD_BYTES > limit:
            errors.append(
                checks.Error(
                    f"ACOMPANA_REQUEST_MAX_BYTES ({limit}) must be at least {name} ({size}) plus "
                    f"{FORM_OVERHEAD_BYTES} bytes for the rest of the form: otherwise an upload "
                    "the form accepts is cut off before its form can explain anything.",
                    hint="Raise ACOMPANA_REQUEST_MAX_MB or lower the upload limit.",
                    id="training.E002",
                )
            )
    return errors
