"""The roles people hold on the platform, and the groups that carry them.

Everyone is a volunteer. Trainers, coordinators and editors are Django groups, so that Wagtail's
permission system and later issues can attach permissions to them; administrators are superusers.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VOLUNTEER = "volunteer", _("Volunteer")
    TRAINER = "trainer", _("Trainer")
    COORDINATOR = "coordinator", _("Coordinator")
    EDITOR = "editor", _("Content editor")
    ADMINISTRATOR = "administrator", _("Administrator")


# Group names are stored data: they stay in English whatever the interface language.
GROUP_FOR_ROLE = {
    Role.TRAINER: "Trainers",
    Role.COORDINATOR: "Coordinators",
    Role.EDITOR: "Editors",
}
ROLE_FOR_GROUP = {name: role for role, name in GROUP_FOR_ROLE.items()}
# Wagtail's first migration creates a "Moderators" group with admin access: its members edit
# and publish content, so they hold the editor role (and need a second factor).
ROLE_FOR_GROUP["Moderators"] = Role.EDITOR

# Roles that see other people's data or change the platform: they must use a second factor.
PRIVILEGED_ROLES = frozenset({Role.TRAINER, Role.COORDINATOR, Role.EDITOR, Role.ADMINISTRATOR})
