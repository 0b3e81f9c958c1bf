"""Demo care for `seed_demo`: the running cohort asks for weekly check-ins, six of its members
answered one (so the trainer's care page shows totals), modules with content notes are marked
heavy, a debrief / supervision session is planned, and a support resources page sits under the
home page. Running it twice changes nothing."""

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from cohorts import services as cohort_services
from cohorts.demo import RUNNING_COHORT, _person
from cohorts.models import Cohort, LiveSession, Membership
from cohorts.sessions import sessions_save
from courses import demo_i18n
from courses.models import ModulePage
from training.demo import ensure_site

from .models import CareSettings, CheckIn, SupportResourcesPage
from .services import checkin_batches_form

# Two more members of the running cohort, so that six people (not the demo volunteer, whose
# weekly check-in stays due) have answered.
MORE_MEMBERS = [
    ("amara.member@example.org", "Amara", "Africa/Lagos", "en"),
    ("noor.member@example.org", "Noor", "Asia/Karachi", "en"),
]
CHECKIN_PEOPLE = [
    "lucia.member@example.org", "kofi.member@example.org", "dewi.member@example.org",
    "ines.member@example.org", "amara.member@example.org", "noor.member@example.org",
]  # fmt: skip
# (carrying, energy, would like a debrief), one per person above: no notes (they are private).
ANSWERS = [(3, 3, False), (2, 2, True), (4, 3, False), (3, 4, False), (2, 3, False), (4, 4, False)]

RESOURCES_SLUG = "support"
RESOURCES = {
    "title": "Support for supporters",
    "introduction": (
        "Accompanying people who face violence affects the people who do it. If what you "
        "hear stays with you, you are not alone: these services listen. The entries below are "
        "examples; your programme keeps this list with the services of your region."
    ),
    "resources": [
        {"name": "Your local helpline", "region": "Everywhere", "languages": "Your languages",
         "description": "A confidential helpline in your country for emotional support, day "
                        "and night. Ask your coordinator for its number.",
         "phone": "Your local helpline's number", "link": ""},
        {"name": "Peer supervision circle", "region": "Online", "languages": "English, Español",
         "description": "A monthly circle where supporters talk through hard cases with a "
                        "trained facilitator, without names or details.",
         "phone": "", "link": "https://example.org/supervision"},
        {"name": "Counselling for helpline workers", "region": "Latin America",
         "languages": "Español, Português",
         "description": "Short-term counselling for people who work or volunteer on helplines "
                        "(example entry).",
         "phone": "", "link": "https://example.org/counselling"},
        {"name": "Digital security help desk", "region": "Everywhere",
         "languages": "English, Français, Bahasa Indonesia",
         "description": "When you are targeted yourself: help to secure your accounts and "
                        "devices (example entry).",
         "phone": "", "link": "https://example.org/helpdesk"},
    ],
}  # fmt: skip

DEBRIEF_TITLE = "Debrief and supervision: holding hard stories"


@transaction.atomic
def seed(stdout) -> None:
    _heavy_modules(stdout)
    running = Cohort.objects.filter(slug=RUNNING_COHORT["slug"]).first()
    if running is not None:
        _weekly_checkins(stdout, running)
        _debrief_session(stdout, running)
    _resources_page(stdout)


def _heavy_modules(stdout) -> None:
    """Modules with content notes deal with hard material: heavy (published, as an editor would)."""
    # Aliases follow their original when it is published.
    for module in ModulePage.objects.filter(heavy=False, alias_of__isnull=True).exclude(
        content_notes=""
    ):
        module.heavy = True
        module.save_revision().publish()
        stdout.write(f"Heavy module “{module.title}”")


def _weekly_checkins(stdout, running: Cohort) -> None:
    CareSettings.objects.get_or_create(cohort=running, defaults={"weekly_checkins": True})
    for member in MORE_MEMBERS:
        person = _person(*member)
        if not Membership.objects.filter(cohort=running, user=person).exists():
            with transaction.atomic():
                cohort_services._admit(running, person, Membership.Source.DEMO)
            stdout.write(f"Demo member {person.display_name} in “{running.title}”")
    now = timezone.now()
    made = 0
    for day, (email, (carrying, energy, debrief)) in enumerate(
        zip(CHECKIN_PEOPLE, ANSWERS, strict=True)
    ):
        person = _person(email, email.split(".")[0].capitalize(), "UTC", "en")
        if CheckIn.objects.filter(user=person, cohort=running).exists():
            continue
        if not Membership.objects.filter(
            cohort=running, user=person, left_at__isnull=True
        ).exists():
            continue
        CheckIn.objects.create(
            user=person, cohort=running, kind=CheckIn.Kind.WEEKLY, carrying=carrying,
            energy=energy, wants_debrief=debrief, created_at=now - timedelta(days=day, hours=3),
        )  # fmt: skip
        made += 1
    if made:
        # Counted as a person's answers are: five people's first answers, frozen in a batch.
        checkin_batches_form(cohort=running, module_key=0)
        stdout.write(f"Demo check-ins in “{running.title}”: {made}")


def _debrief_session(stdout, running: Cohort) -> None:
    if running.sessions.filter(kind=LiveSession.Kind.DEBRIEF).exists():
        return
    sessions_save(
        cohort=running, day=timezone.localdate() + timedelta(days=9), start=time(17, 0),
        end=time(18, 0), title=DEBRIEF_TITLE, kind=LiveSession.Kind.DEBRIEF, tell=False,
        description="A space to talk about what stays with us. Nothing is recorded.",
        meeting_url="https://meet.example.org/acompana-debrief",
    )  # fmt: skip
    stdout.write(f"Demo debrief session for “{running.title}”")


def _resources_page(stdout) -> SupportResourcesPage:
    home = ensure_site()
    page = SupportResourcesPage.objects.child_of(home).filter(slug=RESOURCES_SLUG).first()
    if page is not None:
        return page  # an editor's changes are kept
    page = SupportResourcesPage(
        title=RESOURCES["title"], slug=RESOURCES_SLUG, introduction=RESOURCES["introduction"],
        resources=[("resource", entry) for entry in RESOURCES["resources"]],
    )  # fmt: skip
    home.add_child(instance=page)
    page.save_revision().publish()
    stdout.write(f"Created page “{page.title}”")
    # Its copy in every content language, now (as courses' demo does for the pages before it):
    # a second run then finds everything in place.
    demo_i18n.locales(stdout)
    return page
