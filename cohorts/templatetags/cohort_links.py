"""The links later apps add to the trainer's menu of a cohort (cohorts.links), for
templates/cohorts/trainer/_nav.html: it is included by every trainer page of a cohort, those of
later apps too, so the links are read here rather than by each view."""

from django import template

from cohorts import links
from cohorts.selectors import is_current_trainer

register = template.Library()


@register.simple_tag(takes_context=True)
def trainer_menu_links(context, cohort) -> list[dict]:
    """The trainer menu's links for the person reading the page. Its pages let in the cohort's
    trainers (listed, with the role) and administrators: only an administrator may not train it
    (one query to know; none for anyone else)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return []
    trains = not user.is_superuser or is_current_trainer(cohort, user)
    viewer = links.TRAINER if trains else links.ADMINISTRATOR
    return links.links_for(links.TRAINER_MENU, cohort=cohort, viewer=viewer)
