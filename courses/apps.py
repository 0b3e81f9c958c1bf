from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from training.dashboard import Section, register

        from .selectors import dashboard_learning

        register(
            Section(
                name="learning",
                template="courses/includes/dashboard_learning.html",
                context=dashboard_learning,
                order=20,
            )
        )
