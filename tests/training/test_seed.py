import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from wagtail.fields import StreamField
from wagtail.models import Page, Site
from wagtail_localize.models import SegmentOverride, Translation

from courses.models import H5PActivity, ModulePage
from tests.conftest import skip_or_fail
from training.demo import DEMO_PASSWORD
from training.models import HomePage, User
from training.roles import Role

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(User.objects.order_by("email").values_list("email", "display_name", "is_superuser")),
        list(User.objects.order_by("email").values_list("email", "groups__name")),
        EmailAddress.objects.count(),
        Page.objects.count(),
        sorted(HomePage.objects.values_list("locale__language_code", "latest_revision_id")),
    )


def test_seed_demo_creates_one_login_per_role_and_is_idempotent():
    call_command("seed_demo", stdout=None)
    first = _snapshot()
    call_command("seed_demo")
    assert _snapshot() == first

    people = {u.email: u for u in User.objects.all()}
    assert set(people) >= {
        "volunteer@example.org",
        "trainer@example.org",
        "coordinator@example.org",
        "admin@example.org",
    }
    assert people["trainer@example.org"].has_role(Role.TRAINER)
    assert people["coordinator@example.org"].has_role(Role.COORDINATOR)
    assert people["admin@example.org"].has_role(Role.ADMINISTRATOR)
    assert people["volunteer@example.org"].roles == {Role.VOLUNTEER}
    for email in ("volunteer@example.org", "trainer@example.org", "coordinator@example.org",
                  "admin@example.org"):  # fmt: skip
        assert people[email].check_password(DEMO_PASSWORD)
        assert EmailAddress.objects.get(user=people[email]).verified
    # The other demo people (fellow cohort members, applicants) never sign in.
    assert not any(
        user.has_usable_password() for email, user in people.items()
        if email.endswith((".member@example.org", ".applicant@example.org"))
    )  # fmt: skip
    assert not Authenticator.objects.exists(), "demo accounts start without MFA enrolled"


def test_demo_volunteer_can_sign_in(client):
    call_command("seed_demo")
    response = client.post(
        "/accounts/login/", {"login": "volunteer@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == "/dashboard/"
    assert client.get("/").status_code == 200


def test_seed_demo_rebuilds_the_site_tree_on_an_emptied_database():
    Site.objects.all().delete()
    Page.objects.all().delete()
    call_command("seed_demo")
    home = HomePage.objects.get(locale__language_code="en")
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert home.live
    # Every other language has its copy of the home page (a translation or an alias).
    assert (
        HomePage.objects.exclude(pk=home.pk).filter(translation_key=home.translation_key).count()
        == 5
    )


def _content_of(page):
    return [
        (field.name, str(list(getattr(page, field.name).raw_data)) if isinstance(field, StreamField)
         else str(getattr(page, field.name)))
        for field in page._meta.get_fields()
        if getattr(field, "concrete", False) and not field.is_relation
        and field.name in ("title", "slug", "summary", "content_notes", "intro", "body",
                           "how_to_join", "learning_outcomes")
    ]  # fmt: skip


def test_the_demo_translations_are_known_to_the_translation_editor(settings):
    """The demo's Spanish and Portuguese pages are written in code; they are also recorded in
    wagtail-localize (a translation per page, every string translated), so an editor sees them
    complete in the admin and saving there keeps the Spanish words instead of the English."""
    settings.LANGUAGES = list(settings.ALL_LANGUAGES.items())
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES
    call_command("seed_demo")
    translations = Translation.objects.select_related("target_locale")
    assert translations.filter(target_locale__language_code="es").count() >= 15
    assert translations.filter(target_locale__language_code="pt-br").exists()
    for translation in translations:
        total, done = translation.get_progress()
        assert total == done > 0, (str(translation.get_target_instance()), total, done)

    # The Spanish practice module plays the Spanish version of the true-or-false exercise, recorded
    # as the translation editor's chooser records it (from the shared samples, where they are).
    if not settings.ACOMPANA_DEMO_H5P_DIR.exists():
        skip_or_fail(f"the shared H5P samples are not at {settings.ACOMPANA_DEMO_H5P_DIR}")

    castellano = H5PActivity.objects.filter(language="es", status="ready")
    assert set(castellano.values_list("main_library", flat=True)) == {
        "H5P.TrueFalse 1.6", "H5P.QuestionSet 1.20"}  # fmt: skip
    overrides = SegmentOverride.objects.filter(locale__language_code="es")
    assert {o.data for o in overrides} == {a.pk for a in castellano}
    assert all(o.context.path.endswith(".activity") for o in overrides)

    # "Publish in Spanish" in the translation editor rebuilds each page from the recorded strings
    # and overrides: nothing changes.
    for translation in translations:
        page = translation.get_target_instance().specific
        before = _content_of(page)
        translation.save_target(publish=True)
        assert _content_of(type(page).objects.get(pk=page.pk)) == before, page.title
    practice = ModulePage.objects.get(slug="practice-with-interactive-exercises",
                                      locale__language_code="es")  # fmt: skip
    assert all(str(a.uuid) in str(list(practice.body.raw_data)) for a in castellano)

    # Seeding again changes nothing and adds no translation.
    count = translations.count()
    call_command("seed_demo")
    assert Translation.objects.count() == count
