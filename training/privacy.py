"""The privacy registry: every kind of personal data Acompaña keeps, declared in one place.

Each app declares its models in its own `personal_data.py` (loaded when the app is ready);
this module only holds the registry, so dependencies keep pointing one way. A declaration says,
in words a volunteer understands:

- a short heading (`title`, "Quizzes you submitted"), what the rows hold (`holds`) and why
  (`purpose`), who can see them (`seen_by`);
- how long they are kept (`retention`: "as long as the account", or a setting in days, enforced
  by a named scheduled task);
- how they are exported for "download my data" (`export`: a function of the person returning
  JSON-ready dicts, other people by display name at most; `files`: the person's files;
  `labels` and `shows`: how index.html heads each key and shows a code, see Declaration);
- how they are erased when the account is deleted (`erase`: DELETE the person's rows, KEEP them
  attached to the anonymous "former member" account with a reason, or a function).

`tests/training/test_privacy_registry.py` walks every installed model and fails when one with a
relation to a person, or a field that names one, is not declared here (or explicitly set aside
in `NOT_PERSONAL` with the reason). README "Personal data" explains how to add the next model.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    EmailField,
    GenericIPAddressField,
    JSONField,
    Q,
    TextField,
)
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class Erase(enum.Enum):
    DELETE = "delete"  # the person's rows are deleted
    KEEP = "keep"  # kept without anything naming the person (the account is anonymised)


@dataclass(frozen=True)
class Category:
    """A group of declarations: one JSON file in the archive, one section of the privacy page."""

    key: str
    title: Promise
    order: int = 50


CATEGORIES: dict[str, Category] = {}


def category(key: str, title: Promise, order: int = 50) -> Category:
    CATEGORIES.setdefault(key, Category(key=key, title=title, order=order))
    return CATEGORIES[key]


# The sections every app files its declarations under (one JSON file each in the archive).
category("account", _("Your account"), 10)
category("learning", _("Your learning"), 20)
category("cohorts", _("Cohorts, applications and live sessions"), 30)
category("certification", _("Certification and the responder pool"), 40)
category("messages", _("Messages sent to you"), 50)
category("records", _("Records of what was done with your data"), 60)
category("staff", _("What trainers, coordinators and editors do"), 70)


@dataclass(frozen=True)
class Retention:
    """How long rows are kept. `days_setting` names a setting in days (None: as long as the
    account); `after` says from when ("after the session ends"); `task` names the Celery task
    (its `name=`) that enforces it, which the Retention report shows."""

    days_setting: str | None = None
    after: Promise | str = ""
    task: str | None = None
    hours_setting: str | None = None
    text: Promise | str = ""  # a whole sentence, when the period is not a number of days

    @property
    def days(self) -> int | None:
        return getattr(settings, self.days_setting) if self.days_setting else None

    def describe(self) -> str:
        if self.text:
            return str(self.text)
        if self.hours_setting:
            hours = getattr(settings, self.hours_setting)
            period = ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
        elif self.days_setting:
            days = self.days
            period = ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
        else:
            return str(_("As long as you have an account."))
        if self.after:
            return _("%(period)s %(after)s.") % {"period": period, "after": self.after}
        return _("%(period)s.") % {"period": period}


AS_LONG_AS_THE_ACCOUNT = Retention()


@dataclass(frozen=True)
class Declaration:
    """One model holding personal data. `person` names the fields that point at the person the
    rows are about (export and erase follow them); `actors` the fields pointing at someone who
    acted on them (a trainer who decided…): kept, they show "former member" after a deletion.
    `names_person` lists text fields that name or contact a person (an email, a legal name)."""

    model: str  # "app_label.ModelName"
    category: str
    # A short heading for the person ("Quizzes you submitted"): the archive, the privacy page.
    title: Promise
    holds: Promise
    purpose: Promise
    seen_by: Promise
    retention: Retention = AS_LONG_AS_THE_ACCOUNT
    person: tuple[str, ...] = ("user",)
    actors: tuple[str, ...] = ()
    names_person: tuple[str, ...] = ()
    export: Callable[[object], list[dict]] | None = None
    files: Callable[[object], Iterable[tuple[str, object]]] | None = None
    erase: Erase | Callable[[object], int] = Erase.DELETE
    kept_because: Promise | str = ""  # with Erase.KEEP or an erase function that keeps rows
    order: int = 50  # erasure order within the registry (lower first: rows that PROTECT others)
    # Called at once when the person asks for their account to be deleted (before the grace
    # period): leave the responder pool, leave cohorts… Receives the person; returns a JSON-ready
    # dict of what it did ({"pool": True}), kept on the AccountDeletion as `left` so that every
    # text to the person says what happened to them (training/deletion.py).
    suspend: Callable[[object], object] | None = None
    on_privacy_page: bool = True
    # index.html of "download my data": a translated column heading per key the export returns
    # (keys every declaration uses, "created_at", "cohort"…, are in LABELS), and how a value
    # that is a code is shown ({"status": Model.Status} or a function of the code). The JSON
    # files keep the keys and the codes, for programs; keys ending in "_id" or "_ids" are
    # identifiers for programs only: in the JSON, not in index.html (as is a key labelled None).
    labels: dict = field(default_factory=dict)
    shows: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def rows(self, person):
        """The rows about `person` (an OR over the `person` fields)."""
        manager = self.model_class._default_manager
        if not self.person:  # no field points at the person (sessions): never "every row"
            return manager.none()
        query = Q()
        for name in self.person:
            query |= Q(**{name: person})
        return manager.filter(query)

    def hidden(self, key: str) -> bool:
        """A key for programs only (an id, or a code shown beside its words): not in index.html."""
        return key.endswith(("_id", "_ids")) or (key in self.labels and self.labels[key] is None)

    def label(self, key: str) -> str | None:
        """The translated heading of an export key, or None when none is declared."""
        text = self.labels.get(key, LABELS.get(key))
        return str(text) if text is not None else None

    def show(self, key: str, value):
        """How index.html shows `value` of `key`: a code by its translated label."""
        shown = self.shows.get(key, SHOWS.get(key))
        if shown is None or value is None or isinstance(value, bool | dict):
            return value
        if isinstance(value, list | tuple):
            return [self.show(key, item) for item in value]
        if hasattr(shown, "choices"):  # a Django Choices class
            shown = dict(shown.choices)
        if callable(shown):
            return shown(value)
        return shown.get(value, value)

    def export_rows(self, person) -> list[dict]:
        if self.export is not None:
            return list(self.export(person))
        return []

    def erase_rows(self, person) -> int:
        if callable(self.erase):
            return self.erase(person)
        if self.erase is Erase.KEEP:
            return 0
        count, _ = self.rows(person).delete()
        return count

    @property
    def keeps(self) -> bool:
        return self.erase is Erase.KEEP or bool(self.kept_because)


def language_name(code):
    """A language code ("es") as its name in the reader's language ("español" → "Spanish")."""
    return settings.ALL_LANGUAGES.get(str(code).lower(), code)


