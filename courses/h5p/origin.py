"""The H5P origin: player, libraries and content, on a host that never gets the platform's cookies.

H5P packages are zip files full of JavaScript. Their scripts run on a separate origin
(`H5P_ORIGIN`): they cannot read the platform's cookies nor make credentialed requests to it.
On that host only `/h5p/…` exists, served without sessions, authentication or CSRF (this
middleware answers before any of those run), with a strict Content-Security-Policy. On the
platform's own host, `/h5p/…` does not exist.

Only an activity whose libraries an administrator approved plays. The player page carries a
signed, short-lived launch in its path (`/h5p/play/<activity>/<launch>/`, made by the module page
for someone who may see the module), checks that the person may still open the module, and is
never cached. Everything it loads is cacheable, so a second visit downloads almost nothing:

- library files at `/h5p/libraries/<folder>/<path>`, the exact stored folder of an APPROVED
  library (named by the hash of its files): the same URL for every activity, public, immutable
  for a year. The player page carries a manifest (h5p.json and each library.json, dependency
  references rewritten to those folders) that the relay hands to the player, so it builds these
  URLs without fetching anything first. `/h5p/libraries/<Name>-<major>.<minor>/…` (what H5P builds
  at run time) is the highest approved patch, cached an hour;
- content at `/h5p/content/<activity>/<token>/…`: the token is signed for this activity, person
  and 30-day period (`content_token`; the person's account id in it is masked, never in clear:
  the package's code can read its own URL), the same on every visit in the period, so the
  browser keeps the files (private, immutable). Someone who leaves the course keeps what their
  browser cached, and the URLs they were given keep working until the next period ends (at most
  60 days): the content of an activity they had opened, never the player page;
- the pinned player at `/h5p/player/<version>/…` and the relay at `/h5p/player-relay.<hash>.js`.

Library and content files come from the H5P store's storage (`storages["h5p"]`: a local folder
or an object store), opened once per request (a sibling too when one is served). Compressible
files are served brotli- or gzip-compressed from siblings made at extraction (compression.py),
with validators (ETag, Last-Modified, 304). The older URLs (libraries per
activity, h5p.json and content under the launch) still answer, for tabs opened before.
"""

import functools
import hashlib
import json
import mimetypes
import posixpath
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotFound, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string
from django.urls import Resolver404, path, re_path, resolve
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import http_date

from training.storage import opened_meta, streamed

from ..models import CoursePage, H5PActivity, H5PLibrary, ModulePage
from ..selectors import can_preview
from .compression import (
    ENCODINGS,
    accepted_encodings,
    compressed_in_memory,
    compressible,
    fresh,
    is_sibling,
)
from .files import clean_relative, content_name, h5p_storage, library_name, open_stored, size
from .xapi import PlayerLaunch, Refused, object_iri, player_launch_check

LIBRARY_FOLDER = re.compile(r"^(?P<name>[\w.\-]+)-(?P<major>\d+)\.(?P<minor>\d+)$")
# A stored folder: "<name>-<major>.<minor>.<patch>-<16 hex of the files' hash>", or, for versions
# stored before candidates had folders of their own, "<name>-<major>.<minor>.<patch>".
STORED_FOLDER = re.compile(
    r"^(?P<name>[\w.\-]+)-(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)(?:-(?P<hash>[0-9a-f]{16}))?$"
)


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


# Library files are versioned code, the same for everyone. At their exact stored folder they never
# change: a year, immutable. The entry point is never cached, so a library rejected later stops
# the player at once (it is no longer named, and its URLs answer 404).
IMMUTABLE = "public, max-age=31536000, immutable"
LIBRARY_CACHE = "public, max-age=86400"  # the older per-activity URLs
LIBRARY_LATEST_CACHE = "public, max-age=3600"  # "<name>-<major>.<minor>": may move to a new patch
# An activity's content never changes (a new package is a new activity), but it is this person's.
CONTENT_CACHE = "private, max-age=31536000, immutable"
SHORT_CACHE = "public, max-age=300"  # unversioned player and relay URLs (older tabs)

CONTENT_SALT = "courses.h5p.content"
CONTENT_PERIOD_SECONDS = 30 * 24 * 60 * 60
CONTENT_TOKEN = re.compile(
    r"^(?P<period>\d{1,9})-(?P<person>[0-9a-f]{16})-(?P<sig>[\w\-]{20,100})$"
)


