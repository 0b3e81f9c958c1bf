"""What later apps add to the module page, so that `courses` never names them (the same shape as
cohorts/member_panels.py): care's offer of a private check-in after a heavy module.

An app registers an `Extra` in its AppConfig.ready(): a function that returns its context for the
module page served to one person (an empty dict: nothing to show), and a template for the place
of the page it shows in: "after_completion" (under the module's completion, once the content
notes are past). The module page calls each function once per request, with `module` the
original (where settings such as `heavy` are kept: a translated copy never has its own, see
courses.i18n) and `shown` the page served (perhaps its copy in the reader's language); a function
with nothing to show reads nothing from the database.
"""

from collections.abc import Callable
from dataclasses import dataclass

PLACES = ("after_completion",)


@dataclass(frozen=True)
class Extra:
    name: str
    # (request=..., module=..., shown=..., progress=...) -> dict; `progress` is the person's
    # record of the module, None when nothing they do is recorded (a preview).
    context: Callable[..., dict]
    template: str
    place: str = "after_completion"
    order: int = 100


_EXTRAS: dict[str, Extra] = {}


def register(extra: Extra) -> None:
    if extra.place not in PLACES:
        raise ValueError(f"Unknown place on the module page: {extra.place!r}")
    _EXTRAS[extra.name] = extra


def extras_for(request, *, module, shown, progress) -> dict[str, list[dict]]:
    """By place, the extras with something to show: {"name", "template", "data"} each."""
    placed: dict[str, list[dict]] = {place: [] for place in PLACES}
    for extra in sorted(_EXTRAS.values(), key=lambda e: (e.order, e.name)):
        data = extra.context(request=request, module=module, shown=shown, progress=progress)
        if data:
            placed[extra.place].append({"name": extra.name, "template": extra.template,
                                        "data": data})  # fmt: skip
    return placed
