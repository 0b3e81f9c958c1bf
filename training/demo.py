"""Demo people and home page content, shared by `seed_demo` and the README."""

from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from .models import HomePage
from .roles import Role

DEMO_PASSWORD = "acompana-demo-2026"

DEMO_PEOPLE = [
    {
        "email": "volunteer@example.org",
        "display_name": "Ana (volunteer)",
        "roles": (),
        "time_zone": "America/Santiago",
        "language": "es",
    },
    {
        "email": "trainer@example.org",
        "display_name": "Tomás (trainer)",
        "roles": (Role.TRAINER,),
        "time_zone": "Europe/Madrid",
        "language": "en",
    },
    {
        "email": "coordinator@example.org",
        "display_name": "Comfort (coordinator)",
        "roles": (Role.COORDINATOR,),
        "time_zone": "Africa/Accra",
        "language": "en",
    },
    {
        "email": "admin@example.org",
        "display_name": "Ayu (administrator)",
        "roles": (Role.ADMINISTRATOR, Role.EDITOR),
        "time_zone": "Asia/Jakarta",
        "language": "en",
    },
]

HOME_INTRO = (
    "Training and certification for peer supporters who accompany people facing online "
    "harassment and gender-based violence."
)
HOME_BODY = (
    "<p>Acompaña prepares volunteers to accompany people who are targeted online: to listen "
    "without judgement, to help document abuse and escalate it to platforms, to take first "
    "steps in digital security, and to refer on when the need goes beyond peer support.</p>"
    "<p>It is run by feminist helplines and peer-support networks. Training happens in cohorts "
    "with live sessions and modules you can follow at your own pace, also from recordings and "
    "notes when power or connection fail. Caring for the carers is part of the curriculum.</p>"
)
HOME_HOW = (
    "<ol><li>Create an account with a display name: other volunteers only ever see that "
    "name.</li><li>Apply to a cohort in a language you work in.</li><li>Work through the "
    "modules and join the live sessions, shown in your own time zone.</li><li>Get certified, "
    "and choose whether to join the responder pool.</li></ol>"
)


def ensure_site() -> HomePage:
    """The Wagtail tree the platform needs: a root, the home page, a default site.

    The migration creates them; this puts them back on a database that was emptied since
    (a flushed test database, or one restored without them).
    """
    home = HomePage.objects.first()
    if home is not None:
        return home
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))
    home = root.add_child(instance=HomePage(title="Acompaña", slug="home"))
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(
        hostname="localhost", root_page=home, is_default_site=True, site_name="Acompaña"
    )
    return home


def seed_home_page() -> HomePage:
    """Fill the home page the migration made, once: an editor's later changes are kept."""
    home = ensure_site()
    if not home.body:
        home.intro, home.body, home.how_it_works = HOME_INTRO, HOME_BODY, HOME_HOW
        home.save_revision().publish()
    return home
