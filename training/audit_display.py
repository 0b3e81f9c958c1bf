"""An audit entry's details as people read them: translated labels for the keys the platform
records, times in the viewer's zone, and ids of things (a cohort, a track) by their names.

Each app names what is its own (in its AppConfig.ready), so training imports none of them:
`show_by_name("cohort", "cohorts.Cohort", "title")` and `describe_with("filters", function)`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime

from django.apps import apps
from django.utils.translation import gettext_lazy as _

LABELS = {
    "requested_at": _("Asked on"),
    "due_at": _("Due on"),
    "requested_by": _("Asked by"),
    "reason": _("Reason"),
    "deletion": _("Deletion request"),
    "download": _("Data download"),
    "files": _("Files removed"),
    "rows": _("Rows"),
    "added": _("Added"),
    "removed": _("Removed"),
    "administrator": _("Administrator"),
    "created": _("New account"),
    "active": _("Active"),
    "bulk": _("Several at once"),
    "via": _("Changed in"),
    "cohort": _("Cohort"),
    "cohort_title": _("Cohort"),
    "to_cohort": _("Moved to"),
    "to_cohort_title": _("Moved to"),
    "application": _("Application"),
    "reflection": _("Reflection"),
    "audience": _("Written to"),
    "announcement": _("Message"),
    "decision": _("Decision"),
    "outcome": _("Result"),
    "inactive_days": _("Inactive for (days)"),
    "track": _("Certification track"),
    "certificate": _("Certificate"),
    "request": _("Certification request"),
    "requirement": _("Requirement"),
    "exception": _("Exception"),
    "export": _("Export"),
    "log_entry": _("Entry of the record"),
    "page": _("Page"),
    "page_title": _("Page title"),
    "address": _("Address"),
    "language": _("Language"),
    "pages_below": _("Pages below it, deleted with it"),
    "address_for": _("Address freed for page"),
    "filters": _("Filters"),
    "token": _("API token"),
    "kind": _("Kind"),
    "imported_from": _("Copied from the earlier record"),
}

VALUES = {
    ("requested_by", "admin"): _("an administrator"),
    ("requested_by", "self"): _("the person themselves"),
    ("via", "admin"): _("the administration"),
    ("via", "account"): _("their account settings"),
}

YES, NO = _("yes"), _("no")

# Ids recorded as a number that stand for a database row: shown "#id".
REFERENCES = {"deletion", "download", "application", "certificate", "request", "requirement",
              "exception", "export", "reflection", "log_entry", "announcement",
              "page", "address_for"}  # fmt: skip

_NAMED: dict[str, tuple[str, str]] = {}
_FORMATTERS: dict[str, Callable[[object], str]] = {}
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def show_by_name(key: str, model: str, field: str) -> None:
    """Ids under `key` in a detail are shown as the `field` of `model` ("app.Model")."""
    _NAMED[key] = (model, field)


def describe_with(key: str, function: Callable[[object], str]) -> None:
    """The value under `key` is shown as `function(value)` returns it (a str)."""
    _FORMATTERS[key] = function


def when(value: datetime) -> str:
    # Here, not at the top: apps' AppConfig modules import this registry before the app registry
    # is ready, and the template tags import models (training.i18n).
    from .templatetags.acompana import when as shown  # noqa: PLC0415

    return shown(value)


def value_text(key: str, value, names: dict | None = None) -> str:
    if key in _FORMATTERS:
        return str(_FORMATTERS[key](value))
    if isinstance(value, str) and (key, value) in VALUES:
        return str(VALUES[key, value])
    if isinstance(value, bool):
        return str(YES if value else NO)
    if names is not None and key in _NAMED and isinstance(value, int):
        name = names.get((key, value))
        return f"{name} (#{value})" if name else f"#{value}"
    if key in REFERENCES and isinstance(value, int):
        return f"#{value}"
    if isinstance(value, str) and ISO_MOMENT.match(value):
        try:
            return when(datetime.fromisoformat(value))
        except ValueError:
            return value
    if key == "token" and isinstance(value, dict):
        return str(value.get("prefix") or value.get("name") or value.get("id", ""))
    if isinstance(value, dict):
        return ", ".join(f"{LABELS.get(k, k)}: {value_text(k, v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return ", ".join(value_text(key, item) for item in value) or "—"
    return "—" if value in (None, "") else str(value)


def names_for(details: Iterable[dict]) -> dict[tuple[str, int], str]:
    """The names of the things the details refer to: one query per kind, whatever their number."""
    wanted: dict[str, set[int]] = {}
    for detail in details:
        for key in _NAMED.keys() & detail.keys():
            if isinstance(detail[key], int):
                wanted.setdefault(key, set()).add(detail[key])
    names = {}
    for key, ids in wanted.items():
        label, field = _NAMED[key]
        rows = apps.get_model(label)._base_manager.filter(pk__in=ids).values_list("pk", field)
        names.update(((key, pk), str(name)) for pk, name in rows)
    return names


def detail_items(detail: dict, names: dict) -> list[tuple[str, str, str]]:
    """(key, label, value) for each item of an entry's detail, in the active zone and language."""
    items = []
    cohort, title = detail.get("cohort"), detail.get("cohort_title")
    # A cohort is named by its id; the title recorded at the time names one deleted since.
    named_now = isinstance(cohort, int) and ("cohort", cohort) in names
    for key, value in detail.items():
        if key == "cohort_title" and (named_now or not isinstance(cohort, int)) and cohort:
            continue
        if key == "cohort_title":
            value = f"{value} (#{cohort})" if cohort else value
        elif key == "cohort" and title and not named_now:
            continue
        items.append((key, str(LABELS.get(key, key)), value_text(key, value, names)))
    return items
