"""A heavy module offers its reader a private check-in; another module does not. The setting is
the original module's: a translated copy follows it. courses knows nothing of care: the offer is
what care adds to the module page (courses.module_extras)."""

import copy

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization

from care.models import CheckIn
from care.selectors import cohort_aggregates
from courses import module_extras, outlines, page_cache
from courses.models import Enrolment
from tests.care.conftest import member_of
from tests.helpers import translate

pytestmark = pytest.mark.django_db

OFFER = '<aside class="card care-offer" aria-labelledby="care-offer-heading">'


def test_a_heavy_module_offers_a_private_check_in(client, cohort, members):
    course = cohort.courses.first()
    module = course.get_children().specific().first()
    Enrolment.objects.create(user=members[0], course=course)
    client.force_login(members[0])
    assert "/care/check-in/?module=" not in client.get(module.url).content.decode()
    module.heavy = True
    module.save_revision().publish()
    page = client.get(module.url).content.decode()
    assert f"/care/check-in/?module={module.pk}" in page
    # The same accessible aside as ever: a landmark named by its heading.
    assert OFFER in page
    assert '<h2 id="care-offer-heading">How are you carrying this?</h2>' in page


def test_the_offer_is_what_care_registers_on_the_module_page():
    (extra,) = [e for e in module_extras._EXTRAS.values() if e.name == "care"]
    assert extra.place == "after_completion"
    assert extra.template == "care/includes/module_offer.html"


def test_nothing_is_offered_to_a_reader_whose_reading_is_not_recorded(client, cohort, members):
    course = cohort.courses.first()
    module = course.get_children().specific().first()
    module.heavy = True
    module.save_revision().publish()
    client.force_login(members[0])  # a member of the cohort, not enrolled in the course
    assert OFFER not in client.get(module.url).content.decode()


@pytest.fixture
def in_spanish(cohort, members, spanish):
    """The cohort's course synchronised to Spanish, its module translated; members[0] follows
    the course and reads in Spanish."""
    course = cohort.courses.first()
    module = course.get_children().specific().first()
    english = Locale.objects.get(language_code="en")
    LocaleSynchronization.objects.create(locale=spanish, sync_from=english)
    Enrolment.objects.create(user=members[0], course=course)
    members[0].preferred_language = "es"
    members[0].save(update_fields=["preferred_language"])
    return module


def test_a_translated_copy_follows_the_originals_heavy_setting(client, cohort, members, spanish,
                                                               in_spanish):  # fmt: skip
    module = in_spanish
    module.heavy = True
    module.save_revision().publish()
    # The copy was made while the original was light, or a translator's sync never ran.
    copy = translate(module, spanish, title="Módulo difícil", heavy=False)
    assert (copy.heavy, copy.url) == (False, module.url)
    client.force_login(members[0])
    page = client.get(module.url).content.decode()
    assert "Módulo difícil" in page
    assert OFFER in page
    assert f"/care/check-in/?module={copy.pk}" in page

    # The check-in follows the offer: it counts for the original module in the member's cohort,
    # which the trainers' totals then name in their own language.
    check_in = reverse("care:check_in") + f"?module={copy.pk}"
    assert "Módulo difícil" in client.get(check_in).content.decode()
    client.post(check_in, {"carrying": "2", "energy": "3", "wants_debrief": "no"})
    answer = CheckIn.objects.get(user=members[0])
    assert (answer.kind, answer.module_id, answer.cohort_id) == ("after_module", module.pk,
                                                                 cohort.pk)  # fmt: skip
    for i in range(4):
        person = member_of(cohort, f"Reader {i}")
        Enrolment.objects.create(user=person, course=cohort.courses.first())
        client.force_login(person)
        client.post(check_in, {"carrying": "2", "energy": "3", "wants_debrief": "no"})
    (group,) = cohort_aggregates(cohort)["modules"]
    assert (group.label, group.answers) == (module.title, 5)


def test_a_copy_marked_heavy_offers_nothing_when_the_original_is_not(client, members, spanish,
                                                                     in_spanish):  # fmt: skip
    module = in_spanish
    translate(module, spanish, title="Módulo ligero", heavy=True)
    client.force_login(members[0])
    page = client.get(module.url).content.decode()
    assert "Módulo ligero" in page
    assert OFFER not in page
    # Nor does the check-in page take it for a heavy module's.
    copy_pk = module.get_translation(spanish).pk
    answer_page = client.get(reverse("care:check_in") + f"?module={copy_pk}").content.decode()
    assert "Módulo ligero" not in answer_page


def _queries(client, url) -> int:
    client.get(url)  # warm-up: caches filled, as on a busy site
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_offer_reads_nothing_more_on_a_translated_page(client, members, spanish, in_spanish,
                                                          monkeypatch):  # fmt: skip
    module = in_spanish
    module.heavy = True
    module.save_revision().publish()
    translate(module, spanish, title="Módulo difícil", heavy=False)
    client.force_login(members[0])
    assert OFFER in client.get(module.url).content.decode()
    offered = _queries(client, module.url)
    # The same page without anything added by later apps: not one query fewer.
    monkeypatch.setattr(module_extras, "_EXTRAS", {})
    assert OFFER not in client.get(module.url).content.decode()
    assert _queries(client, module.url) == offered


def test_an_outline_cached_by_the_previous_release_is_not_read(cohort):
    """Outlines are cached for up to a day: one kept from before modules' `heavy` was in it would
    cost the module page a query for it. Its cache key names the outline's version."""
    course = cohort.courses.first()
    with translation.override("en"):
        fresh = outlines.course_outline(course, fresh=True)
        stale = copy.deepcopy(fresh)
        for values in stale.record_modules.values():
            del values["heavy"]
        before = ["courses-page", "outline", str(page_cache.generation()), str(course.pk), "en"]
        cache.set(":".join(before), stale, 60)
        page_cache._LOCAL.clear()
        read = outlines.course_outline(course)
    assert all("heavy" in values for values in read.record_modules.values())
    assert read.record_modules == fresh.record_modules
