"""Panels that later apps add to the trainer's page about one member, so `cohorts` never
imports them (the same shape as training.dashboard's sections).

An app registers a panel in its AppConfig.ready(): a function that returns its context for a
cohort and one of its members (an empty dict: nothing to show), and a template for each place
of the page it shows in: "top" (under the person's name) or "attendance" (under their live
sessions). The member page renders each with `data`, the function's context, which it calls
once per request.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

PLACES = ("top", "attendance")


@dataclass(frozen=True)
class Panel:
    name: str
    context: Callable[..., dict]  # (cohort=..., user=...) -> dict
    templates: dict[str, str] = field(default_factory=dict)  # by place
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    unknown = set(panel.templates) - set(PLACES)
    if unknown:
        raise ValueError(f"Unknown places on the member page: {sorted(unknown)}")
    _PANELS[panel.name] = panel


def panels_for(*, cohort, user) -> dict[str, list[dict]]:
    """By place, the panels with something to show: {"name", "template", "data"} each."""
    placed: dict[str, list[dict]] = {place: [] for place in PLACES}
    for panel in sorted(_PANELS.values(), key=lambda p: p.order):
        data = panel.context(cohort=cohort, user=user)
        if not data:
            continue
        for place, template in panel.templates.items():
            placed[place].append({"name": panel.name, "template": template, "data": data})
    return placed
