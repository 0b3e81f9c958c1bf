"""What editors see in Wagtail's admin: times in their own zone, prerequisites named once each in
their language, and quiz strings in the translation editor saying which question, option or
feedback they are."""

import datetime
import html
import json
import re

import pytest
from django.urls import reverse
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization, Translation
from wagtail_localize.operations import TranslationCreator

from courses.admin_forms import CoursePageForm
from courses.factories import make_course
from courses.models import CoursePage, ModulePage
from tests.conftest import login_with_mfa
from tests.helpers import translate

pytestmark = pytest.mark.django_db


def synchronise(locale):
    """Every page gets a copy in `locale` (an alias until translated)."""
    english = Locale.objects.get(language_code="en")
    LocaleSynchronization.objects.create(locale=locale, sync_from=english)


def test_admin_times_are_in_the_editors_own_zone(client, administrator):
    administrator.time_zone = "Asia/Jakarta"
    administrator.save(update_fields=["time_zone"])
    _course, modules = make_course("zoned", modules=1)
    module = modules[0]
    module.go_live_at = datetime.datetime(2030, 1, 1, 0, 0, tzinfo=datetime.UTC)
    module.save_revision()
    login_with_mfa(client, administrator)

    page = client.get(reverse("wagtailadmin_pages:edit", args=[module.pk])).content.decode()
    assert "2030-01-01 07:00" in page  # midnight UTC is 7 in the morning in Jakarta
    assert "2030-01-01 00:00" not in page
    account = client.get(reverse("wagtailadmin_account")).content.decode()
    assert "current_time_zone" not in account  # the zone is the platform profile's, not Wagtail's


def test_the_prerequisite_list_shows_each_course_once_in_the_editors_language(
    client, administrator, spanish
):
    first, _modules = make_course("first-steps", modules=1, title="First steps")
    second, _modules = make_course("deeper", modules=1, title="Going deeper")
    synchronise(spanish)
    translate(first, spanish, refresh_source=True, title="Primeros pasos")
    assert CoursePage.objects.filter(title__in=["First steps", "Primeros pasos"]).count() == 2
    administrator.preferred_language = "es"
    administrator.save(update_fields=["preferred_language"])
    login_with_mfa(client, administrator)

    page = client.get(reverse("wagtailadmin_pages:edit", args=[second.pk])).content.decode()
    options = re.findall(r'name="prerequisites"[^>]*value="(\d+)"|'
                         r'<option value="(\d+)"[^>]*>[^<]*</option>', page)  # fmt: skip
    chosen = {int(a or b) for a, b in options}
    copies = set(
        CoursePage.objects.exclude(locale__language_code="en").values_list("pk", flat=True)
    )
    assert first.pk in chosen
    assert not chosen & copies  # never a language copy
    assert second.pk not in chosen  # not itself
    assert "Primeros pasos" in page  # the original, titled in the editor's language

    # Choosing it saves the original.

    form_class = CoursePage.get_edit_handler().get_form_class()
    assert issubclass(form_class, CoursePageForm)
    form = form_class(instance=second, for_user=administrator)
    assert list(form.fields["prerequisites"].queryset) == [first]
    # A prerequisite saved earlier as a language copy is shown as its original, chosen.
    first_es = CoursePage.objects.get(translation_key=first.translation_key, locale=spanish)
    second.prerequisites.set([first_es])
    second.save()
    form = form_class(instance=CoursePage.objects.get(pk=second.pk), for_user=administrator)
    assert [course.pk for course in form.initial["prerequisites"]] == [first.pk]
    assert f'value="{first.pk}" checked' in str(form["prerequisites"]) or (
        f'value="{first.pk}" selected' in str(form["prerequisites"])
    )


def test_quiz_strings_say_which_question_option_or_feedback_they_are(
    client, administrator, spanish
):
    _course, modules = make_course("quizzed", modules=1)
    module = modules[0]
    TranslationCreator(administrator, [spanish]).create_translations(module)
    copy = ModulePage.objects.get(translation_key=module.translation_key, locale=spanish)
    assert Translation.objects.filter(source__object_id=module.translation_key).exists()
    login_with_mfa(client, administrator)

    page = client.get(reverse("wagtailadmin_pages:edit", args=[copy.pk])).content.decode()
    props = json.loads(html.unescape(re.search(r'data-props="([^"]*)"', page).group(1)))
    labels = {segment["source"]: segment["location"]["subField"]
              for segment in props["segments"] if segment["type"] == "string"}  # fmt: skip
    assert labels["What comes first?"] == "Question 1"
    assert labels["Advice"] == "Question 1 · Option 2"
    assert labels["Keep evidence before blocking."] == "Question 2 · Option 3 · Feedback"
    assert labels["Supporters give legal advice."] == "Question 3"
    assert labels["Right: we refer on."] == "Question 3 · Feedback when answering “false”"
