"""Reads for the dashboards; later issues fill the cohort, learning and certification parts."""

from .dashboard import sections_for
from .prepared import Together
from .roles import Role
from .services import user_has_mfa


def dashboard_for(user) -> dict:
    """Everything the dashboard shows this person, in a fixed number of queries."""
    # The person's roles and every section's first reads: one round trip.
    together = Together()
    user.queue_roles(together)
    sections = sections_for(user, together)
    roles = user.roles
    return {
        "roles": roles,
        "is_trainer": Role.TRAINER in roles,
        "is_coordinator": Role.COORDINATOR in roles,
        "is_editor": Role.EDITOR in roles or Role.ADMINISTRATOR in roles,
        "is_administrator": Role.ADMINISTRATOR in roles,
        "has_mfa": user_has_mfa(user) if user.requires_mfa else None,
        "sections": {section["name"]: section for section in sections},
    }
