"""Deleting an account: asked by the person (a grace period, cancelled by signing in) or by an
administrator (with a reason, performed at once); performed through the privacy registry.

The User row is kept as an anonymous "former member" tombstone, so counts and other people's
historical records stay right: every declaration's files are removed and its rows deleted or
anonymised (`privacy.declarations()` order), then the row itself is emptied of anything that
names or reaches the person. A tombstone cannot sign in, reset a password or receive email, and
the same address can open a new account.
"""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from . import audit, outbox, privacy
from .models import FORMER_MEMBER_LABEL, AccountDeletion, User
from .sessions import end_sessions

logger = logging.getLogger(__name__)

# Every anonymised account's address is under this reserved domain (RFC 2606): mail to it goes
# nowhere, and no person can own it.
DELETED_DOMAIN = "deleted.invalid"


def left_message(left: dict, *, cancelled: bool) -> str:
    """What asking did at once (AccountDeletion.left) and how to come back, as HTML sentences in
    the current language: the cohorts left (by title), the applications withdrawn, the pool
    (only if the person was in it), and that learning progress, sign-offs and certificates stay."""
    html = render_to_string(
        "training/includes/account_deletion_left.html", {"left": left, "cancelled": cancelled}
    )
    return mark_safe(html.strip())  # noqa: S308 - a template's output, escaped


def _suspend(person) -> dict:
    """Each declaration's `suspend` (leave the pool, the cohorts that are not over…): what they
    report doing, merged ({"cohorts": [...], "applications": [...], "pool": True})."""
    left: dict = {}
    for declaration in privacy.declarations():
        if declaration.suspend is None:
            continue
        done = declaration.suspend(person)
        for key, value in (done if isinstance(done, dict) else {}).items():
            if isinstance(value, list):
                left[key] = [*left.get(key, []), *value]
            else:
                left[key] = bool(left.get(key)) or bool(value)
    return left


LAST_ADMINISTRATOR = _(
    "You are the platform's only administrator: nobody could manage accounts, read the audit "
    "log or delete accounts on request after you. Make someone else an administrator first."
)


def is_last_administrator(person) -> bool:
    """Whether `person` is an administrator and no other active one would remain (someone whose
    own deletion is pending does not count)."""
    if not (person.is_superuser and person.is_active):
        return False
    others = (
        User.objects.filter(is_superuser=True, is_active=True, anonymised_at__isnull=True)
        .exclude(pk=person.pk)
        .exclude(deletions__status=AccountDeletion.Status.PENDING)
    )
    return not others.exists()


def grace_period() -> timedelta:
    return timedelta(days=settings.ACOMPANA_DELETION_GRACE_DAYS)


def pending_for(person) -> AccountDeletion | None:
    return AccountDeletion.objects.filter(
        person=person, status=AccountDeletion.Status.PENDING
    ).first()


