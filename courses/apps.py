from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.signals import page_published, page_unpublished

        from training.dashboard import Section, register

        from .h5p.xapi import content_forget
        from .models import H5PActivity
        from .views import shared_blocks_invalidate

        for signal in (post_save, post_delete):
            signal.connect(content_forget, sender=H5PActivity, dispatch_uid=f"h5p-content-{signal}")

        for signal in (page_published, page_unpublished):
            signal.connect(shared_blocks_invalidate, dispatch_uid=f"courses-blocks-{signal}")

        # Locale codes are cached in the process (training.locales): forgotten when one changes, and
        # at the start of a request when any process changed one (training.routing's generation).
        from wagtail.models import Locale

        from .i18n import forget_locales

        for signal in (post_save, post_delete):
            signal.connect(forget_locales, sender=Locale, dispatch_uid=f"courses-locales-{signal}")
        for model in (get_image_model(), get_document_model()):
            for signal in (post_save, post_delete):
                signal.connect(
                    shared_blocks_invalidate, sender=model,
                    dispatch_uid=f"courses-blocks-{model.__name__}-{signal}",
                )  # fmt: skip

        # What the course, module and catalog pages cache (courses.page_cache): any page saved,
        # deleted or moved (a publication, a translation synced, an alias converted), and what
        # else they show or depend on.
        from wagtail.models import Page, PageViewRestriction, Site, get_page_models
        from wagtail.signals import post_page_move

        from .models import CourseLanguage, Topic, TopicName
        from .page_cache import connect as connect_page_cache
        from .page_cache import invalidate

        connect_page_cache()

        for model in {Page, *get_page_models(), Site, Locale, PageViewRestriction, Topic,
                      TopicName, CourseLanguage}:  # fmt: skip
            for signal in (post_save, post_delete):
                uid = f"courses-pages-{model._meta.label}-{signal}"
                signal.connect(invalidate, sender=model, dispatch_uid=uid)
        post_page_move.connect(invalidate, dispatch_uid="courses-pages-moved")

        # A page's translations are deleted, unpublished and moved with it, at its address.
        from .translation_pages import connect as connect_translation_pages

        connect_translation_pages(self)

        from .selectors import dashboard_learning

        register(
            Section(
                name="learning",
                template="courses/includes/dashboard_learning.html",
                context=dashboard_learning,
                order=20,
            )
        )
