"""A trainer's invitation to a cohort, answered by the invited person (/cohorts/invitations/…),
and the trainer's resend and cancel (cohorts.invitations has the rules)."""

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from training.permissions import role_required
from training.roles import Role

from . import invitations, selectors, services
from .models import Application, CohortInvitation
from .views import _joined_message, _trained_cohort


def _page(request, context, status=200):
    response = render(request, "cohorts/invitation.html", context, status=status)
    # The address carries the invitation's secret: no other site may read it from a referrer
    # (the platform's own logs redact it), and no search engine keeps it. Not "no-referrer":
    # with it, browsers send "Origin: null" with the page's forms and CSRF refuses them.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _where_they_stand(invitation: CohortInvitation, user) -> dict:
    """For the person who accepted: member, or waiting (and where), read afresh."""
    cohort = invitation.cohort
    if selectors.membership_of(cohort, user) is not None:
        return {"member": True}
    application = Application.objects.filter(
        cohort=cohort, user=user, status=Application.Status.WAITLISTED
    ).first()
    if application is not None:
        return {"position": selectors.waitlist_position(application)}
    return {}


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request, token):
    """Signed in as the account with the invited address: accept or decline. Not signed in:
    sign in, or sign up (the address prefilled and taken as verified: the link came to it), then
    come back here; or decline without an account. Any other account: nothing of it is shown."""
    found = invitations.invitation_from_token(token)
    if found is None:
        return _page(request, {"state": "unknown"}, status=404)
    user = request.user
    if user.is_authenticated and not invitations.belongs_to(found, user):
        return _page(request, {"state": "other_account"}, status=403)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept" and user.is_authenticated:
                _joined_message(request, invitations.invitation_accept(invitation=found,
                                                                       user=user))  # fmt: skip
            elif action == "decline":
                invitations.invitation_decline(invitation=found, user=user)
                messages.info(request, _("You declined the invitation. Nothing else happens."))
            else:
                messages.error(request, _("Please sign in first."))
                return HttpResponseRedirect(request.path)
        except services.CohortError as error:
            messages.error(request, str(error))
            found.refresh_from_db()
            return _page(request, {"state": "open" if found.is_open() else found.state,
                                   "invitation": found, "cohort": found.cohort},
                         status=400)  # fmt: skip
        return HttpResponseRedirect(request.path)
    context = {"invitation": found, "cohort": found.cohort}
    if found.is_open():
        context["state"] = "open"
        if not user.is_authenticated:
            # The link came to this address: signing up with it needs no second confirmation.
            get_adapter(request).stash_verified_email(request, found.email)
            back = urlencode({"next": request.path})
            context["login_url"] = f"{reverse('account_login')}?{back}"
            context["signup_url"] = f"{reverse('account_signup')}?{back}"
    else:
        context["state"] = found.state
        if found.status == CohortInvitation.Status.ACCEPTED and user.is_authenticated:
            context.update(_where_they_stand(found, user))
    return _page(request, context)


# --- Trainers -----------------------------------------------------------------------------------
@role_required(Role.TRAINER)
@require_POST
def trainer_invitation(request, slug, pk):
    """Send a waiting invitation again (a new link), or cancel it."""
    cohort = _trained_cohort(request, slug)
    action = request.POST.get("action")
    try:
        if action == "resend":
            invitations.invitation_resend(cohort=cohort, pk=pk, by=request.user)
            messages.success(request, _("The invitation is sent again, with a new link."))
        elif action == "cancel":
            invitations.invitation_cancel(cohort=cohort, pk=pk)
            messages.info(request, _("The invitation is cancelled: its link no longer works."))
        else:
            messages.error(request, _("Unknown action."))
    except services.CohortError as error:
        messages.error(request, str(error))
    return HttpResponseRedirect(
        reverse("cohorts:trainer_cohort", args=[cohort.slug]) + "#invitations"
    )