def _activity(activity_uuid) -> H5PActivity:
    """A ready activity every library of which an administrator approved."""
    try:
        return H5PActivity.objects.playable().get(uuid=activity_uuid)
    except (H5PActivity.DoesNotExist, ValueError) as error:
        raise Http404 from error


def _may_open(launch: PlayerLaunch) -> bool:
    """Whether the person of this launch may still open the module: still enrolled in its
    published course (a learner who left it may not), or still an editor (a preview)."""
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


def content_period(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // CONTENT_PERIOD_SECONDS)


def _person_mask(activity_uuid, period: int, signature: str) -> int:
    """64 bits that hide the person's id in their content token: derived with the secret key from
    the token's own signature (so different for every activity, person and period, and unknown
    without the key), the way a synthetic-IV cipher derives its key stream."""
    value = f"{activity_uuid}:{period}:{signature}"
    return int(
        salted_hmac(CONTENT_SALT + ".person", value, algorithm="sha256").hexdigest()[:16], 16
    )


def content_token(activity_uuid, user_id: int, period: int | None = None) -> str:
    """The signed part of an activity's content URLs for this person: the same throughout a
    30-day period, so the browser keeps the files; useless for another activity or person.
    `<period>-<person>-<signature>`: the signature (HMAC with the secret key) covers activity,
    person and period; `<person>` is the account id masked (`_person_mask`), so the URL, which
    the package's code can read, says nothing of who the learner is, yet the check finds them."""
    period = content_period() if period is None else period
    signature = signing.Signer(salt=CONTENT_SALT).signature(f"{activity_uuid}:{user_id}:{period}")
    person = user_id ^ _person_mask(activity_uuid, period, signature)
    return f"{period}-{person:016x}-{signature}"


def content_token_check(token: str, activity_uuid) -> int:
    """The person a content token was made for; Http404 unless it is a token for this activity
    of the current or the previous period (so a page opened just before a period ends works)."""
    match = CONTENT_TOKEN.match(token)
    if match is None:
        raise Http404
    period = int(match["period"])
    if period not in (content_period(), content_period() - 1):
        raise Http404
    user_id = int(match["person"], 16) ^ _person_mask(activity_uuid, period, match["sig"])
    if user_id >= 2**63 or not constant_time_compare(
        token, content_token(activity_uuid, user_id, period)
    ):
        raise Http404
    return user_id


def _resolve(root: Path, relative: str) -> Path:
    """A file strictly inside `root` (the player's files, shipped with the code); anything else
    (traversal, links out, folders, a compressed sibling asked for by name) is a 404."""
    if is_sibling(relative):
        raise Http404
    base = root.resolve()
    try:
        candidate = (base / relative).resolve()
        found = candidate.is_relative_to(base) and candidate.is_file()
    except (ValueError, OSError) as error:  # a NUL byte, a name too long for the file system
        raise Http404 from error
    if not found:
        raise Http404
    return candidate


def _validated(request, response, *, etag: str, last_modified: int, cache_control: str,
               compressed_type: bool):  # fmt: skip
    response["Cache-Control"] = cache_control
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    if compressed_type:
        patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _serve(request, root: Path, relative: str, cache_control: str):
    """One of the player's files (node_modules, static), compressed once per process as the
    browser accepts, with validators: a strong ETag per encoding and Last-Modified, answering 304
    to If-None-Match and If-Modified-Since."""
    candidate = _resolve(root, relative)
    try:
        stat = candidate.stat()
    except OSError as error:
        raise Http404 from error
    content_type = mimetypes.guess_type(candidate.name)[0] or "application/octet-stream"
    encoding, body = None, None
    if compressible(candidate.name):
        accepted = accepted_encodings(request.headers.get("Accept-Encoding", ""))
        if accepted:
            forms = compressed_in_memory(candidate, stat)
            encoding = next((name for name in accepted if name in forms), None)
            body = forms.get(encoding)
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}{"-" + encoding if encoding else ""}"'
    validators = {
        "etag": etag, "last_modified": int(stat.st_mtime), "cache_control": cache_control,
        "compressed_type": compressible(candidate.name),
    }  # fmt: skip
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=validators["last_modified"]
    )
    if not_modified is not None:
        return _validated(request, not_modified, **validators)
    if body is not None:
        response = HttpResponse(body, content_type=content_type)
        response["Content-Length"] = len(body)
    else:
        try:
            opened = candidate.open("rb")
        except OSError as error:
            raise Http404 from error
        response = FileResponse(opened, content_type=content_type, filename=candidate.name)
    if encoding:
        response["Content-Encoding"] = encoding
    return _validated(request, response, **validators)


