from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from training.dashboard import Section, register

        from . import requirement_kinds, signals  # noqa: F401 (the kinds register themselves)
        from .views import dashboard_certification, member_certification

        signals.connect()

        from training import audit_display

        from .pool import filters_text

        # The audit log report names tracks, and shows the pool's filters as coordinators chose.
        audit_display.show_by_name("track", "certificates.Track", "title")
        audit_display.describe_with("filters", filters_text)
        from cohorts.contributions import register_member_context

        register_member_context(member_certification)
        register(
            Section(
                name="certification",
                template="certificates/includes/dashboard_certification.html",
                context=dashboard_certification,
                order=30,
            )
        )
