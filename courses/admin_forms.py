"""The forms of the course pages in Wagtail's editor."""

from wagtail.admin.forms import WagtailAdminPageForm

from training import i18n


class CoursePageForm(WagtailAdminPageForm):
    """Prerequisites name originals: each course once, in the default locale (progress belongs
    to the original, courses.i18n), titled in the editor's language when it is translated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("prerequisites")
        if field is None:
            return
        default = i18n.default_locale_id()
        courses = field.queryset.filter(locale_id=default) if default else field.queryset
        if self.instance.pk:
            # Not itself, in any language.
            courses = courses.exclude(translation_key=self.instance.translation_key)
        courses = courses.order_by("title")
        field.queryset = courses
        titles = i18n.titles_in_active_language(list(courses.only("translation_key")))
        field.label_from_instance = lambda course: titles.get(course.translation_key, course.title)
        if self.instance.pk and not self.is_bound:
            # A prerequisite chosen as a copy (before this form) is shown as its original.
            chosen = self.initial.get("prerequisites") or []
            keys = {getattr(course, "translation_key", None) for course in chosen}
            self.initial["prerequisites"] = list(courses.filter(translation_key__in=keys))
