"""The site's own 404 page during development (`make run`), as people see it in production.

With DEBUG on, Django answers a missing page with its technical page: every URL pattern of the
project, 20 KB, in English, on the first visit of anyone trying the demo (a browser's
/favicon.ico, a mistyped link). This middleware answers with templates/404.html instead, through
the same handler production uses. Errors (500) keep Django's traceback page: a developer needs
it, and the console still logs each "Not Found" with its path.

Also the site's handler500 (`server_error`): a 503 when the database does not answer.
"""

import sys

import psycopg
from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404, HttpResponse, JsonResponse
from django.template import loader
from django.urls import Resolver404, get_resolver, resolve
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import requires_csrf_token
from django.views.defaults import server_error as django_server_error


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


# --- The database unavailable: 503, and the same friendly page --------------------------------
# A database that does not answer (restarting, failed over, out of connections) is a moment's
# outage, not a fault of the page: 503 with Retry-After, so that browsers' scripts keep what they
# were sending and try again (static/js: xAPI statements, quiz answers and reflections stay in
# localStorage on any 5xx), and a proxy or monitor can tell it from a bug. Connections are
# checked again at the next request (CONN_HEALTH_CHECKS), so the site recovers by itself.
#
# Only a lost or refused connection is an outage. Other errors of the database are the page's
# (a query cancelled by its statement timeout, a deadlock, a serialization failure, a full disk)
# and answer the usual 500, as does an error raised while handling a database error.
RETRY_AFTER_SECONDS = 30
# SQLSTATEs of a server that cannot be reached or is going away: class 08 (connection
# exception), admin_shutdown, crash_shutdown, cannot_connect_now (starting or shutting down),
# too_many_connections. https://www.postgresql.org/docs/current/errcodes-appendix.html
UNAVAILABLE_CLASSES = ("08",)
UNAVAILABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})


def _connection_lost(error: psycopg.Error) -> bool:
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate is None:
        # No answer from the server: the connection failed, was lost or is closed (psycopg says
        # so client-side); psycopg_pool's PoolTimeout (no free connection) is one too. Other
        # client-side errors without a state (a NUL in a string, wrong parameters) are bugs.
        return isinstance(error, psycopg.OperationalError | psycopg.InterfaceError)
    if sqlstate.startswith(UNAVAILABLE_CLASSES) or sqlstate in UNAVAILABLE_STATES:
        return True
    pgconn = getattr(error, "pgconn", None)
    return pgconn is not None and pgconn.status == psycopg.pq.ConnStatus.BAD


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` is the database being unreachable: the driver's error found by following
    `__cause__` (Django raises its own errors `from` psycopg's), never `__context__` (an error
    raised while another was being handled is not that one)."""
    while error is not None:
        if isinstance(error, psycopg.Error):
            return _connection_lost(error)
        error = error.__cause__
    return False


@requires_csrf_token
def server_error(request, template_name="500.html"):
    """handler500 (training/urls.py): Django's own page (500.html, rendered without a request
    context: nothing that needs the database), or 503 when the error is the database's."""
    if not database_unavailable(sys.exc_info()[1]):
        return django_server_error(request, template_name)
    if request.headers.get("Accept", "").startswith("application/json"):
        response = JsonResponse({"code": "unavailable"}, status=503)
    else:
        response = HttpResponse(loader.get_template(template_name).render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response