def _serve_stored(request, folder: str, relative: str, cache_control: str):
    """A stored file strictly inside the store's `folder` (`libraries/<folder>` or
    `content/<uuid>`), from its precompressed sibling when the browser accepts its encoding and
    the sibling was made from the file as it is now, with validators: a strong ETag per encoding
    and Last-Modified, answering 304 to If-None-Match and If-Modified-Since.

    Each file is opened once (on an object store, open asks for the object's size and date:
    the validators need nothing more), its sibling once when one is tried."""
    relative = clean_relative(relative)
    if relative is None or is_sibling(relative):
        raise Http404
    storage = h5p_storage()
    name = posixpath.join(folder, relative)
    filename = posixpath.basename(name)
    opened = open_stored(storage, name)
    if opened is None:
        raise Http404
    file_size, mtime_ns = opened_meta(storage, name, opened)
    encoding, served, served_size = None, opened, file_size
    if compressible(filename):
        for candidate in accepted_encodings(request.headers.get("Accept-Encoding", "")):
            sibling = open_stored(storage, name + ENCODINGS[candidate])
            if sibling is None:
                continue
            sibling_name = name + ENCODINGS[candidate]
            sibling_size, sibling_mtime_ns = opened_meta(storage, sibling_name, sibling)
            # Only a sibling made from this very file: one left from another version of the
            # file would serve other bytes.
            if fresh(sibling_mtime_ns, mtime_ns):
                opened.close()
                encoding, served, served_size = candidate, sibling, sibling_size
                break
            sibling.close()
    etag = f'"{file_size:x}-{mtime_ns:x}{"-" + encoding if encoding else ""}"'
    validators = {
        "etag": etag, "last_modified": mtime_ns // 1_000_000_000, "cache_control": cache_control,
        "compressed_type": compressible(filename),
    }  # fmt: skip
    not_modified = get_conditional_response(
        request, etag=etag, last_modified=validators["last_modified"]
    )
    if not_modified is not None:
        served.close()
        return _validated(request, not_modified, **validators)
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = FileResponse(streamed(served), content_type=content_type, filename=filename)
    response["Content-Length"] = served_size
    if encoding:
        response["Content-Encoding"] = encoding
    return _validated(request, response, **validators)


