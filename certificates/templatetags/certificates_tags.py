from django import template

from ..dashboard_html import render_checklist

register = template.Library()


@register.simple_tag
def checklist(result, actions=False, for_trainer=False):
    """A track's checklist for one person (certificates.dashboard_html.render_checklist): one
    implementation for the dashboard and every page that shows it, written in Python (issue 18).
    `{% checklist result actions=True %}`; `for_trainer=True` on a trainer's page."""
    return render_checklist(result, actions=actions, for_trainer=for_trainer)
