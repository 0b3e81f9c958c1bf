"""Messages to people: each sent once (NotificationLog), in the recipient's language and time
zone, with a discreet subject (never the words of a course or session title: a subject line is
read over shoulders and on lock screens). Sent in batches over one mail connection; a batch that
fails to send is not logged, so the next run tries again.

Each app registers its own kinds (`register(Kind(...))`: cohorts/notify.py,
certificates/notifications.py). A non-essential kind can be turned off by each person on
/notifications/: one NotificationOptOut row per (person, kind), so a new kind needs no migration.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import NotificationLog, NotificationOptOut
from .privacy import Declaration, Erase, Retention, iso

BATCH = 200


@dataclass(frozen=True)
class Group:
    """A heading of the settings page, under which non-essential kinds are listed."""

    key: str
    title: Promise
    order: int = 50


@dataclass(frozen=True)
class Kind:
    """One kind of message. `subject` is translated per recipient; an essential kind is always
    sent. A non-essential one names its `group` and the `label` of its choice on the settings
    page; `shown_to(user)` says whether the choice concerns the person (None: everyone)."""

    name: str
    subject: Promise
    template: str
    essential: bool = True
    group: str = ""
    label: Promise | str = ""
    shown_to: Callable[[object], bool] | None = None
    order: int = 50


GROUPS: dict[str, Group] = {}
KINDS: dict[str, Kind] = {}


def group(key: str, title: Promise, order: int = 50) -> Group:
    GROUPS.setdefault(key, Group(key=key, title=title, order=order))
    return GROUPS[key]


def register(*kinds: Kind) -> None:
    """Add kinds to the registry (from the module of the app that sends them)."""
    for kind in kinds:
        if not kind.essential and (kind.group not in GROUPS or not kind.label):
            raise ValueError(f"{kind.name}: a non-essential kind needs a known group and a label")
        if KINDS.get(kind.name, kind) != kind:
            raise ValueError(f"{kind.name}: registered twice, differently")
        KINDS[kind.name] = kind


# --- Choices (reads) ----------------------------------------------------------------------------
def choosable_kinds(user) -> list[Kind]:
    """The non-essential kinds whose choice concerns `user`, in the page's order."""
    kinds = [k for k in KINDS.values()
             if not k.essential and (k.shown_to is None or k.shown_to(user))]  # fmt: skip
    return sorted(kinds, key=lambda k: (GROUPS[k.group].order, k.group, k.order, k.name))


def opted_out(user) -> set[str]:
    """The kinds `user` turned off."""
    return set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))


# --- Choices (writes) ---------------------------------------------------------------------------
@transaction.atomic
def notification_choices_save(*, user, wanted: set[str]) -> None:
    """Keep `user`'s choices: of the kinds choosable for them, those not in `wanted` are off.
    Choices about kinds the person is not shown (a former trainer's digest) are left as they are."""
    choosable = {k.name for k in choosable_kinds(user)}
    off = choosable - set(wanted)
    NotificationOptOut.objects.filter(user=user, kind__in=choosable - off).delete()
    NotificationOptOut.objects.bulk_create(
        [NotificationOptOut(user=user, kind=kind) for kind in sorted(off)],
        ignore_conflicts=True,
    )


# --- Sending ------------------------------------------------------------------------------------
def _wanted(users, kind: Kind) -> list:
    if kind.essential:
        return list(users)
    off = set(
        NotificationOptOut.objects.filter(
            user__in=[u.pk for u in users], kind=kind.name
        ).values_list("user_id", flat=True)
    )
    return [u for u in users if u.pk not in off]


def _render(user, kind: Kind, context: dict) -> EmailMessage:
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(user.time_zone or "UTC"):
        context = {**context, "user": user, "organisation": settings.ACOMPANA_ORGANISATION,
                   "site": settings.ACOMPANA_PLATFORM_ORIGIN}  # fmt: skip
        subject = str(kind.subject) % {"organisation": settings.ACOMPANA_ORGANISATION,
                                       **context.get("subject_values", {})}  # fmt: skip
        body = render_to_string(kind.template, context)
    return EmailMessage(subject, body, None, [user.email])


