"""A lively discussion in the demo's running cohort, for `seed_demo`: several threads with
replies by members and the trainer, one pinned, one post behind a content note, and a message
from the trainer on top. Running it twice changes nothing (the space is seeded once: a space
that has threads is the people's own)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cohorts.models import Announcement, Cohort
from training.models import User

from .models import Post, Thread

COHORT_SLUG = "harassment-response-autumn-2026"
TRAINER = "trainer@example.org"
# Who writes, by email (the demo's volunteer and the members cohorts.demo adds).
PEOPLE = {
    "trainer": TRAINER,
    "volunteer": "volunteer@example.org",
    "lucia": "lucia.member@example.org",
    "kofi": "kofi.member@example.org",
    "dewi": "dewi.member@example.org",
    "ines": "ines.member@example.org",
}

ANNOUNCEMENT = {
    "subject": "Our space is open",
    "body": "Hello everyone! The cohort's discussion space is open: ask questions between "
    "sessions, share what helped you, and look after each other. Please never write the name "
    "or details of a person you support.",
}

# (title, pinned, [(who, days ago, text, content note)]): the first post opens the thread.
THREADS = [
    ("Agreements for this space", True, [
        ("trainer", 20, "Welcome to our space. Three agreements:\n\n"
         "1. **No names or details** of the people we accompany.\n"
         "2. Use a *content note* when you write about something heavy.\n"
         "3. Mute a thread when you need a break: nobody is told.", ""),
        ("lucia", 19, "Thank you, this helps me feel safe to share here.", ""),
        ("kofi", 18, "Agreed. Could we also keep the time zones in mind for live sessions?", ""),
        ("trainer", 18, "Yes: every time on the platform is shown in your own zone.", ""),
    ]),
    ("Questions about documenting abuse", False, [
        ("volunteer", 9, "When someone sends screenshots, do you keep the original files too, "
         "or only the screenshots?", ""),
        ("dewi", 8, "I ask for the originals when possible: screenshots lose the date and the "
         "link. The module on documentation has a checklist.", ""),
        ("trainer", 8, "Exactly. See the checklist, and the "
         "[Access Now Digital Security Helpline guide](https://www.accessnow.org/help/).", ""),
        ("ines", 6, "Muito útil, obrigada! I did not know about the dates.", ""),
    ]),
    ("A hard week", False, [
        ("kofi", 4, "Someone I accompanied this week received threats that described their "
         "home in detail. I stayed with them for hours and could not sleep afterwards.",
         "threats of violence"),
        ("lucia", 3, "Thank you for telling us. That sounds heavy. What helped me in a week "
         "like that was writing it down and then closing the notebook.", ""),
        ("trainer", 3, "Thank you, Kofi. You did well to stay with them, and to say it here. "
         "Let's talk at the next session, and ask for a debrief whenever you need one.", ""),
    ]),
    ("Resources in Spanish and Portuguese?", False, [
        ("ines", 2, "Does anyone have good digital-security guides in Portuguese?", ""),
        ("lucia", 1, "En español uso las guías de *Acoso.Online*: tienen secciones por país.",
         ""),
    ]),
]  # fmt: skip


@transaction.atomic
def seed(stdout) -> None:
    cohort = Cohort.objects.filter(slug=COHORT_SLUG).first()
    if cohort is None or cohort.threads.exists():
        return
    people = {key: User.objects.filter(email=email).first() for key, email in PEOPLE.items()}
    now = timezone.now()
    trainer = people["trainer"]
    if not cohort.announcements.filter(subject=ANNOUNCEMENT["subject"]).exists():
        # Kept on the page as if sent long ago: the demo emails nobody.
        Announcement.objects.create(
            cohort=cohort, audience=Announcement.Audience.MEMBERS, sent_by=trainer,
            language="en", created_at=now - timedelta(days=21), sent_at=now - timedelta(days=21),
            **ANNOUNCEMENT,
        )  # fmt: skip
    for title, pinned, posts in THREADS:
        who, days, _text, _note = posts[0]
        started = now - timedelta(days=days, hours=2)
        thread = Thread.objects.create(cohort=cohort, author=people[who], title=title,
                                       pinned=pinned, created_at=started,
                                       last_post_at=started)  # fmt: skip
        for number, (who, days, text, note) in enumerate(posts):
            at = now - timedelta(days=days, hours=2 - min(number, 2) * 0.5)
            Post.objects.create(thread=thread, author=people[who], body=text, content_note=note,
                                created_at=at)  # fmt: skip
            thread.last_post_at = at
        thread.save(update_fields=["last_post_at"])
    stdout.write(f"Demo discussion in “{cohort.title}”")
