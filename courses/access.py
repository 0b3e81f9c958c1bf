"""When a module opens: gates that other apps contribute (cohorts: release dates per module), so
that `courses` never imports them. A gate is `gate(user, course) -> {module id: opens_at}` for
the modules still closed to this person; it answers in a fixed number of queries."""

from collections.abc import Callable
from datetime import datetime

_GATES: list[Callable] = []


def register(gate: Callable) -> Callable:
    if gate not in _GATES:
        _GATES.append(gate)
    return gate


def unreleased(user, course) -> dict[int, datetime]:
    """Modules of `course` not open yet to `user`, with when they open (the latest any gate
    says)."""
    if not user.is_authenticated:
        return {}
    # Asked twice while serving one page (the lock check and the outline): remembered on the
    # request's user object, which lives as long as the request.
    remembered = user.__dict__.setdefault("_acompana_unreleased", {})
    if course.pk in remembered:
        return remembered[course.pk]
    closed: dict[int, datetime] = {}
    for gate in _GATES:
        for module_id, opens_at in gate(user, course).items():
            closed[module_id] = max(opens_at, closed.get(module_id, opens_at))
    remembered[course.pk] = closed
    return closed
