"""What the platform itself keeps about a person: the account, the audit log, and the personal
rows of the third-party apps it is built on (allauth, sessions, Wagtail, wagtail-localize).

Declared in the privacy registry (training/privacy.py): the privacy page, "download my data" and
account deletion all read these declarations. Exports return JSON-ready dicts (ISO times in the
active time zone), naming other people by display name at most.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import registry

from .audit import action_label
from .models import FORMER_MEMBER_LABEL, AuditEntry
from .privacy import Declaration, Erase, Retention, declare, iso, language_name, shown_name
from .roles import Role
from .sessions import end_sessions, session_keys


def _model(label: str):
    return apps.get_model(label)


# --- The account --------------------------------------------------------------------------------
def _export_account(person) -> list[dict]:
    return [
        {
            "email": person.email,
            "display_name": str(person.display_name),
            "legal_name": person.legal_name,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "preferred_language": person.preferred_language,
            "time_zone": person.time_zone,
            "low_bandwidth": person.low_bandwidth,
            "date_joined": iso(person.date_joined),
            "last_login": iso(person.last_login),
            "roles": sorted(str(role) for role in person.roles),
        }
    ]


def _export_email_addresses(person) -> list[dict]:
    rows = _model("account.EmailAddress").objects.filter(user=person).order_by("-primary", "email")
    return [{"email": r.email, "verified": r.verified, "primary": r.primary} for r in rows]


def _export_authenticators(person) -> list[dict]:
    # The type and the date only: secrets, recovery codes and keys never leave the server.
    rows = _model("mfa.Authenticator").objects.filter(user=person).order_by("created_at")
    return [{"type": r.get_type_display(), "created_at": iso(r.created_at)} for r in rows]


def _export_sessions(person) -> list[dict]:
    return [{"active_sessions": len(session_keys(person, active_only=True))}]


def _session_period() -> str:
    days = max(1, settings.SESSION_COOKIE_AGE // (60 * 60 * 24))
    return ngettext(
        "Until you sign out, and at most %(n)d day after you signed in.",
        "Until you sign out, and at most %(n)d days after you signed in.",
        days,
    ) % {"n": days}


def _role_label(code):
    return Role(code).label if code in Role.values else code


def _account_period() -> str:
    days = settings.ACOMPANA_DELETION_GRACE_DAYS
    return ngettext(
        "As long as you have an account. When you delete it, it is made anonymous %(n)d day "
        "after you ask.",
        "As long as you have an account. When you delete it, it is made anonymous %(n)d days "
        "after you ask.",
        days,
    ) % {"n": days}


UNVERIFIED_OR_ACCOUNT = Retention(
    days_setting="ACOMPANA_UNVERIFIED_ACCOUNT_DAYS",
    after=_(
        "after signing up when the email address is never confirmed; otherwise as long as you "
        "have an account"
    ),
    task="training.tasks.purge_unverified_accounts",
)

declare(
    Declaration(
        model=settings.AUTH_USER_MODEL,
        category="account",
        title=_("Your profile"),
        labels={
            "display_name": _("Display name"),
            "legal_name": _("Legal name"),
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "low_bandwidth": _("Low-bandwidth mode"),
            "date_joined": _("Date joined"),
            "last_login": _("Last signed in"),
            "roles": _("Roles"),
        },
        shows={"roles": _role_label},
        holds=_(
            "Your email address, display name, legal name if you gave one, language, time zone, "
            "low-bandwidth choice, roles, when you joined and when you last signed in."
        ),
        purpose=_(
            "To sign you in, show your display name to the people you learn with, write to you "
            "in your language and put your legal name on a certificate only if you choose it."
        ),
        seen_by=_(
            "Others see only your display name. Your email address is seen by administrators, "
            "and by coordinators once you are in the responder pool. Your legal name appears "
            "only on your certificate."
        ),
        retention=Retention(
            text=lazy(_account_period, str)(), task="training.tasks.perform_due_deletions"
        ),
        person=("pk",),
        names_person=("email", "display_name", "legal_name", "first_name", "last_name"),
        export=_export_account,
        erase=Erase.KEEP,
        kept_because=_(
            "The account is not removed but made anonymous: its email address, names and "
            "password are erased and it shows as “Former member”, so that counts and other "
            "people's records stay right."
        ),
        order=100,  # last: after every row that refers to it
    ),
    Declaration(
        model="account.EmailAddress",
        category="account",
        title=_("Your email addresses"),
        labels={"verified": _("Confirmed"), "primary": _("Main address")},
        holds=_("Your email addresses and whether you confirmed each of them."),
        purpose=_("To sign you in, check that the address is yours and send you what you chose."),
        seen_by=_("You and administrators."),
        retention=UNVERIFIED_OR_ACCOUNT,
        names_person=("email",),
        export=_export_email_addresses,
    ),
    Declaration(
        model="mfa.Authenticator",
        category="account",
        title=_("Two-step sign-in"),
        labels={"type": _("Kind")},
        holds=_(
            "Whether you use an authenticator app, a security key or recovery codes for two-step "
            "sign-in, and since when. The secrets themselves are never shown or exported."
        ),
        purpose=_("To protect your account with a second step when you sign in."),
        seen_by=_("Nobody reads the secrets. Administrators can see that two-step sign-in is on."),
        export=_export_authenticators,
    ),
    Declaration(
        model="sessions.Session",
        category="account",
        title=_("Where you are signed in"),
        labels={"active_sessions": _("Browsers signed in now")},
        holds=_("The browsers you are signed in on: a random key kept in a cookie."),
        purpose=_("To keep you signed in from one page to the next."),
        seen_by=_("Nobody: only the platform reads it."),
        retention=Retention(
            text=lazy(_session_period, str)(), task="training.tasks.clear_expired_sessions"
        ),
        person=(),  # the person is inside the encoded session data: decoded one by one
        export=_export_sessions,
        erase=end_sessions,
    ),
)


# --- The audit log ------------------------------------------------------------------------------
def _export_audit(person):
    about = (
        AuditEntry.objects.filter(Q(subject=person) | Q(subjects__person=person))
        .distinct()
        .select_related("actor")
    )
    for entry in about.iterator(chunk_size=500):
        yield {
            "concerns": str(_("About you")),
            "at": iso(entry.at),
            "action": action_label(entry.action),
            "actor": shown_name(entry.actor),
        }
    # What they did themselves: how many people, never who. An entry about themselves (their
    # own download) is listed once, above.
    done = (
        AuditEntry.objects.filter(actor=person)
        .exclude(subject=person)
        .exclude(subjects__person=person)
    )
    for entry in done.iterator(chunk_size=500):
        yield {
            "concerns": str(_("Done by you")),
            "at": iso(entry.at),
            "action": action_label(entry.action),
            "count": entry.count or (1 if entry.subject_id else 0),
            "address": entry.address,
        }


AUDIT_KEPT = _(
    "Entries stay until their own period ends, so that what was done with people's data can "
    "still be checked. They refer to a former member by number only: no name or email address."
)

declare(
    Declaration(
        model="training.AuditEntry",
        category="records",
        title=_("Actions on your data"),
        labels={
            "concerns": _("Concerns"),
            "action": _("Action"),
            "actor": _("Done by"),
            "count": _("Number of people"),
            "address": _("Internet address"),
        },
        holds=_(
            "A record of each action on people's data (exports, decisions, role and email "
            "changes, data downloads, account deletions): who did it, when, about whom, and from "
            "which internet address."
        ),
        purpose=_(
            "So that every use of a person's data can be checked later, and misuse found and "
            "stopped."
        ),
        seen_by=_(
            "Administrators; coordinators see the entries about the responder pool (its record "
            "of pages viewed, exports and API calls); you, in your data download."
        ),
        retention=Retention(
            days_setting="ACOMPANA_AUDIT_LOG_DAYS",
            after=_("after the action"),
            task="training.tasks.purge_audit_log",
        ),
        person=("subject",),
        actors=("actor",),
        names_person=("address",),
        export=_export_audit,
        erase=Erase.KEEP,
        kept_because=AUDIT_KEPT,
    ),
    Declaration(
        model="training.AuditSubject",
        category="records",
        title=_("Exports that included you"),
        holds=_("Which people an action on many people (an export) included."),
        purpose=_("So that you can learn which exports included you."),
        seen_by=_(
            "You, in your data download; administrators; coordinators see how many people each "
            "view or export of the responder pool included."
        ),
        retention=Retention(
            days_setting="ACOMPANA_AUDIT_LOG_DAYS",
            after=_("after the action"),
            task="training.tasks.purge_audit_log",
        ),
        person=("person",),
        erase=Erase.KEEP,
        kept_because=AUDIT_KEPT,
    ),
)


# --- What a device sent (training/idempotency.py) -----------------------------------------------
def _export_idempotency_keys(person):
    rows = _model("training.IdempotencyKey").objects.filter(user=person).order_by("created_at")
    for row in rows.only("created_at", "path", "status").iterator(chunk_size=500):
        yield {"at": iso(row.created_at), "sent_to": row.path, "status": row.status}


declare(
    Declaration(
        model="training.IdempotencyKey",
        category="learning",
        title=_("What your device sent"),
        labels={"sent_to": _("Sent to")},
        holds=_(
            "For each answer, reflection or “mark as done” your device sent: a random key, the "
            "address it was sent to, when, and the server's answer."
        ),
        purpose=_(
            "So that something your device sends again, after a dropped connection, is "
            "recorded only once."
        ),
        seen_by=_("Nobody: only the platform reads it."),
        retention=Retention(
            days_setting="ACOMPANA_IDEMPOTENCY_DAYS",
            after=_("after it was sent"),
            task="training.tasks.purge_idempotency_keys",
        ),
        export=_export_idempotency_keys,
    ),
)


# --- Wagtail: the editing area ------------------------------------------------------------------
STAFF_PURPOSE = _(
    "So that the organisation knows who wrote, changed, reviewed or translated its course "
    "content, and can review and undo changes."
)
STAFF_SEEN_BY = _("Editors and administrators.")
STAFF_KEPT = _(
    "It is part of the organisation's record of its own content: it stays, and shows “Former "
    "member” instead of your name."
)


def _export_pages(person):
    pages = _model("wagtailcore.Page").objects.filter(Q(owner=person) | Q(locked_by=person))
    for page in pages.only("title", "owner_id", "locked_by_id", "first_published_at"):
        yield {
            "title": page.title,
            "owner": page.owner_id == person.pk,
            "locked": page.locked_by_id == person.pk,
            "first_published_at": iso(page.first_published_at),
        }


def _unlock_pages(person) -> int:
    """Pages the person locked are unlocked: nobody else could ever unlock them otherwise."""
    return (
        _model("wagtailcore.Page")
        .objects.filter(locked_by=person)
        .update(locked=False, locked_by=None, locked_at=None)
    )


def _export_revisions(person):
    rows = _model("wagtailcore.Revision").objects.filter(user=person).order_by("created_at")
    for revision in rows.only("object_str", "created_at").iterator(chunk_size=500):
        yield {"object_str": revision.object_str, "created_at": iso(revision.created_at)}


def _log_export(label):
    def export(person):
        rows = _model(label).objects.filter(user=person).order_by("timestamp")
        for entry in rows.only("action", "label", "timestamp").iterator(chunk_size=500):
            yield {"timestamp": iso(entry.timestamp), "action": entry.action, "label": entry.label}

    return export


def scrub_user_log_entries(person) -> int:
    """Wagtail's history of changes *to* the person's account names it in each entry's label
    (their display name): the entries stay, naming a former member instead, with no data."""
    user_type = ContentType.objects.get_for_model(type(person), for_concrete_model=False)
    with translation.override(settings.LANGUAGE_CODE):
        label = f"{FORMER_MEMBER_LABEL} #{person.pk}"
    return (
        _model("wagtailcore.ModelLogEntry")
        .objects.filter(content_type=user_type, object_id=str(person.pk))
        .update(label=label, data={})
    )


def _export_comments(person):
    rows = _model("wagtailcore.Comment").objects.filter(user=person).select_related("page")
    for comment in rows.order_by("created_at"):
        yield {
            "page": comment.page.title,
            "text": comment.text,
            "created_at": iso(comment.created_at),
            "resolved_at": iso(comment.resolved_at),
        }


def _export_comment_replies(person):
    rows = _model("wagtailcore.CommentReply").objects.filter(user=person)
    for reply in rows.select_related("comment__page").order_by("created_at"):
        yield {
            "page": reply.comment.page.title,
            "text": reply.text,
            "created_at": iso(reply.created_at),
        }


def _export_subscriptions(person) -> list[dict]:
    rows = _model("wagtailcore.PageSubscription").objects.filter(user=person).select_related("page")
    return [{"page": s.page.title, "comment_notifications": s.comment_notifications} for s in rows]


def _export_editing_sessions(person) -> list[dict]:
    rows = _model("wagtailadmin.EditingSession").objects.filter(user=person)
    return [{"last_seen_at": iso(s.last_seen_at), "is_editing": s.is_editing} for s in rows]


def _export_form_states(person) -> list[dict]:
    rows = _model("wagtailadmin.FormState").objects.filter(user=person)
    return [{"last_updated_at": iso(s.last_updated_at), "data": s.data} for s in rows]


def _export_workflow_states(person) -> list[dict]:
    rows = _model("wagtailcore.WorkflowState").objects.filter(requested_by=person)
    return [
        {"workflow": str(s.workflow), "status": s.status, "created_at": iso(s.created_at)}
        for s in rows.select_related("workflow").order_by("created_at")
    ]


def _export_task_states(person) -> list[dict]:
    rows = _model("wagtailcore.TaskState").objects.filter(finished_by=person)
    return [
        {
            "task": str(s.task),
            "status": s.status,
            "comment": s.comment,
            "finished_at": iso(s.finished_at),
        }
        for s in rows.select_related("task").order_by("finished_at")
    ]


def _export_uploaded(label, field="uploaded_by_user"):
    def export(person) -> list[dict]:
        rows = _model(label).objects.filter(**{field: person}).order_by("created_at")
        return [{"title": row.title, "created_at": iso(row.created_at)} for row in rows]

    return export


def _export_unfinished_uploads(person) -> list[dict]:
    rows = _model("wagtailcore.UploadedFile").objects.filter(uploaded_by_user=person)
    return [{"file": row.file.name.rsplit("/", 1)[-1]} for row in rows]


def _erase_unfinished_uploads(person) -> int:
    rows = _model("wagtailcore.UploadedFile").objects.filter(uploaded_by_user=person)
    for row in rows:
        if row.file:
            row.file.delete(save=False)
    count, _by_model = rows.delete()
    return count


PROFILE_FIELDS = (
    "submitted_notifications",
    "approved_notifications",
    "rejected_notifications",
    "updated_comments_notifications",
    "preferred_language",
    "current_time_zone",
    "theme",
    "contrast",
    "density",
    "keyboard_shortcuts",
)


def _export_user_profile(person) -> list[dict]:
    rows = _model("wagtailusers.UserProfile").objects.filter(user=person)
    return [{name: getattr(p, name) for name in PROFILE_FIELDS} for p in rows]


def _user_profile_files(person):
    for profile in _model("wagtailusers.UserProfile").objects.filter(user=person):
        if profile.avatar:
            yield f"avatar/{profile.avatar.name.rsplit('/', 1)[-1]}", profile.avatar


def _erase_user_profile(person) -> int:
    """The editing-area settings go, and the picture's file with them."""
    rows = _model("wagtailusers.UserProfile").objects.filter(user=person)
    for profile in rows:
        if profile.avatar:
            profile.avatar.delete(save=False)
    count, _by_model = rows.delete()
    return count


