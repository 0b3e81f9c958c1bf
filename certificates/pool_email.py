"""The pool's own email is shared only once its owner confirmed it.

A volunteer may give the pool an address other than the one they sign in with. Until they open
the link sent to it while signed in as themselves, coordinators, exports and the API get no
email for them at all (not the sign-in email instead): a mistyped address, or someone else's,
is never given out. The link is signed (TimestampSigner, CONFIRM_DAYS) and bound to the person
and the address, so changing the address makes earlier links useless. An address that is
another account's sign-in email is not refused (that would tell who has an account here): it
cannot be confirmed without signing in as the volunteer, which is the check that matters.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from training import audit, ratelimit

from .models import PoolMember

logger = logging.getLogger(__name__)
CONFIRM_DAYS = 7
SALT = "acompana.pool.email"
# Confirmation emails a person may have sent in an hour (a change of address counts too): the
# address may be someone else's, who should not be flooded.
SENDS_PER_HOUR = 3
# A discreet subject (lock screens; the address may not even be the volunteer's).
SUBJECT = _("Confirm an email address")


class NotSent(Exception):
    """Too many confirmation emails this hour, or the mail server failed (logged)."""


def token_for(member: PoolMember) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object(
        {"user": member.user_id, "email": member.contact_email}
    )


def email_changed(member: PoolMember, *, request=None) -> None:
    """After the pool email was set or changed (already saved): unconfirmed, and a link sent to
    the new address. Raises NotSent when the hourly allowance is used up (nothing shared
    meanwhile; the person may resend later)."""
    PoolMember.objects.filter(pk=member.pk).update(contact_email_confirmed_at=None)
    member.contact_email_confirmed_at = None
    if member.contact_email:
        send_confirmation(member, request=request)


def send_confirmation(member: PoolMember, *, request=None) -> None:
    if not member.contact_email_pending:
        return
    if ratelimit.over("pool-email", member.user_id, SENDS_PER_HOUR, window=3600):
        raise NotSent
    user = member.user
    link = settings.ACOMPANA_PLATFORM_ORIGIN + reverse(
        "certificates:pool_email_confirm", args=[token_for(member)]
    )
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        body = render_to_string("certificates/email/pool_email_confirm.txt", {
            "link": link, "days": CONFIRM_DAYS, "organisation": settings.ACOMPANA_ORGANISATION,
            "site": settings.ACOMPANA_PLATFORM_ORIGIN,
        })  # fmt: skip
        subject = str(SUBJECT)
    try:
        EmailMessage(subject, body, None, [member.contact_email]).send()
    except Exception as error:  # the address is saved, unconfirmed: the person may resend
        logger.exception("pool member %s: the confirmation email was not sent", member.pk)
        raise NotSent from error


def confirm(token: str, *, user, request=None) -> str:
    """Confirm the pool email a link names. Returns "confirmed", "already", "other_account"
    (signed in as someone else) or "invalid" (expired, tampered, or an address since
    changed)."""
    try:
        value = signing.TimestampSigner(salt=SALT).unsign_object(
            token, max_age=timedelta(days=CONFIRM_DAYS)
        )
    except (signing.BadSignature, ValueError):
        return "invalid"
    if value.get("user") != user.pk:
        return "other_account"
    member = PoolMember.objects.filter(user=user).first()
    if member is None or not member.contact_email or member.contact_email != value.get("email"):
        return "invalid"
    if member.contact_email_confirmed_at is not None:
        return "already"
    updated = PoolMember.objects.filter(
        pk=member.pk, contact_email=value["email"], contact_email_confirmed_at__isnull=True
    ).update(contact_email_confirmed_at=timezone.now())
    if updated:
        audit.record(action="pool.email_confirmed", actor=user, subject=user, request=request)
    return "confirmed"
