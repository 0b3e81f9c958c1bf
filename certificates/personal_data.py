"""What certification keeps about people (training/privacy.py): agreements signed, the path to a
certificate, certificates and their PDFs, the responder pool, and what coordinators do. Other
people appear in an export by display name at most. Which exports of the pool included a person
comes from the audit log (training's declaration), not from here."""

from django.utils.translation import gettext_lazy as _

from training.privacy import (
    Declaration,
    Erase,
    Retention,
    declare,
    iso,
    language_name,
    not_personal,
    shown_name,
)

from .models import (
    AgreementSignature,
    ApiToken,
    Certificate,
    CertificationEvent,
    CertificationRequest,
    EligibilitySnapshot,
    PoolExport,
    PoolMember,
    RequirementException,
)
from .services import (
    certificates_withdraw,
    events_forget_notes,
    exceptions_forget_reasons,
    pool_leave,
)


# --- Exports ------------------------------------------------------------------------------------
def _signatures(person) -> list[dict]:
    return [
        {"agreement": s.version.agreement.local_title, "version": s.version.number,
         "language": s.language, "signed_at": iso(s.signed_at)}
        for s in AgreementSignature.objects.filter(user=person)
        .select_related("version__agreement")
        .prefetch_related("version__agreement__texts")
    ]  # fmt: skip


def _exceptions(person) -> list[dict]:
    return [
        {"track": e.requirement.track.local_title, "requirement": e.requirement.label,
         "reason": e.reason, "granted_by": shown_name(e.granted_by),
         "granted_at": iso(e.granted_at),
         "used_for_a_certificate": e.certificate_id is not None,
         "withdrawn_at": iso(e.withdrawn_at)}
        for e in RequirementException.objects.filter(user=person)
        .select_related("requirement__track", "requirement__course", "requirement__skill",
                        "requirement__agreement", "granted_by")
        .prefetch_related("requirement__track__texts", "requirement__agreement__texts")
    ]  # fmt: skip


def _certificate_rows(person):
    return (
        Certificate.objects.filter(user=person)
        .select_related("track", "approved_by", "revoked_by")
        .prefetch_related("track__texts")
        .order_by("issued_at", "pk")
    )


def _certificates(person) -> list[dict]:
    rows = []
    for c in _certificate_rows(person):
        withdrawn = c.withdrawn
        rows.append({
            "code": c.code, "track": c.track.local_title, "issued_by": c.track.issuer,
            "period": c.period, "name_on_certificate": c.name_on_certificate,
            "name_choice": str(c.get_name_choice_display()), "language": c.language,
            "issued_at": iso(c.issued_at), "valid_from": iso(c.valid_from),
            "expires_on": iso(c.expires_on),
            "state": str(_("No longer valid")) if withdrawn else c.state_label,
            "approved_by": shown_name(c.approved_by), "revoked_at": iso(c.revoked_at),
            "revoked_by": shown_name(c.revoked_by),
            "revocation_reason": "" if withdrawn else c.revoked_reason,
            "pdf": f"certificates/{c.code}.pdf" if c.pdf else None,
        })  # fmt: skip
    return rows


def _certificate_files(person):
    """Each certificate's PDF, named by its verification code in the archive."""
    for certificate in _certificate_rows(person).exclude(pdf=""):
        yield f"certificates/{certificate.code}.pdf", certificate.pdf


def _requests(person) -> list[dict]:
    return [
        {"track": r.track.local_title, "period": r.period, "status": str(r.get_status_display()),
         "created_at": iso(r.created_at), "decided_at": iso(r.decided_at),
         "decided_by": shown_name(r.decided_by), "note": r.note}
        for r in CertificationRequest.objects.filter(user=person)
        .select_related("track", "decided_by")
        .prefetch_related("track__texts")
    ]  # fmt: skip


def _snapshots(person) -> list[dict]:
    return [
        {"track": s.track.local_title, "requirements_met": s.met, "requirements": s.total,
         "eligible": s.eligible, "updated_at": iso(s.updated_at)}
        for s in EligibilitySnapshot.objects.filter(user=person)
        .select_related("track")
        .prefetch_related("track__texts")
    ]  # fmt: skip


def _events(person) -> list[dict]:
    return [
        {"track": e.track.local_title, "what": str(e.get_kind_display()), "kind": e.kind,
         "at": iso(e.created_at), "by": shown_name(e.actor), "note": e.note,
         "certificate": e.certificate.code if e.certificate else None}
        for e in CertificationEvent.objects.filter(user=person)
        .select_related("track", "actor", "certificate")
        .prefetch_related("track__texts")
        .order_by("created_at", "pk")
    ]  # fmt: skip


