from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _

from cohorts import links
from courses import module_extras
from courses.page_cache import generation_invalidator
from training.dashboard import Section, register


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Care")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Modules that read the app's models: imported once the app registry is ready.
        from . import (  # noqa: PLC0415 — start-up order
            notifications,  # noqa: F401 — registers the debrief request kind
            tasks,  # noqa: F401 — registered with Celery in every process (outbox sends by name)
        )
        from .dashboard_html import render_dashboard_care  # noqa: PLC0415 — start-up order
        from .models import CareSettings  # noqa: PLC0415 — start-up order
        from .selectors import (  # noqa: PLC0415 — start-up order
            WEEKLY_GENERATION,
            dashboard_care,
            module_offer,
            queue_dashboard_care,
        )

        # Which cohorts ask for weekly check-ins is cached (the dashboard reads nothing more
        # while no cohort does): forgotten when a cohort's choice changes.
        self.weekly_changed = generation_invalidator(WEEKLY_GENERATION)
        for signal in (post_save, post_delete):
            signal.connect(self.weekly_changed, sender=CareSettings,
                           dispatch_uid=f"care-weekly-{signal}")  # fmt: skip

        # The cohort's care page, in the trainer's menu of the cohort (after the discussion space).
        links.register(links.Link(
            name="care", place=links.TRAINER_MENU, label=_("Care"), url_name="care:trainer_care",
            # Not to an administrator who does not train the cohort: the page is its trainers'.
            shown_to=frozenset({links.TRAINER}), order=20,
        ))  # fmt: skip

        # A heavy module's page offers a private check-in.
        module_extras.register(module_extras.Extra(
            name="care", context=module_offer, template="care/includes/module_offer.html",
        ))  # fmt: skip

        register(
            Section(
                name="care",
                context=dashboard_care,
                queue=queue_dashboard_care,
                order=40,
                render=render_dashboard_care,
            )
        )
