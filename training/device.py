"""What this device keeps for the person signed in on it: the device owner, an opaque name of
the person under which the browser files their queue of things to send (static/js/device-
queue.js, localStorage `acompana:queue:<owner>`) and their saved pages (the service worker's
caches). On a shared device, one person's page never finds another's; the name says nothing of
who they are (an HMAC of the account's id with the site's secret).

Also the address where the device queue asks for a fresh CSRF token, when the one it has is
refused (signed in again elsewhere, a new session): GET, for the person signed in; it says whose
session it is (the owner), and a queue of someone else stops there.

Each request the queue sends says whose queue it comes from (the `Acompana-Device-Owner`
header): a page left open by one person, after another signed in on the same browser, would
otherwise send the first person's answers with the second person's session. A request whose
owner is not the person signed in is refused (401, code "owner") and records nothing
(`owner_refused`, called by training.idempotency and the player's calls).

Signing out (`logout`) and the end of an account deletion also ask the browser to clear what
the site kept on it (`Clear-Site-Data: "storage"`: the queues, drafts, saved copies and the
service worker), whoever it was kept for: a shared device keeps nothing after a sign-out.
"""

from django.conf import settings
from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

OWNER_LENGTH = 20
OWNER_HEADER = "Acompana-Device-Owner"
CLEAR_SITE_DATA = '"storage"'


def device_owner(user) -> str:
    """The opaque name of this person on a device (20 hex characters); "" for someone signed
    out."""
    if user is None or not user.is_authenticated:
        return ""
    return salted_hmac("training.device.owner", str(user.pk)).hexdigest()[:OWNER_LENGTH]


# Built once: lazy() makes a new proxy class on every call.
_device_owner = lazy(device_owner, str)


def context(request) -> dict:
    """`device_owner` for every page (templates/base.html puts it on <body>), computed only
    when a page shows it."""
    return {
        "device_owner": _device_owner(getattr(request, "user", None)),
        # Where the queue reads the current CSRF token, when the cookie is readable.
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        # How long the queue keeps an item: a day less than the server keeps its key.
        "queue_max_days": max(settings.ACOMPANA_IDEMPOTENCY_DAYS - 1, 1),
    }


def owner_refused(request) -> JsonResponse | None:
    """A 401 for a request sent from another person's device queue than the one signed in
    (`OWNER_HEADER`); None when it is theirs or says nothing (a form posted without the queue)."""
    sent = request.headers.get(OWNER_HEADER)
    if sent is None or not request.user.is_authenticated:
        return None
    if constant_time_compare(sent.strip()[:64], device_owner(request.user)):
        return None
    message = _(
        "Someone else is signed in on this device now: what was saved here for the previous "
        "person is not sent with their account."
    )
    return JsonResponse({"ok": False, "error": message, "code": "owner"}, status=401)


@never_cache
@require_GET
def csrf_token(request):
    """A CSRF token valid for this session and whose session it is, as JSON ({"token": …,
    "owner": …}), for the device queue."""
    if not request.user.is_authenticated:
        message = _("You are signed out. Sign in again; your results are kept on this device.")
        return JsonResponse({"ok": False, "error": message, "code": "login"}, status=401)
    return JsonResponse({"token": get_token(request), "owner": device_owner(request.user)})


def clear_site_data(response):
    """Ask the browser to clear what the site kept on it (see the module)."""
    response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response


def logout(request, *args, **kwargs):
    """allauth's sign-out, and once signed out, the browser clears what the site kept on it."""
    # Here: allauth's views load its forms and models, after the apps (this module loads early).
    from allauth.account.views import logout as allauth_logout  # noqa: PLC0415

    response = allauth_logout(request, *args, **kwargs)
    if request.method == "POST" and not request.user.is_authenticated:
        clear_site_data(response)
    return response