def _to_send(chunk: list[tuple[object, str]], kind: Kind) -> list[tuple[object, str]]:
    """Of (user, key) pairs: those not sent before, wanted, to a person who can receive them."""
    keys = [key for _user, key in chunk]
    done = set(NotificationLog.objects.filter(key__in=keys).values_list("key", flat=True))
    todo = [(user, key) for user, key in chunk if key not in done]
    wanted = {u.pk for u in _wanted([user for user, _key in todo], kind)}
    # Never to a deleted ("former member") or deactivated account, whatever asked.
    return [(user, key) for user, key in todo if user.pk in wanted and user.email
            and user.is_active and user.anonymised_at is None]  # fmt: skip


def send(kind_name: str, people: list[tuple[object, str]], context_for) -> int:
    """Send `kind` to each (user, key) not sent before; `context_for(user)` gives the context.
    A key names one message to one person (it includes the person).
    In batches of BATCH over one connection. Returns how many were sent."""
    kind = KINDS[kind_name]
    sent = 0
    for start in range(0, len(people), BATCH):
        todo = _to_send(people[start : start + BATCH], kind)
        if not todo:
            continue
        messages = [_render(user, kind, context_for(user)) for user, _key in todo]
        with transaction.atomic():
            NotificationLog.objects.bulk_create(
                [NotificationLog(user=user, key=key, kind=kind.name) for user, key in todo],
                ignore_conflicts=True,
            )
            # If sending fails, the log rolls back and the next run tries again.
            with get_connection() as connection:
                connection.send_messages(messages)
        sent += len(messages)
    return sent


# --- Personal data (declared in training/personal_data.py) ------------------------------------
def _subject(kind_name: str) -> str:
    known = KINDS.get(kind_name)
    if known is None:
        return kind_name
    return str(known.subject) % {"organisation": settings.ACOMPANA_ORGANISATION}


def _export_logs(person) -> list[dict]:
    logs = NotificationLog.objects.filter(user=person).order_by("sent_at", "pk")
    return [{"kind": n.kind, "subject": _subject(n.kind), "sent_at": iso(n.sent_at)} for n in logs]


def _export_opt_outs(person) -> list[dict]:
    rows = NotificationOptOut.objects.filter(user=person).order_by("kind")

    def label(kind_name: str) -> str:
        known = KINDS.get(kind_name)
        return str(capfirst(known.label)) if known and known.label else kind_name

    return [{"kind": o.kind, "choice": label(o.kind), "created_at": iso(o.created_at)}
            for o in rows]  # fmt: skip


NOTIFICATION_LOGS = Declaration(
    model="training.NotificationLog",
    category="messages",
    title=_("Messages we sent you"),
    labels={"kind": None, "subject": _("Subject"), "sent_at": _("Sent")},
    holds=_("Which messages about your cohorts and certificates we sent you, and when."),
    purpose=_("So that no message is sent to you twice."),
    seen_by=_("Administrators only."),
    retention=Retention(
        days_setting="ACOMPANA_NOTIFICATION_LOG_DAYS",
        after=_("after the message was sent"),
        task="cohorts.tasks.purge_notification_logs",
    ),
    export=_export_logs,
    erase=Erase.DELETE,
)

NOTIFICATION_OPT_OUTS = Declaration(
    model="training.NotificationOptOut",
    category="messages",
    title=_("Your message settings"),
    labels={"kind": None, "choice": _("Turned off"), "created_at": _("Since")},
    holds=_(
        "Which optional messages you turned off (reminders, new modules, gentle nudges, "
        "daily summaries)."
    ),
    purpose=_("To send you only the messages you chose."),
    seen_by=_("You."),
    export=_export_opt_outs,
    erase=Erase.DELETE,
)
