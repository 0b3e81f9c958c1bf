from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        from training.dashboard import Section, register

        from . import signals
        from .views import dashboard_certification

        signals.connect()
        register(
            Section(
                name="certification",
                template="certificates/includes/dashboard_certification.html",
                context=dashboard_certification,
                order=30,
            )
        )