def _pool(person) -> list[dict]:
    return [
        {"status": str(m.get_status_display()), "joined_at": iso(m.joined_at),
         "left_at": iso(m.left_at), "languages": m.languages, "region": m.region,
         "time_zone": m.time_zone, "focus_areas": m.focus_areas, "channels": m.channels,
         "hours_per_week": m.hours_per_week, "contact_email": m.contact_email,
         "contact_phone": m.contact_phone, "contact_other": m.contact_other,
         "shared_with_coordinators": {
             "languages": m.share_languages, "region": m.share_region,
             "time_zone": m.share_time_zone, "focus_areas": m.share_focus_areas,
             "channels": m.share_channels, "availability": m.share_availability,
             "email": m.share_email, "phone": m.share_phone, "other_contact": m.share_other,
         }}
        for m in PoolMember.objects.filter(user=person)
    ]  # fmt: skip


def _pool_exports(person) -> list[dict]:
    """A coordinator's own exports of the pool: when and how many people (not who)."""
    return [
        {"created_at": iso(e.created_at), "status": str(e.get_status_display()),
         "people": e.total, "filters": e.filters, "link_expires_at": iso(e.expires_at)}
        for e in PoolExport.objects.filter(requested_by=person).order_by("created_at", "pk")
    ]  # fmt: skip


def _tokens(person) -> list[dict]:
    return [
        {"name": t.name, "starts_with": t.prefix, "created_at": iso(t.created_at),
         "last_used_at": iso(t.last_used_at), "revoked_at": iso(t.revoked_at)}
        for t in ApiToken.objects.filter(user=person)
    ]  # fmt: skip


# --- Erase and suspend --------------------------------------------------------------------------
def _withdraw_certificates(person) -> int:
    return certificates_withdraw(user=person)


def _forget_notes(person) -> int:
    return events_forget_notes(user=person)


def _forget_exception_reasons(person) -> int:
    return exceptions_forget_reasons(user=person)


def _leave_pool(person) -> dict:
    return {"pool": pool_leave(user=person)}


def _pool_choices(name: str):
    """Shows a pool profile's code (a focus area, a channel, a level) by its translated name."""

    def show(code):
        return dict(getattr(PoolMember, name)).get(code, code)

    return show


# --- Declarations -------------------------------------------------------------------------------
KEPT_HISTORY = _(
    "These records stay, without your name and without the notes written about you, so that "
    "coordinators' records and the numbers of certifications stay right."
)

