"""Delete my account (/accounts/delete/): what happens, re-authentication, and the public page
that confirms the date once the person is signed out."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import privacy, ratelimit
from .account_forms import AccountDeleteForm
from .deletion import account_deletion_request, grace_period, left_message, pending_for
from .device import clear_site_data
from .privacy import Erase
from .services import user_has_mfa

# Confirmation attempts one person may make in ATTEMPT_WINDOW seconds (wrong passwords or codes
# included): the page is not a way to guess either.
ATTEMPTS = 5
ATTEMPT_WINDOW = 15 * 60
DONE_SESSION_KEY = "account_deletion_due"


def what_happens(person) -> list[dict]:
    """Per category of the registry: what is deleted, and what is kept anonymously and why (the
    staff category only for people it can concern: privacy.by_category_for)."""
    sections = []
    for category, declarations in privacy.by_category_for(person):
        shown = [d for d in declarations if d.on_privacy_page]
        deleted = [d.holds for d in shown if d.erase is Erase.DELETE and not d.keeps]
        deleted += [d.holds for d in shown if callable(d.erase) and not d.keeps]
        kept = [{"holds": d.holds, "because": d.kept_because} for d in shown if d.keeps]
        if deleted or kept:
            sections.append({"category": category, "deleted": deleted, "kept": kept})
    return sections


def _requested(form, user, request) -> bool:
    """Ask for the deletion; a refusal (the last administrator) becomes the form's error."""
    try:
        account_deletion_request(person=user, by=user, request=request)
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@never_cache
@login_required
def account_delete(request):
    user = request.user
    has_password = user.has_usable_password()
    needs_code = user_has_mfa(user)
    form = AccountDeleteForm(request.POST or None, user=user, needs_code=needs_code)
    status = 200
    if request.method == "POST" and has_password:
        if ratelimit.over("account-delete", user.pk, ATTEMPTS, window=ATTEMPT_WINDOW):
            form.is_valid()  # bound, but nothing is checked: no password or code is tried
            form.errors.clear()
            form.add_error(None, _("Too many attempts. Please wait a quarter of an hour."))
            status = 429
        elif form.is_valid() and _requested(form, user, request):
            deletion = pending_for(user)
            # The person is signed out now; the confirmation page reads the date from the new,
            # anonymous session and shows it in their time zone.
            request.session[DONE_SESSION_KEY] = {
                "due_at": deletion.due_at.isoformat(),
                "time_zone": user.time_zone or "UTC",
                "left": deletion.left,
            }
            response = redirect("account_delete_done")
            # Signed out, the person would get the browser's language: the confirmation (and
            # what follows) stays in theirs.
            if user.preferred_language in dict(settings.LANGUAGES):
                response.set_cookie(
                    settings.LANGUAGE_COOKIE_NAME, user.preferred_language,
                    max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                    secure=settings.LANGUAGE_COOKIE_SECURE,
                    httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                    samesite=settings.LANGUAGE_COOKIE_SAMESITE,
                )  # fmt: skip
            return response
        else:
            status = 400
    context = {
        "form": form,
        "has_password": has_password,
        "needs_code": needs_code,
        "sections": what_happens(user),
        "grace_days": settings.ACOMPANA_DELETION_GRACE_DAYS,
        "due_at": timezone.now() + grace_period(),
    }
    return render(request, "training/account_delete.html", context, status=status)


@never_cache
def account_delete_done(request):
    """Public: "Your account will be deleted on <date>", for the person just signed out."""
    done = request.session.get(DONE_SESSION_KEY)
    if not done:
        return redirect("/")
    due_at = datetime.fromisoformat(done["due_at"])
    with timezone.override(done.get("time_zone") or "UTC"):
        response = render(
            request,
            "training/account_delete_done.html",
            {
                "due_at": due_at,
                "grace_days": settings.ACOMPANA_DELETION_GRACE_DAYS,
                "left": left_message(done.get("left") or {}, cancelled=False),
            },
        )
    # Signed out and leaving: nothing of theirs stays in this browser (training.device).
    return clear_site_data(response)
