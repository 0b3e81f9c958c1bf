"""Demo certification: a track with its agreements, certified volunteers in the responder pool
(several languages and zones; one expiring soon, one revoked), and the demo volunteer one
requirement short of eligibility (the code of conduct to sign). Idempotent."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cohorts.models import Cohort, SkillSignOff
from courses.models import CoursePage
from training.models import User

from . import services
from .models import (
    Agreement,
    AgreementText,
    AgreementVersion,
    Certificate,
    CertificationEvent,
    CohortTrack,
    PoolMember,
    Requirement,
    RequirementException,
    Track,
    TrackSkill,
    TrackText,
    add_months,
)

TRACK_SLUG = "peer-supporter-harassment-response"
VOLUNTEER_EMAIL = "volunteer@example.org"
TRAINER_EMAIL = "trainer@example.org"
COORDINATOR_EMAIL = "coordinator@example.org"

CODE_OF_CONDUCT = """We accompany; we do not decide for the person. We believe them, we do not \
blame them, and we follow their pace.

We keep what we hear confidential, except where a life is in danger, and we say so at the start.

We never contact the aggressor, never share screenshots outside the case, and never use what we \
learn for anything else.

We look after ourselves and each other: we ask for support, pause when we need to, and tell the \
coordinator when a case is too much."""

CONFIDENTIALITY = """What people tell us stays between them, us and the coordination team, only as \
far as the accompaniment needs it. We store nothing about a case on personal devices or accounts, \
and we delete notes when the case closes."""

# The same texts in Spanish and Portuguese (the demo works in both), as a coordinator adds them
# under "In other languages" on the track and each agreement.
TRACK_TEXTS = {
    "es": ("Acompañante entre pares — respuesta al acoso",
           "Para voluntarias y voluntarios que acompañan a personas que sufren acoso en línea: "
           "el curso, la práctica en vivo, la validación de una persona formadora y nuestros "
           "acuerdos comunes."),
    "pt-br": ("Acompanhante entre pares — resposta ao assédio",
              "Para voluntárias e voluntários que acompanham pessoas que sofrem assédio on-line: "
              "o curso, a prática ao vivo, a validação de uma pessoa formadora e nossos acordos "
              "comuns."),
}  # fmt: skip

CODE_OF_CONDUCT_ES = """Acompañamos; no decidimos por la persona. Le creemos, no la culpamos y \
seguimos su ritmo.

Guardamos la confidencialidad de lo que escuchamos, salvo cuando una vida está en peligro, y lo \
decimos al empezar.

Nunca contactamos a quien agrede, nunca compartimos capturas fuera del caso y nunca usamos lo \
que sabemos para otra cosa.

Nos cuidamos y nos cuidamos entre nosotras: pedimos apoyo, hacemos pausas cuando las \
necesitamos y avisamos a la coordinación cuando un caso nos sobrepasa."""

CONFIDENTIALITY_ES = """Lo que las personas nos cuentan queda entre ellas, nosotras y el equipo \
de coordinación, y solo en la medida en que el acompañamiento lo necesita. No guardamos nada de \
un caso en dispositivos ni cuentas personales, y borramos las notas cuando el caso se cierra."""

AGREEMENT_TEXTS = {
    "code-of-conduct": {"es": ("Código de conducta", CODE_OF_CONDUCT_ES)},
    "confidentiality": {"es": ("Acuerdo de confidencialidad", CONFIDENTIALITY_ES)},
}


def _texts(track, agreements) -> None:
    """The demo's track and agreements in other languages (once; an edit in the admin stays)."""
    for language, (title, description) in TRACK_TEXTS.items():
        defaults = {"title": title, "description": description}
        TrackText.objects.get_or_create(track=track, language=language, defaults=defaults)
    for agreement in agreements:
        version = agreement.current_version()
        for language, (title, text) in AGREEMENT_TEXTS.get(agreement.slug, {}).items():
            AgreementText.objects.get_or_create(
                agreement=agreement, version=version.number, language=language,
                defaults={"title": title, "text": text},
            )  # fmt: skip


