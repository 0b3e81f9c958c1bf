"""Dashboard sections that later apps contribute, so `training` never imports them.

An app registers a section in its AppConfig.ready(): a template and a function that returns
that template's context for one person, in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    name: str
    template: str
    context: Callable[[object], dict]
    order: int = 100


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.name] = section


def sections_for(user) -> list[dict]:
    return [
        {"name": section.name, "template": section.template, "data": section.context(user)}
        for section in sorted(_SECTIONS.values(), key=lambda s: s.order)
    ]
