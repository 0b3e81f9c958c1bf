"""Demo people and home page content, shared by `seed_demo` and the README."""

from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from .models import HomePage, StandardPage
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
    "<p>It is run by feminist helplines and peer-support networks. Some courses are open: you "
    "start them the day you sign up and go at your own pace. Others are followed in cohorts, "
    "with live sessions, and recordings and notes when power or connection fail. Caring for "
    "the carers is part of the curriculum.</p>"
)
HOME_HOW = (
    "<ol><li>Create an account with a display name: other volunteers only ever see that "
    "name.</li><li>Start an open course, or apply to a cohort in a language you work in.</li>"
    "<li>Work through the modules and join the live sessions, shown in your own time "
    "zone.</li><li>Get certified, and choose whether to join the responder pool.</li></ol>"
)


def ensure_site() -> HomePage:
    """The Wagtail tree the platform needs: a root, the home page, a default site.

    The migration creates them; this puts them back on a database that was emptied since
    (a flushed test database, or one restored without them).
    """
    # The original home page (other languages have their copies of it).
    home = (
        HomePage.objects.filter(
            locale__language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
        ).first()
        or HomePage.objects.filter(alias_of__isnull=True).order_by("path").first()
    )
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
    seed_about_page()
    return home


ABOUT_TITLE = "About the programme"
ABOUT_INTRODUCTION = (
    "Who runs Acompaña, how it treats the people who train here, and what it asks of them."
)
ABOUT_BODY = (
    "<p>Acompaña is the shared training programme of feminist helplines and peer-support "
    "networks that accompany people facing online harassment and gender-based violence. "
    "Volunteers learn to listen without judgement, to document abuse and escalate it to "
    "platforms, to take first steps in digital security, and to refer on when a need goes "
    "beyond peer support.</p>"
    "<h2>Private by default</h2>"
    "<p>Many of the people who train here are targeted themselves, so the platform shows as "
    "little about them as it can. Your email address is never shown to other volunteers. "
    "Reflections you write in a course are private: only you read them, unless you choose to "
    "share one with your cohort's trainers, and they are never graded. Trainers and "
    "coordinators, who see more, must protect their accounts with a second factor.</p>"
    "<h2>Your name is the one you choose</h2>"
    "<p>Other people only ever see your display name. It does not have to be your legal name, "
    "and you can change it at any time. A legal name is optional: it is used only on a "
    "certificate, if you choose it there, and nobody else on the platform sees it.</p>"
    "<h2>Your language and your time zone</h2>"
    "<p>The site speaks English, Spanish, Portuguese, French, Indonesian and Arabic, and each "
    "course says which languages it is offered in. Live sessions are shown in your own time zone, "
    "wherever your cohort's trainers are. Modules work on slow connections, and what you type "
    "is kept if the connection drops.</p>"
    "<h2>Care for the carers</h2>"
    "<p>Accompanying people through violence affects those who do it. Caring for yourself and "
    "for each other is part of the curriculum, not an extra: modules warn you before difficult "
    "content, you can set one aside and come back later without losing anything, and your "
    "cohort is a place to ask for a debrief.</p>"
)


def seed_about_page() -> StandardPage:
    """The “About the programme” page under the home page, once: an editor's changes are kept."""
    home = ensure_site()
    page = StandardPage.objects.child_of(home).filter(slug="about").first()
    if page is None:
        page = StandardPage(
            title=ABOUT_TITLE, slug="about", introduction=ABOUT_INTRODUCTION, body=ABOUT_BODY
        )
        home.add_child(instance=page)
        page.save_revision().publish()
    return page


# --- The home and about pages in other languages (seeded as translations: courses/demo_i18n.py)
PAGES = {
    "es": {
        "home": {
            "title": "Acompaña",
            "intro": (
                "Formación y certificación para acompañantes entre pares que apoyan a personas "
                "que enfrentan acoso en línea y violencia de género."
            ),
            "body": (
                "<p>Acompaña prepara a personas voluntarias para acompañar a quienes reciben "
                "ataques en línea: escuchar sin juzgar, ayudar a documentar las agresiones y "
                "escalarlas a las plataformas, dar los primeros pasos en seguridad digital y "
                "derivar cuando lo que hace falta va más allá del apoyo entre pares.</p>"
                "<p>La impulsan líneas de ayuda feministas y redes de apoyo entre pares. Algunos "
                "cursos están abiertos: los empiezas el día en que te registras y avanzas a tu "
                "ritmo. Otros se siguen en cohortes, con sesiones en vivo, y con grabaciones y "
                "notas cuando fallan la luz o la conexión. Cuidar a quienes cuidan es parte del "
                "programa.</p>"
            ),
            "how_it_works": (
                "<ol><li>Crea una cuenta con un nombre visible: el resto de voluntarias y "
                "voluntarios solo verá ese nombre.</li><li>Empieza un curso abierto o postula a "
                "una cohorte en un idioma en el que trabajes.</li><li>Avanza en los módulos y "
                "únete a las sesiones en vivo, "
                "que se muestran en tu propia zona horaria.</li><li>Obtén tu certificación y "
                "decide si te unes a la red de acompañantes.</li></ol>"
            ),
        },
        "about": {
            "title": "Sobre el programa",
            "introduction": (
                "Quién impulsa Acompaña, cómo trata a las personas que se forman aquí y qué les "
                "pide."
            ),
            "body": (
                "<p>Acompaña es el programa de formación compartido de líneas de ayuda feministas "
                "y redes de apoyo entre pares que acompañan a personas que enfrentan acoso en "
                "línea y violencia de género.</p>"
                "<h2>Privacidad por defecto</h2>"
                "<p>Muchas de las personas que se forman aquí también reciben ataques, así que la "
                "plataforma muestra lo menos posible sobre ellas. Tu correo nunca se muestra a "
                "otras personas voluntarias, y tus reflexiones son privadas salvo que decidas "
                "compartir una con tu equipo formador.</p>"
                "<h2>Tu nombre es el que eliges</h2>"
                "<p>Los demás solo ven tu nombre visible. No tiene que ser tu nombre legal, y "
                "puedes cambiarlo cuando quieras.</p>"
                "<h2>Tu idioma y tu zona horaria</h2>"
                "<p>El sitio está en inglés, español, portugués, francés, indonesio y árabe. Las "
                "sesiones en vivo se muestran en tu zona horaria, y los módulos funcionan con "
                "conexiones lentas.</p>"
                "<h2>Cuidar a quienes cuidan</h2>"
                "<p>Acompañar a personas que atraviesan violencia afecta a quien lo hace. "
                "Cuidarte y cuidarnos es parte del programa, no un extra.</p>"
            ),
        },
    },
    "pt-br": {
        "home": {
            "title": "Acompaña",
            "intro": (
                "Formação e certificação para acompanhantes que apoiam, entre pares, pessoas que "
                "enfrentam assédio on-line e violência de gênero."
            ),
        },
    },
}
