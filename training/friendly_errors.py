"""The site's own 404 page during development (`make run`), as people see it in production.

With DEBUG on, Django answers a missing page with its technical page: every URL pattern of the
project, 20 KB, in English, on the first visit of anyone trying the demo (a browser's
/favicon.ico, a mistyped link). This middleware answers with templates/404.html instead, through
the same handler production uses. Errors (500) keep Django's traceback page: a developer needs
it, and the console still logs each "Not Found" with its path.
"""

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404
from django.urls import Resolver404, get_resolver, resolve


def _not_found(request, exception):
    resolver = get_resolver(getattr(request, "urlconf", None))
    return resolver.resolve_error_handler(404)(request, exception)


class FriendlyNotFoundMiddleware:
    """Last in MIDDLEWARE (settings/dev.py), so that a 404 still goes through the redirects
    (Wagtail's, CommonMiddleware's trailing slash) on its way out. Only while DEBUG is on:
    otherwise Django does this itself."""

    def __init__(self, get_response):
        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        # A path no URL pattern matches never reaches a view (nor process_exception).
        try:
            resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404 as missing:
            return _not_found(request, missing)
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Http404 raised by a view (a page Wagtail does not have, get_object_or_404...).
        if isinstance(exception, Http404):
            return _not_found(request, exception)
        return None
