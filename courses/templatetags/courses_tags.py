from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from courses import page_html

register = template.Library()


@register.simple_tag
def module_list(rows, enrolled, can_open, preview_id):
    """The course page's modules, a `<li>` each (courses.page_html: written in Python)."""
    return page_html.module_list(rows, enrolled=enrolled, can_open=can_open, preview_id=preview_id)


@register.simple_tag
def offline_copy(page):
    """The course page's “Read offline” box (courses.page_html: written in Python)."""
    return page_html.offline_copy(page)


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dict lookup with a variable key."""
    if mapping is None:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def module_body(context):
    """The module page's body, block by block: the HTML everyone sees (`shared_blocks`, cached)
    or the activity as this person sees it (`activity_views`; to someone reading a free preview,
    what it is and how to join). A loop in Python: a module has many blocks."""
    shared = context.get("shared_blocks") or {}
    views = context.get("activity_views") or {}
    parts, flat, join = [], None, None
    body = context["page"].body
    # The block ids come from the stored JSON: a block whose HTML is cached is never turned into
    # Python values (rich text, images…) on the way; only the others are, by index (issue 18).
    for index, raw in enumerate(body.raw_data):
        html = shared.get(raw.get("id"))
        if html is not None:
            parts.append(conditional_escape(html))
            continue
        child = body[index]
        activity = views.get(child.id)
        if isinstance(activity, dict) and activity.get("join"):
            if join is None:
                join = context.template.engine.get_template("courses/includes/activity_join.html")
            with context.push(block_id=child.id, activity=activity):
                parts.append(join.render(context))
            continue
        if flat is None:
            flat = context.flatten()
        parts.append(
            child.render_as_block(context={**flat, "block_id": child.id, "activity": activity})
        )
    return mark_safe("".join(parts))  # noqa: S308 - each part is escaped or rendered HTML
