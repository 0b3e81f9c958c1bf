"""Dashboard sections that later apps contribute, so `training` never imports them.

An app registers a section in its AppConfig.ready(): a template and a function that returns
that template's context for one person, in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .prepared import Together, run_stages


@dataclass(frozen=True)
class Section:
    """`context(user)` gives the section's data. `queue(together, user)`, if given, is the
    same read in steps (training.prepared.run_stages: a function that gives the context once
    the reads it queued in `together` have run, or a generator of stages): every section's
    reads of one stage go to the database in one round trip. The section is written by
    `render(data)` (HTML in Python, training.html: the dashboard's own sections, where the
    template engine cost more than their reads, issue 18) or by `template`, included with
    `data`."""

    name: str
    context: Callable[[object], dict]
    template: str = ""
    order: int = 100
    queue: Callable[[Together, object], Callable[[], dict]] | None = None
    render: Callable[[object], str] | None = None

    def __post_init__(self):
        if not self.template and self.render is None:
            raise ValueError(f"dashboard section {self.name}: a template or a render is needed")


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.name] = section


def sections_for(user, together: Together | None = None) -> list[dict]:
    """Every section for this person. `together`: reads already queued (the caller's), sent
    with the sections' first reads."""
    together = together or Together()
    sections = sorted(_SECTIONS.values(), key=lambda s: s.order)
    finish = run_stages(
        together, {s.name: s.queue(together, user) for s in sections if s.queue is not None}
    )
    return [
        {
            "name": section.name,
            "template": section.template,
            "render": section.render,
            "data": finish[section.name] if section.name in finish else section.context(user),
        }
        for section in sections
    ]
