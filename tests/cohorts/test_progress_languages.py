"""A trainer reads module names in their language on the progress pages, the CSV's times are
readable in their zone, and the desk's dates name the month (issue 15, walkthrough)."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization

from courses.factories import ModulePageFactory
from courses.models import CourseProgress, Reflection
from tests.cohorts.factories import make_cohort
from tests.cohorts.test_progress import add_members
from tests.helpers import csv_rows, translate

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort_in_spanish(trainer_client, spanish):
    """A cohort whose course's module has a Spanish translation; the trainer reads Spanish."""
    cohort = make_cohort(trainer=trainer_client.trainer)
    module = cohort.courses.get().get_children().specific().get()
    LocaleSynchronization.objects.create(
        locale=spanish, sync_from=Locale.objects.get(language_code="en")
    )
    translate(module, spanish, title="Módulo 1: escuchar sin juzgar")
    trainer = trainer_client.trainer
    trainer.preferred_language = "es"
    trainer.save(update_fields=["preferred_language"])
    return cohort, module


def test_module_names_are_in_the_trainers_language(trainer_client, cohort_in_spanish):
    cohort, module = cohort_in_spanish
    (member,) = add_members(cohort, 1)
    Reflection.objects.create(user=member, module=module, activity_id="a", text="",
                              submitted_text="Lo que compartí", shared_with_trainers=True,
                              submitted_at=timezone.now())  # fmt: skip
    matrix = trainer_client.get(reverse("cohorts:trainer_progress", args=[cohort.slug]))
    body = matrix.content.decode()
    assert '<span class="column-full">Módulo 1: escuchar sin juzgar</span>' in body
    assert "Module 1" not in body
    detail = trainer_client.get(reverse("cohorts:trainer_member", args=[cohort.slug, member.pk]))
    body = detail.content.decode()
    assert "<li>Módulo 1: escuchar sin juzgar — " in body  # the module list
    assert "<h3>Módulo 1: escuchar sin juzgar</h3>" in body  # the shared reflection
    assert "Module 1" not in body
    releases = trainer_client.get(reverse("cohorts:trainer_releases", args=[cohort.slug]))
    assert "Módulo 1: escuchar sin juzgar</label>" in releases.content.decode()
    export = trainer_client.post(reverse("cohorts:trainer_progress_csv", args=[cohort.slug]))
    assert "Módulo 1: escuchar sin juzgar" in csv_rows(export)[0]


def test_a_module_nobody_translated_keeps_its_own_name(trainer_client, cohort_in_spanish):
    cohort, _module = cohort_in_spanish
    course = cohort.courses.get()
    ModulePageFactory(parent=course, title="Module 2", slug="module-2", body=[])
    add_members(cohort, 1)
    body = trainer_client.get(
        reverse("cohorts:trainer_progress", args=[cohort.slug])
    ).content.decode()
    assert '<span class="column-full">Module 2</span>' in body
    assert '<span class="column-full">Módulo 1: escuchar sin juzgar</span>' in body


def test_the_pages_keep_their_query_count_in_another_language(trainer_client, cohort_in_spanish):
    cohort, _module = cohort_in_spanish
    people = add_members(cohort, 2)
    matrix = reverse("cohorts:trainer_progress", args=[cohort.slug])
    detail = reverse("cohorts:trainer_member", args=[cohort.slug, people[0].pk])
    trainer_client.get(matrix)
    with CaptureQueriesContext(connection) as small:
        trainer_client.get(matrix)
        trainer_client.get(detail)
    course = cohort.courses.get()
    spanish = Locale.objects.get(language_code="es")
    for number in range(2, 6):
        module = ModulePageFactory(parent=course, title=f"Module {number}", slug=f"module-{number}",
                                   body=[])  # fmt: skip
        translate(module, spanish, title=f"Módulo {number}")
    add_members(cohort, 20, start=2)
    # Warm again: a page changed, so the processes' caches are filled again once
    # (training.routing).
    trainer_client.get(matrix)
    with CaptureQueriesContext(connection) as large:
        body = trainer_client.get(matrix).content.decode()
        trainer_client.get(detail)
    assert '<span class="column-full">Módulo 5</span>' in body and "Member 0021" in body
    assert len(large) == len(small), (len(small), len(large))


# --- Dates and times ----------------------------------------------------------------------------
def test_the_csv_says_the_last_activity_in_the_trainers_zone_to_the_minute(trainer_client):
    trainer = trainer_client.trainer
    trainer.time_zone = "Europe/Madrid"
    trainer.save(update_fields=["time_zone"])
    cohort = make_cohort(trainer=trainer)
    (member,) = add_members(cohort, 1)
    CourseProgress.objects.update_or_create(
        user=member, course=cohort.courses.get(),
        defaults={"last_activity_at": datetime(2026, 12, 4, 20, 32, 44, 357488, tzinfo=UTC)},
    )  # fmt: skip
    response = trainer_client.post(reverse("cohorts:trainer_progress_csv", args=[cohort.slug]))
    header, row = csv_rows(response)
    assert header[2] == "Last activity (Europe/Madrid)"
    assert row[2] == "2026-12-04 21:32"  # 20:32 UTC is 21:32 in Madrid; no seconds


def test_the_trainers_desk_names_the_month(trainer_client):
    make_cohort(trainer=trainer_client.trainer, starts_on=date(2027, 3, 14),
                ends_on=date(2027, 5, 2))  # fmt: skip
    body = trainer_client.get(reverse("trainer_desk")).content.decode()
    assert "03/14/2027" not in body and "05/02/2027" not in body
    assert "14 March 2027" in body and "2 May 2027" in body
