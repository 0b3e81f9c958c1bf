"""A trainer's invitations to a cohort (bulk enrolment): the link, the email, the answer.

Consent first: an invitation changes nothing until the owner of the address accepts it, signed
in as the account with that address (signing up first if they have none: no account is ever made
for them). Declining records the answer and nothing else. The trainer learns only the answer,
never whether the address had an account: every row of an upload becomes the same invitation and
the same email; only its language differs (the person's own where we know it, else the
cohort's), and the trainer never sees the email.
"""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Lower
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from training import outbox
from training.models import User

from . import selectors, services
from .inputs import whole_number
from .models import (
    Application,
    Cohort,
    CohortInvitation,
    InvitationCode,
    InvitationSend,
    Membership,
)
from .tasks import send_cohort_invitations

SUBJECT = gettext_lazy("Your invitation to %(organisation)s")
# A trainer may send an invitation again, but not flood someone's mailbox with it.
RESEND_AFTER = timedelta(hours=1)


def _signer() -> signing.Signer:
    return signing.Signer(salt="cohorts.invitation", sep=".")


def invitation_token(invitation: CohortInvitation) -> str:
    """The secret in the link: the invitation's key, signed (the key alone, read from a copy of
    the database, is not enough to answer it)."""
    return _signer().sign(invitation.key)


def invitation_url(invitation: CohortInvitation) -> str:
    return settings.ACOMPANA_PLATFORM_ORIGIN + reverse(
        "cohorts:invitation", args=[invitation_token(invitation)]
    )


def invitation_from_token(token: str) -> CohortInvitation | None:
    """The invitation a link names, whatever its state; None for a link that is not ours."""
    try:
        key = _signer().unsign(token)
    except signing.BadSignature:
        return None
    return CohortInvitation.objects.select_related("cohort").filter(key=key).first()


def expiry(now=None):
    return (now or timezone.now()) + timedelta(days=settings.ACOMPANA_COHORT_INVITATION_DAYS)


def belongs_to(invitation: CohortInvitation, user) -> bool:
    """The link works only for the account whose address it was sent to."""
    return user.is_authenticated and (user.email or "").strip().lower() == invitation.email


class InvitationError(services.CohortError):
    """The invitation cannot be answered or changed; the message says why, translated."""

    code = "invitation"


# --- The daily allowance ------------------------------------------------------------------------
ALLOWANCE_WINDOW = timedelta(hours=24)


def invitations_left_today(user, now=None) -> int:
    """How many more invitation emails this trainer may send now (in a rolling 24 hours)."""
    since = (now or timezone.now()) - ALLOWANCE_WINDOW
    sends = InvitationSend.objects.filter(sent_by=user, at__gt=since)
    used = sends.aggregate(total=Sum("count"))["total"] or 0
    return max(0, settings.ACOMPANA_COHORT_INVITATIONS_PER_DAY - used)


def allowance_message(wanted: int, left: int) -> str:
    limit = settings.ACOMPANA_COHORT_INVITATIONS_PER_DAY
    if not left:
        return _("You have sent the %(limit)s invitations a trainer may send in 24 hours. "
                 "Please try again tomorrow.") % {"limit": limit}  # fmt: skip
    return ngettext(
        "This would send %(wanted)s invitation, but you can send only %(left)s more today "
        "(at most %(limit)s in 24 hours). Nothing was sent: send fewer, or the rest tomorrow.",
        "This would send %(wanted)s invitations, but you can send only %(left)s more today "
        "(at most %(limit)s in 24 hours). Nothing was sent: send fewer, or the rest tomorrow.",
        wanted,
    ) % {"wanted": wanted, "left": left, "limit": limit}


def _spend(*, by, cohort: Cohort, count: int) -> None:
    """Count `count` invitation emails against the trainer's allowance, or refuse them all
    (InvitationError). The caller's transaction holds the trainer's row locked meanwhile, so two
    uploads at once cannot both take the last of it."""
    if not count:
        return
    User.objects.select_for_update().filter(pk=by.pk).first()
    left = invitations_left_today(by)
    if count > left:
        raise InvitationError(allowance_message(count, left))
    InvitationSend.objects.create(sent_by=by, cohort=cohort, count=count)


