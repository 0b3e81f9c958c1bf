"""In real Chromium, issue 22's "done when": two members and a trainer talk in their cohort's
space, each in their own browser; a member reports a post, the trainer hides it with a reason and
the members see only that a trainer hid it. The trainer turns weekly check-ins on; a member
answers one through the form; the trainer's care page shows nothing but "not enough answers" at
four answers and totals at five. The member asks for a debrief (ticking the confirmation box):
the trainer is emailed (a subject that names no topic, nothing the member wrote) and reads on the
care page only what the member chose to write, never their check-in.

Each person signs in on the sign-in page (the trainer with their second factor)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from care.models import CheckIn, DebriefRequest
from care.services import checkin_create
from cohorts.models import Cohort, Membership
from community.models import Post, PostReport
from tests.browser.test_cohort_journey import sign_in
from tests.cohorts.factories import make_cohort
from tests.conftest import enrol_totp
from training.factories import UserFactory
from training.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SLUG = "listening-circle"
OFFENDING = "She lives at 12 Calle Mayor and her name is"
NOT_ENOUGH = "Not enough answers yet to show without identifying anyone."
STEPS = "Totals change in steps of five answers, so that no single answer can be worked out."
CHECKIN_NOTE = "I could not sleep after the role play"
DEBRIEF_MESSAGE = "The role play about the stalking case stayed with me."


@pytest.fixture
def people(password):
    trainer = UserFactory(display_name="Tomás", email="tomas@example.org", password=password,
                          roles=[Role.TRAINER], preferred_language="en")  # fmt: skip
    cohort = make_cohort(SLUG, trainer=trainer, questions=False, course=False,
                         status=Cohort.Status.RUNNING, starts_in=-10,
                         title="Listening circle")  # fmt: skip

    def member(name):
        person = UserFactory(display_name=name, email=f"{name.lower()}@example.org",
                             password=password, preferred_language="en")  # fmt: skip
        Membership.objects.create(cohort=cohort, user=person, source=Membership.Source.DEMO)
        return person

    return {
        "cohort": cohort,
        "trainer": trainer,
        "secret": enrol_totp(trainer),
        "ana": member("Ana"),
        "bea": member("Bea"),
        # Members who answer check-ins through the services (their own pages are not the point).
        "others": [member(name) for name in ("Chidi", "Dewi", "Eun", "Fatima")],
    }


def browser_of(contexts, browser, live_server, person, password, secret=None):
    context = browser.new_context(locale="en-GB", timezone_id="America/Bogota",
                                  viewport={"width": 1100, "height": 900})  # fmt: skip
    contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, live_server.url, person, password, secret)
    return page


def test_a_cohort_talks_and_cares(browser, live_server, people, password):
    base, cohort = live_server.url, people["cohort"]
    space = f"{base}/cohorts/{SLUG}/space/"
    care = f"{base}/dashboard/trainer/cohorts/{SLUG}/care/"
    contexts = []
    try:
        ana = browser_of(contexts, browser, live_server, people["ana"], password)
        bea = browser_of(contexts, browser, live_server, people["bea"], password)
        tomas = browser_of(contexts, browser, live_server, people["trainer"], password,
                           people["secret"])  # fmt: skip

        # --- The space: Ana opens a thread, Bea and Tomás reply. ---------------------------
        ana.goto(space)
        ana.get_by_role("link", name="Start a thread").click()
        ana.fill("#id_title", "After the first role play")
        ana.fill("#id_body", "How did you **feel** afterwards?")
        ana.get_by_role("button", name="Start the thread").click()
        expect(ana.locator("h1")).to_have_text("After the first role play")
        thread_url = ana.url
        expect(ana.locator(".post-body strong")).to_have_text("feel")

        bea.goto(thread_url)
        bea.fill("#id_body", f"{OFFENDING} Rosa.")
        bea.get_by_role("button", name="Post my reply").click()
        expect(bea.locator("main")).to_contain_text("Your reply is posted.")
        tomas.goto(thread_url)
        tomas.fill("#id_body", "Thank you both. Let us talk about it on Thursday.")
        tomas.get_by_role("button", name="Post my reply").click()
        expect(tomas.locator(".post-body")).to_have_count(3)
        # Display names only, in the order written.
        expect(tomas.locator(".post .meta strong")).to_have_text(["Ana", "Bea", "Tomás"])

        # --- Ana reports Bea's post; Tomás sees the report and hides the post. ---------------
        offending = Post.objects.get(body__startswith=OFFENDING)
        ana.goto(thread_url)
        post = ana.locator(f"#post-{offending.pk}")
        post.get_by_text("Report this post to the trainers").click()
        post.get_by_label("What is wrong (optional)").fill("It names the woman Bea supports.")
        post.get_by_role("button", name="Send the report").click()
        expect(ana.locator(f"#post-{offending.pk}")).to_contain_text(
            "You reported this post to the trainers."
        )
        assert PostReport.objects.filter(post=offending, reporter=people["ana"]).exists()

        tomas.goto(f"{space}reports/")
        reported = tomas.locator(f"#post-{offending.pk}")
        expect(reported).to_contain_text("Reported by 1 member")
        expect(reported).to_contain_text("It names the woman Bea supports.")
        reported.get_by_text("Hide this post").click()
        reported.get_by_label("Why hide it").fill("It names a survivor.")
        reported.get_by_role("button", name="Hide it from the members").click()
        hidden = tomas.locator(f"#post-{offending.pk}")
        # The trainers keep it, with who hid it and why.
        expect(hidden).to_contain_text("Hidden from the members by Tomás")
        expect(hidden).to_contain_text("Why: It names a survivor.")
        expect(hidden).to_contain_text(OFFENDING)

        # Bea (and Ana) now read only that a trainer hid it.
        for member in (bea, ana):
            member.goto(thread_url)
            shown = member.locator(f"#post-{offending.pk}")
            expect(shown).to_contain_text("Hidden by a trainer.")
            expect(shown).not_to_contain_text(OFFENDING)
            assert OFFENDING not in member.content()
            assert "It names a survivor." not in member.content()
        expect(ana.locator(".post-body")).to_have_count(2)

        # --- Check-ins: the trainer turns weekly ones on; totals only from five answers. ------
        tomas.goto(care)
        tomas.get_by_label("Invite members to a private weekly check-in").check()
        tomas.get_by_role("button", name="Save", exact=True).click()
        expect(tomas.get_by_label("Invite members to a private weekly check-in")).to_be_checked()
        expect(tomas.locator("main")).to_contain_text(STEPS)

        start = timezone.now() - timedelta(days=2)
        answers = [(3, 2, True), (4, 2, False), (4, 3, False), (5, 4, False)]
        for person, (carrying, energy, debrief) in zip(people["others"][:3], answers[:3],
                                                       strict=True):  # fmt: skip
            made = checkin_create(user=person, cohort=cohort, kind=CheckIn.Kind.WEEKLY,
                                  carrying=carrying, energy=energy,
                                  wants_debrief=debrief)  # fmt: skip
            CheckIn.objects.filter(pk=made.pk).update(created_at=start)

        # Ana's invitation is on her care page; she answers, and would like a debrief.
        ana.goto(f"{base}/care/")
        ana.get_by_role("link", name="Take this week's check-in").click()
        ana.locator("input[name=carrying][value='1']").check()
        ana.locator("input[name=energy][value='1']").check()
        ana.locator("input[name=wants_debrief][value='yes']").check()
        ana.fill("#id_note", CHECKIN_NOTE)
        ana.get_by_role("button", name="Save my check-in").click()
        # On to the debrief form: nothing is sent yet.
        ana.wait_for_url("**/care/debrief/**")
        expect(ana.locator("h1")).to_have_text("Ask for a debrief")
        assert not DebriefRequest.objects.exists()
        mine = CheckIn.objects.get(user=people["ana"])
        kept = (mine.cohort_id, mine.kind, mine.carrying, mine.energy, mine.wants_debrief)
        assert kept == (cohort.pk, CheckIn.Kind.WEEKLY, 1, 1, True)

        # Four answers: nothing but "not enough".
        tomas.goto(care)
        aggregates = tomas.locator("section[aria-labelledby=aggregates-heading]")
        expect(aggregates).to_contain_text(NOT_ENOUGH)
        expect(aggregates.locator("dl")).to_have_count(0)

        # The fifth answer (through the services): the totals appear.
        carrying, energy, debrief = answers[3]
        checkin_create(user=people["others"][3], cohort=cohort, kind=CheckIn.Kind.WEEKLY,
                       carrying=carrying, energy=energy, wants_debrief=debrief)  # fmt: skip
        tomas.goto(care)
        expect(aggregates).not_to_contain_text(NOT_ENOUGH)
        values = aggregates.locator("dd")
        # Answers, carrying (3 + 4 + 4 + 5 + 1) / 5, energy (2 + 2 + 3 + 4 + 1) / 5, debriefs.
        expect(values).to_have_text(["5", "3.4", "2.4", "2"])

        # --- The debrief request: Ana writes what she wants to say and confirms. -------------
        mail.outbox.clear()
        ana.fill("#id_message", DEBRIEF_MESSAGE)
        ana.get_by_role("button", name="Send the request").click()
        # Without the box ticked: refused, nothing sent.
        expect(ana.locator("main")).to_contain_text("Tick this box to send the request.")
        assert not DebriefRequest.objects.exists()
        assert not mail.outbox
        ana.get_by_label("Yes, send this request to my cohort's trainers").check()
        ana.get_by_role("button", name="Send the request").click()
        ana.wait_for_url(f"{base}/care/")
        expect(ana.locator("main")).to_contain_text("waiting for a trainer")

        # The trainer is told by email: a discreet subject, no name, nothing Ana wrote.
        (message,) = mail.outbox
        assert message.to == [people["trainer"].email]
        assert message.subject == "A member of your cohort asked to talk"
        assert f"/dashboard/trainer/cohorts/{SLUG}/care/" in message.body
        for secret in (DEBRIEF_MESSAGE, CHECKIN_NOTE, "Ana"):
            assert secret not in message.body and secret not in message.subject

        # The care page: who asked and what she wrote; never her check-in.
        tomas.goto(care)
        request = tomas.locator("section[aria-labelledby=requests-heading] article")
        expect(request).to_have_count(1)
        expect(request).to_contain_text("Ana asked to talk")
        expect(request.locator("blockquote")).to_have_text(DEBRIEF_MESSAGE)
        page_text = tomas.locator("main").inner_text()
        assert CHECKIN_NOTE not in page_text
        assert "/ 5" not in page_text  # no single answer, in any form
        for other in people["others"]:
            assert other.display_name not in page_text
    finally:
        for context in contexts:
            context.close()
