"""What the course, module and catalog pages cache for everyone (courses.page_cache) follows every
change of the content: the next page view after a publication, an unpublication, a translation,
a move, a topic renamed or a release date shows it."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization

from cohorts.models import Cohort, Membership, ModuleRelease
from courses import outlines, page_cache, selectors, services
from courses.factories import ModulePageFactory, catalog, make_course
from courses.models import ModulePage, Topic, TopicName
from tests.helpers import translate
from training import i18n

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_client(client, volunteer, course):
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    return client


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_the_outline_is_read_from_the_cache_once_warm(learner_client, course, modules):
    _page(learner_client, course.url)

    with CaptureQueriesContext(connection) as captured:
        _page(learner_client, course.url)
    assert not [q for q in captured if "courses_modulepage" in q["sql"]], "outline from cache"


def test_a_new_revision_of_a_module_shows_at_once(learner_client, course, modules):
    assert "Module 2" in _page(learner_client, course.url)
    assert "Module 2" in _page(learner_client, modules[0].url)  # the link to the next module
    module = ModulePage.objects.get(pk=modules[1].pk)
    module.title = "Listening, revised"
    module.save_revision().publish()
    assert "Listening, revised" in _page(learner_client, course.url)
    assert "Listening, revised" in _page(learner_client, modules[0].url)


def test_the_module_served_is_read_from_the_cache_and_follows_every_change(
    learner_client, course, modules
):
    """The row of the module served comes from the page cache once warm (training.routing,
    ModulePage.served_rows_cache); a draft leaves it as it is, a publication, an unpublication
    and a deletion show at once."""
    url = modules[1].url
    _page(learner_client, url)
    with CaptureQueriesContext(connection) as captured:
        assert "Module 2" in _page(learner_client, url)
    assert not [q for q in captured if '"courses_modulepage"."body"' in q["sql"]], [
        q["sql"][:120] for q in captured
    ]
    module = ModulePage.objects.get(pk=modules[1].pk)
    module.title = "Drafted, not published"
    revision = module.save_revision()
    assert "Drafted, not published" not in _page(learner_client, url)
    revision.publish()
    assert "Drafted, not published" in _page(learner_client, url)
    module = ModulePage.objects.get(pk=modules[1].pk)
    module.unpublish()
    assert learner_client.get(url).status_code == 404
    module.save_revision().publish()
    assert "Drafted, not published" in _page(learner_client, url)
    ModulePage.objects.get(pk=modules[1].pk).delete()
    assert learner_client.get(url).status_code == 404


def test_a_warm_module_page_asks_the_cache_once_for_every_generation(
    learner_client, course, modules, monkeypatch
):
    """The routing, page-cache and release-date generations are read in one round trip
    (training.generations); the module's row, its blocks' HTML and Wagtail's site root paths
    come from this process; a generation moved during the request is read again."""
    calls = _cache_reads(monkeypatch)
    _page(learner_client, modules[1].url)
    calls.clear()
    assert "Module 2" in _page(learner_client, modules[1].url)
    assert [name for name, _key in calls if name == "get_many"] == ["get_many"], calls
    generations_read = next(keys for name, keys in calls if name == "get_many")
    assert {page_cache.GENERATION_KEY, "acompana:routing:generation"} <= set(generations_read)
    others = [key for name, key in calls if name != "get_many"]
    assert not [k for k in others if "generation" in str(k) or "site_root" in str(k)], calls
    assert not [k for k in others if "module-blocks" in str(k)], calls


def test_page_urls_on_the_dashboard_read_no_site_root_paths_from_the_cache(
    learner_client, course, modules, monkeypatch
):
    """Pages asked for their URL without the request (the dashboard's courses and modules) take
    Wagtail's site root paths from the routing caches (ChildRoutingMixin), not the cache."""
    calls = _cache_reads(monkeypatch)
    assert course.title in _page(learner_client, "/dashboard/")
    calls.clear()
    assert course.title in _page(learner_client, "/dashboard/")
    assert not [key for _name, key in calls if "site_root" in str(key)], calls


def _cache_reads(monkeypatch) -> list:
    """The reads of the default cache from now on: (method, key or keys)."""
    default = caches["default"]
    calls, inside = [], []

    def recorded(name, original):
        def call(key, *args, **kwargs):
            if not inside:  # the test settings' local cache reads get_many's keys with get
                calls.append((name, key))
            inside.append(name)
            try:
                return original(key, *args, **kwargs)
            finally:
                inside.pop()

        return call

    for name in ("get", "get_many", "get_or_set"):
        monkeypatch.setattr(default, name, recorded(name, getattr(default, name)))
    return calls


def test_a_draft_does_not_show_but_its_publication_does(learner_client, course, modules):
    _page(learner_client, course.url)
    module = ModulePage.objects.get(pk=modules[1].pk)
    module.title = "Draft title"
    revision = module.save_revision()
    assert "Draft title" not in _page(learner_client, course.url)
    revision.publish()
    assert "Draft title" in _page(learner_client, course.url)


def test_an_unpublished_module_leaves_the_outline(learner_client, course, modules):
    assert "Module 3" in _page(learner_client, course.url)
    ModulePage.objects.get(pk=modules[2].pk).unpublish()
    assert "Module 3" not in _page(learner_client, course.url)
    assert "Module 3" not in _page(learner_client, modules[1].url)  # no "next" link to it


def test_a_module_added_or_deleted_shows_at_once(learner_client, course, modules):
    _page(learner_client, course.url)
    ModulePageFactory(parent=course, title="A fourth module", slug="fourth", body=[])
    assert "A fourth module" in _page(learner_client, course.url)
    ModulePage.objects.get(slug="fourth").delete()
    assert "A fourth module" not in _page(learner_client, course.url)


def test_a_module_moved_to_another_course_leaves_the_outline(learner_client, course, modules):
    other, _made = make_course("other", modules=0)
    _page(learner_client, course.url)
    ModulePage.objects.get(pk=modules[2].pk).move(other, pos="last-child")
    assert "Module 3" not in _page(learner_client, course.url)
    assert "Module 3" in _page(learner_client, other.url)


def test_a_translation_published_later_shows_at_once(client, volunteer, settings):
    settings.LANGUAGES = list(settings.ALL_LANGUAGES.items())
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES
    spanish, _created = Locale.objects.get_or_create(language_code="es")
    course, modules = make_course("bilingual", modules=2)
    LocaleSynchronization.objects.create(
        locale=spanish, sync_from=Locale.objects.get(language_code="en")
    )
    services.enrolment_create(user=volunteer, course=course)
    volunteer.preferred_language = "es"
    volunteer.save(update_fields=["preferred_language"])
    client.force_login(volunteer)
    before = _page(client, course.url)
    assert "Module 2" in before and "Módulo 2" not in before
    assert "Module 2" in _page(client, modules[0].url)
    translate(modules[1], spanish, title="Módulo 2: cuidarse")
    assert "Módulo 2: cuidarse" in _page(client, course.url)
    assert "Módulo 2: cuidarse" in _page(client, modules[0].url)  # the next module's link
    page = _page(client, modules[1].url)
    assert "Módulo 2: cuidarse" in page and "translation-notice" not in page


def test_progress_on_a_cached_outline_is_this_persons(client, volunteer, course, modules):
    """The outline is shared; the progress in it is read for each person."""
    services.enrolment_create(user=volunteer, course=course)
    client.force_login(volunteer)
    _page(client, course.url)
    services.module_visit(user=volunteer, module=modules[0], course=course)
    assert "In progress" in _page(client, course.url)


def test_topics_renamed_and_added_show_on_the_course_page_and_catalog(learner_client, course):
    topic = Topic.objects.create(name="Care", slug="care")
    course.topics.add(topic)
    course.save_revision().publish()
    assert "Care" in _page(learner_client, course.url)
    assert "Care" in _page(learner_client, catalog().url)
    topic.name = "Self-care"
    topic.save()
    assert "Self-care" in _page(learner_client, course.url)
    assert "Self-care" in _page(learner_client, catalog().url)
    TopicName.objects.create(topic=topic, language="en", name="Caring for yourself")
    assert "Caring for yourself" in _page(learner_client, course.url)


def test_the_catalog_shows_new_and_unpublished_courses_at_once(learner_client, course):
    assert course.title in _page(learner_client, catalog().url)
    newer, _made = make_course("newer-course", modules=1, title="A newer course")
    assert "A newer course" in _page(learner_client, catalog().url)
    newer.unpublish()
    assert "A newer course" not in _page(learner_client, catalog().url)


def test_the_catalog_filters_are_cached_apart(learner_client, course):
    topic = Topic.objects.create(name="Care", slug="care")
    other, _made = make_course("other-course", modules=1, title="Another course")
    other.topics.add(topic)
    other.save_revision().publish()
    url = catalog().url
    assert course.title in _page(learner_client, url)
    filtered = _page(learner_client, f"{url}?topic=care")
    assert "Another course" in filtered and course.title not in filtered
    assert "Another course" not in _page(learner_client, f"{url}?topic=a%20b")  # no such topic
    assert course.title in _page(learner_client, url)


def test_a_release_date_added_later_closes_the_module(learner_client, volunteer, course, modules):
    assert "Locked" not in _page(learner_client, course.url)
    cohort = Cohort.objects.create(
        slug="dated", title="Dated", working_language="en", time_zone="Europe/Madrid",
        starts_on=date.today(), ends_on=date.today() + timedelta(days=90),
        status=Cohort.Status.OPEN, module_release=Cohort.Release.SCHEDULED,
    )  # fmt: skip
    cohort.courses.add(course)
    Membership.objects.create(cohort=cohort, user=volunteer, source=Membership.Source.CSV)
    assert "Locked" not in _page(learner_client, course.url)
    ModuleRelease.objects.create(cohort=cohort, module=modules[1],
                                 opens_at=timezone.now() + timedelta(days=3))  # fmt: skip
    assert "Locked" in _page(learner_client, course.url)
    assert learner_client.get(modules[1].url).status_code == 403
    ModuleRelease.objects.filter(cohort=cohort).delete()
    assert "Locked" not in _page(learner_client, course.url)


def test_a_cache_emptied_never_brings_back_an_older_generation():
    first = page_cache.generation()
    cache.clear()
    assert page_cache.generation() != first


def _catalog_keys():
    return [key for key in page_cache._LOCAL if key.startswith("courses-page:catalog:")]


def test_only_the_catalog_filters_a_visitor_can_choose_are_cached(client, course):
    Topic.objects.create(name="Care", slug="care")
    url = catalog().url
    page_cache._LOCAL.clear()
    for topic in ("", "care", "no-such-topic", "random-123"):
        _page(client, f"{url}?topic={topic}")
    cached = _catalog_keys()
    assert len(cached) == 2, cached  # "" and "care": anything else is read each time
    assert not [key for key in cached if key.endswith(("no-such-topic", "random-123"))]


def test_no_outline_or_titles_are_cached_while_the_locales_are_unknown(course, monkeypatch):
    monkeypatch.setattr(i18n, "default_locale_id", lambda: None)
    page_cache._LOCAL.clear()
    outlines.course_outline(course)
    selectors._titles_in_active_language([course])
    assert not [
        key
        for key in page_cache._LOCAL
        if key.startswith(("courses-page:outline", "courses-page:titles"))
    ]
