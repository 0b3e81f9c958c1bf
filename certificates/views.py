"""Certification for volunteers (checklist, agreements, certificates, the pool), the public
verification page, and the coordinator's tools (tracks, the queue, a person's certification)."""

import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from training import ratelimit
from training.models import User
from training.permissions import role_required
from training.roles import Role
from training.selectors import dashboard_for

from . import eligibility, pool_email, selectors, services
from .converters import CertificateCode
from .forms import (
    CertificateLanguageForm,
    CertificateNameForm,
    DecisionForm,
    ExceptionForm,
    PoolMemberForm,
    ReasonForm,
)
from .models import (
    Agreement,
    AgreementSignature,
    Certificate,
    CertificationRequest,
    PoolMember,
    RequirementException,
    Track,
)


def _error(request, error: services.CertificationError) -> None:
    messages.error(request, str(error))


# --- The volunteer ------------------------------------------------------------------------------
@login_required
def mine(request):
    return render(request, "certificates/mine.html",
                  {**selectors.certification_overview(user=request.user),
                   "moment": _certified_moment(request)})  # fmt: skip


MOMENT_KEY = "certificates:moment"


def _tell_what_signing_did(request, outcomes) -> None:
    """The certified moment: a certificate issued now is celebrated on the page the person lands
    on (with what the responder pool is); otherwise they read what is still missing, or that a
    coordinator decides."""
    certified = [o.certificate.pk for o in outcomes if o.certificate]
    if certified:
        request.session[MOMENT_KEY] = certified
    said = bool(certified)
    for outcome in outcomes:
        title = outcome.track.local_title
        if outcome.waiting:
            said = True
            messages.success(request, _(
                "Signed. You met every requirement of %(track)s: a coordinator reviews each "
                "certification on this track. Once it is approved, your certificate appears "
                "here and we email you."
            ) % {"track": title})  # fmt: skip
        elif outcome.missing and not outcome.certificate:
            said = True
            # Translators: after the list comes "Code of conduct: Not signed yet; …".
            messages.info(request, _("Signed. Still missing for %(track)s: %(missing)s.") % {
                "track": title,
                "missing": "; ".join(f"{check.label}: {check.detail}" for check in outcome.missing),
            })  # fmt: skip
    if not said:
        messages.success(request, _("Signed. Thank you."))


def _certified_moment(request) -> list[Certificate]:
    """The certificates issued by the person's last step, shown once."""
    ids = request.session.pop(MOMENT_KEY, None) or []
    return selectors.certificates_just_issued(user=request.user, ids=ids)


