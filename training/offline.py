"""Acompaña as an installable web app: the manifest, the service worker and the page shown
offline for a page that is not saved on this device.

The service worker (static/js/sw.js, written by us: a few dozen lines do what the site needs,
and a library such as Workbox would add more code to download than the whole worker) is served
at `/sw.js` so that its scope is the whole site. Its text carries the static files' version:
when a deployment changes a static file, the worker's bytes change and browsers install the
new one. What a course's saved copy holds is `courses.offline`.
"""

import hashlib
import json
import os
from functools import cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

SERVICE_WORKER = "js/sw.js"
VERSION_MARK = "__ACOMPANA_STATIC_VERSION__"
# The static files a saved page needs offline, besides the ones its own HTML names.
PAGE_STATIC = (
    "css/site.css",
    "js/site.js",
    "js/offline.js",
    "js/learning.js",
    "js/device-queue.js",
    "favicon.svg",
)
ICONS = (("icons/icon-192.png", "192x192"), ("icons/icon-512.png", "512x512"))
THEME_COLOUR = "#6b2f8a"  # static/css/site.css, --accent
BACKGROUND_COLOUR = "#fffdf9"  # --paper


def static_path(name: str) -> str | None:
    """The file behind a static name: collected (STATIC_ROOT, hashed names in production) or,
    in development and tests, found in the app's folders and node_modules."""
    try:
        stored = staticfiles_storage.stored_name(name) if hasattr(
            staticfiles_storage, "stored_name") else name  # fmt: skip
        if staticfiles_storage.exists(stored):
            return staticfiles_storage.path(stored)
    except (ValueError, NotImplementedError, OSError):
        pass
    return finders.find(name)


def static_size(name: str) -> int:
    path = static_path(name)
    if path is None:
        return 0
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def page_static_names() -> list[str]:
    """PAGE_STATIC that exist (a helper's script may not be there in every version)."""
    return [name for name in PAGE_STATIC if static_path(name) is not None]


def static_version() -> str:
    """Changes when a static file a saved page uses changes: in production their URLs carry
    a hash of their content (ManifestStaticFilesStorage); elsewhere, their sizes and the
    worker's own text stand in. Read once per process (in development, at every call)."""
    return _static_version.__wrapped__() if settings.DEBUG else _static_version()


@cache
def _static_version() -> str:
    parts = [getattr(staticfiles_storage, "manifest_hash", "") or ""]
    for name in [*page_static_names(), SERVICE_WORKER]:
        parts.append(f"{static(name)}:{static_size(name)}")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@cache
def _worker_source() -> bytes:
    path = static_path(SERVICE_WORKER)
    if path is None:
        raise Http404
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    marks = {
        VERSION_MARK: static_version(),
        "__ACOMPANA_STATIC_URL__": settings.STATIC_URL,
        "__ACOMPANA_OFFLINE_URL__": reverse("offline"),
    }
    for mark, value in marks.items():
        text = text.replace(mark, value)
    return text.encode()


@require_GET
def service_worker(request):
    """static/js/sw.js at the site's root (scope `/`), never kept by a cache longer than the
    browser's own update check allows."""
    source = _worker_source.__wrapped__() if settings.DEBUG else _worker_source()
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    add_never_cache_headers(response)
    return response


@require_GET
def manifest(request):
    """The web app manifest: the name, the start page, the colours and our own icons."""
    name = str(settings.ACOMPANA_ORGANISATION)
    body = {
        "name": name,
        "short_name": name if len(name) <= 12 else "Acompaña",
        "description": _("Courses, cohorts and certification for peer supporters."),
        "lang": request.LANGUAGE_CODE,
        "start_url": "/dashboard/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [
            {"src": static("icons/acompana.svg"), "sizes": "any", "type": "image/svg+xml",
             "purpose": "any"},
            *({"src": static(path), "sizes": sizes, "type": "image/png", "purpose": "any"}
              for path, sizes in ICONS),
            # The drawing keeps to the middle: a round or squircle mask never cuts it.
            {"src": static(ICONS[-1][0]), "sizes": ICONS[-1][1], "type": "image/png",
             "purpose": "maskable"},
        ],
    }  # fmt: skip
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )
    patch_cache_control(response, public=True, max_age=60 * 60)
    return response


@require_GET
def offline_page(request):
    """What the service worker shows offline for a page that is not saved on this device."""
    response = render(request, "offline.html")
    add_never_cache_headers(response)
    return response
