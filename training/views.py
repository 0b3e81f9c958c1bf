import logging

from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.totp.views import activate_totp as allauth_activate_totp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language
from kombu import Connection

from .forms import ProfileForm
from .selectors import dashboard_for
from .services import user_has_mfa, user_update_profile

logger = logging.getLogger(__name__)


def _safe_next(request, default="dashboard"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


# The dashboard only reads: no transaction (ATOMIC_REQUESTS would add BEGIN and COMMIT, and on
# SQLite take the write lock for the whole page).
@transaction.non_atomic_requests
@login_required
def dashboard(request):
    return render(request, "training/dashboard.html", dashboard_for(request.user))


@login_required
def mfa_required(request):
    """Explain why this person's role needs a second factor, and lead to the set-up."""
    if user_has_mfa(request.user):
        return HttpResponseRedirect(_safe_next(request))
    # After the set-up and the recovery codes, the person is offered the way back to their tool.
    request.session["after_mfa_setup"] = _safe_next(request)
    return render(
        request,
        "training/mfa_required.html",
        {"next": _safe_next(request), "requires_mfa": request.user.requires_mfa},
    )


def activate_totp(request):
    """allauth's TOTP set-up. Typing a valid code there is passing the second factor, so the
    session counts as such right away and the person can go on to their tool."""
    had_mfa = request.user.is_authenticated and user_has_mfa(request.user)
    response = allauth_activate_totp(request)
    if request.method == "POST" and response.status_code == 302 and not had_mfa:
        request.user.__dict__.pop("_has_mfa", None)
        if user_has_mfa(request.user):
            record_authentication(request, request.user, "mfa", type="totp")
    return response


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_update_profile(
            user=request.user, **{name: form.cleaned_data[name] for name in form.Meta.fields}
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    return render(request, "training/profile.html", {"form": form})


@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on a signed-in profile."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    if (
        request.user.is_authenticated
        and check_for_language(code)
        and code in dict(settings.LANGUAGES)
        and request.user.preferred_language != code
    ):
        user_update_profile(user=request.user, preferred_language=code)
    return response


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        logger.exception("healthz: database check failed")
        return False


def _broker_status() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Development runs tasks in-process: there is no broker to reach, and none is needed.
        return "eager"
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception:
        logger.exception("healthz: broker check failed")
        return "unavailable"


@cache_control(public=True, max_age=60 * 60 * 24)
@transaction.non_atomic_requests
def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (a file, a JSON answer): sent to
    the site's icon, the one base.html names. Temporary, so a renamed static file is followed."""
    return HttpResponseRedirect(static("favicon.svg"))


@never_cache
@transaction.non_atomic_requests
def healthz(request):
    database = "ok" if _database_ok() else "unavailable"
    broker = _broker_status()
    healthy = database == "ok" and broker in ("ok", "eager")
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
