"""Demo cohorts for `seed_demo`: one taking applications, one running with members, one open
to anyone (joined with one click), all trained by the demo trainer. Running it twice changes
nothing."""

from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from courses.models import CoursePage
from training.models import User

from . import services
from .models import (
    Application,
    Cohort,
    CohortCourse,
    Membership,
    ScreeningQuestion,
)
from .sessions import attendance_save, session_after, sessions_save

TRAINER_EMAIL = "trainer@example.org"
VOLUNTEER_EMAIL = "volunteer@example.org"

# Fellow members of the running cohort (they never sign in: no password).
MEMBERS = [
    ("lucia.member@example.org", "Lucía", "America/Bogota", "es"),
    ("kofi.member@example.org", "Kofi", "Africa/Accra", "en"),
    ("dewi.member@example.org", "Dewi", "Asia/Jakarta", "id"),
    ("ines.member@example.org", "Inês", "America/Sao_Paulo", "pt-br"),
]
# People whose applications to the open cohort wait for the trainer's decision.
APPLICANTS = [
    ("marta.applicant@example.org", "Marta", "Europe/Madrid", "es",
     "Llevo dos años moderando un foro feminista y quiero acompañar mejor a quien recibe acoso.",
     "Tardes entre semana"),
    ("sofia.applicant@example.org", "Sofía", "America/Mexico_City", "es",
     "Soy voluntaria en una línea de apoyo y quiero formarme en acompañamiento digital.",
     "Fines de semana"),
]  # fmt: skip

OPEN_COHORT = {
    "slug": "acompanantes-marzo-2027",
    "title": "Acompañantes entre pares — cohorte de marzo 2027",
    "description": "Una cohorte en español para aprender a acompañar a personas que viven acoso "
    "en línea: sesiones en vivo cada dos semanas y módulos entre sesiones.",
    "working_language": "es",
    "interpretation_languages": ["pt-br"],
    "time_zone": "America/Mexico_City",
    "mode": Cohort.Mode.APPLICATION,
    "status": Cohort.Status.OPEN,
    "capacity": 20,
    "courses": ["feminist-accompaniment", "secondary-trauma-and-care"],
    # A Spanish-speaking cohort: its sessions are named in Spanish too.
    "sessions": [
        "Bienvenida y acuerdos",
        "Escuchar sin juzgar: práctica",
        "Documentar la violencia en línea en equipo",
        "Cuidar a quienes cuidan",
    ],
    "session_description": "Trae una pregunta del módulo en el que estás trabajando.",
    "questions": [
        ("¿Por qué quieres acompañar a otras personas?", ScreeningQuestion.Kind.TEXT, []),
        (
            "¿Cuándo puedes asistir a las sesiones en vivo?",
            ScreeningQuestion.Kind.CHOICE,
            ["Mañanas entre semana", "Tardes entre semana", "Fines de semana"],
        ),
    ],
}
RUNNING_COHORT = {
    "slug": "harassment-response-autumn-2026",
    "title": "Harassment response — autumn 2026",
    "description": "Peer supporters from four regions learning together to respond to online "
    "harassment: live sessions every other week, modules in between.",
    "working_language": "en",
    "interpretation_languages": ["es"],
    "time_zone": "Europe/Madrid",
    "mode": Cohort.Mode.APPLICATION,
    "status": Cohort.Status.RUNNING,
    "capacity": 12,
    "courses": ["feminist-accompaniment", "responding-to-online-harassment"],
    "sessions": [
        "Welcome and agreements",
        "Listening without judgement: practice",
        "Documenting abuse together",
        "Care for carers",
    ],
    "session_description": "Bring a question from the module you are working on.",
    "questions": [],
}


# Open enrolment: anyone signed in joins with one click (a place while places last). Its dates
# follow the day the demo is seeded (three weeks later), so its name gives none.
OPEN_ENROLMENT_COHORT = {
    "slug": "care-circle",
    "title": "Care circle — open to everyone",
    "description": "An open cohort for anyone who supports others: follow the secondary trauma "
    "and care course together, with a live session every two weeks. Join with one click.",
    "working_language": "en",
    "interpretation_languages": ["es"],
    "time_zone": "America/Bogota",
    "mode": Cohort.Mode.OPEN,
    "status": Cohort.Status.OPEN,
    "capacity": 40,
    "courses": ["secondary-trauma-and-care"],
    "sessions": [
        "Meeting each other: why care matters",
        "Noticing our own early signs",
        "Writing a care plan together",
        "Debriefing as a group",
    ],
    "session_description": "Bring a question, or something that helped you care for yourself.",
    "questions": [],
}


