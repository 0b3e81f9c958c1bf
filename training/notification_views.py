"""/notifications/: which non-essential messages a person receives (training/notifications.py
lists every kind the apps registered; each choice is one opt-out row). A later app adds a choice
of its own that is more than on/off (community: how often its digest comes) as a `Panel`."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .notifications import GROUPS, choosable_kinds, notification_choices_save, opted_out


class NotificationChoicesForm(forms.Form):
    """A checkbox per non-essential kind the person may choose, ticked when it is sent."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = choosable_kinds(user)
        off = opted_out(user)
        for kind in self.kinds:
            self.fields[kind.name] = forms.BooleanField(
                label=capfirst(kind.label), required=False, initial=kind.name not in off
            )

    def groups(self) -> list[tuple[object, list]]:
        """(Group, its bound fields) in the page's order, for the template's fieldsets."""
        grouped: dict[str, list] = {}
        for kind in self.kinds:
            grouped.setdefault(kind.group, []).append(self[kind.name])
        return [(GROUPS[key], fields) for key, fields in grouped.items()]

    def wanted(self) -> set[str]:
        return {name for name, on in self.cleaned_data.items() if on}


@dataclass(frozen=True)
class Panel:
    """A later app's own form on the page, in the same <form>: `form(data, user=, prefix=name)`
    is a Django form whose `save()` keeps the choice; `template` shows it (as `form`);
    `shown_to(user)` says whether it concerns the person (None: everyone)."""

    name: str
    form: Callable
    template: str
    order: int = 50
    shown_to: Callable[[object], bool] | None = None


PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    """Add a panel to the page (from the module of the app that owns the choice)."""
    PANELS[panel.name] = panel


def _panels(data, user) -> list[dict]:
    shown = [p for p in PANELS.values() if p.shown_to is None or p.shown_to(user)]
    return [{"template": p.template, "form": p.form(data, user=user, prefix=p.name)}
            for p in sorted(shown, key=lambda p: (p.order, p.name))]  # fmt: skip


@login_required
def notification_settings(request):
    """Which non-essential messages this person receives."""
    # Bound on every POST: with every box unticked, the POST holds nothing but the CSRF token.
    data = request.POST if request.method == "POST" else None
    form = NotificationChoicesForm(data, user=request.user)
    panels = _panels(data, request.user)
    valid = [form.is_valid(), *(panel["form"].is_valid() for panel in panels)]
    if request.method == "POST" and all(valid):
        notification_choices_save(user=request.user, wanted=form.wanted())
        for panel in panels:
            panel["form"].save()
        messages.success(request, _("Your choices are saved."))
        return HttpResponseRedirect(request.path)
    return render(request, "training/notification_settings.html",
                  {"form": form, "panels": panels})  # fmt: skip