# name, email, zone, region, languages, focus areas, channels, hours, extra
POOL_PEOPLE = [
    ("Valentina", "valentina.pool@example.org", "America/Argentina/Buenos_Aires", "Río de la Plata",
     [("es", "native"), ("en", "fluent")], ["harassment", "accompaniment"], ["chat", "video"], 5,
     {"share_email": True, "share_phone": True, "contact_phone": "+54 11 5555 0101"}),
    ("Ayesha", "ayesha.pool@example.org", "Asia/Karachi", "South Asia",
     [("en", "native"), ("ur", "native"), ("hi", "fluent")], ["digital_security", "harassment"],
     ["chat", "email"], 3, {}),
    ("Nadia", "nadia.pool@example.org", "Africa/Casablanca", "Maghreb",
     [("fr", "native"), ("ar", "fluent")], ["accompaniment", "secondary_trauma"], ["phone", "chat"],
     2, {"status": PoolMember.Status.PAUSED}),
    ("Putri", "putri.pool@example.org", "Asia/Jakarta", "Java",
     [("id", "native"), ("en", "working")], ["harassment", "documentation"], ["chat"], 6,
     {"expires_in_days": 20}),
    ("Joana", "joana.pool@example.org", "America/Recife", "Nordeste",
     [("pt", "native"), ("es", "fluent")], ["harassment", "legal_orientation"], ["video", "chat"],
     4, {"share_languages": False}),
    ("Carmen", "carmen.pool@example.org", "Europe/Madrid", "Andalucía", [("es", "native")],
     ["accompaniment"], ["phone"], 3, {"revoked": True}),
]  # fmt: skip


def _agreement(slug, title, text) -> Agreement:
    agreement, _created = Agreement.objects.get_or_create(slug=slug, defaults={"title": title})
    if not agreement.versions.exists():
        AgreementVersion.objects.create(agreement=agreement, number=1, text=text)
    return agreement


def _track(stdout, conduct, confidentiality) -> Track:
    track = Track.objects.filter(slug=TRACK_SLUG).first()
    if track:
        return track
    track = Track.objects.create(
        slug=TRACK_SLUG, title="Peer supporter — harassment response",
        description="For volunteers who accompany people facing online harassment: the "
        "course, live practice, a trainer's sign-off and our shared agreements.",
        validity_months=24, renewal_opens_days=90,
    )  # fmt: skip
    originals = CoursePage.objects.filter(locale__language_code="en")
    course = originals.filter(slug="responding-to-online-harassment").first()
    refresher = originals.filter(slug="secondary-trauma-and-care").first()
    running = Cohort.objects.filter(slug="harassment-response-autumn-2026").first()
    # The track's skills: every cohort preparing for the track signs them off.
    skills = [
        TrackSkill.objects.create(
            track=track, name="Role-play: first contact with a person being harassed",
            description="Listens first, believes, does not blame, explains options.",
        ),
        TrackSkill.objects.create(track=track, name="Role-play: helping to document abuse",
                                  sort_order=1),
    ]  # fmt: skip
    order = 0

    def add(**fields):
        nonlocal order
        Requirement.objects.create(track=track, sort_order=order, **fields)
        order += 1

    if course:
        add(kind=Requirement.Kind.COURSE, course=course)
    add(kind=Requirement.Kind.ATTENDANCE, min_attendance=50)
    add(kind=Requirement.Kind.SKILL, skill=skills[0])
    add(kind=Requirement.Kind.AGREEMENT, agreement=conduct)
    if refresher:
        add(kind=Requirement.Kind.COURSE, course=refresher, path=Requirement.Path.RENEWAL)
    add(kind=Requirement.Kind.SKILL, skill=skills[1], path=Requirement.Path.RENEWAL)
    add(kind=Requirement.Kind.AGREEMENT, agreement=confidentiality, path=Requirement.Path.RENEWAL)
    if running:
        CohortTrack.objects.update_or_create(cohort=running, defaults={"track": track})
        volunteer = User.objects.filter(email=VOLUNTEER_EMAIL).first()
        trainer = User.objects.filter(email=TRAINER_EMAIL).first()
        if volunteer and running.memberships.filter(user=volunteer).exists():
            # The running cohort's trainer signed off the first skill for the demo volunteer.
            SkillSignOff.objects.create(
                skill=skills[0], user=volunteer, cohort=running, signed_by=trainer,
                notes="Warm and clear; remember to ask what the person wants to do first.",
            )  # fmt: skip
    stdout.write(f"Demo certification track “{track.title}”")
    return track


