"""Bulk decisions on applications: the trainer sees who gets a place and who waits before
anything is done, and each person is told what really happened to them, in their language
(never "welcome" to someone on the waitlist). Then a place freed later goes to the first in
line, told truthfully."""

import html
import re

import pytest
from django.core import mail
from django.urls import reverse

from cohorts import selectors, services
from cohorts.models import Application, MessageTemplate
from tests.cohorts.factories import make_cohort
from training.factories import UserFactory
from training.models import AuditEntry

pytestmark = pytest.mark.django_db

WELCOME = "Welcome! We start on Monday."
FULL = "We are full for now: you keep your place in the queue."


def _apply(cohort, *people):
    for person in people:
        services.application_submit(
            cohort=cohort, user=person,
            answers={str(q.pk): "Evenings" for q in cohort.questions.all()},
        )  # fmt: skip
    return list(Application.objects.filter(cohort=cohort).order_by("submitted_at", "pk"))


def _by_person():
    return {message.to[0]: message for message in mail.outbox}


def test_accepting_more_people_than_places_shows_the_split_then_tells_each_the_truth(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=2)
    ana = UserFactory(display_name="Ana", preferred_language="es")
    ben = UserFactory(display_name="Ben", preferred_language="en")
    chloe = UserFactory(display_name="Chloé", preferred_language="fr")
    dede = UserFactory(display_name="Dédé", preferred_language="es")
    applications = _apply(cohort, ana, ben, chloe, dede)
    mail.outbox.clear()
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    chosen = {"application": [str(a.pk) for a in applications], "decision": "accept",
              "message": WELCOME}  # fmt: skip

    # Before: the split, with names; nothing done yet, nobody told.
    page = trainer_client.post(url, chosen)
    assert page.status_code == 200
    text = html.unescape(page.content.decode())
    assert "2 people will get a place." in text
    assert "2 people will go on the waitlist: the cohort is full for them." in text
    placed = re.search(r"Will get a place</h2>\s*<ol>(.*?)</ol>", text, re.S).group(1)
    waiting = re.search(r"Will go on the waitlist</h2>.*?<ol>(.*?)</ol>", text, re.S).group(1)
    assert "Ana" in placed and "Ben" in placed and "Chloé" not in placed
    assert "Chloé" in waiting and "Dédé" in waiting
    # Two messages, one per outcome: the waitlist's starts from the kind default.
    assert 'name="waitlist_message"' in text
    assert "The cohort is full for now: you are on the waitlist" in text
    assert set(Application.objects.values_list("status", flat=True)) == {"submitted"}
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(
            url, {**chosen, "confirm": "1", "waitlist_message": FULL, "save_template": "on"}
        )
    assert response.status_code == 302
    statuses = dict(Application.objects.values_list("user__display_name", "status"))
    assert statuses == {"Ana": "accepted", "Ben": "accepted", "Chloé": "waitlisted",
                        "Dédé": "waitlisted"}  # fmt: skip

    # One email each, in each person's language, with the words for what happened to them.
    told = _by_person()
    assert len(mail.outbox) == 4 and set(told) == {p.email for p in (ana, ben, chloe, dede)}
    assert told[ana.email].subject == "Novedades sobre tu solicitud"
    assert told[chloe.email].subject == "Des nouvelles de votre candidature"
    for person in (ana, ben):
        assert WELCOME in told[person.email].body
        assert FULL not in told[person.email].body
    assert "You have a place in the cohort" in told[ben.email].body
    for person in (chloe, dede):
        body = told[person.email].body
        assert "Welcome" not in body and WELCOME not in body
        assert FULL in body
    assert "est complète pour le moment. Vous êtes sur sa liste d'attente" in (
        told[chloe.email].body
    )
    # The cohort page says the same to each.
    for application in Application.objects.all():
        message = application.message
        assert message == (WELCOME if application.status == "accepted" else FULL)
    # The trainer's summary, and both messages kept for next time, each under its outcome.
    after = trainer_client.get(url).content.decode()
    assert "Given a place: 2. On the waitlist: 2." in html.unescape(after)
    saved = dict(MessageTemplate.objects.filter(cohort=cohort).values_list("decision", "text"))
    assert saved == {"accept": WELCOME, "waitlist": FULL}
    assert AuditEntry.objects.filter(action="application.decided").count() == 4


def test_a_place_freed_later_goes_to_the_first_waiting_who_is_told_truthfully(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=1)
    first, second = UserFactory(display_name="Uno"), UserFactory(display_name="Dos")
    applications = _apply(cohort, first, second)
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(url, {"application": [str(a.pk) for a in applications],
                                  "decision": "accept", "message": WELCOME, "confirm": "1",
                                  "waitlist_message": FULL})  # fmt: skip
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(cohort=cohort, user=first)
    waiting = Application.objects.get(user=second)
    assert waiting.status == "accepted"
    assert waiting.message == ""  # "we are full" no longer holds
    (told,) = mail.outbox
    assert told.to == [second.email]
    assert "A place has opened in the cohort" in told.body
    assert FULL not in told.body and "is full" not in told.body