def _export_api_tokens(person) -> list[dict]:
    rows = _model("wagtailcore.APIToken").objects.filter(user=person).order_by("created")
    return [
        {
            "name": t.name,
            "created": iso(t.created),
            "last_used_at": iso(t.last_used_at),
            "revoked_at": iso(t.revoked_at),
        }
        for t in rows
    ]


def _export_translations(label):
    def export(person):
        rows = _model(label).objects.filter(last_translated_by=person).select_related("locale")
        for row in rows.order_by("updated_at").iterator(chunk_size=500):
            yield {"locale": row.locale.language_code, "updated_at": iso(row.updated_at)}

    return export


def _staff(model, title, holds, *, person=("user",), actors=(), export=None, erase=Erase.KEEP,
           **more):  # fmt: skip
    kept = STAFF_KEPT if erase is Erase.KEEP or callable(erase) else ""
    return Declaration(
        model=model,
        category="staff",
        title=title,
        holds=holds,
        labels=STAFF_LABELS | more.pop("labels", {}),
        shows=STAFF_SHOWS | more.pop("shows", {}),
        purpose=STAFF_PURPOSE,
        seen_by=STAFF_SEEN_BY,
        person=person,
        actors=actors,
        export=export,
        erase=erase,
        kept_because=more.pop("kept_because", kept),
        **more,
    )


