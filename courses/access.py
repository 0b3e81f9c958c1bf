"""When a module opens: gates that other apps contribute (cohorts: release dates per module), so
that `courses` never imports them. A gate is `gate(user, course) -> {module id: opens_at}` for
the modules still closed to this person; it answers in a fixed number of queries."""

from collections.abc import Callable
from datetime import datetime

from training.prepared import Together, parallel, read_now

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


def unreleased_many(user, courses) -> dict[int, dict[int, datetime]]:
    """`unreleased` for several courses at once (by course pk), each gate asked once for all of
    them where it can (a gate's `many(user, courses)`): a fixed number of queries."""
    return read_now(stage_unreleased_many, user, courses)


def stage_unreleased_many(together: Together, user, courses):
    """`unreleased_many` in stages (training.prepared.run_stages): every gate's reads of a
    stage sent together (a gate's `stages(together, user, courses)`, if it has one)."""
    if not user.is_authenticated:
        return {course.pk: {} for course in courses}
    remembered = user.__dict__.setdefault("_acompana_unreleased", {})
    missing = [course for course in courses if course.pk not in remembered]
    if missing:
        found: dict[int, dict[int, datetime]] = {course.pk: {} for course in missing}
        answered = yield from parallel(*(_gate(gate, together, user, missing) for gate in _GATES))
        for answers in answered:
            for course_pk, closed in answers.items():
                for module_id, opens_at in closed.items():
                    dates = found[course_pk]
                    dates[module_id] = max(opens_at, dates.get(module_id, opens_at))
        remembered.update(found)
    return {course.pk: remembered[course.pk] for course in courses}


def _gate(gate, together: Together, user, courses):
    if (stages := getattr(gate, "stages", None)) is not None:
        return (yield from stages(together, user, courses))
    if (many := getattr(gate, "many", None)) is not None:
        return many(user, courses)
    return {course.pk: gate(user, course) for course in courses}
