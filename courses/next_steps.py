"""What to do next about a course, for one person: steps that later apps contribute (cohorts:
apply to the cohort teaching it, the application waiting, the place on the waitlist), so that
`courses` never imports them. A contribution is `fn(user, course) -> NextStep | list | None`,
registered in the app's AppConfig.ready(); it answers in a fixed number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass

_CONTRIBUTIONS: list[Callable] = []


@dataclass(frozen=True)
class NextStep:
    """One thing the person can do (or is waiting for). `text` is a translated sentence;
    `action` the label of its link (`url`), or of a button posting to `url` when `post`."""

    kind: str
    text: str
    action: str = ""
    url: str = ""
    post: bool = False
    # Lower comes first; the course's own steps (start, continue) take 0-10.
    order: int = 50


def register(contribution: Callable) -> Callable:
    if contribution not in _CONTRIBUTIONS:
        _CONTRIBUTIONS.append(contribution)
    return contribution


def contributed(user, course) -> list[NextStep]:
    """Every registered app's steps for `user` about `course` (the original), in order."""
    steps: list[NextStep] = []
    for contribution in _CONTRIBUTIONS:
        found = contribution(user, course)
        if found is None:
            continue
        steps.extend(found if isinstance(found, list | tuple) else [found])
    return sorted(steps, key=lambda step: step.order)