def _certify(stdout, track, person_data, coordinator) -> None:
    name, email, zone, region, languages, focus, channels, hours, extra = person_data
    user, created = User.objects.get_or_create(
        email=email, defaults={"display_name": name, "time_zone": zone,
                               "preferred_language": "en"},
    )  # fmt: skip
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if Certificate.objects.filter(user=user, track=track).exists():
        return
    today = timezone.localdate()
    expires = today + timedelta(days=extra.get("expires_in_days", 500))
    issued = add_months(expires, -track.validity_months)
    certificate = Certificate.objects.create(
        user=user, track=track, period=1, name_on_certificate=name, language="en",
        issued_at=timezone.now() - (today - issued), valid_from=issued, expires_on=expires,
    )  # fmt: skip
    CertificationEvent.objects.create(user=user, track=track, certificate=certificate,
                                      kind=CertificationEvent.Kind.ISSUED,
                                      created_at=certificate.issued_at,
                                      note="Demo data")  # fmt: skip
    member = PoolMember(
        user=user, time_zone=zone, region=region, focus_areas=focus, channels=channels,
        hours_per_week=hours, languages=[{"code": c, "level": lvl} for c, lvl in languages],
        status=extra.get("status", PoolMember.Status.ACTIVE),
        share_email=extra.get("share_email", False),
        share_phone=extra.get("share_phone", False),
        share_other=extra.get("share_other", False),
        contact_phone=extra.get("contact_phone", ""),
        share_languages=extra.get("share_languages", True), share_region=True,
        share_time_zone=True, share_focus_areas=True, share_channels=True,
        share_availability=True,
    )  # fmt: skip
    member.save()
    if extra.get("revoked"):
        services.certificate_revoke(
            certificate=certificate, by=coordinator,
            reason="Demo data: shared a case's screenshots in a public group.", notify=False,
        )  # fmt: skip
    transaction.on_commit(
        lambda pk=certificate.pk: services.certificate_pdf_queue(certificate_id=pk)
    )
    stdout.write(f"Demo certified supporter {name}")


@transaction.atomic
def seed(stdout) -> None:
    conduct = _agreement("code-of-conduct", "Code of conduct", CODE_OF_CONDUCT)
    confidentiality = _agreement("confidentiality", "Confidentiality agreement", CONFIDENTIALITY)
    track = _track(stdout, conduct, confidentiality)
    _texts(track, [conduct, confidentiality])
    coordinator = User.objects.filter(email=COORDINATOR_EMAIL).first()
    for person in POOL_PEOPLE:
        _certify(stdout, track, person, coordinator)

    volunteer = User.objects.filter(email=VOLUNTEER_EMAIL).first()
    course_requirement = track.requirements.filter(
        kind=Requirement.Kind.COURSE, path=Requirement.Path.INITIAL
    ).first()
    if (
        volunteer
        and course_requirement
        and not RequirementException.objects.filter(
            user=volunteer, requirement=course_requirement
        ).exists()
    ):
        # Recognised prior training: the coordinator counts the course as done, with a reason.
        RequirementException.objects.create(
            user=volunteer, requirement=course_requirement, granted_by=coordinator,
            reason="Completed the equivalent course with a partner helpline in 2025.",
        )  # fmt: skip
        CertificationEvent.objects.create(
            user=volunteer, track=track, kind=CertificationEvent.Kind.EXCEPTION,
            actor=coordinator, note="Completed the equivalent course with a partner helpline.",
        )  # fmt: skip
        stdout.write("Demo exception for the demo volunteer's course requirement")
    for user in [volunteer] + [User.objects.get(email=p[1]) for p in POOL_PEOPLE]:
        if user is not None:
            services.certification_evaluate(user=user, track=track)
