from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificatesConfig(AppConfig):
    name = "certificates"
    verbose_name = _("Certificates")

    def ready(self):
        # Start-up order: these modules import models, which are not loaded when this file is.
        from cohorts import member_panels, shared_skills  # noqa: PLC0415 — models load first
        from cohorts.forms import (  # noqa: PLC0415 — models load first
            FormExtension,
            register_form_extension,
        )
        from training import audit_display  # noqa: PLC0415 — models load first
        from training.dashboard import Section, register  # noqa: PLC0415 — models load first

        # The requirement kinds and the message kinds register themselves.
        from . import (  # noqa: PLC0415 — models load first
            notifications,  # noqa: F401
            requirement_kinds,  # noqa: F401
            signals,
        )
        from .dashboard_html import render_dashboard_certification  # noqa: PLC0415 — models first
        from .forms import cohort_track_field, cohort_track_save  # noqa: PLC0415 — models first
        from .models import track_of  # noqa: PLC0415 — models load first
        from .pool import filters_text  # noqa: PLC0415 — models load first
        from .selectors import (  # noqa: PLC0415 — models load first
            dashboard_certification,
            member_certification,
            queue_dashboard_certification,
            skills_with_tracks,
            track_of_skill,
            track_skills_of,
        )

        signals.connect()

        # The audit log report names tracks, and shows the pool's filters as coordinators chose.
        audit_display.show_by_name("track", "certificates.Track", "title")
        audit_display.describe_with("filters", filters_text)

        # Certificates owns the cohort-track link: the cohort form's "certification track", and
        # the track's skills, signed off in each cohort preparing for the track.
        register_form_extension(
            FormExtension(name="track", field=cohort_track_field, save=cohort_track_save)
        )
        shared_skills.register(
            shared_skills.Sharing(
                skills_of=track_skills_of,
                group_of=track_of,
                group_of_skill=track_of_skill,
                with_groups=skills_with_tracks,
            )
        )

        # The trainer's page about a member: the checklist on top, a note under attendance.
        member_panels.register(
            member_panels.Panel(
                name="certification",
                context=member_certification,
                templates={
                    "top": "certificates/includes/member_certification.html",
                    "attendance": "certificates/includes/member_certification_attendance.html",
                },
                order=30,
            )
        )
        register(
            Section(
                name="certification",
                context=dashboard_certification,
                queue=queue_dashboard_certification,
                order=30,
                render=render_dashboard_certification,
            )
        )