def _person(email, name, zone, language) -> User:
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"display_name": name, "time_zone": zone, "preferred_language": language},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _cohort(stdout, data, *, starts: date, ends: date, trainer) -> Cohort:
    cohort, created = Cohort.objects.get_or_create(
        slug=data["slug"],
        defaults={
            key: data[key]
            for key in ("title", "description", "working_language", "interpretation_languages",
                        "time_zone", "mode", "status", "capacity")
        } | {"starts_on": starts, "ends_on": ends},
    )  # fmt: skip
    if not created:
        return cohort  # a trainer may have changed it since: their work wins
    for order, slug in enumerate(data["courses"]):
        course = CoursePage.objects.filter(slug=slug, locale__language_code="en").first()
        if course is not None:
            CohortCourse.objects.create(cohort=cohort, course=course, sort_order=order)
    for order, (text, kind, choices) in enumerate(data["questions"]):
        ScreeningQuestion.objects.create(
            cohort=cohort, text=text, kind=kind, choices=choices, sort_order=order
        )
    if trainer is not None:
        cohort.trainers.add(trainer)
    stdout.write(f"Created cohort “{cohort.title}”")
    return cohort


@transaction.atomic
def seed(stdout) -> None:
    trainer = User.objects.filter(email=TRAINER_EMAIL).first()
    today = timezone.localdate()
    open_cohort = _cohort(
        stdout, OPEN_COHORT, starts=today + timedelta(days=100), ends=today + timedelta(days=190),
        trainer=trainer,
    )  # fmt: skip
    running = _cohort(
        stdout, RUNNING_COHORT, starts=today - timedelta(days=30),
        ends=today + timedelta(days=60), trainer=trainer,
    )  # fmt: skip
    open_enrolment = _cohort(
        stdout, OPEN_ENROLMENT_COHORT, starts=today + timedelta(days=21),
        ends=today + timedelta(days=100), trainer=trainer,
    )  # fmt: skip

    questions = list(open_cohort.questions.all())
    for email, name, zone, language, why, when in APPLICANTS:
        applicant = _person(email, name, zone, language)
        if not Application.objects.filter(cohort=open_cohort, user=applicant).exists():
            answers = {str(questions[0].pk): why, str(questions[1].pk): when} if len(
                questions) >= 2 else {}  # fmt: skip
            services.application_submit(cohort=open_cohort, user=applicant, answers=answers)
            stdout.write(f"Demo application from {name} to “{open_cohort.title}”")

    volunteer = User.objects.filter(email=VOLUNTEER_EMAIL).first()
    people = [volunteer] if volunteer else []
    people += [_person(*member) for member in MEMBERS]
    for person in people:
        if not Membership.objects.filter(cohort=running, user=person).exists():
            with transaction.atomic():
                services._admit(running, person, Membership.Source.DEMO)
            stdout.write(f"Demo member {person.display_name} in “{running.title}”")
    # Two sessions in the past (with attendance, a recording and notes), two to come.
    seed_sessions(stdout, running, trainer, RUNNING_COHORT, first_day=today - timedelta(days=20),
                  times=(time(17, 0), time(18, 30)), past_notes=True)  # fmt: skip
    seed_sessions(stdout, open_cohort, trainer, OPEN_COHORT, first_day=open_cohort.starts_on,
                  times=(time(18, 0), time(19, 30)))  # fmt: skip
    seed_sessions(stdout, open_enrolment, trainer, OPEN_ENROLMENT_COHORT,
                  first_day=open_enrolment.starts_on, times=(time(12, 0), time(13, 0)))  # fmt: skip
    # The skills a certification requires are the track's (certificates.demo adds them, with
    # the demo volunteer's sign-off): every cohort preparing for the track signs them off.


def seed_sessions(stdout, cohort: Cohort, trainer, data: dict, *, first_day, times,
                  past_notes=False) -> None:  # fmt: skip
    """Fortnightly sessions from `first_day` at `times` (local start, end) in the cohort's
    zone, titled and described as in `data` (in the cohort's working language); the past ones
    with attendance, a recording and notes."""
    if cohort.sessions.exists():
        return
    now = timezone.now()
    active = cohort.memberships.filter(left_at__isnull=True)
    members = list(active.values_list("user_id", flat=True))
    for number, title in enumerate(data["sessions"]):
        (session,) = sessions_save(
            cohort=cohort, day=first_day + timedelta(days=14 * number), start=times[0],
            end=times[1], title=title, meeting_url="https://meet.example.org/acompana-demo",
            description=data["session_description"], tell=False,
        )  # fmt: skip
        if past_notes and session.ends_at < now:
            session_after(
                session, recording_url="https://video.example.org/acompana-demo",
                notes="We practised first replies in pairs. Next time: documenting abuse.",
            )  # fmt: skip
            statuses = dict.fromkeys(members, "present")
            if len(members) > 2:
                statuses[members[-1]] = "absent"
                statuses[members[-2]] = "late"
            attendance_save(session=session, statuses=statuses, by=trainer)
    stdout.write(f"Demo sessions for “{cohort.title}”")