# Column headings of index.html for the keys many exports share (a declaration's `labels` adds
# or overrides its own), and how their codes are shown (`shows`).
LABELS: dict[str, Promise] = {
    "at": _("When"),
    "by": _("By"),
    "course": _("Course"),
    "module": _("Module"),
    "cohort": _("Cohort"),
    "track": _("Certification"),
    "page": _("Page"),
    "title": _("Title"),
    "name": _("Name"),
    "email": _("Email address"),
    "status": _("Status"),
    "kind": _("Kind"),
    "language": _("Language"),
    "note": _("Note"),
    "text": _("Text"),
    "score": _("Score"),
    "data": _("Stored data"),
    "created_at": _("Created"),
    "created": _("Created"),
    "updated_at": _("Last changed"),
    "started_at": _("Started"),
    "completed_at": _("Completed"),
    "submitted_at": _("Submitted"),
    "decided_at": _("Decided"),
    "decided_by": _("Decided by"),
    "finished_at": _("Finished"),
    "expires_at": _("Expires"),
    "last_used_at": _("Last used"),
    "revoked_at": _("Revoked"),
    "time_zone": _("Time zone"),
    "preferred_language": _("Language"),
}
SHOWS: dict[str, object] = {"language": language_name, "preferred_language": language_name}


def iso(value) -> str | None:
    """A date or time as an export gives it: ISO 8601, a time in the current zone (the archive
    is built in the person's)."""
    if value is None:
        return None
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.isoformat()


def shown_name(user) -> str | None:
    """Another person as an export shows them: their display name ("Former member" after a
    deletion), nothing else."""
    return str(user.display_name) if user is not None else None


REGISTRY: dict[str, Declaration] = {}

# Models (or single fields, "app.Model.field") that look personal to the completeness test but
# are not, each with the reason: the registry's "null providers".
NOT_PERSONAL: dict[str, str] = {}


def declare(*declarations: Declaration) -> None:
    for declaration in declarations:
        if declaration.category not in CATEGORIES:
            raise ValueError(f"{declaration.model}: unknown category {declaration.category!r}")
        REGISTRY[declaration.model] = declaration


def not_personal(label: str, reason: str) -> None:
    NOT_PERSONAL[label] = reason


def declarations() -> list[Declaration]:
    """Every declaration, in erasure order."""
    return sorted(REGISTRY.values(), key=lambda d: (d.order, d.model))


def by_category() -> list[tuple[Category, list[Declaration]]]:
    """Categories in page order, each with its declarations (for the privacy page, the archive
    and the deletion page)."""
    grouped: dict[str, list[Declaration]] = {}
    for declaration in sorted(REGISTRY.values(), key=lambda d: d.model):
        grouped.setdefault(declaration.category, []).append(declaration)
    ordered = sorted(CATEGORIES.values(), key=lambda c: (c.order, c.key))
    return [(c, grouped[c.key]) for c in ordered if c.key in grouped]