# --- Email --------------------------------------------------------------------------------------
def _email(person, kind: str, context: dict) -> EmailMessage:
    """A message to `person` in their language and time zone, rendered now (the address may be
    gone by the time it is sent)."""
    language = person.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(person.time_zone or "UTC"):
        context = {
            **context,
            "user": person,
            "organisation": settings.ACOMPANA_ORGANISATION,
            "site": settings.ACOMPANA_PLATFORM_ORIGIN,
            "grace_days": settings.ACOMPANA_DELETION_GRACE_DAYS,
        }
        subject = render_to_string(f"training/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"training/email/{kind}_message.txt", context)
    return EmailMessage(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body, None,
                        [person.email])  # fmt: skip


def _send_on_commit(message: EmailMessage) -> None:
    def send():
        try:
            message.send()
        except Exception:  # the request or the cancellation stands; the log says it failed
            logger.exception("account deletion: the email could not be sent")

    transaction.on_commit(send)


# --- Request and cancel -------------------------------------------------------------------------
def _check_reason(person, reason: str) -> str:
    """An administrator's reason is kept after the deletion: it may not name the person."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why this account is deleted."), code="required")
    names = [person.email, str(person.display_name), person.legal_name, person.first_name,
             person.last_name, person.email.split("@")[0]]  # fmt: skip
    names += [word for word in person.legal_name.split() if len(word) > 2]
    for value in filter(None, (name.strip() for name in names)):
        if re.search(rf"(?<!\w){re.escape(value)}(?!\w)", reason, flags=re.IGNORECASE):
            raise ValidationError(
                _("The reason is kept after the account is deleted: do not write the person's "
                  "name or email address in it."),
                code="names_person",
            )  # fmt: skip
    return reason


@transaction.atomic
def account_deletion_request(*, person: User, by: User, reason: str = "",
                             request=None) -> AccountDeletion:  # fmt: skip
    """Record that `person`'s account is to be deleted and act at once: they leave the
    responder pool and every cohort (each declaration's `suspend`), all their sessions end,
    and they are told by email what happens and when. Asked by an administrator (`by` is not
    the person), a reason is required and the deletion is due at once (see account_delete_now).
    """
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        raise ValidationError(_("This account was already deleted."), code="deleted")
    if is_last_administrator(person):
        raise ValidationError(LAST_ADMINISTRATOR, code="last_administrator")
    by_administrator = by.pk != person.pk
    reason = _check_reason(person, reason) if by_administrator else ""
    now = timezone.now()
    due_at = now if by_administrator else now + grace_period()

    deletion = (
        AccountDeletion.objects.select_for_update()
        .filter(person=person, status=AccountDeletion.Status.PENDING)
        .first()
    )
    if deletion is None:
        deletion = AccountDeletion.objects.create(
            person=person, requested_by=by, reason=reason, requested_at=now, due_at=due_at
        )
    elif by_administrator:
        # An administrator deletes an account whose owner asked already: now, with the reason.
        deletion.requested_by, deletion.reason, deletion.due_at = by, reason, due_at
        deletion.save(update_fields=["requested_by", "reason", "due_at"])

    left = _suspend(person)
    if deletion.left:  # asked before: what was left then still counts
        left = {**deletion.left, **{k: v for k, v in left.items() if v}}
    deletion.left = left
    deletion.save(update_fields=["left"])
    end_sessions(person)
    if request is not None and getattr(getattr(request, "user", None), "pk", None) == person.pk:
        logout(request)

    detail = {"requested_by": "admin" if by_administrator else "self",
              "due_at": deletion.due_at.isoformat()}  # fmt: skip
    if reason:
        detail["reason"] = reason
    audit.record(action="account.deletion_requested", actor=by, subject=person, request=request,
                 detail=detail)  # fmt: skip
    kind = "account_deleted_by_admin" if by_administrator else "account_deletion_requested"
    _send_on_commit(_email(person, kind, {"deletion": deletion}))
    return deletion


@transaction.atomic
def account_deletion_cancel(*, person: User, request=None) -> AccountDeletion | None:
    """The person signed in during the grace period: nothing is deleted. They are told on
    screen and by email what asking did at once (the cohorts they left, by name; the pool, if
    they were in it), that their learning progress, sign-offs and certificates stay, and how
    to come back.
    An administrator's deletion is not cancelled this way. Returns the cancelled request."""
    deletion = (
        AccountDeletion.objects.select_for_update()
        .filter(person=person, requested_by=person, status=AccountDeletion.Status.PENDING)
        .first()
    )
    if deletion is None:
        return None
    deletion.status = AccountDeletion.Status.CANCELLED
    deletion.cancelled_at = timezone.now()
    deletion.save(update_fields=["status", "cancelled_at"])
    audit.record(
        action="account.deletion_cancelled",
        actor=person,
        subject=person,
        request=request,
        detail={"requested_at": deletion.requested_at.isoformat()},
    )
    if request is not None:
        language = person.preferred_language or translation.get_language()
        with translation.override(language):
            text = render_to_string(
                "training/includes/account_deletion_cancelled.html",
                {
                    "left": left_message(deletion.left, cancelled=True),
                    "anything": any(deletion.left.values()),
                },
            ).strip()
        messages.info(request, mark_safe(text))  # noqa: S308 - rendered, escaped template
    _send_on_commit(_email(person, "account_deletion_cancelled", {"deletion": deletion}))
    return deletion


# --- Erase --------------------------------------------------------------------------------------
def _remove_files(person) -> int:
    removed = 0
    for declaration in privacy.declarations():
        if declaration.files is None:
            continue
        for _name, fieldfile in declaration.files(person):
            name = getattr(fieldfile, "name", None)
            if not name:
                continue
            storage = fieldfile.storage
            if storage.exists(name):
                storage.delete(name)
                removed += 1
    return removed


def _anonymise(person: User, now) -> None:
    person.email = f"deleted-{person.pk}-{secrets.token_hex(8)}@{DELETED_DOMAIN}"
    person.display_name = FORMER_MEMBER_LABEL  # stored as FORMER_MEMBER (DisplayNameField)
    person.first_name = person.last_name = person.legal_name = ""
    person.set_unusable_password()
    person.is_active = person.is_staff = person.is_superuser = False
    person.preferred_language = ""
    person.time_zone = "UTC"
    person.low_bandwidth = False
    person.last_login = None
    person.anonymised_at = now
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    person.__dict__.pop("roles", None)


def account_erase(*, deletion_id: int) -> bool:
    """Perform a due deletion through the registry; True if it was performed now. Does nothing
    if it was cancelled, performed already or is not due yet (safe to run twice)."""
    with transaction.atomic():
        deletion = AccountDeletion.objects.select_for_update().filter(pk=deletion_id).first()
        if (
            deletion is None
            or deletion.status != AccountDeletion.Status.PENDING
            or deletion.due_at > timezone.now()
        ):
            return False
        person = User.objects.select_for_update().get(pk=deletion.person_id)
        if is_last_administrator(person):
            # Other administrators left since the request: the deletion waits (the Retention
            # report shows the task ran; the log says why) until someone else is one.
            logger.warning("account deletion %s waits: the last administrator", deletion.pk)
            return False
        # Files first: if a later step fails, the transaction rolls back and the next run tries
        # again (the rows are still there; the files they named are gone either way).
        files = _remove_files(person)
        rows = 0
        for declaration in privacy.declarations():
            rows += declaration.erase_rows(person) or 0
        # Whatever the declarations did, these must go: they are how an account is reached.
        EmailAddress.objects.filter(user=person).delete()
        Authenticator.objects.filter(user=person).delete()
        now = timezone.now()
        _anonymise(person, now)
        end_sessions(person)
        deletion.status = AccountDeletion.Status.DONE
        deletion.performed_at = now
        deletion.save(update_fields=["status", "performed_at"])
        audit.record(
            action="account.deleted", actor=deletion.requested_by, subject=person,
            detail={"requested_by": "admin" if deletion.by_administrator else "self",
                    "deletion": deletion.pk, "files": files, "rows": rows},
        )  # fmt: skip
    return True


def account_delete_now(*, person: User, by: User, reason: str, request=None) -> AccountDeletion:
    """An administrator deletes an account: the same request (reason recorded), then the same
    erasure, queued once the request is committed."""
    # Here, not at the top: tasks imports this module (its task calls account_erase).
    from .tasks import erase_account  # noqa: PLC0415

    deletion = account_deletion_request(person=person, by=by, reason=reason, request=request)
    outbox.queue(erase_account, deletion.pk)
    return deletion


def due_deletions() -> list[int]:
    return list(
        AccountDeletion.objects.filter(
            status=AccountDeletion.Status.PENDING, due_at__lte=timezone.now()
        ).values_list("pk", flat=True)
    )


def export_deletions(person) -> list[dict]:
    """The person's deletion requests, for "download my data"."""
    return [
        {
            "requested_at": d.requested_at.isoformat(),
            "due_at": d.due_at.isoformat(),
            "status": d.status,
            "by_administrator": d.by_administrator,
            "cancelled_at": d.cancelled_at.isoformat() if d.cancelled_at else None,
            "left_at_once": d.left,  # for programs; people read the sentence below
            "what_you_left": " ".join(strip_tags(left_message(d.left, cancelled=False)).split()),
        }
        for d in AccountDeletion.objects.filter(person=person).order_by("requested_at")
    ]


# Declared in the registry from training/personal_data.py.
ACCOUNT_DELETIONS = privacy.Declaration(
    model="training.AccountDeletion",
    category="records",
    title=_("Your requests to delete your account"),
    holds=_(
        "When you asked for your account to be deleted (or an administrator did, and why), "
        "and whether it was cancelled or done."
    ),
    purpose=_("To delete your account on the date we told you, and to show that we did."),
    seen_by=_("Administrators."),
    retention=privacy.Retention(
        text=_(
            "As long as you have an account, and after you delete it: the record that it was "
            "deleted stays, without your name."
        )
    ),
    person=("person",),
    actors=("requested_by",),
    export=export_deletions,
    labels={
        "requested_at": _("Asked"),
        "due_at": _("To be deleted on"),
        "by_administrator": _("Asked by an administrator"),
        "cancelled_at": _("Cancelled"),
        "left_at_once": None,
        "what_you_left": _("What asking did at once"),
    },
    shows={"status": AccountDeletion.Status},
    erase=privacy.Erase.KEEP,
    kept_because=_(
        "The record that an account was deleted, and when, stays without your name: "
        "it shows that we did what was asked."
    ),
)