STAFF_DELETED = {"kept_because": ""}


def _choice_label(label: str, field: str):
    """Shows a code of `label`'s `field` by its choice's translated name."""

    def show(code):
        choices = dict(_model(label)._meta.get_field(field).flatchoices)
        return choices.get(code, code)

    return show


def _log_action_label(action):
    return registry.get_action_label(action) or action


STAFF_LABELS = {
    "owner": _("You created it"), "locked": _("You locked it"),
    "first_published_at": _("First published"), "object_str": _("Content"),
    "timestamp": _("When"), "action": _("Action"), "label": _("About"),
    "resolved_at": _("Resolved"), "comment_notifications": _("Comment notifications"),
    "last_seen_at": _("Last seen"), "is_editing": _("Editing"),
    "last_updated_at": _("Last changed"), "workflow": _("Review process"), "task": _("Review step"),
    "comment": _("Comment"), "file": _("File"), "locale": _("Language"),
    "submitted_notifications": _("Notify me of content sent for review"),
    "approved_notifications": _("Notify me of approved content"),
    "rejected_notifications": _("Notify me of rejected content"),
    "updated_comments_notifications": _("Notify me of new comments"),
    "current_time_zone": _("Time zone"), "theme": _("Theme"), "contrast": _("Contrast"),
    "density": _("Density"), "keyboard_shortcuts": _("Keyboard shortcuts"),
}  # fmt: skip
STAFF_SHOWS = {
    "locale": language_name,
    "theme": _choice_label("wagtailusers.UserProfile", "theme"),
    "contrast": _choice_label("wagtailusers.UserProfile", "contrast"),
    "density": _choice_label("wagtailusers.UserProfile", "density"),
}

