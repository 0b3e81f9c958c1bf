"""Input no person types: a NUL character is refused (400) before any view sees it.

PostgreSQL cannot store NUL in text or JSON, so a `%00` in a path, a query, a form field or a
JSON body would otherwise reach the database and end in a 500. Nobody types one; refusing it
early costs nothing and closes that door for every view at once. File uploads (multipart bodies)
may hold any byte and are not inspected; their form fields are.
"""

from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

JSON_NUL = (b"\x00", b"\\u0000")


def _has_nul(values) -> bool:
    return any("\x00" in value for value in values)


def has_nul(request) -> bool:
    if "\x00" in request.path_info or _has_nul(request.GET.keys()):
        return True
    if any(_has_nul(values) for _key, values in request.GET.lists()):
        return True
    if request.method != "POST":
        return False
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if _has_nul(request.POST.keys()):
            return True
        return any(_has_nul(values) for _key, values in request.POST.lists())
    if _is_json(content_type):
        body = request.body.lower()
        return any(marker in body for marker in JSON_NUL)
    return False


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _wants_json(request) -> bool:
    return _is_json(request.content_type or "") or "application/json" in request.headers.get(
        "Accept", ""
    )


class RefuseNulMiddleware:
    """After the locale middleware, so the page is in the person's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_nul(request):
            if _wants_json(request):
                # The shape of every refusal of the platform's JSON endpoints (courses/views.py).
                message = _("This could not be read.")
                return JsonResponse(
                    {"ok": False, "error": message, "code": "malformed"}, status=400
                )
            return render(request, "400.html", status=400)
        return self.get_response(request)