@functools.cache
def player_version() -> str:
    """The pinned h5p-standalone's version (its package.json), part of the player's URLs."""
    package = Path(settings.H5P_PLAYER_DIR).parent / "package.json"
    try:
        return str(json.loads(package.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return "0"


RELAY = Path(settings.BASE_DIR) / "static" / "h5p" / "player-relay.js"
_relay_digests: dict[tuple[int, int], str] = {}


def relay_digest() -> str:
    """The first 12 hex digits of the relay's SHA-256 (read again only when the file changes)."""
    try:
        stat = RELAY.stat()
    except OSError:
        return "0" * 12
    key = (stat.st_mtime_ns, stat.st_size)
    # Read once into a local: another thread (gthread workers) may clear the dict meanwhile.
    digest = _relay_digests.get(key)
    if digest is None:
        digest = hashlib.sha256(RELAY.read_bytes()).hexdigest()[:12]
        _relay_digests.clear()
        _relay_digests[key] = digest
    return digest


def _version_folder(library: H5PLibrary) -> tuple[str, str]:
    """The `majorVersion` and `minorVersion` a dependency reference needs so that the player's
    "<machineName>-<major>.<minor>" is this library's stored folder."""
    prefix = f"{library.machine_name}-{library.major_version}."
    return str(library.major_version), library.folder[len(prefix) :]


def player_manifest(activity: H5PActivity) -> dict:
    """What the player would fetch one round trip after another before it can start: h5p.json
    (with the activity's title) and each library's library.json (only what the player reads),
    every dependency reference rewritten to the exact stored folder of the library this activity
    uses; and `directories`, the same mapping for what H5P builds at run time."""
    libraries = list(activity.libraries.filter(status=H5PLibrary.Status.APPROVED))
    by_ref = {(lib.machine_name, lib.major_version, lib.minor_version): lib for lib in libraries}

    def reference(dependency):
        if not isinstance(dependency, dict):
            return dependency
        try:
            key = (dependency.get("machineName"), int(dependency.get("majorVersion")),
                   int(dependency.get("minorVersion")))  # fmt: skip
        except (TypeError, ValueError):
            return dependency
        library = by_ref.get(key)
        if library is None:  # not one of this activity's: the "<name>-<major>.<minor>" URL
            return dependency
        major, minor = _version_folder(library)
        return {"machineName": library.machine_name, "majorVersion": major, "minorVersion": minor}

    def references(dependencies):
        return [reference(d) for d in dependencies] if isinstance(dependencies, list) else []

    h5p = {**activity.h5p_json, "title": activity.title}
    h5p["preloadedDependencies"] = references(h5p.get("preloadedDependencies"))
    manifest = {"h5p": h5p, "libraries": {}, "directories": {}}
    for library in libraries:
        metadata = library.metadata or {}
        manifest["libraries"][library.folder] = {
            "machineName": library.machine_name,
            "majorVersion": library.major_version,
            "minorVersion": library.minor_version,
            "preloadedDependencies": references(metadata.get("preloadedDependencies")),
            "preloadedJs": metadata.get("preloadedJs") or [],
            "preloadedCss": metadata.get("preloadedCss") or [],
        }
        name = f"{library.machine_name}-{library.major_version}.{library.minor_version}"
        manifest["directories"][name] = library.folder
    return manifest


def player_preloads(manifest: dict, libraries: str) -> dict:
    """The files the player will ask for once it starts, at the exact URLs it will build
    (`<libraries>/<folder>/<path>`, as h5p-standalone does): the scripts and stylesheets of every
    library reachable from h5p.json's dependencies, dependencies before what needs them. The
    player page names them in `<link rel="preload">`, so they download while the page's scripts
    load and start, instead of one round trip after the player has read everything."""
    known = manifest.get("libraries") or {}

    def folder(reference) -> str | None:
        if not isinstance(reference, dict):
            return None
        name = reference.get("machineName")
        major, minor = reference.get("majorVersion"), reference.get("minorVersion")
        candidate = f"{name}-{major}.{minor}"
        return candidate if candidate in known else None

    ordered: list[str] = []
    seen: set[str] = set()

    def visit(name: str | None) -> None:
        if name is None or name in seen:
            return
        seen.add(name)
        for dependency in known[name].get("preloadedDependencies") or []:
            visit(folder(dependency))
        ordered.append(name)

    for dependency in (manifest.get("h5p") or {}).get("preloadedDependencies") or []:
        visit(folder(dependency))
    preloads: dict[str, list[str]] = {"scripts": [], "styles": []}
    sizes: dict[str, int] = {}
    for name in ordered:
        for kind, key in (("scripts", "preloadedJs"), ("styles", "preloadedCss")):
            for entry in known[name].get(key) or []:
                relative = entry.get("path") if isinstance(entry, dict) else None
                url = f"{libraries}/{name}/{relative}" if isinstance(relative, str) else None
                if url and url not in preloads[kind]:
                    preloads[kind].append(url)
                    sizes[url] = _transfer_size(name, relative)
    # The largest first: on a slow link they keep it busy while the many small files wait
    # out their round trips (a browser opens only a few connections to a host).
    for urls in preloads.values():
        urls.sort(key=lambda url: -sizes[url])
    return preloads


@functools.lru_cache(maxsize=4096)
def _transfer_size(folder: str, relative: str) -> int:
    """About what a library file costs to download: its brotli sibling's size, else its own (a
    stored folder never changes, so this is remembered)."""
    relative = clean_relative(relative)
    if relative is None:
        return 0
    name = library_name(folder, relative)
    storage = h5p_storage()
    for candidate in (name + ENCODINGS["br"], name):
        found = size(storage, candidate)
        if found is not None:
            return found
    return 0


def player(request, activity_uuid, launch):
    try:
        checked = player_launch_check(launch, activity_uuid=activity_uuid)
        if not _may_open(checked):
            raise Http404
        activity = _activity(activity_uuid)
    except Refused as refused:
        if refused.code != "expired":
            raise Http404 from refused
        # Said in the person's language (no session here: the browser's Accept-Language).
        with translation.override(translation.get_language_from_request(request)):
            html = render_to_string("courses/h5p/player_expired.html")
        return HttpResponse(html, status=403)
    token = content_token(activity.uuid, checked.user_id)
    manifest = player_manifest(activity)
    html = render_to_string(
        "courses/h5p/player.html",
        {"activity": activity, "platform_origin": platform_origin(),
         "base": f"/h5p/play/{activity.uuid}/{launch}",
         "libraries": "/h5p/libraries",
         "content": f"/h5p/content/{activity.uuid}/{token}",
         "player": f"/h5p/player/{player_version()}",
         "relay": f"/h5p/player-relay.{relay_digest()}.js",
         "manifest": manifest,
         "preloads": player_preloads(manifest, "/h5p/libraries"),
         "object_iri": object_iri(activity.uuid)},
    )  # fmt: skip
    response = HttpResponse(html)
    response["Cache-Control"] = "no-store"  # signed, personal and short-lived
    # The manifest makes the page a few KB: compressed (Django's, with its BREACH padding), when
    # the browser takes gzip by its q-values (Django's only looks for the word: "gzip;q=0").
    if "gzip" not in accepted_encodings(request.headers.get("Accept-Encoding", "")):
        patch_vary_headers(response, ("Accept-Encoding",))
        return response
    return GZipMiddleware(lambda request: response).process_response(request, response)


def h5p_json(request, activity_uuid, launch):
    """The package's h5p.json, with the title the activity has here: the player names the content
    by it (for screen readers, in xAPI statements), not by what the package's author left in.
    (Pages opened before the manifest; the player now gets it from the page.)"""
    activity = _launched(activity_uuid, launch, entry=True)
    return JsonResponse({**activity.h5p_json, "title": activity.title})


def content_file(request, activity_uuid, launch, relative):
    """Content under the launch (pages opened before the content token): not cached."""
    activity = _launched(activity_uuid, launch, entry=False)
    return _serve_stored(request, content_name(activity.uuid), relative, "no-store")


def content(request, activity_uuid, token, relative):
    """An activity's content files and content.json, for the person of the token: the same URL
    all period long, kept by the browser (private: not in shared caches)."""
    user_id = content_token_check(token, activity_uuid)
    activity = _activity(activity_uuid)
    if not get_user_model().objects.filter(pk=user_id, is_active=True).exists():
        raise Http404
    return _serve_stored(request, content_name(activity.uuid), relative, CONTENT_CACHE)


def library_file(request, activity_uuid, folder, relative):
    """Library files at the exact versions validated with this activity (the older URLs)."""
    activity = _activity(activity_uuid)
    match = LIBRARY_FOLDER.match(folder)
    if not match:
        raise Http404
    library = activity.libraries.filter(
        machine_name=match["name"], major_version=match["major"], minor_version=match["minor"]
    ).first()
    if library is None:
        raise Http404
    return _serve_stored(request, library_name(library.folder), relative, LIBRARY_CACHE)


def library(request, folder, relative):
    """An approved library's files, shared by every activity: at its exact stored folder for a
    year; at "<name>-<major>.<minor>", the highest approved patch, for an hour."""
    approved = H5PLibrary.objects.filter(status=H5PLibrary.Status.APPROVED)
    if exact := STORED_FOLDER.match(folder):
        found = approved.filter(
            machine_name=exact["name"], major_version=exact["major"],
            minor_version=exact["minor"], patch_version=exact["patch"],
            folder_name=folder if exact["hash"] else "",
        ).first()  # fmt: skip
        cache_control = IMMUTABLE
    elif latest := LIBRARY_FOLDER.match(folder):
        found = (
            approved.filter(machine_name=latest["name"], major_version=latest["major"],
                            minor_version=latest["minor"])
            .order_by("-patch_version").first()
        )  # fmt: skip
        cache_control = LIBRARY_LATEST_CACHE
    else:
        raise Http404
    if found is None or (exact and found.folder != folder):
        raise Http404
    return _serve_stored(request, library_name(found.folder), relative, cache_control)


def player_asset(request, relative, version=None):
    """The pinned h5p-standalone build, from node_modules (installed, never copied): at
    `/h5p/player/<its version>/…` for a year; unversioned (older tabs) for a few minutes."""
    if version is not None and version != player_version():
        raise Http404
    cache_control = IMMUTABLE if version else SHORT_CACHE
    return _serve(request, Path(settings.H5P_PLAYER_DIR), relative, cache_control)


def relay_script(request, digest=None):
    if digest is not None and digest != relay_digest():
        raise Http404
    cache_control = IMMUTABLE if digest else SHORT_CACHE
    return _serve(request, RELAY.parent, RELAY.name, cache_control)


urlpatterns = [
    path("h5p/libraries/<str:folder>/<path:relative>", library),
    path("h5p/content/<uuid:activity_uuid>/<str:token>/<path:relative>", content),
    re_path(r"^h5p/player/(?P<version>\d+\.\d+\.\d+[\w.\-]*)/(?P<relative>.+)$", player_asset),
    re_path(r"^h5p/player-relay\.(?P<digest>[0-9a-f]{12})\.js$", relay_script),
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