@login_required
def agreement(request, slug):
    agreement = get_object_or_404(Agreement.objects.prefetch_related("texts"), slug=slug)
    version = agreement.current_version()
    if version is None:
        raise Http404
    # The version in the reader's language where there is one; otherwise the original, marked
    # as such. The signature records which text the person read.
    text = agreement.text_for(version.number)
    original = settings.LANGUAGE_CODE
    shown = {
        "title": text.title if text else agreement.title,
        "body": text.text if text else version.text,
        "language": text.language if text else original,
        "untranslated": text is None and translation.get_language() != original,
    }
    signed = AgreementSignature.objects.filter(user=request.user, version=version).first()
    earlier = (
        AgreementSignature.objects.filter(user=request.user, version__agreement=agreement)
        .exclude(version=version)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    if request.method == "POST":
        if request.POST.get("agree") != "yes":
            messages.error(request, _("Tick the box to sign, or come back when you are ready."))
        elif str(version.pk) != request.POST.get("version"):
            messages.error(request, _("The text changed while you were reading: please read the "
                                      "new version."))  # fmt: skip
        else:
            read = request.POST.get("language", "")
            known = {original} | {t.language for t in agreement.texts.all()
                                  if t.version == version.number}  # fmt: skip
            services.agreement_sign(user=request.user, version=version,
                                    language=read if read in known else original)  # fmt: skip
            _tell_what_signing_did(
                request, services.certification_evaluate_after_own_step(user=request.user)
            )
            return redirect("certificates:mine")
        return redirect("certificates:agreement", slug=slug)
    return render(request, "certificates/agreement.html",
                  {"agreement": agreement, "version": version, "signed": signed,
                   "earlier": earlier, "shown": shown})  # fmt: skip


def _own_certificate(request, code) -> Certificate:
    certificates = Certificate.objects.select_related("track").prefetch_related("track__texts")
    return get_object_or_404(certificates, code=code, user=request.user)


def _too_many_renders(request) -> bool:
    """Each name change and each "try again" may start a PDF render (WeasyPrint is heavy): a
    few a minute per person."""
    return ratelimit.over("certificate-render", request.user.pk,
                          settings.ACOMPANA_CERTIFICATE_RENDER_RATE)  # fmt: skip


def _certificate_page(request, certificate, form, *, status=200):
    code = certificate.code
    response = render(request, "certificates/certificate.html", {
        "certificate": certificate, "form": form,
        "language_form": CertificateLanguageForm(initial={"language": certificate.language}),
        "verify_url": settings.ACOMPANA_PLATFORM_ORIGIN + reverse("verify", args=[code]),
        "refresh": status == 200 and certificate.pdf_status == Certificate.Pdf.PENDING
        and not certificate.pdf_stalled,
    }, status=status)  # fmt: skip
    if status == 429:
        response["Retry-After"] = "60"
    return response


def _renders_refused(request, certificate):
    messages.error(request, _("You asked for your certificate to be prepared several times in a "
                              "short time. Please wait a minute and try again."))  # fmt: skip
    form = CertificateNameForm(initial={"name_choice": certificate.name_choice})
    return _certificate_page(request, certificate, form, status=429)


@login_required
@never_cache
def certificate(request, code):
    certificate = _own_certificate(request, code)
    if request.method == "POST":
        form = CertificateNameForm(request.POST)
        if form.is_valid():
            # Only a valid choice may prepare the PDF again: a form with errors does not count.
            if _too_many_renders(request):
                return _renders_refused(request, certificate)
            try:
                services.certificate_set_name(
                    certificate=certificate, choice=form.cleaned_data["name_choice"]
                )
            except services.CertificationError as error:
                _error(request, error)
            else:
                messages.success(request, _("Saved. Your certificate is being prepared again."))
            return redirect("certificates:certificate", code=code)
    else:
        form = CertificateNameForm(initial={"name_choice": certificate.name_choice})
        services.certificate_refresh_layout(certificate=certificate)
    return _certificate_page(request, certificate, form)


@login_required
@require_POST
def certificate_retry(request, code):
    certificate = _own_certificate(request, code)
    if _too_many_renders(request):
        return _renders_refused(request, certificate)
    services.certificate_render_again(certificate=certificate)
    return redirect("certificates:certificate", code=code)


@login_required
@require_POST
def certificate_language(request, code):
    """The holder writes their certificate in another of the platform's languages: its PDF is
    prepared again in it. Anyone else finds nothing here (404, as for the certificate's page and
    PDF: no way to learn whether a code exists). Only a change that prepares the PDF again
    counts against the holder's renders."""
    certificate = _own_certificate(request, code)
    form = CertificateLanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages in the list."))
        return redirect("certificates:certificate", code=code)
    language = form.cleaned_data["language"]
    if language != certificate.language and _too_many_renders(request):
        return _renders_refused(request, certificate)
    if services.certificate_set_language(certificate=certificate, language=language,
                                         by=request.user, request=request):  # fmt: skip
        messages.success(request, _("Saved. Your certificate is being prepared again in the "
                                    "language you chose."))  # fmt: skip
    return redirect("certificates:certificate", code=code)


def _pdf_response(certificate: Certificate):
    if certificate.pdf_status != Certificate.Pdf.READY or not certificate.pdf:
        raise Http404
    slug = certificate.track.slug
    response = FileResponse(certificate.pdf.open("rb"), as_attachment=True,
                            filename=f"certificate-{slug}-{certificate.period}.pdf",
                            content_type="application/pdf")  # fmt: skip
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def certificate_pdf(request, code):
    certificate = _own_certificate(request, code)
    if services.certificate_refresh_layout(certificate=certificate):
        # Made with an earlier look: its page says it is being prepared, then offers it.
        return redirect("certificates:certificate", code=code)
    return _pdf_response(certificate)


@login_required
def pool_settings(request):
    """Join the pool, choose what coordinators see, pause or leave."""
    member = PoolMember.objects.filter(user=request.user).first()
    eligible = selectors.pool_eligible(user=request.user)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "join":
                member = services.pool_join(user=request.user)
                messages.success(request, _("You joined the responder pool. Check what you "
                                            "share below."))  # fmt: skip
                return redirect("certificates:pool")
            if member is None:
                raise Http404
            if action in ("pause", "resume", "leave"):
                status = {"pause": PoolMember.Status.PAUSED, "resume": PoolMember.Status.ACTIVE,
                          "leave": PoolMember.Status.LEFT}[action]  # fmt: skip
                services.pool_set_status(member=member, status=status)
                messages.success(request, {
                    "pause": _("Paused: coordinators will not count on you until you resume."),
                    "resume": _("Welcome back: you are available again."),
                    "leave": ngettext(
                        "You left the pool: coordinators no longer see you. Your details stay "
                        "here, unseen, for %(days)s day in case you rejoin, then they are "
                        "deleted.",
                        "You left the pool: coordinators no longer see you. Your details stay "
                        "here, unseen, for %(days)s days in case you rejoin, then they are "
                        "deleted.",
                        settings.ACOMPANA_POOL_LEFT_DAYS,
                    ) % {"days": settings.ACOMPANA_POOL_LEFT_DAYS},
                }[action])  # fmt: skip
                return redirect("certificates:pool")
            if action == "resend":
                _send_pool_email(request, member, pool_email.send_confirmation)
                return redirect("certificates:pool")
        except services.CertificationError as error:
            _error(request, error)
            return redirect("certificates:pool")
        form = PoolMemberForm(request.POST, instance=member)
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            if "contact_email" in form.changed_data:
                _send_pool_email(request, member, pool_email.email_changed)
            return redirect("certificates:pool")
    else:
        form = PoolMemberForm(instance=member) if member else None
    return render(request, "certificates/pool_settings.html",
                  {"member": member, "form": form, "eligible": eligible,
                   "left_days": settings.ACOMPANA_POOL_LEFT_DAYS})  # fmt: skip


def _send_pool_email(request, member, send):
    try:
        send(member, request=request)
    except pool_email.NotSent:  # too many this hour, or the mail server: the change is saved
        messages.error(request, _("The confirmation email was not sent: send the link again "
                                  "later."))  # fmt: skip
        return
    if member.contact_email_pending:
        messages.info(request, _("We sent a link to %(address)s: open it to confirm the "
                                 "address.") % {"address": member.contact_email})  # fmt: skip


@login_required
def pool_email_confirm(request, token):
    """The link sent to a pool email: opened signed in as the person who gave it."""
    result = pool_email.confirm(token, user=request.user, request=request)
    if result == "other_account":
        messages.error(request, _("This link is for another account: sign out, then open it "
                                  "again and sign in with the account that gave the "
                                  "address."))  # fmt: skip
    elif result == "invalid":
        messages.error(request, _("This link has expired or no longer matches your email for "
                                  "the pool. Send a new one from this page."))  # fmt: skip
    else:
        messages.success(request, _("Your email for the pool is confirmed."))
    return redirect("certificates:pool")


# --- Verification (public) ----------------------------------------------------------------------
def _too_many(request) -> bool:
    address = ratelimit.client_address(request)
    return ratelimit.over("verify", address, settings.ACOMPANA_VERIFY_RATE)


@never_cache
def verify(request, code):
    if _too_many(request):
        response = render(request, "429.html", status=429)
        response["Retry-After"] = "60"
        return response
    code = code.strip().upper()
    # Anything but 26 base32 characters is no code (and never reaches the database).
    certificate = (
        Certificate.objects.select_related("track")
        .prefetch_related("track__texts")
        .filter(code=code)
        .first()
        if re.fullmatch(CertificateCode.regex, code)
        else None
    )
    if certificate is None:
        response = render(request, "certificates/verify_not_found.html", status=404)
    else:
        # Withdrawn with its holder's account: no longer valid, and it names nobody.
        state = "withdrawn" if certificate.withdrawn else certificate.state()
        # The track's title as the certificate prints it, in the certificate's language; and in
        # the visitor's, when that is another title.
        with translation.override(certificate.language):
            track_title = certificate.track.local_title
        local_title = certificate.track.local_title
        context = {"certificate": certificate, "state": state, "track_title": track_title,
                   "local_title": local_title if local_title != track_title else ""}  # fmt: skip
        response = render(request, "certificates/verify.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- Coordinators -------------------------------------------------------------------------------
@role_required(Role.COORDINATOR)
def track_people(request, slug):
    track = get_object_or_404(Track, slug=slug)
    shown = request.GET.get("show", "all")
    page, rows, requirements = selectors.track_people(
        track=track, shown=shown, page_number=request.GET.get("page")
    )
    return render(request, "certificates/coordinator/track.html", {
        "track": track, "page": page, "rows": rows, "shown": shown, "today": timezone.localdate(),
        "requirements": requirements,
    })  # fmt: skip


def _person(track, user_id):
    # A coordinator sees people on the track, never just anyone by id.
    user = get_object_or_404(User, pk=user_id)
    if not selectors.on_track(user=user, track=track):
        raise Http404
    return user


def _person_page(request, track, person, *, status=200, **forms):
    """A person's certification on a track; `forms` are bound forms that came back with errors
    (shown with what was typed)."""
    data = selectors.person_history(user=person, track=track)
    requirements = [c.requirement for c in data["result"].checks if not c.met]
    _pool_after_revoking(person, data["certificates"])
    context = {
        "track": track, "person": person, **data,
        # A coordinator on their own page reads it; the actions are another coordinator's.
        "own": person.pk == request.user.pk,
        "exception_form": ExceptionForm(requirements=requirements),
        "reason_form": ReasonForm(), "blank_reason_form": ReasonForm(),
        "decision_form": DecisionForm(), "revoking": None,
    }  # fmt: skip
    context.update(forms)
    return render(request, "certificates/coordinator/person.html", context, status=status)


@role_required(Role.COORDINATOR)
def track_person(request, slug, user_id):
    track = get_object_or_404(Track, slug=slug)
    return _person_page(request, track, _person(track, user_id))


def _pool_after_revoking(person, certificates) -> None:
    """Give each certificate that may be revoked `pool_after_revoking`: "leaves" (revoking it takes
    the person out of the responder pool), "stays" (another valid certificate keeps them in it)
    or "" (they are not in the pool), as the revocation itself will decide."""
    valid = [c for c in certificates if c.revoked_at is None]
    leaves = selectors.pool_after_revoking(user=person, certificates=valid)
    for certificate in valid:
        outcome = leaves.get(certificate.pk)
        certificate.pool_after_revoking = {True: "leaves", False: "stays"}.get(outcome, "")


def _back(track, person):
    return HttpResponseRedirect(reverse("certificates:track_person", args=[track.slug, person.pk]))


def _own_refused(request, track, person):
    """A coordinator's action on their own certification: refused with a message (the services
    refuse it too, for any other caller)."""
    if person.pk != request.user.pk:
        return None
    _error(request, services.CertificationError.because("self"))
    if request.POST.get("next") == "queue":
        return redirect("certificates:queue")
    return _back(track, person)


@role_required(Role.COORDINATOR)
@require_POST
def grant_exception(request, slug, user_id):
    track = get_object_or_404(Track, slug=slug)
    person = _person(track, user_id)
    if refused := _own_refused(request, track, person):
        return refused
    # Only a requirement of the person's current path that is not met yet.
    result = eligibility.compute(person, track)
    requirements = [check.requirement for check in result.checks if not check.met]
    form = ExceptionForm(request.POST, requirements=requirements)
    if not form.is_valid():
        return _person_page(request, track, person, status=400, exception_form=form)
    requirement = next(r for r in requirements if r.pk == form.cleaned_data["requirement"])
    try:
        services.exception_grant(
            user=person,
            requirement=requirement,
            reason=form.cleaned_data["reason"],
            by=request.user,
            request=request,
        )
    except services.CertificationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Exception recorded."))
    return _back(track, person)


@role_required(Role.COORDINATOR)
@require_POST
def withdraw_exception(request, slug, user_id, exception_id):
    track = get_object_or_404(Track, slug=slug)
    person = _person(track, user_id)
    if refused := _own_refused(request, track, person):
        return refused
    exception = get_object_or_404(RequirementException, pk=exception_id, user=person,
                                  requirement__track=track)  # fmt: skip
    try:
        services.exception_withdraw(exception=exception, by=request.user, request=request)
    except services.CertificationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Exception withdrawn."))
    return _back(track, person)


@role_required(Role.COORDINATOR)
@require_POST
def decide(request, slug, user_id, request_id):
    track = get_object_or_404(Track, slug=slug)
    person = _person(track, user_id)
    if refused := _own_refused(request, track, person):
        return refused
    certification_request = get_object_or_404(CertificationRequest, pk=request_id, user=person,
                                              track=track)  # fmt: skip
    form = DecisionForm(request.POST)
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        form.add_error(None, _("Choose to approve or to decline."))
    if not form.is_valid():
        return _person_page(request, track, person, status=400, decision_form=form)
    approve = decision == "approve"
    try:
        services.request_decide(certification_request=certification_request, by=request.user,
                                approve=approve, note=form.cleaned_data["note"],
                                request=request)  # fmt: skip
    except services.CertificationError as error:
        _error(request, error)
    else:
        messages.success(request, _("Certified.") if approve else _("Declined."))
    if request.POST.get("next") == "queue":
        return redirect("certificates:queue")
    return _back(track, person)


@role_required(Role.COORDINATOR)
@require_POST
def revoke(request, slug, user_id, code):
    track = get_object_or_404(Track, slug=slug)
    person = _person(track, user_id)
    if refused := _own_refused(request, track, person):
        return refused
    certificate = get_object_or_404(Certificate, code=code, user=person, track=track)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _person_page(request, track, person, status=400, reason_form=form,
                            revoking=certificate.pk)  # fmt: skip
    if request.POST.get("confirm") != "yes" and certificate.revoked_at is None:
        # A second step, without JavaScript: what will happen, to whom, before it happens —
        # whether they leave the pool decided as the revocation will decide it.
        _pool_after_revoking(person, [certificate])
        return render(request, "certificates/coordinator/revoke_confirm.html", {
            "track": track, "person": person, "certificate": certificate,
            "reason": form.cleaned_data["reason"],
        })  # fmt: skip
    in_pool = PoolMember.objects.filter(user=person, status__in=selectors.IN_POOL)
    was_in_pool = in_pool.exists()
    try:
        services.certificate_revoke(
            certificate=certificate, by=request.user, reason=form.cleaned_data["reason"],
            request=request,
        )  # fmt: skip
    except services.CertificationError as error:
        _error(request, error)
    else:
        # Says what happened: another valid certificate may have kept them in the pool.
        if was_in_pool and not in_pool.exists():
            messages.success(request, _("Certificate revoked; the person left the responder pool."))
        else:
            messages.success(request, _("Certificate revoked."))
    return _back(track, person)


@role_required(Role.COORDINATOR)
def person_pdf(request, slug, user_id, code):
    track = get_object_or_404(Track, slug=slug)
    person = _person(track, user_id)
    certificate = get_object_or_404(Certificate, code=code, user=person, track=track)
    response = _pdf_response(certificate)  # not found unless there is a PDF to download
    services.certificate_pdf_downloaded(certificate=certificate, by=request.user, request=request)
    return response


@role_required(Role.COORDINATOR)
def queue(request):
    page, rows = selectors.requests_waiting(page_number=request.GET.get("page"))
    return render(request, "certificates/coordinator/queue.html",
                  {"page": page, "rows": rows, "decision_form": DecisionForm()})  # fmt: skip


@role_required(Role.COORDINATOR)
def coordinator_desk(request):
    """The coordinator's desk: tracks, the approval queue and the pool."""
    context = {**dashboard_for(request.user), **selectors.desk_context()}
    return render(request, "certificates/coordinator/desk.html", context)
