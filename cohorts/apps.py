from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self):
        from training.dashboard import Section, register

        from .views import dashboard_cohorts

        register(
            Section(
                name="cohorts",
                template="cohorts/includes/dashboard_cohorts.html",
                context=dashboard_cohorts,
                order=10,
            )
        )