def shows_staff(person) -> bool:
    """Whether the "staff" category concerns `person`: they hold a role beyond volunteer (or
    Django staff), or some staff declaration has rows about them. A volunteer is spared
    thirty kinds of editors' data they never have."""
    if person.is_staff or person.is_superuser or len(getattr(person, "roles", ())) > 1:
        return True
    return any(
        d.rows(person).exists() for d in REGISTRY.values() if d.category == "staff" and d.person
    )


def by_category_for(person) -> list[tuple[Category, list[Declaration]]]:
    """by_category(), without the "staff" category for a person it does not concern (the
    deletion page and /accounts/data/)."""
    sections = by_category()
    if any(c.key == "staff" for c, _d in sections) and not shows_staff(person):
        sections = [(c, d) for c, d in sections if c.key != "staff"]
    return sections


def tasks() -> dict[str, list[Declaration]]:
    """Retention tasks and the declarations each enforces (the Retention report)."""
    found: dict[str, list[Declaration]] = {}
    for declaration in REGISTRY.values():
        if declaration.retention.task:
            found.setdefault(declaration.retention.task, []).append(declaration)
    return found


def load() -> None:
    """Import every installed app's `personal_data` module (from TrainingConfig.ready)."""
    autodiscover_modules("personal_data")


# --- Completeness (tests/training/test_privacy_registry.py) -------------------------------------
# Apps whose text fields are read for names and contacts: ours, and the third-party ones known to
# keep personal data. Every installed app is walked for relations to the user.
TEXT_SCANNED_APPS = frozenset({
    "training", "courses", "cohorts", "certificates", "community", "care",
    "account", "mfa", "sessions", "wagtailusers", "wagtailadmin", "wagtail_localize",
})  # fmt: skip
# A field name with one of these words (between underscores) may name or contact a person.
PERSONAL_WORDS = frozenset({
    "email", "mail", "name", "names", "phone", "mobile", "contact", "address", "ip", "answer",
    "answers", "text", "comment", "comments", "note", "notes", "message", "reason", "signature",
    "legal", "nickname", "pseudonym", "session",
})  # fmt: skip
REQUIRED_DECLARATIONS = ("sessions.Session", "account.EmailAddress", "mfa.Authenticator")


def _is_user_relation(field, user_model) -> bool:
    target = field.related_model
    if isinstance(target, str):  # unresolved lazy reference
        return target.lower() == settings.AUTH_USER_MODEL.lower()
    return target is not None and issubclass(target, user_model)


def _may_name_person(field) -> bool:
    if isinstance(field, EmailField | GenericIPAddressField):
        return True
    if not isinstance(field, CharField | TextField | JSONField):
        return False
    return bool(PERSONAL_WORDS & set(field.name.lower().split("_")))


def undeclared(models=None, registry=None, not_personal_=None) -> list[str]:
    """What the registry misses: a relation to the user (FK, one-to-one, many-to-many) on a
    model that is not declared, or not among its declaration's `person`/`actors`; a text field
    that may name or contact a person on an undeclared model of a scanned app. Each problem is
    a sentence saying what to do. `[]` when the registry is complete."""
    user_model = get_user_model()
    registry = {k.lower(): v for k, v in (REGISTRY if registry is None else registry).items()}
    set_aside = {k.lower() for k in (NOT_PERSONAL if not_personal_ is None else not_personal_)}
    models = apps.get_models() if models is None else models
    problems = []
    for model in models:
        meta = model._meta
        if meta.proxy or meta.abstract:
            continue
        label = meta.label
        if label.lower() in set_aside:
            continue
        declaration = registry.get(label.lower())
        covered = set(declaration.person + declaration.actors) if declaration else set()
        relations, texts = [], []
        # Local fields only: a page's owner is declared once, on wagtailcore.Page.
        for model_field in [*meta.local_fields, *meta.local_many_to_many]:
            name = model_field.name
            if f"{label}.{name}".lower() in set_aside:
                continue
            if model_field.is_relation:
                if _is_user_relation(model_field, user_model) and name not in covered:
                    relations.append(name)
            elif meta.app_label in TEXT_SCANNED_APPS and _may_name_person(model_field):
                texts.append(name)
        if declaration is not None:
            problems.extend(
                f"{label}.{name} points at a person but is neither in its declaration's "
                f"`person` nor in its `actors`." for name in relations
            )  # fmt: skip
        elif relations or texts:
            found = [f"points at a person ({', '.join(relations)})"] if relations else []
            found += [f"may name or contact a person ({', '.join(texts)})"] if texts else []
            problems.append(
                f"{label} {' and '.join(found)} but is not declared: declare it in "
                f"{meta.app_label}/personal_data.py (training.privacy.declare), or set the "
                f"fields aside with not_personal('{label}.<field>', reason)."
            )
    for label in REQUIRED_DECLARATIONS:
        if label.lower() not in registry:
            problems.append(f"{label} holds personal data and must be declared.")
    return problems