# --- Trainers -----------------------------------------------------------------------------------
def invitations_create(*, cohort: Cohort, people: list[tuple[str, str]], by) -> dict[str, int]:
    """Invite each (email, display name) not already waiting for an answer; returns the new
    invitations' ids by email. Emails go out once the transaction commits."""
    now = timezone.now()
    with transaction.atomic():
        services._locked(cohort)  # two uploads at once: one waits, then skips what is pending
        # Pending past their date no longer block a new invitation.
        CohortInvitation.objects.filter(
            cohort=cohort, status=CohortInvitation.Status.PENDING, expires_at__lte=now
        ).update(status=CohortInvitation.Status.EXPIRED)
        pending = set(
            CohortInvitation.objects.filter(
                cohort=cohort, status=CohortInvitation.Status.PENDING
            ).values_list("email", flat=True)
        )
        new = [
            CohortInvitation(cohort=cohort, email=email.strip().lower(), display_name=name[:100],
                             invited_by=by, created_at=now, expires_at=expiry(now))
            for email, name in people
            if email.strip().lower() not in pending
        ]  # fmt: skip
        for invitation in new:  # the preview checked each address; this keeps the invariant
            invitation.full_clean(exclude=["cohort", "invited_by"], validate_unique=False,
                                  validate_constraints=False)  # fmt: skip
        # All or nothing: a list beyond the trainer's daily allowance sends none of it.
        _spend(by=by, cohort=cohort, count=len(new))
        CohortInvitation.objects.bulk_create(new)
        created = dict(
            CohortInvitation.objects.filter(
                cohort=cohort, status=CohortInvitation.Status.PENDING,
                email__in=[i.email for i in new],
            ).values_list("email", "pk")
        )  # fmt: skip
        _send_on_commit(list(created.values()))
    return created


def _send_on_commit(ids: list[int]) -> None:
    if ids:
        outbox.queue(send_cohort_invitations, ids)


def _trainer_locked(cohort: Cohort, pk) -> CohortInvitation:
    invitation = (
        CohortInvitation.objects.select_for_update()
        .filter(cohort=cohort, pk=whole_number(pk))
        .first()
    )
    if invitation is None:
        raise InvitationError(_("This invitation no longer exists."))
    return invitation


@transaction.atomic
def invitation_resend(*, cohort: Cohort, pk, by) -> CohortInvitation:
    """Send a waiting (or expired) invitation again, with a new link and a new date: the older
    link stops working."""
    invitation = _trainer_locked(cohort, pk)
    now = timezone.now()
    waiting = (CohortInvitation.Status.PENDING, CohortInvitation.Status.EXPIRED)
    if invitation.status not in waiting:
        raise InvitationError(_("This invitation has been answered or cancelled."))
    if invitation.sent_at and invitation.sent_at > now - RESEND_AFTER:
        raise InvitationError(
            _("This invitation was sent less than an hour ago. Please try again later.")
        )
    if (
        invitation.status == CohortInvitation.Status.EXPIRED
        and CohortInvitation.objects.filter(
            cohort=cohort, email=invitation.email, status=CohortInvitation.Status.PENDING
        ).exists()
    ):
        raise InvitationError(_("A newer invitation to this address is waiting for an answer."))
    _spend(by=by, cohort=cohort, count=1)
    invitation.status = CohortInvitation.Status.PENDING
    invitation.key = CohortInvitation._meta.get_field("key").default()
    invitation.expires_at = expiry(now)
    invitation.emailed = False
    invitation.invited_by = by
    invitation.save()
    _send_on_commit([invitation.pk])
    return invitation


