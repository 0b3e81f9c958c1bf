from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.signals import page_published, page_unpublished, post_page_move

from training.dashboard import Section, register


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Models (ours and Wagtail's), and the modules that import them, load once the app
        # registry is ready: here, not when Django imports this module.
        from wagtail.models import (  # noqa: PLC0415 — models, after the app registry
            Locale,
            Page,
            PageViewRestriction,
            Site,
            get_page_models,
        )

        from training.i18n import forget_locales  # noqa: PLC0415 — reads Wagtail's models

        from . import kinds  # noqa: F401, PLC0415 — registers the quiz and reflection kinds
        from .dashboard_html import render_dashboard_learning  # noqa: PLC0415 — start-up order
        from .h5p import activity  # noqa: F401, PLC0415 — registers the H5P activity kind
        from .h5p.services import content_forget  # noqa: PLC0415 — models, after the registry
        from .models import (  # noqa: PLC0415 — models, after the app registry
            CourseLanguage,
            H5PActivity,
            Topic,
            TopicName,
        )
        from .page_cache import connect as connect_page_cache  # noqa: PLC0415 — with models
        from .page_cache import invalidate  # noqa: PLC0415 — with the models above
        from .selectors import (  # noqa: PLC0415 — models, after the registry
            dashboard_learning,
            queue_dashboard_learning,
        )
        from .translation_pages import (  # noqa: PLC0415 — models, after the app registry
            connect as connect_translation_pages,
        )

        for signal in (post_save, post_delete):
            signal.connect(content_forget, sender=H5PActivity, dispatch_uid=f"h5p-content-{signal}")

        # The module blocks' HTML (courses.selectors.shared_blocks_html) is cached under the
        # pages' generation: moved when a page is published or unpublished, or an image or a
        # document changes.
        for signal in (page_published, page_unpublished):
            signal.connect(invalidate, dispatch_uid=f"courses-blocks-{signal}")

        # Locale codes are cached in the process (training.locales): forgotten when one changes, and
        # at the start of a request when any process changed one (training.routing's generation).
        for signal in (post_save, post_delete):
            signal.connect(forget_locales, sender=Locale, dispatch_uid=f"courses-locales-{signal}")
        for model in (get_image_model(), get_document_model()):
            for signal in (post_save, post_delete):
                signal.connect(
                    invalidate, sender=model,
                    dispatch_uid=f"courses-blocks-{model.__name__}-{signal}",
                )  # fmt: skip

        # What the course, module and catalog pages cache (courses.page_cache): any page saved,
        # deleted or moved (a publication, a translation synced, an alias converted), and what
        # else they show or depend on.
        connect_page_cache()

        for model in {Page, *get_page_models(), Site, Locale, PageViewRestriction, Topic,
                      TopicName, CourseLanguage}:  # fmt: skip
            for signal in (post_save, post_delete):
                uid = f"courses-pages-{model._meta.label}-{signal}"
                signal.connect(invalidate, sender=model, dispatch_uid=uid)
        post_page_move.connect(invalidate, dispatch_uid="courses-pages-moved")

        # A page's translations are deleted, unpublished and moved with it, at its address.
        connect_translation_pages(self)

        register(
            Section(
                name="learning",
                context=dashboard_learning,
                queue=queue_dashboard_learning,
                order=20,
                render=render_dashboard_learning,
            )
        )