declare(
    Declaration(
        model="certificates.AgreementSignature",
        category="certification",
        title=_("Agreements you signed"),
        labels={"agreement": _("Agreement"), "version": _("Version"), "signed_at": _("Signed")},
        holds=_(
            "The agreements you signed (such as the code of conduct), which version and "
            "language, and when."
        ),
        purpose=_("Certification asks for them, and they record what you agreed to."),
        seen_by=_("You, and coordinators through your certification checklist."),
        export=_signatures,
        erase=Erase.DELETE,
    ),
    Declaration(
        model="certificates.RequirementException",
        category="certification",
        title=_("Exceptions granted to you"),
        labels={
            "requirement": _("Requirement"),
            "reason": _("Reason"),
            "granted_by": _("Granted by"),
            "granted_at": _("Granted"),
            "used_for_a_certificate": _("Used for a certificate"),
            "withdrawn_at": _("Withdrawn"),
        },
        holds=_(
            "Exceptions a coordinator granted you for a requirement, with the reason they recorded."
        ),
        purpose=_(
            "So that a requirement can count as met when there is a good reason, and the "
            "reason is on record."
        ),
        seen_by=_("Coordinators."),
        actors=("granted_by",),
        export=_exceptions,
        erase=_forget_exception_reasons,
        kept_because=KEPT_HISTORY,
    ),
    Declaration(
        model="certificates.Certificate",
        category="certification",
        title=_("Your certificates"),
        labels={
            "code": _("Verification code"),
            "issued_by": _("Issued by"),
            "period": _("Period"),
            "name_on_certificate": _("Name on the certificate"),
            "name_choice": _("Which name"),
            "issued_at": _("Issued"),
            "valid_from": _("Valid from"),
            "expires_on": _("Expires"),
            "state": _("State"),
            "approved_by": _("Approved by"),
            "revoked_by": _("Revoked by"),
            "revocation_reason": _("Why it was revoked"),
            "pdf": _("PDF in this archive"),
        },
        holds=_(
            "Your certificates: the name printed on them (your display name or, if you "
            "chose it, your legal name), the certification, its dates, its verification "
            "code and its PDF."
        ),
        purpose=_("To certify you, and so that anyone you show it to can check it is valid."),
        seen_by=_(
            "You and coordinators; anyone with its code sees the name, certification and "
            "dates on its verification page."
        ),
        actors=("approved_by", "revoked_by"),
        names_person=("name_on_certificate",),
        export=_certificates,
        files=_certificate_files,
        erase=_withdraw_certificates,
        kept_because=_(
            "Your certificates stay as withdrawn, without your name and without their "
            "PDF, so that a printed copy no longer shows as valid on its verification page."
        ),
    ),
    Declaration(
        model="certificates.CertificationRequest",
        category="certification",
        title=_("Your requests for approval"),
        labels={"period": _("Period")},
        holds=_("Your requests for a coordinator's approval, their decision and note."),
        purpose=_("For certifications a coordinator approves one by one."),
        seen_by=_("Coordinators."),
        actors=("decided_by",),
        export=_requests,
        erase=Erase.DELETE,
    ),
    Declaration(
        model="certificates.EligibilitySnapshot",
        category="certification",
        title=_("Your progress towards certification"),
        labels={
            "requirements_met": _("Requirements met"),
            "requirements": _("Requirements"),
            "eligible": _("Eligible"),
        },
        holds=_("How many requirements of each certification you have met."),
        purpose=_("For coordinators' lists of who is working towards a certification."),
        seen_by=_("Coordinators."),
        export=_snapshots,
        erase=Erase.DELETE,
    ),
    Declaration(
        model="certificates.CertificationEvent",
        category="certification",
        title=_("Your certification history"),
        labels={"what": _("What happened"), "kind": None, "certificate": _("Certificate")},
        holds=_(
            "The history of your certification: what happened, when, who did it, and their notes."
        ),
        purpose=_("So that coordinators can follow and account for each certification."),
        seen_by=_("Coordinators."),
        actors=("actor",),
        export=_events,
        erase=_forget_notes,
        kept_because=KEPT_HISTORY,
    ),
    Declaration(
        model="certificates.PoolMember",
        category="certification",
        title=_("Your responder pool profile"),
        labels={
            "joined_at": _("Date joined"),
            "left_at": _("Left"),
            "languages": _("Languages"),
            "code": _("Language"),
            "level": _("Level"),
            "region": _("Region"),
            "focus_areas": _("Focus areas"),
            "channels": _("Channels"),
            "hours_per_week": _("Hours a week"),
            "contact_email": _("Email for the pool"),
            "contact_phone": _("Phone"),
            "contact_other": _("Other contact"),
            "shared_with_coordinators": _("Shared with coordinators"),
            "availability": _("Availability"),
            "email": _("Email"),
            "phone": _("Phone"),
            "other_contact": _("Other contact"),
        },
        shows={
            "code": language_name,
            "level": _pool_choices("LEVELS"),
            "focus_areas": _pool_choices("FOCUS_AREAS"),
            "channels": _pool_choices("CHANNELS"),
        },
        holds=_(
            "Your responder pool profile: languages, region, time zone, focus areas, "
            "channels, availability, contact details, and which of them you share."
        ),
        purpose=_(
            "So that coordinators can find volunteers to accompany people, seeing only "
            "what you chose to share."
        ),
        seen_by=_("Coordinators: only what you share."),
        retention=Retention(
            days_setting="ACOMPANA_POOL_LEFT_DAYS",
            after=_("after you leave the pool or are no longer certified"),
            task="certificates.tasks.pool_forget",
        ),
        names_person=("contact_email", "contact_phone", "contact_other"),
        export=_pool,
        erase=Erase.DELETE,
        # Asking for the deletion leaves the pool at once: coordinators no longer find you.
        suspend=_leave_pool,
    ),
    # What coordinators do.
    Declaration(
        model="certificates.PoolExport",
        category="staff",
        title=_("Spreadsheets of the pool you made"),
        labels={
            "people": _("People"),
            "filters": _("Filters"),
            "link_expires_at": _("Link expires"),
        },
        holds=_("The spreadsheets of the responder pool you asked for, with their filters."),
        purpose=_("To prepare the spreadsheet and give you a link to it."),
        seen_by=_("You."),
        retention=Retention(
            hours_setting="ACOMPANA_EXPORT_HOURS",
            text=_(
                "The spreadsheet is deleted when its link expires; the record that you made "
                "it stays as long as your account."
            ),
            task="certificates.tasks.exports_purge",
        ),
        person=("requested_by",),
        export=_pool_exports,
        erase=Erase.DELETE,  # its spreadsheet goes with it (certificates.signals)
    ),
    Declaration(
        model="certificates.ApiToken",
        category="staff",
        title=_("Your keys for the pool API"),
        labels={"starts_with": _("Starts with")},
        holds=_(
            "Your tokens for the responder pool API: their names and when they were "
            "used (only a fingerprint of each token is kept)."
        ),
        purpose=_("So that a tool you connect can read the pool, and you can revoke it."),
        seen_by=_("You."),
        export=_tokens,
        erase=Erase.DELETE,
    ),
)


# Text that looks personal to the completeness test but is not about a person.
not_personal(
    "certificates.AgreementVersion",
    "The text of an agreement everyone signs (who signed is on AgreementSignature).",
)
not_personal(
    "certificates.AgreementText",
    "An agreement's text in another language (who signed is on AgreementSignature).",
)
