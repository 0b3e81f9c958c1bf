"""The H5P origin: player, libraries and content, on a host that never gets the platform's cookies.

H5P packages are zip files full of JavaScript. Their scripts run on a separate origin
(`H5P_ORIGIN`): they cannot read the platform's cookies nor make credentialed requests to it.
On that host only `/h5p/…` exists, served without sessions, authentication or CSRF (this
middleware answers before any of those run), with a strict Content-Security-Policy. On the
platform's own host, `/h5p/…` does not exist.

Only an activity whose libraries an administrator approved plays, on every URL here. The player
page, its h5p.json and its content files carry a signed, short-lived launch in their path
(`/h5p/play/<activity>/<launch>/…`, made by the module page for someone who may see the module),
so that relative URLs keep it; the player page and h5p.json also check that the person may still
open the module. Library files (public, versioned code) need no launch and may be cached.
"""

import mimetypes
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotFound, JsonResponse
from django.template.loader import render_to_string
from django.urls import Resolver404, path, resolve
from django.utils import translation

from ..models import CoursePage, H5PActivity, ModulePage
from .store import content_root, libraries_root
from .xapi import PlayerLaunch, Refused, object_iri, player_launch_check

LIBRARY_FOLDER = re.compile(r"^(?P<name>[\w.\-]+)-(?P<major>\d+)\.(?P<minor>\d+)$")


def h5p_host() -> str:
    return urlsplit(settings.H5P_ORIGIN).netloc.lower()


def platform_origin() -> str:
    return settings.ACOMPANA_PLATFORM_ORIGIN


def content_security_policy() -> str:
    # Everything comes from this origin only; only the platform may frame it. The player runs
    # the content in this page itself (embedType "div": this page is the isolated frame), so no
    # script is ever inline. Content types set styles inline, which style-src allows;
    # connect-src 'self' keeps a package from sending anything elsewhere.
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            f"frame-ancestors 'self' {platform_origin()}",
        ]
    )


# Library files are versioned code, the same for everyone: browsers may keep them a while. The
# entry point is never cached, so a library rejected later stops the player at once.
LIBRARY_CACHE = "public, max-age=86400"


def _activity(activity_uuid) -> H5PActivity:
    """A ready activity every library of which an administrator approved."""
    try:
        return H5PActivity.objects.playable().get(uuid=activity_uuid)
    except (H5PActivity.DoesNotExist, ValueError) as error:
        raise Http404 from error


def _may_open(launch: PlayerLaunch) -> bool:
    """Whether the person of this launch may still open the module: still enrolled in its
    published course (a learner who left it may not), or still an editor (a preview)."""
    from django.contrib.auth import get_user_model

    from ..services import can_preview

    user = get_user_model().objects.filter(pk=launch.user_id, is_active=True).first()
    if user is None:
        return False
    if launch.preview:
        return can_preview(user)
    module_path = (
        ModulePage.objects.live().filter(pk=launch.module_id).values_list("path", flat=True).first()
    )
    if module_path is None:
        return False
    return (
        CoursePage.objects.live()
        .filter(path=module_path[: -ModulePage.steplen], enrolments__user=user)
        .exists()
    )


def _launched(activity_uuid, launch: str, *, entry: bool) -> H5PActivity:
    """The activity, when `launch` is a valid launch for it (and, for the entry point, its person
    may still open the module)."""
    checked = player_launch_check(launch, activity_uuid=activity_uuid)
    if entry and not _may_open(checked):
        raise Http404
    return _activity(activity_uuid)


def _file(root: Path, relative: str) -> FileResponse:
    """A file strictly inside `root`; anything else (traversal, links out, folders) is a 404."""
    base = root.resolve()
    try:
        candidate = (base / relative).resolve()
        found = candidate.is_relative_to(base) and candidate.is_file()
    except (ValueError, OSError) as error:  # a NUL byte, a name too long for the file system
        raise Http404 from error
    if not found:
        raise Http404
    content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
    return FileResponse(candidate.open("rb"), content_type=content_type)


def player(request, activity_uuid, launch):
    try:
        activity = _launched(activity_uuid, launch, entry=True)
    except Refused as refused:
        if refused.code != "expired":
            raise Http404 from refused
        # Said in the person's language (no session here: the browser's Accept-Language).
        with translation.override(translation.get_language_from_request(request)):
            html = render_to_string("courses/h5p/player_expired.html")
        return HttpResponse(html, status=403)
    html = render_to_string(
        "courses/h5p/player.html",
        {"activity": activity, "platform_origin": platform_origin(),
         "base": f"/h5p/play/{activity.uuid}/{launch}",
         "libraries": f"/h5p/play/{activity.uuid}/libraries",
         "object_iri": object_iri(activity.uuid)},
    )  # fmt: skip
    return HttpResponse(html)


def h5p_json(request, activity_uuid, launch):
    """The package's h5p.json, with the title the activity has here: the player names the content
    by it (for screen readers, in xAPI statements), not by what the package's author left in."""
    activity = _launched(activity_uuid, launch, entry=True)
    return JsonResponse({**activity.h5p_json, "title": activity.title})


def content_file(request, activity_uuid, launch, relative):
    activity = _launched(activity_uuid, launch, entry=False)
    return _file(content_root() / str(activity.uuid), relative)


def library_file(request, activity_uuid, folder, relative):
    """Library files at the exact versions validated with this activity."""
    activity = _activity(activity_uuid)
    match = LIBRARY_FOLDER.match(folder)
    if not match:
        raise Http404
    library = activity.libraries.filter(
        machine_name=match["name"], major_version=match["major"], minor_version=match["minor"]
    ).first()
    if library is None:
        raise Http404
    response = _file(libraries_root() / library.folder, relative)
    response["Cache-Control"] = LIBRARY_CACHE
    return response


def player_asset(request, relative):
    """The pinned h5p-standalone build, from node_modules (installed, never copied)."""
    return _file(Path(settings.H5P_PLAYER_DIR), relative)


def relay_script(request):
    return _file(Path(settings.BASE_DIR) / "static" / "h5p", "player-relay.js")


urlpatterns = [
    path("h5p/play/<uuid:activity_uuid>/libraries/<str:folder>/<path:relative>", library_file),
    path("h5p/play/<uuid:activity_uuid>/<str:launch>/", player),
    path("h5p/play/<uuid:activity_uuid>/<str:launch>/h5p.json", h5p_json),
    path("h5p/play/<uuid:activity_uuid>/<str:launch>/content/<path:relative>", content_file),
    path("h5p/player/<path:relative>", player_asset),
    path("h5p/player-relay.js", relay_script),
]


class H5POriginMiddleware:
    """First in the chain: requests for the H5P host never reach the platform's middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.get_host().lower() != h5p_host():
            if request.path_info.startswith("/h5p/"):
                return HttpResponseNotFound()
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
        else:
            try:
                match = resolve(request.path_info, urlconf=__name__)
                response = match.func(request, *match.args, **match.kwargs)
            except (Resolver404, Http404, Refused):
                response = HttpResponseNotFound()
            if request.path_info.startswith("/h5p/play/") and "Cache-Control" not in response:
                response["Cache-Control"] = "no-store"  # signed, personal and short-lived
        response["Content-Security-Policy"] = content_security_policy()
        response["X-Content-Type-Options"] = "nosniff"
        response["Referrer-Policy"] = "no-referrer"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        # Nothing on this origin may ever set a cookie.
        response.cookies.clear()
        if "Set-Cookie" in response:
            del response["Set-Cookie"]
        return response