def test_an_acceptance_that_fits_is_done_at_once(
    trainer_client, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=5)
    (application,) = _apply(cohort, UserFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = trainer_client.post(
            reverse("cohorts:trainer_cohort", args=[cohort.slug]),
            {"application": [str(application.pk)], "decision": "accept", "message": WELCOME},
        )
    assert response.status_code == 302
    assert Application.objects.get().status == "accepted"
    assert WELCOME in mail.outbox[-1].body


def test_an_acceptance_that_finds_the_cohort_full_never_sends_the_welcome(
    trainer, django_capture_on_commit_callbacks
):
    """The service itself: whoever calls it, the welcome goes only with a place."""
    cohort = make_cohort(trainer=trainer, capacity=0)
    (application,) = _apply(cohort, UserFactory())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.decide(application=application, decision="accept", by=trainer,
                                  message=WELCOME)  # fmt: skip
    assert outcome == "waitlisted"
    assert Application.objects.get().message == ""
    (told,) = mail.outbox
    assert WELCOME not in told.body and "is full for now" in told.body


def test_decision_templates_start_in_the_cohorts_working_language(trainer_client):
    trainer_client.trainer.preferred_language = "en"
    trainer_client.trainer.save()
    cohort = make_cohort(trainer=trainer_client.trainer, working_language="es")
    _apply(cohort, UserFactory())
    page = html.unescape(
        trainer_client.get(reverse("cohorts:trainer_cohort", args=[cohort.slug])).content.decode()
    )
    assert "¡Te damos la bienvenida a «Cohort spring»!" in page
    assert "Welcome to “Cohort spring”" not in page
    assert ">Applications<" in page  # the trainer's own interface stays in their language


def test_select_all_works_with_and_without_javascript(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer)
    _apply(cohort, UserFactory(), UserFactory(), UserFactory())
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    page = trainer_client.get(url).content.decode()
    assert "data-select-all" in page  # the header checkbox the script shows
    assert 'aria-label="Select all on this list"' in page
    assert len(re.findall(r'name="application"[^>]*checked', page)) == 0
    # Without the script: a link that comes back with every box ticked.
    assert "?status=submitted&amp;select=all" in page
    ticked = trainer_client.get(url, {"status": "submitted", "select": "all"}).content.decode()
    assert len(re.findall(r'name="application"[^>]*checked', ticked)) == 3


def test_waitlist_positions_are_shown_to_the_trainer(trainer_client):
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=0)
    first, second = UserFactory(display_name="Primera"), UserFactory(display_name="Segunda")
    for application in _apply(cohort, first, second):
        services.decide(application=application, decision="waitlist", by=trainer_client.trainer)
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    listed = trainer_client.get(url, {"status": "waitlisted"}).content.decode()
    assert re.search(r"Primera.*?Position 1 on the waitlist.*?Segunda.*?Position 2", listed, re.S)
    waitlist = re.search(r'id="waitlist".*?<ol>(.*?)</ol>', listed, re.S).group(1)
    assert waitlist.index("Primera") < waitlist.index("Segunda")


def test_accepting_someone_already_waiting_in_a_full_cohort_changes_nothing(
    trainer_client, django_capture_on_commit_callbacks
):
    """They keep their place in the queue: no save, no second email, shown apart on the
    confirmation page with their place (not "after the people already waiting")."""
    cohort = make_cohort(trainer=trainer_client.trainer, capacity=0)
    first, second = UserFactory(display_name="Primera"), UserFactory(display_name="Segunda")
    newcomer = UserFactory(display_name="Nueva")
    waiting = _apply(cohort, first, second)
    for application in waiting:
        services.decide(application=application, decision="waitlist", by=trainer_client.trainer)
    _apply(cohort, newcomer)
    before = {a.pk: (a.waitlisted_at, a.decided_at) for a in Application.objects.all()}
    url = reverse("cohorts:trainer_cohort", args=[cohort.slug])
    chosen = {"application": [str(a.pk) for a in Application.objects.all()],
              "decision": "accept", "message": WELCOME}  # fmt: skip

    page = html.unescape(trainer_client.post(url, chosen).content.decode())
    assert "2 people are already on the waitlist and keep their places in it." in page
    assert "1 person will go on the waitlist: the cohort is full for them." in page
    kept = re.search(r"Already waiting: they keep their place</h2>.*?<ul>(.*?)</ul>", page,
                     re.S).group(1)  # fmt: skip
    assert "Primera: place 1 on the waitlist" in kept
    assert "Segunda: place 2 on the waitlist" in kept
    new = re.search(r"Will go on the waitlist</h2>.*?<ol>(.*?)</ol>", page, re.S).group(1)
    assert "Nueva" in new and "Primera" not in new and "Segunda" not in new

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        trainer_client.post(url, {**chosen, "confirm": "1", "waitlist_message": FULL})
    # Only the newcomer is told; the two waiting are untouched, in the same order.
    assert [m.to[0] for m in mail.outbox] == [newcomer.email]
    for application in waiting:
        application.refresh_from_db()
        assert application.status == "waitlisted"
        assert (application.waitlisted_at, application.decided_at) == before[application.pk]
    assert [selectors.waitlist_position(a) for a in waiting] == [1, 2]


def test_the_service_leaves_someone_waiting_in_a_full_cohort_unchanged(
    trainer, django_capture_on_commit_callbacks
):
    cohort = make_cohort(trainer=trainer, capacity=0)
    (application,) = _apply(cohort, UserFactory())
    services.decide(application=application, decision="waitlist", by=trainer, message="Wait")
    application.refresh_from_db()
    assert services.decision_plan(cohort=cohort, applications=[application],
                                  decision="accept") == {application.pk: "unchanged"}  # fmt: skip
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.decide(application=application, decision="accept", by=trainer,
                                  message=WELCOME, waitlist_message=FULL)  # fmt: skip
    assert outcome == "unchanged"
    assert mail.outbox == []
    assert Application.objects.get().message == "Wait"
