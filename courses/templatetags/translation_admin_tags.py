from django import template
from django.conf import settings

from courses.translation_pages import pages_to_cascade

register = template.Library()


@register.simple_tag
def copies_following(page, action):
    """The translations (and for "delete", aliases) that `action` on `page` takes along, as
    [{"title", "language", "alias", "children"}], for the admin's confirmation pages
    ("children": how many pages below the copy go with it, for "delete")."""
    copies = pages_to_cascade([page], action).get(page)
    if not copies:
        return []
    return [
        {
            "title": copy.get_admin_display_title(),
            "language": settings.ALL_LANGUAGES.get(
                copy.locale.language_code, copy.locale.language_code
            ),
            "alias": copy.alias_of_id is not None,
            "children": copy.get_descendant_count() if action == "delete" else 0,
        }
        for copy in copies.select_related("locale")
    ]


@register.simple_tag
def copies_total(copies):
    """How many copies `copies_following` listed, and the pages below them: the counts
    Wagtail's own confirmation sentence shows (it would count translations only)."""
    return {"copies": len(copies), "children": sum(copy["children"] for copy in copies)}
