from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class TrainingConfig(AppConfig):
    default = True
    name = "training"
    verbose_name = _("Platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Signal receivers; the system checks of storage and uploads.
        from . import signals, storage, uploads  # noqa: F401

        # The caches of page serving (sites, locales, the way down the tree, restricted paths),
        # forgotten in every process when a page, a restriction, a site or a locale changes.
        from .routing import connect

        connect()

        # The privacy registry: every app's personal_data.py declares what it keeps.
        from .privacy import load

        load()


class UsersAdminConfig(WagtailUsersAppConfig):
    """Replaces `wagtail.users` so that its forms ask for the display name."""

    user_viewset = "training.wagtail_users.UserViewSet"
