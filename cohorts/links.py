"""Links that later apps add to two places of the cohorts' pages, so that `cohorts` never names
their pages (the same shape as member_panels.py): community's discussion space, care's page.

An app registers a `Link` in its AppConfig.ready(): where it shows, its label, the URL name it
points to (reversed with the cohort's slug), its order among the other apps' links, and to whom
it shows. The places:

- COHORT_PAGE: the cohort's page (/cohorts/<slug>/), under the trainers' messages. Viewers:
  MEMBER (a current member) and TRAINER (listed among the cohort's trainers); nobody else sees
  any of these links.
- TRAINER_MENU: the trainer's menu of one cohort (templates/cohorts/trainer/_nav.html), between
  "Messages" and "Screening questions". Viewers: TRAINER (listed and holding the trainer role)
  and ADMINISTRATOR (an administrator on a cohort they do not train).

Rendering one place reverses the URL names and reads nothing from the database.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.functional import Promise

COHORT_PAGE, TRAINER_MENU = "cohort_page", "trainer_menu"
PLACES = (COHORT_PAGE, TRAINER_MENU)
MEMBER, TRAINER, ADMINISTRATOR = "member", "trainer", "administrator"
VIEWERS = {COHORT_PAGE: {MEMBER, TRAINER}, TRAINER_MENU: {TRAINER, ADMINISTRATOR}}


@dataclass(frozen=True)
class Link:
    name: str
    place: str
    label: Promise | str  # translated when rendered (gettext_lazy)
    url_name: str  # takes the cohort's slug
    shown_to: frozenset[str] = field(default_factory=frozenset)
    order: int = 100


_LINKS: dict[tuple[str, str], Link] = {}


def register(link: Link) -> None:
    if link.place not in PLACES:
        raise ValueError(f"Unknown place for a cohort link: {link.place!r}")
    unknown = set(link.shown_to) - VIEWERS[link.place]
    if not link.shown_to or unknown:
        raise ValueError(f"Say to whom {link.name!r} shows, among {sorted(VIEWERS[link.place])}")
    _LINKS[(link.place, link.name)] = link


def links_for(place: str, *, cohort, viewer: str | None) -> list[dict]:
    """The links of `place` that `viewer` (MEMBER, TRAINER, ADMINISTRATOR or None) sees, in
    order: {"name", "label", "url"} each."""
    if viewer is None:
        return []
    found = sorted(
        (link for (where, _name), link in _LINKS.items() if where == place),
        key=lambda link: (link.order, link.name),
    )
    return [
        {"name": link.name, "label": link.label,
         "url": reverse(link.url_name, args=[cohort.slug])}
        for link in found if viewer in link.shown_to
    ]  # fmt: skip