@transaction.atomic
def invitation_cancel(*, cohort: Cohort, pk) -> CohortInvitation:
    """A waiting invitation stops working; nothing is sent."""
    invitation = _trainer_locked(cohort, pk)
    if invitation.status not in (CohortInvitation.Status.PENDING,
                                 CohortInvitation.Status.EXPIRED):  # fmt: skip
        raise InvitationError(_("This invitation has been answered or cancelled."))
    invitation.status = CohortInvitation.Status.CANCELLED
    invitation.answered_at = timezone.now()
    invitation.answered_by = None
    invitation.save(update_fields=["status", "answered_at", "answered_by"])
    return invitation


# --- The invited person -------------------------------------------------------------------------
def _answerable(invitation: CohortInvitation, user) -> CohortInvitation:
    """The invitation, locked, if it may be answered now by `user` (None: by whoever holds the
    link, which only declining allows)."""
    locked = CohortInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.is_open():
        raise InvitationError(_("This invitation no longer works. Ask the trainers for a new one "
                                "if you wish to join."))  # fmt: skip
    if user is not None and not belongs_to(locked, user):
        raise InvitationError(_("This invitation was sent to another email address."))
    return locked


ENDED = (Cohort.Status.FINISHED, Cohort.Status.ARCHIVED)


def invitation_accept(*, invitation: CohortInvitation, user) -> Membership | Application:
    """Join the cohort, or its waitlist when it is full (the result says which)."""
    with transaction.atomic():
        invitation = _answerable(invitation, user)
        cohort = services._locked(invitation.cohort)
        if cohort.status in ENDED:
            raise InvitationError(_("This cohort has ended: it takes nobody new."))
        # One email per person: the invitation said a full cohort means its waitlist, and the
        # page they accept on says where they are; no second email about it.
        result = services._join(cohort, user, Membership.Source.INVITED, tell=False)
        invitation.status = CohortInvitation.Status.ACCEPTED
        invitation.result = (
            CohortInvitation.Result.MEMBER
            if isinstance(result, Membership)
            else CohortInvitation.Result.WAITLISTED
        )
        invitation.answered_at = timezone.now()
        invitation.answered_by = user
        invitation.save(update_fields=["status", "result", "answered_at", "answered_by"])
    return result


@transaction.atomic
def invitation_decline(*, invitation: CohortInvitation, user=None) -> CohortInvitation:
    """Record the answer, and nothing else. Whoever holds the link may decline (a person without
    an account need not make one to say no); a signed-in person only their own invitation."""
    if user is not None and not user.is_authenticated:
        user = None
    invitation = _answerable(invitation, user)
    invitation.status = CohortInvitation.Status.DECLINED
    invitation.answered_at = timezone.now()
    invitation.answered_by = user
    invitation.save(update_fields=["status", "answered_at", "answered_by"])
    return invitation


def addressed_to(user) -> Q:
    """Invitations that are the person's: answered by them, or sent to any address they have
    (the account's, and every address allauth knows for them, confirmed or not)."""
    addresses = {(user.email or "").strip().lower()}
    known = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    addresses |= {address.strip().lower() for address in known}
    addresses.discard("")
    return Q(answered_by=user) | Q(email__in=addresses) if addresses else Q(answered_by=user)


def invitations_forget(*, user) -> int:
    """The account was deleted: the invitations sent to its addresses (and any it answered) go,
    with the address and the name the trainer typed; a note on an invitation code of one of
    their cohorts that names them is emptied. Run before the account's addresses are removed
    (the declaration's `order`). Returns how many invitations were deleted."""
    deleted, _by_model = CohortInvitation.objects.filter(addressed_to(user)).delete()
    names = {str(user.display_name), user.legal_name, (user.email or "").split("@")[0]}
    names = {name.strip() for name in names if len(name.strip()) > 2}
    cohorts = Q(cohort__memberships__user=user) | Q(cohort__applications__user=user)
    codes = InvitationCode.objects.filter(cohorts).exclude(note="").distinct()
    for code in codes:
        if any(name.lower() in code.note.lower() for name in names):
            InvitationCode.objects.filter(pk=code.pk).update(note="")
    return deleted


