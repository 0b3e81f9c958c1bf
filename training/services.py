"""Writes and checks for people and their accounts. Views and commands call these."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import audit
from .models import User
from .privacy import declarations
from .roles import GROUP_FOR_ROLE, Role


def user_has_mfa(user: User) -> bool:
    """Whether this person has an authenticator app (TOTP) enrolled; asked once per request."""
    if "_has_mfa" not in user.__dict__:
        user.__dict__["_has_mfa"] = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists()
    return user.__dict__["_has_mfa"]


def session_used_mfa(request) -> bool:
    """Whether this session's sign-in (or a re-authentication) passed the second factor."""
    records = request.session.get("account_authentication_methods") or []
    owner = request.session.get("account_authentication_methods_user")
    return str(owner) == str(request.user.pk) and any(
        isinstance(r, dict) and r.get("method") == "mfa" for r in records
    )


@transaction.atomic
def user_create(
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    roles: tuple[str, ...] = (),
    time_zone: str = "UTC",
    preferred_language: str = "",
    email_verified: bool = False,
) -> User:
    """Create an account with its roles and its (primary) email address record."""
    user = User(
        email=email.strip().lower(),
        display_name=display_name,
        time_zone=time_zone,
        preferred_language=preferred_language,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    user_set_roles(user=user, roles=roles)  # administrators too: it sets is_superuser/is_staff
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    return user


@transaction.atomic
def user_set_roles(*, user: User, roles: tuple[str, ...], by: User | None = None,
                   request=None) -> None:  # fmt: skip
    """Make the person's groups match exactly the given roles (volunteer is implicit). A change
    is in the audit log: `by` whom (nobody: a command or the demo), from `request`'s address."""
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(sorted(unknown))}")
    user.__dict__.pop("roles", None)
    before = user.roles
    wanted = {GROUP_FOR_ROLE[role] for role in roles if role in GROUP_FOR_ROLE}
    managed = set(GROUP_FOR_ROLE.values())
    groups = {g.name: g for g in Group.objects.filter(name__in=wanted)}
    for name in wanted - groups.keys():
        groups[name] = Group.objects.create(name=name)
    current = set(user.groups.filter(name__in=managed).values_list("name", flat=True))
    user.groups.remove(*user.groups.filter(name__in=current - wanted))
    user.groups.add(*[groups[name] for name in wanted - current])
    is_admin = Role.ADMINISTRATOR in roles
    if (user.is_superuser, user.is_staff) != (is_admin, is_admin):
        user.is_superuser = user.is_staff = is_admin
        user.save(update_fields=["is_superuser", "is_staff"])
    user.__dict__.pop("roles", None)
    after = user.roles
    if after != before:
        audit.record(action="account.roles_changed", actor=by, subject=user, request=request,
                     detail={"added": sorted(map(str, after - before)),
                             "removed": sorted(map(str, before - after))})  # fmt: skip


@transaction.atomic
def user_update_profile(*, user: User, **fields) -> User:
    allowed = {"display_name", "legal_name", "preferred_language", "time_zone", "low_bandwidth"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"Not profile fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean()
    user.save(update_fields=list(fields))
    return user


def user_purge_unverified(*, older_than_days: int | None = None) -> int:
    """Delete sign-ups whose email was never verified and that never signed in; return how many.

    Someone who signed up and never confirmed has given us an email address and a name for
    nothing: we keep them no longer than ACOMPANA_UNVERIFIED_ACCOUNT_DAYS. Accounts made by an
    administrator (staff, a role, or no email record at all) are never touched. Safe to rerun.
    """
    days = (
        older_than_days
        if older_than_days is not None
        else (settings.ACOMPANA_UNVERIFIED_ACCOUNT_DAYS)
    )
    cutoff = timezone.now() - timedelta(days=days)
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    unverified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=False)
    stale = User.objects.filter(
        Exists(unverified), ~Exists(verified),
        date_joined__lt=cutoff, last_login__isnull=True,
        is_superuser=False, is_staff=False, groups__isnull=True,
    )  # fmt: skip
    # Someone who holds anything else (an account an administrator made, whose person only later
    # met the "confirm your email" step, with a certificate or a cohort) is never deleted here.
    ids = [person.pk for person in stale if not _holds_data(person)]
    User.objects.filter(pk__in=ids).delete()
    return len(ids)


# What every sign-up has: these alone do not make an account worth keeping.
_SIGN_UP_ONLY = {"training.User", "account.EmailAddress", "sessions.Session"}


def _holds_data(person: User) -> bool:
    """Whether any declaration of the privacy registry has rows about `person` (one query per
    declaration; only for the few never-confirmed sign-ups the daily purge looks at)."""
    return any(
        declaration.rows(person).exists()
        for declaration in declarations()
        if declaration.model not in _SIGN_UP_ONLY
    )


@transaction.atomic
def session_clear_expired(*, now=None) -> int:
    """Delete expired sessions; return how many. What `clearsessions` does for our
    database-backed engine (cached_db), counted; the cache drops its copies as they expire."""
    deleted, _by_model = Session.objects.filter(expire_date__lt=now or timezone.now()).delete()
    return deleted


@transaction.atomic
def user_forget_unproven_password(*, user: User, email: str) -> bool:
    """Drop a password chosen before anyone proved the account's address; True if dropped.

    Anyone can open an account with someone else's address and never confirm it. When the
    owner later signs in with a code sent to that address, the account becomes theirs, and the
    password the stranger chose must not open it any more (the owner can choose one).
    """
    addresses = EmailAddress.objects.filter(user=user)
    if (
        not user.has_usable_password()
        or addresses.filter(verified=True).exists()
        or not addresses.filter(email__iexact=email, verified=False).exists()
    ):
        return False
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return True
