from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from wagtail.signals import post_page_move

from courses import access, next_steps
from courses.page_cache import generation_invalidator
from training import audit_display
from training.dashboard import Section, register


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        # The app's own modules read its models: imported once the app registry is ready.
        from . import notify  # noqa: F401, PLC0415 — registers cohorts' message kinds
        from .announcements import audience_label  # noqa: PLC0415 — start-up order
        from .dashboard_html import render_dashboard_cohorts  # noqa: PLC0415 — start-up order
        from .models import ModuleRelease  # noqa: PLC0415 — start-up order
        from .next_steps import course_next_steps  # noqa: PLC0415 — start-up order
        from .selectors import (  # noqa: PLC0415 — start-up order
            RELEASES_GENERATION,
            dashboard_cohorts,
            queue_dashboard_cohorts,
            release_gate,
        )

        access.register(release_gate)
        # Which courses have release dates at all is cached (courses.page_cache, selectors._dated:
        # the dashboard, course and module pages ask nothing about a course without): forgotten
        # when a date is set or removed, or a page moves (a module dated elsewhere comes in).
        # These signals are the only way it is forgotten: write release dates row by row (a
        # bulk_create or queryset update() sends none), or call releases_changed() after.
        self.releases_changed = generation_invalidator(RELEASES_GENERATION)
        for signal in (post_save, post_delete):
            signal.connect(self.releases_changed, sender=ModuleRelease,
                           dispatch_uid=f"releases-{signal}")  # fmt: skip
        post_page_move.connect(self.releases_changed, dispatch_uid="releases-page-moved")

        next_steps.register(course_next_steps)  # the course page's "how to join"

        audit_display.show_by_name("cohort", "cohorts.Cohort", "title")  # the audit log report
        audit_display.show_by_name("to_cohort", "cohorts.Cohort", "title")
        audit_display.describe_with("audience", audience_label)

        register(
            Section(
                name="cohorts",
                context=dashboard_cohorts,
                queue=queue_dashboard_cohorts,
                order=10,
                render=render_dashboard_cohorts,
            )
        )
