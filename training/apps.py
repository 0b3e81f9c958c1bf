from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class TrainingConfig(AppConfig):
    default = True
    name = "training"
    verbose_name = _("Platform")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Imported here, not at the top: these modules import models, which apps.py (imported
        # before the app registry is ready) cannot.
        # Signal receivers; the system checks of storage and uploads; Celery's signal receivers
        # (the request id travels with each task; task outcomes are counted for /metrics).
        from . import logging, metrics, signals, storage, uploads  # noqa: F401, PLC0415

        # The caches of page serving (sites, locales, the way down the tree, restricted paths),
        # forgotten in every process when a page, a restriction, a site or a locale changes.
        from .routing import connect  # noqa: PLC0415

        connect()

        # The privacy registry: every app's personal_data.py declares what it keeps.
        from .privacy import load  # noqa: PLC0415

        load()

        # Page instances without walking every field of their model each time (issue 18).
        from .model_init import install  # noqa: PLC0415

        install()


class UsersAdminConfig(WagtailUsersAppConfig):
    """Replaces `wagtail.users` so that its forms ask for the display name."""

    user_viewset = "training.wagtail_users.UserViewSet"
