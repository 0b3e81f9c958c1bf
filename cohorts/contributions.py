"""What later apps add to the trainers' cohort pages, so `cohorts` never imports them.

An app registers a function in its AppConfig.ready(); it is called with the cohort and the
member and returns more context for the trainer's page about that member (certificates adds
the member's certification requirements for the cohort's track).
"""

from collections.abc import Callable

_MEMBER_CONTEXT: list[Callable[..., dict]] = []


def register_member_context(function: Callable[..., dict]) -> None:
    if function not in _MEMBER_CONTEXT:
        _MEMBER_CONTEXT.append(function)


def member_context(cohort, user) -> dict:
    context: dict = {}
    for function in _MEMBER_CONTEXT:
        context.update(function(cohort=cohort, user=user))
    return context