# --- Background ---------------------------------------------------------------------------------
def places_state(cohort: Cohort) -> str:
    """What accepting would give now: "open" (no limit, or places for all), "full" (the waitlist:
    no place left, or people already waiting for one), or "limited" (places left, first come)."""
    left = selectors.places_left(cohort)
    if left is None:
        return "open"
    waiting = Application.objects.filter(
        cohort=cohort, status=Application.Status.WAITLISTED
    ).exists()
    return "full" if left == 0 or waiting else "limited"  # fmt: skip


def _message(invitation: CohortInvitation, account, places: str = "open") -> EmailMessage:
    """In the person's language where they have an account, else the cohort's; the same words
    either way (the email never says whether the address has an account). `places`: what
    accepting gives (places_state), said plainly: nobody is promised a place they won't get."""
    cohort = invitation.cohort
    language = (account.preferred_language if account else "") or cohort.working_language
    zone = (account.time_zone if account else "") or cohort.time_zone
    with translation.override(language), timezone.override(zone):
        context = {
            "invitation": invitation, "cohort": cohort, "trainer": invitation.invited_by,
            "link": invitation_url(invitation), "organisation": settings.ACOMPANA_ORGANISATION,
            "site": settings.ACOMPANA_PLATFORM_ORIGIN, "places": places,
        }  # fmt: skip
        subject = str(SUBJECT) % {"organisation": settings.ACOMPANA_ORGANISATION}
        body = render_to_string("cohorts/email/cohort_invitation.txt", context)
    return EmailMessage(subject, body, None, [invitation.email])


def invitations_send(ids: list[int]) -> int:
    """Email each waiting invitation whose current link was not sent yet; safe to run twice
    (a sent invitation is marked in the same transaction, and a failed send rolls it back)."""
    invitations = list(
        CohortInvitation.objects.filter(
            pk__in=ids, status=CohortInvitation.Status.PENDING, emailed=False
        ).select_related("cohort", "invited_by")
    )
    if not invitations:
        return 0
    accounts = {
        user.address: user
        for user in User.objects.annotate(address=Lower("email")).filter(
            address__in=[i.email for i in invitations]
        )
    }
    places = {}
    sent = 0
    with get_connection() as connection:
        for invitation in invitations:
            with transaction.atomic():
                locked = (
                    CohortInvitation.objects.select_for_update()
                    .filter(pk=invitation.pk, key=invitation.key, emailed=False,
                            status=CohortInvitation.Status.PENDING)
                    .first()
                )  # fmt: skip
                if locked is None or not locked.is_open():
                    continue
                if invitation.cohort_id not in places:
                    places[invitation.cohort_id] = places_state(invitation.cohort)
                message = _message(invitation, accounts.get(invitation.email),
                                   places[invitation.cohort_id])  # fmt: skip
                locked.emailed = True
                locked.sent_at = timezone.now()
                locked.save(update_fields=["emailed", "sent_at"])
                connection.send_messages([message])
            sent += 1
    return sent


def invitations_expire(now=None) -> tuple[int, int]:
    """Pending invitations past their date become expired; the record of any invitation no
    longer waiting is deleted ACOMPANA_COHORT_INVITATION_KEEP_DAYS after it ended. Returns
    (expired, deleted)."""
    now = now or timezone.now()
    expired = CohortInvitation.objects.filter(
        status=CohortInvitation.Status.PENDING, expires_at__lte=now
    ).update(status=CohortInvitation.Status.EXPIRED)
    cutoff = now - timedelta(days=settings.ACOMPANA_COHORT_INVITATION_KEEP_DAYS)
    deleted, _by_model = CohortInvitation.objects.filter(
        Q(status=CohortInvitation.Status.EXPIRED, expires_at__lt=cutoff)
        | (Q(answered_at__lt=cutoff) & ~Q(status=CohortInvitation.Status.PENDING))
    ).delete()
    # The allowance looks back 24 hours: older counts serve nothing.
    InvitationSend.objects.filter(at__lt=now - 2 * ALLOWANCE_WINDOW).delete()
    return expired, deleted