declare(
    _staff(
        "wagtailcore.Page",
        _("Pages you created or locked"),
        _("Which pages of course content you created, and which you locked while editing."),
        person=("owner",),
        actors=("locked_by",),
        export=_export_pages,
        erase=_unlock_pages,
    ),
    _staff(
        "wagtailcore.Revision",
        _("Versions of content you saved"),
        _("The versions of content you saved while editing."),
        export=_export_revisions,
    ),
    _staff(
        "wagtailcore.PageLogEntry",
        _("What you did to pages"),
        _("The history of what you did to pages (created, published, moved, deleted…)."),
        export=_log_export("wagtailcore.PageLogEntry"),
        shows={"action": _log_action_label},
    ),
    _staff(
        "wagtailcore.ModelLogEntry",
        _("What you did in the editing area"),
        _(
            "The history of what you did in the editing area to other content (snippets, "
            "documents, images, accounts), and of changes made to your own account."
        ),
        export=_log_export("wagtailcore.ModelLogEntry"),
        shows={"action": _log_action_label},
        erase=scrub_user_log_entries,
        names_person=("label",),
    ),
    _staff(
        "wagtailcore.Comment",
        _("Your comments on pages"),
        _("Comments you wrote on pages in the editing area, and which ones you resolved."),
        actors=("resolved_by",),
        export=_export_comments,
    ),
    _staff(
        "wagtailcore.CommentReply",
        _("Your replies to comments"),
        _("Replies you wrote to comments in the editing area."),
        export=_export_comment_replies,
    ),
    _staff(
        "wagtailcore.WorkflowState",
        _("Content you sent for review"),
        _("Content you sent for review."),
        person=("requested_by",),
        export=_export_workflow_states,
        shows={"status": _choice_label("wagtailcore.WorkflowState", "status")},
    ),
    _staff(
        "wagtailcore.TaskState",
        _("Your review decisions"),
        _("Your review decisions on content, with your comments."),
        person=("finished_by",),
        export=_export_task_states,
        shows={"status": _choice_label("wagtailcore.TaskState", "status")},
    ),
    _staff(
        "wagtaildocs.Document",
        _("Documents you uploaded"),
        _("Documents you uploaded to the content library."),
        person=("uploaded_by_user",),
        export=_export_uploaded("wagtaildocs.Document"),
    ),
    _staff(
        "wagtailimages.Image",
        _("Images you uploaded"),
        _("Images you uploaded to the content library."),
        person=("uploaded_by_user",),
        export=_export_uploaded("wagtailimages.Image"),
    ),
    _staff(
        "wagtail_localize.StringTranslation",
        _("Translations you made"),
        _("Translations of course content you made or last changed."),
        person=("last_translated_by",),
        export=_export_translations("wagtail_localize.StringTranslation"),
    ),
    _staff(
        "wagtail_localize.SegmentOverride",
        _("Changes to translated content"),
        _("Changes you made to how translated content is shown (links, images)."),
        person=("last_translated_by",),
        export=_export_translations("wagtail_localize.SegmentOverride"),
    ),
    # Purely personal: deleted with the account.
    _staff(
        "wagtailusers.UserProfile",
        _("Your editing-area settings"),
        _(
            "Your settings in the editing area (notifications, language, time zone, theme) and "
            "your picture there, if you added one."
        ),
        export=_export_user_profile,
        files=_user_profile_files,
        erase=_erase_user_profile,
        **STAFF_DELETED,
    ),
    _staff(
        "wagtailcore.PageSubscription",
        _("Pages whose comments you follow"),
        _("The pages whose comments you follow."),
        export=_export_subscriptions,
        erase=Erase.DELETE,
    ),
    _staff(
        "wagtailadmin.EditingSession",
        _("What you are editing"),
        _("What you are editing right now, shown to other editors so nobody overwrites you."),
        export=_export_editing_sessions,
        erase=Erase.DELETE,
    ),
    _staff(
        "wagtailadmin.FormState",
        _("Unsaved changes in the editing area"),
        _("Changes to a form in the editing area that you have not saved yet."),
        export=_export_form_states,
        erase=Erase.DELETE,
    ),
    _staff(
        "wagtailcore.UploadedFile",
        _("Unfinished uploads"),
        _("Files you began uploading in the editing area and did not finish adding."),
        person=("uploaded_by_user",),
        export=_export_unfinished_uploads,
        erase=_erase_unfinished_uploads,
        **STAFF_DELETED,
    ),
)

if apps.is_installed("wagtail") and "apitoken" in apps.get_app_config("wagtailcore").models:
    declare(
        _staff(
            "wagtailcore.APIToken",
            _("Your keys for the content API"),
            _("The names of the keys you made to use the platform's API, and when you used them."),
            export=_export_api_tokens,
            erase=Erase.DELETE,
            names_person=("name",),
        ),
    )


# --- Account deletions (training/deletion.py) ---------------------------------------------------
from .deletion import ACCOUNT_DELETIONS  # noqa: E402

declare(ACCOUNT_DELETIONS)


# --- Download my data (training/data_download.py) ----------------------------------------------
from .data_download import DATA_DOWNLOADS  # noqa: E402

declare(DATA_DOWNLOADS)


# --- Messages sent, and the ones a person turned off (training/notifications.py) ---------------
from .notifications import NOTIFICATION_LOGS, NOTIFICATION_OPT_OUTS  # noqa: E402

declare(NOTIFICATION_LOGS, NOTIFICATION_OPT_OUTS)
