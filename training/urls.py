import mimetypes
import posixpath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseNotModified, HttpResponseRedirect
from django.urls import include, path, re_path, reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import http_date, url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import cache_control
from django.views.static import was_modified_since
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls
from wagtail.utils.urlpatterns import decorate_urlpatterns

from . import data_views, deletion_views, device, offline, privacy_views, routing, views
from .storage import PUBLIC_FOLDERS, is_public_name, opened_meta, streamed


def to_allauth_login(request):
    """Wagtail's own login forms (admin and front end) are replaced by allauth's, which is
    throttled, checks email verification and asks for the second factor. A POST signs nobody in.
    """
    target = request.GET.get("next") or "/admin/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/admin/"
    return HttpResponseRedirect(f"{reverse('account_login')}?{urlencode({'next': target})}")


urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    # The installable web app: its worker (scope "/"), manifest and offline page (training.offline).
    path("sw.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="web_manifest"),
    path("offline/", offline.offline_page, name="offline"),
    path("admin/login/", to_allauth_login, name="wagtailadmin_login_redirect"),
    path("_util/login/", to_allauth_login, name="wagtailcore_login_redirect"),
    path("admin/", include(wagtailadmin_urls)),
    # Documents are served by Wagtail's view, which checks the collection's privacy; no shared
    # cache (a proxy, a CDN) may keep a copy and hand it to someone else.
    path(
        "documents/",
        include(decorate_urlpatterns(wagtaildocs_urls.urlpatterns, cache_control(private=True))),
    ),
    path("accounts/two-factor-required/", views.mfa_required, name="mfa_required"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/2fa/totp/activate/", views.activate_totp),
    path("accounts/data/", data_views.account_data, name="account_data"),
    path(
        "accounts/data/<int:download_id>/download/",
        data_views.account_data_download,
        name="account_data_download",
    ),
    path("accounts/delete/", deletion_views.account_delete, name="account_delete"),
    path("accounts/delete/done/", deletion_views.account_delete_done, name="account_delete_done"),
    # A fresh CSRF token for the device queue (static/js/device-queue.js).
    path("accounts/csrf-token/", device.csrf_token, name="csrf_token"),
    # allauth's sign-out, which also clears what the site kept in the browser (training.device).
    path("accounts/logout/", device.logout),
    path("accounts/", include("allauth.urls")),
    path("privacy/", privacy_views.privacy, name="privacy"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    # The apps' URLconfs by dotted path: training, the first app, imports none of the later ones
    # (tests/test_layers.py). Their few addresses named without a namespace (trainer_desk, verify,
    # coordinator_desk) are in each app's root_urls.
    path("learn/", include("courses.urls")),
    path("", include("cohorts.urls")),
    path("", include("cohorts.root_urls")),
    path("", include("certificates.urls")),
    path("", include("certificates.root_urls")),
    path("", include("community.urls")),
    path("", include("care.urls")),
    path("dashboard/", views.dashboard, name="dashboard"),
]


# Public media change name when they change: a rendition's name holds its original's file name
# (a replaced original gets a new one: Wagtail saves it before deleting the old), the filter and,
# for crops, a hash of the focal point. But a name can come back after its file was deleted (an
# image deleted, or replaced twice by uploads of the same name: the second takes the first's freed
# name back), then with other pixels: a day, not forever. Caddy sends the same header for the
# files it serves itself from the media volume (deploy/Caddyfile), so a URL is cached alike
# whichever answers. (Without it, browsers would guess from Last-Modified: often longer.)
PUBLIC_MEDIA_MAX_AGE = 24 * 60 * 60


def serve_public_media(request, path):
    """Image renditions and avatars, from the default storage's public side (MEDIA_ROOT or the
    bucket's media/ prefix), so that any web node answers. Nothing else is served here:
    documents and original images are private files (training/storage.py)."""
    name = posixpath.normpath(path)
    if name != path or name.startswith("..") or not is_public_name(name):
        raise Http404
    storage = default_storage.storage_for(name)
    try:
        handle = storage.open(name, "rb")  # nothing is read yet (on S3, one HEAD)
    except OSError as error:  # FileNotFoundError, a folder
        raise Http404 from error
    try:
        size, mtime_ns = opened_meta(storage, name, handle)  # what the open already knows
    except Exception:
        handle.close()
        raise
    modified = mtime_ns // 1_000_000_000
    if not was_modified_since(request.META.get("HTTP_IF_MODIFIED_SINCE"), modified):
        handle.close()
        return HttpResponseNotModified()
    content_type, _encoding = mimetypes.guess_type(name)
    # A local file as it is; an object's body as it arrives from the bucket, never first copied
    # whole into a temporary file.
    response = FileResponse(
        streamed(handle),
        content_type=content_type or "application/octet-stream",
        filename=posixpath.basename(name),
    )
    response["Content-Length"] = size
    response["Last-Modified"] = http_date(modified)
    if settings.DEBUG:
        add_never_cache_headers(response)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MEDIA_MAX_AGE)
    return response


# Development, a small site, and always with object storage (the bucket is private: only Django
# can read it). Otherwise the reverse proxy serves MEDIA_ROOT's public folders.
if settings.DEBUG or settings.ACOMPANA_SERVE_MEDIA or settings.ACOMPANA_STORAGE == "s3":
    public_folders = "|".join(sorted(PUBLIC_FOLDERS))
    urlpatterns += [
        re_path(
            rf"^media/(?P<path>(?:{public_folders})/.+)$", serve_public_media, name="public_media"
        ),
    ]

# Wagtail's page serving comes last: it answers every path not matched above (routed by
# training.routing: the site, the reader's language copy and the way down come from caches).
# Serving a page reads; the few writes it makes (a learner's visit) are single statements, so it
# runs without a transaction (ATOMIC_REQUESTS would add BEGIN and COMMIT to every page view).
urlpatterns += [
    re_path(
        wagtail_urls.serve_pattern,
        transaction.non_atomic_requests(routing.serve),
        name="wagtail_serve",
    ),
    path("", include(wagtail_urls)),
]

# Errors: Django's 500 page, or a 503 when the database does not answer (training/friendly_errors).
handler500 = "training.friendly_errors.server_error"
