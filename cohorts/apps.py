from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _audience_label(value) -> str:
    from .models import Announcement

    return str(dict(Announcement.Audience.choices).get(value, value))


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        from courses import access
        from training.dashboard import Section, register

        from .services import release_gate

        access.register(release_gate)
        # Whether a course has release dates at all is cached (courses.page_cache): forgotten
        # when a date is set or removed, or a page moves (a module dated elsewhere comes in).
        from django.db.models.signals import post_delete, post_save
        from wagtail.signals import post_page_move

        from courses.page_cache import generation_invalidator

        from .models import ModuleRelease
        from .services import RELEASES_GENERATION

        self.releases_changed = generation_invalidator(RELEASES_GENERATION)
        for signal in (post_save, post_delete):
            signal.connect(self.releases_changed, sender=ModuleRelease,
                           dispatch_uid=f"releases-{signal}")  # fmt: skip
        post_page_move.connect(self.releases_changed, dispatch_uid="releases-page-moved")

        from courses import next_steps

        from .next_steps import course_next_steps

        next_steps.register(course_next_steps)  # the course page's "how to join"

        from training import audit_display

        audit_display.show_by_name("cohort", "cohorts.Cohort", "title")  # the audit log report
        audit_display.show_by_name("to_cohort", "cohorts.Cohort", "title")
        audit_display.describe_with("audience", _audience_label)

        from .views import dashboard_cohorts

        register(
            Section(
                name="cohorts",
                template="cohorts/includes/dashboard_cohorts.html",
                context=dashboard_cohorts,
                order=10,
            )
        )
