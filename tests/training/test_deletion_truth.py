"""Delete my account tells each person the truth: which cohorts they left (by name), the pool only
if they were in it, that their learning progress, sign-offs and certificates stay, and how to come
back; the page is a summary, then the form, then the details (staff data only for staff); the
confirmation is in the person's language; the registry's texts read as sentences."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Page

from cohorts import services as cohort_services
from cohorts.models import Cohort, Membership
from tests.certificates.pool_factories import pool_person, pool_track
from tests.cohorts.factories import make_cohort
from tests.helpers import sign_in
from training import privacy
from training.deletion import account_deletion_request
from training.factories import UserFactory
from training.models import AccountDeletion, RetentionRun
from training.roles import Role
from training.tasks import perform_due_deletions

pytestmark = pytest.mark.django_db

DELETE = "/accounts/delete/"
KEPT = "Your learning progress, skill sign-offs and certificates are kept."


def _running(slug):
    return make_cohort(slug, capacity=None, questions=False, status=Cohort.Status.RUNNING,
                       starts_on=date.today() - timedelta(days=7))  # fmt: skip


# --- 1. What cancelling says --------------------------------------------------------------------
def test_cancelling_names_the_cohorts_left_and_not_a_pool_she_was_never_in(
    client, password, django_capture_on_commit_callbacks
):
    alba = UserFactory(email="alba@example.org", display_name="Alba")
    spring = _running("spring")
    cohort_services._admit(spring, alba, Membership.Source.CSV)
    applied = make_cohort("summer", questions=False)
    cohort_services.application_submit(cohort=applied, user=alba, answers={})

    deletion = account_deletion_request(person=alba, by=alba)
    assert deletion.left == {"cohorts": ["Cohort spring"], "applications": ["Cohort summer"],
                             "pool": False}  # fmt: skip
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, alba.email, password)

    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="deletion-cancelled"' in page
    assert 'data-left="cohorts"' in page and "Cohort spring" in page
    assert 'data-left="applications"' in page and "Cohort summer" in page
    assert 'data-left="pool"' not in page
    assert gettext(KEPT) in page
    [message] = mail.outbox
    assert "Cohort spring" in message.body and "Cohort summer" in message.body
    assert reverse("cohorts:list") in message.body
    assert reverse("certificates:pool") not in message.body
    assert gettext(KEPT) in message.body


def test_cancelling_says_she_left_the_pool_when_she_was_in_it(
    client, password, django_capture_on_commit_callbacks
):
    member = pool_person(pool_track(), name="Bea")
    deletion = account_deletion_request(person=member.user, by=member.user)
    assert deletion.left == {"cohorts": [], "applications": [], "pool": True}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, member.user.email, password)

    page = client.get(reverse("dashboard")).content.decode()
    assert 'data-left="pool"' in page and reverse("certificates:pool") in page
    assert 'data-left="cohorts"' not in page
    [message] = mail.outbox
    assert reverse("certificates:pool") in message.body
    assert reverse("cohorts:list") not in message.body


def test_someone_in_nothing_is_told_nothing_else_changed(
    client, volunteer, password, django_capture_on_commit_callbacks
):
    account_deletion_request(person=volunteer, by=volunteer)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(client, volunteer.email, password)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="deletion-cancelled"' in page and 'data-left="kept"' in page
    for kind in ("cohorts", "applications", "pool"):
        assert f'data-left="{kind}"' not in page
    assert AccountDeletion.objects.get(person=volunteer).status == "cancelled"


def test_the_confirmation_and_the_email_name_what_was_left(
    client, password, django_capture_on_commit_callbacks
):
    alba = UserFactory(email="alba@example.org", display_name="Alba")
    cohort_services._admit(_running("spring"), alba, Membership.Source.CSV)
    client.force_login(alba)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(DELETE, {"password": password})
    done = client.get(response.url).content.decode()
    assert 'data-left="cohorts"' in done and "Cohort spring" in done
    assert 'data-left="pool"' not in done
    [message] = mail.outbox
    assert "Cohort spring" in message.body
    assert reverse("certificates:pool") not in message.body


# --- 3. The page: summary, form, details --------------------------------------------------------
def test_the_page_puts_the_summary_and_the_form_before_the_details(client, volunteer):
    client.force_login(volunteer)
    body = client.get(DELETE).content.decode()
    summary, form = body.index('id="summary"'), body.index('id="account-delete-form"')
    details = body.index("<details")
    assert summary < body.index('id="download-data-first"') < form < details
    assert body.count('<details class="deletion-category"') == body.count("data-category=")
    assert "<details open" not in body


def test_a_volunteer_is_not_shown_staff_data_and_staff_are(client, volunteer):
    client.force_login(volunteer)
    for url in (DELETE, reverse("account_data")):
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert 'data-category="staff"' not in body if url == DELETE else True
        assert str(privacy.CATEGORIES["staff"].title) not in body, url
        assert str(privacy.CATEGORIES["learning"].title) in body, url

    editor = UserFactory(roles=[Role.EDITOR])
    assert privacy.shows_staff(editor)
    assert "staff" in [c.key for c, _d in privacy.by_category_for(editor)]


def test_a_volunteer_with_staff_data_is_shown_it(volunteer):
    assert not privacy.shows_staff(volunteer)
    Page.objects.filter(depth=1).update(owner=volunteer)  # once an editor, say
    assert privacy.shows_staff(volunteer)


def test_the_page_tells_the_truth_about_other_peoples_records(client, volunteer):
    client.force_login(volunteer)
    body = client.get(DELETE).content.decode()
    assert 'id="others-records"' in body
    old = "Other people's records (a trainer's attendance sheet, a cohort's numbers) show"
    assert old not in body.replace("&#x27;", "'")


# --- 4. The confirmation in the person's language -----------------------------------------------
@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("es", "ltr")])
def test_the_confirmation_is_in_the_persons_language(
    client, password, settings, language, direction
):
    person = UserFactory(preferred_language=language)
    client.force_login(person)
    response = client.post(DELETE, {"password": password}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == language
    done = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'lang="{language}"' in done and f'dir="{direction}"' in done
    with translation.override(language):
        assert gettext("Your account will be deleted") in done


# --- 5. Words -----------------------------------------------------------------------------------
def test_the_profile_links_read_alike(client, volunteer):
    client.force_login(volunteer)
    body = client.get(reverse("profile")).content.decode()
    assert gettext("Download my data") in body and gettext("Delete my account") in body


def test_the_account_and_its_deletion_record_say_how_long_they_are_kept():
    user = privacy.REGISTRY[settings_user_model()]
    assert user.retention.task == "training.tasks.perform_due_deletions"
    deletions = privacy.REGISTRY["training.AccountDeletion"]
    assert deletions.retention.text and deletions.retention != privacy.AS_LONG_AS_THE_ACCOUNT
    assert (
        privacy.REGISTRY["account.EmailAddress"].retention.task
        == "training.tasks.purge_unverified_accounts"
    )


def settings_user_model():
    return settings.AUTH_USER_MODEL


FRAGMENT_STARTS = ("without", "kept", "withdrawn", "deleted", "anonymised")


def test_every_kept_because_is_a_whole_sentence():
    """Read after "When you delete your account:", each reason must stand as a sentence."""
    with translation.override("en"):
        for declaration in privacy.declarations():
            text = str(declaration.kept_because).strip()
            if not text:
                continue
            assert text[0].isupper() and text.endswith("."), declaration.model
            assert not text.lower().startswith(FRAGMENT_STARTS), declaration.model


def test_the_deletion_task_records_its_runs(volunteer):
    perform_due_deletions.delay().get()
    run = RetentionRun.objects.get(task="training.tasks.perform_due_deletions")
    assert run.ok and run.finished_at is not None
