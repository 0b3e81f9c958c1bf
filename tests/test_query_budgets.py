"""Query budgets of the hot pages (issue 18): a change that adds a query to one of them fails here.

For each page, at two data sizes, in every interface language (settings.LANGUAGES, the person's
preferred language) and on the copy of the content that language reads (see COPIES), the number
of SQL queries of one request must be the same at both sizes, within the page's budget (the
issue's targets) and within what the page makes today (CURRENT: so that one added query fails
even under the budget).

How queries are counted: one warm-up request first (a running server with warm caches: Site,
routes, locales, what is cached per published revision), then every SQL statement of the next
identical request, through `connection.execute_wrapper`. The request's own transaction
(ATOMIC_REQUESTS) is a BEGIN/COMMIT in production that no capture sees on PostgreSQL; inside a
test's transaction it becomes one SAVEPOINT and its RELEASE, which are left out so that the
counts are the benchmark's (`make bench`; on SQLite its BEGIN IMMEDIATE is one more there). Any
other statement counts, savepoints of nested atomic blocks included. The first request after a
publish (cold caches) is not what is counted here.

The data is built once per module (module-scoped fixtures in a transaction rolled back at the
end; each test runs in a savepoint) and each test measures its page in one language. The
catalog is one page for the whole site, so its two sizes are measured one after the other in
one fixture, and the tests check the results.

`pytest tests/test_query_budgets.py -rA` prints every page's counts; QUERY_BUDGETS_SQL=1 their
SQL too.
"""

import os
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization, TranslationSource
from wagtail_localize.synctree import synchronize_tree

import training.views
from certificates.models import CohortTrack, Requirement, TrackText
from cohorts.models import Announcement, Attendance, Cohort, Membership, ModuleRelease, SkillSignOff
from courses import services
from courses.factories import block_id, catalog, correct_answers, make_course
from courses.models import Enrolment, ModuleProgress, ProgressStatus, Topic, TopicName
from tests.certificates.factories import (
    add_requirement,
    join,
    make_agreement,
    make_certificate,
    make_cohort,
    make_session,
    make_skill,
    make_track,
    mark,
)
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.models import User
from training.roles import Role

# --- Budgets (queries per request, warm caches) ---------------------------------------------------
MODULE_PAGE_BUDGET = 12  # a module of a course the volunteer follows, their quiz answered
COURSE_PAGE_BUDGET = 12  # the course outline, with the volunteer's progress in every module
DASHBOARD_BUDGET = 15  # /dashboard/: courses, cohorts, next session, releases, certification
CATALOG_BUDGET = 8  # /courses/, signed in or not: every course with languages and topics
PROGRESS_MATRIX_BUDGET = 12  # a trainer's matrix: members x modules, sessions, skills

# What each page makes today (warm; the same on PostgreSQL and SQLite), when read in English and
# in another language. The limit of a test is the lower of this and the budget, so that one
# added query fails even under the budget. When a query goes, lower the number here; a page
# over its budget is only held to the budget.
CURRENT = {
    "module page": (5, 5),
    "course page": (3, 3),
    "dashboard": (14, 14),
    "catalog (anonymous)": (1, 2),
    "catalog (volunteer)": (2, 3),
    "progress matrix": (11, 12),
}

# The two data sizes compared for each page.
MODULES = (5, 20)  # modules in the course (module and course pages)
CATALOG_COURSES = (2, 12)  # courses in the catalog
DASHBOARD_ITEMS = (1, 5)  # courses, cohorts, tracks, sessions and certificates of the volunteer
MEMBERS = (10, 200)  # members of the cohort (progress matrix)

pytestmark = pytest.mark.django_db

LANGUAGES = [code for code, _name in settings.LANGUAGES]
# The copy of the courses each interface language reads, as in the demo (courses/demo_i18n.py):
# English reads the originals; Spanish and Arabic (right to left) translations; Portuguese a
# translated module in a course nobody translated; the others aliases of the originals.
TRANSLATED = {"es", "ar"}
MODULE_ONLY = {"pt-br"}
COPIES = {
    code: "original" if code == settings.LANGUAGE_CODE
    else "translated" if code in TRANSLATED
    else "translated module, alias course" if code in MODULE_ONLY
    else "alias"
    for code in LANGUAGES
}  # fmt: skip
LANGUAGE_IDS = [f"{code}-{COPIES[code].split(',')[0].replace(' ', '-')}" for code in LANGUAGES]


# --- Counting -------------------------------------------------------------------------------------
@dataclass
class Count:
    page: str
    status: int
    sql: list[str] = field(default_factory=list)
    body: str = ""

    def __len__(self):
        return len(self.sql)


def _without_request_transaction(sql: list[str]) -> list[str]:
    """The statements without the request's own SAVEPOINT and its RELEASE (ATOMIC_REQUESTS
    inside the test's transaction; BEGIN/COMMIT in production, which no capture counts). It is
    the request's first savepoint: the middleware's queries (the user, their second factor)
    come before it, outside the view's transaction."""
    first = next((i for i, statement in enumerate(sql) if statement.startswith("SAVEPOINT ")), None)
    if first is None:
        return sql
    name = sql[first].removeprefix("SAVEPOINT ")
    release = f"RELEASE SAVEPOINT {name}"
    return [statement for i, statement in enumerate(sql) if i != first and statement != release]


def count_queries(client, url, page: str) -> Count:
    """One warm-up request, then the SQL of the same request (see the module's docstring)."""
    warm = client.get(url)
    assert warm.status_code == 200, f"{page}: warm-up request answered {warm.status_code}"
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(url)
    sql = _without_request_transaction(statements)
    return Count(page, response.status_code, sql, response.content.decode())


def assert_copy(count: Count, code: str, translated: bool):
    """The page was served in the copy COPIES says: its translated words, or the original's
    with the notice that says so."""
    if translated:
        assert f"({code})" in count.body, f"{count.page}: not the {code} translation"
    elif code != settings.LANGUAGE_CODE:
        assert "translation-notice" in count.body, f"{count.page}: no untranslated notice"


def check(small: Count, large: Count, budget: int, sizes: str, *, now: int | None = None):
    """Both answered 200, the same count at both sizes, within the budget and within `now`
    (the page's count today, from CURRENT); a failure lists the SQL so that the added query can
    be seen."""
    assert small.status == large.status == 200, (small.status, large.status)
    limit = budget if now is None else min(budget, now)
    # Shown with `pytest -rA` (or -s): every page's counts, passing or not; with
    # QUERY_BUDGETS_SQL=1, their SQL too.
    print(f"{large.page}: {len(small)} / {len(large)} queries ({sizes}), budget {budget}"
          + ("" if now is None else f", recorded today {now}"))  # fmt: skip
    if os.environ.get("QUERY_BUDGETS_SQL"):
        print("\n".join(f"  {i:2}. {sql}" for i, sql in enumerate(large.sql, 1)))
    most = max(len(small), len(large))
    problems = []
    if len(small) != len(large):
        problems.append(f"the count grows with the data: {len(small)} -> {len(large)} ({sizes})")
    if most > budget:
        problems.append(f"{most} queries, over the budget of {budget}")
    elif most > limit:
        problems.append(f"{most} queries, more than the {now} recorded in CURRENT: a query was "
                        "added (if it must be, raise CURRENT, within the budget)")  # fmt: skip
    elif now is not None and most < now:
        print(f"  {most} is below the {now} recorded in CURRENT: lower it there")
    if problems:
        listing = "\n".join(f"  {i:2}. {sql}" for i, sql in enumerate(large.sql, 1))
        small_listing = ""
        if len(small) != len(large):
            small_listing = "\nSQL at the small size:\n" + "\n".join(
                f"  {i:2}. {sql}" for i, sql in enumerate(small.sql, 1)
            )
        pytest.fail(
            f"{large.page}: {len(small)} / {len(large)} queries ({sizes}), budget {budget}: "
            + "; ".join(problems)
            + f"\nSQL at the large size:\n{listing}{small_listing}",
            pytrace=False,
        )


def current(page: str, code: str) -> int | None:
    """The page's count recorded today in CURRENT, for the language `code`."""
    if page not in CURRENT:
        return None
    original, other = CURRENT[page]
    return original if code == settings.LANGUAGE_CODE else other


# --- Building -------------------------------------------------------------------------------------
def _translate(page, code, **words):
    """`page` translated into `code` as an editor does with wagtail-localize (the way of
    tests/courses/test_translated_courses.py and courses/demo_i18n.py), published."""
    source, _created = TranslationSource.update_or_create_from_instance(page)
    copy, _created = source.create_or_update_translation(
        Locale.objects.get(language_code=code), publish=False, fallback=True
    )
    copy = type(page).objects.get(pk=copy.pk)
    for name, value in words.items():
        setattr(copy, name, value)
    copy.save_revision().publish()
    return copy


def _locales():
    """A locale per offered language, synchronised from the default one (every page gets an
    alias there until translated), as courses.demo_i18n.locales does."""
    source = Locale.get_default()
    for code in LANGUAGES:
        if code != source.language_code:
            locale, _created = Locale.objects.get_or_create(language_code=code)
            LocaleSynchronization.objects.get_or_create(
                locale=locale, defaults={"sync_from": source}
            )


def _sync_locales():
    """Copies in every locale of the pages made since the locales were synchronised."""
    source = Locale.get_default()
    for locale in Locale.objects.exclude(pk=source.pk):
        synchronize_tree(source, locale)


def _translate_course(course, modules):
    """The course and its modules in the TRANSLATED languages; in MODULE_ONLY, the modules."""
    for code in TRANSLATED | MODULE_ONLY:
        if code not in LANGUAGES:
            continue
        if code in TRANSLATED:
            _translate(course, code, title=f"{course.title} ({code})")
        for module in modules:
            _translate(module, code, title=f"{module.title} ({code})")


def _learner(email):
    return UserFactory(email=email, display_name=email.split("@")[0])


def _follow(user, course, modules, *, done):
    """`user` enrolled, the first `done` modules completed, the last visited."""
    services.enrolment_create(user=user, course=course)
    now = timezone.now()
    ModuleProgress.objects.bulk_create(
        [ModuleProgress(user=user, module=m, course=course, last_visited_at=now,
                        status=ProgressStatus.COMPLETED if i < done else ProgressStatus.IN_PROGRESS,
                        completed_at=now if i < done else None)
         for i, m in enumerate(modules[: done + 1])]
    )  # fmt: skip


def _set_language(user, code):
    user.preferred_language = code
    user.save(update_fields=["preferred_language"])


@pytest.fixture(scope="module")
def data_scope(django_db_setup, django_db_blocker):
    """A transaction for the module's data, rolled back at its end; tests run in savepoints."""
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        yield
        transaction.set_rollback(True)
    cache.clear()


# --- Catalog --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def catalog_counts(data_scope):
    """The catalog measured in every language, signed in and anonymous, with 2 then 20 courses
    (measured once here, in a savepoint rolled back afterwards: the catalog is the one index)."""
    counts = {}
    with transaction.atomic():
        index = catalog()
        _locales()
        topics = [Topic.objects.create(slug=f"topic-{i}", name=f"Topic {i}") for i in range(3)]
        for topic in topics:
            TopicName.objects.create(topic=topic, language="es", name=f"Tema {topic.pk}")
        reader = _learner("catalog@example.org")
        made = 0
        for size in CATALOG_COURSES:
            for i in range(made, size):
                # Modules only where a newcomer can start (fewer pages to copy into every locale).
                course, _modules = make_course(
                    f"catalog-{i}", modules=1 if i % 3 == 0 or i % 2 == 0 else 0,
                    self_paced=i % 3 == 0, free_preview=i % 2 == 0,
                    languages=("en", "es") if i % 2 else ("en",),
                )  # fmt: skip
                course.topics.add(topics[i % 3])
                course.save()
                if i % 4 == 0:
                    _translate(course, "es", title=f"Curso {i}")
            made = size
            _sync_locales()
            for code in LANGUAGES:
                _set_language(reader, code)
                signed_in = Client()
                signed_in.force_login(reader)
                anonymous = Client()
                anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = code
                for who, client in (("volunteer", signed_in), ("anonymous", anonymous)):
                    cache.clear()
                    count = count_queries(client, index.url, f"catalog ({who}, {code})")
                    listed = client.get(index.url).context["courses"]
                    assert len(listed) == size, (who, code, len(listed), size)
                    counts[(who, code, size)] = count
        transaction.set_rollback(True)
    return counts


@pytest.mark.parametrize("who", ["volunteer", "anonymous"])
@pytest.mark.parametrize("code", LANGUAGES, ids=LANGUAGE_IDS)
def test_catalog(catalog_counts, who, code):
    small, large = (catalog_counts[(who, code, size)] for size in CATALOG_COURSES)
    check(small, large, CATALOG_BUDGET, "{} vs {} courses".format(*CATALOG_COURSES),
          now=current(f"catalog ({who})", code))  # fmt: skip


# --- Course and module pages ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def courses(data_scope):
    """Two courses (5 and 50 modules) in every locale, translated as COPIES says; a volunteer
    follows both, every module but the last completed, the last one's quiz answered."""
    _locales()
    learner = _learner("reader@example.org")
    made = {}
    for size in MODULES:
        slug = f"budget-{size}"
        course, modules = make_course(slug, modules=size)
        _follow(learner, course, modules, done=size - 1)
        last = size - 1
        services.quiz_submit(
            user=learner, module=modules[last], course=course,
            activity_id=block_id(f"{slug}/{last}/quiz"),
            answers=correct_answers(f"{slug}/{last}/quiz"), submission_id=uuid.uuid4(),
        )  # fmt: skip
        made[size] = (course, modules)
    _sync_locales()
    for course, modules in made.values():
        # Translated: the module read and another (a title in the outline), not all of them.
        _translate_course(course, [modules[0], modules[-1]])
    return learner, made


@pytest.mark.parametrize("code", LANGUAGES, ids=LANGUAGE_IDS)
def test_module_page(client, courses, code):
    learner, made = courses
    _set_language(learner, code)
    client.force_login(learner)
    small, large = (
        count_queries(client, made[size][1][-1].url, f"module page ({code}, {size} modules)")
        for size in MODULES
    )
    for count in (small, large):
        assert_copy(count, code, translated=code in TRANSLATED | MODULE_ONLY)
    check(small, large, MODULE_PAGE_BUDGET, "{} vs {} modules".format(*MODULES),
          now=current("module page", code))  # fmt: skip


@pytest.mark.parametrize("code", LANGUAGES, ids=LANGUAGE_IDS)
def test_course_page(client, courses, code):
    learner, made = courses
    _set_language(learner, code)
    client.force_login(learner)
    small, large = (
        count_queries(client, made[size][0].url, f"course page ({code}, {size} modules)")
        for size in MODULES
    )
    for count in (small, large):
        assert_copy(count, code, translated=code in TRANSLATED)
    check(small, large, COURSE_PAGE_BUDGET, "{} vs {} modules".format(*MODULES),
          now=current("course page", code))  # fmt: skip


# --- Dashboard ------------------------------------------------------------------------------------
def _dashboard_person(n):
    """A volunteer with `n` of everything: courses followed, cohorts (each taking one of the
    courses, on its own certification track, with a module released lately, a recent message
    and upcoming and attended sessions), tracks with a requirement of each kind, certificates."""
    person = _learner(f"dashboard-{n}@example.org")
    now = timezone.now()
    for i in range(n):
        key = f"dash-{n}-{i}"
        course, modules = make_course(key, modules=2)
        _follow(person, course, modules, done=1)
        track = make_track(f"{key}-track")
        TrackText.objects.create(track=track, language="es", title=f"Itinerario {key}")
        cohort = make_cohort(track, f"{key}-cohort", module_release=Cohort.Release.SCHEDULED)
        cohort.courses.add(course)
        join(cohort, person)
        ModuleRelease.objects.create(cohort=cohort, module=modules[1],
                                     opens_at=now - timedelta(days=2))  # fmt: skip
        Announcement.objects.create(cohort=cohort, subject="Bring headphones", body="Please.",
                                    language="en", sent_at=now)  # fmt: skip
        mark(make_session(cohort, days_ago=3), person)
        make_session(cohort, days_ago=-2 - i)  # upcoming
        add_requirement(track, Requirement.Kind.COURSE, course=course)
        add_requirement(track, Requirement.Kind.ATTENDANCE, min_attendance=50)
        add_requirement(track, Requirement.Kind.SKILL, skill=make_skill(cohort))
        add_requirement(track, Requirement.Kind.AGREEMENT, agreement=make_agreement(f"{key}-a"))
        # A certificate of each track: one of the last days (the certified moment), the others
        # older, on tracks the person follows through no cohort.
        other = make_track(f"{key}-held")
        valid_from = date.today() - timedelta(days=1 if i == 0 else 100)
        make_certificate(person, other, valid_from=valid_from)
    return person


@pytest.fixture(scope="module")
def dashboards(courses):
    """Two volunteers: one with 1 of everything, one with 5 (in the locales `courses` made)."""
    people = {n: _dashboard_person(n) for n in DASHBOARD_ITEMS}
    _sync_locales()
    return people


@pytest.mark.parametrize("code", LANGUAGES, ids=LANGUAGE_IDS)
def test_dashboard(client, dashboards, code):
    counts = []
    for n in DASHBOARD_ITEMS:
        person = dashboards[n]
        _set_language(person, code)
        client.force_login(person)
        counts.append(count_queries(client, reverse("dashboard"), f"dashboard ({code}, {n} each)"))
    check(*counts, DASHBOARD_BUDGET, "{} vs {} courses, cohorts, tracks, sessions, "
          "certificates".format(*DASHBOARD_ITEMS), now=current("dashboard", code))  # fmt: skip


# --- Trainer's progress matrix --------------------------------------------------------------------
def _matrix_cohort(size, course, modules, trainer):
    """A cohort of `size` members taking `course`, on a track, with sessions and skills; the
    members in every state (not started, in progress, completed; present, absent; signed off)."""
    cohort = Cohort.objects.create(
        slug=f"matrix-{size}", title=f"Matrix {size}", working_language="en", time_zone="UTC",
        starts_on=date.today() - timedelta(days=30), ends_on=date.today() + timedelta(days=30),
        status=Cohort.Status.RUNNING,
    )  # fmt: skip
    CohortTrack.objects.create(cohort=cohort, track=make_track(f"matrix-{size}-track"))
    cohort.courses.add(course)
    cohort.trainers.add(trainer)
    people = User.objects.bulk_create(
        [User(email=f"m{size}-{i}@example.org", display_name=f"Member {size}-{i:04d}")
         for i in range(size)]
    )  # fmt: skip
    Membership.objects.bulk_create(
        [Membership(cohort=cohort, user=p, source=Membership.Source.CSV) for p in people]
    )
    Enrolment.objects.bulk_create([Enrolment(user=p, course=course, source="cohort")
                                   for p in people])  # fmt: skip
    now = timezone.now()
    ModuleProgress.objects.bulk_create(
        [ModuleProgress(user=p, module=m, course=course, last_visited_at=now,
                        status="completed" if j < i % 5 - 1 else "in_progress",
                        completed_at=now if j < i % 5 - 1 else None)
         for i, p in enumerate(people) for j, m in enumerate(modules[: i % 5])]
    )  # fmt: skip
    sessions = [make_session(cohort, days_ago=d) for d in (10, 3)]
    Attendance.objects.bulk_create(
        [Attendance(session=s, user=p, status="present" if i % 3 else "absent")
         for s in sessions for i, p in enumerate(people)]
    )  # fmt: skip
    skills = [make_skill(cohort) for _ in range(2)]
    SkillSignOff.objects.bulk_create(
        [SkillSignOff(cohort=cohort, skill=skills[0], user=p, signed_by=trainer)
         for p in people[::2]]
    )  # fmt: skip
    return cohort


@pytest.fixture(scope="module")
def matrices(courses):
    """Two cohorts (10 and 200 members) taking the 5-module course, one trainer."""
    trainer = UserFactory(email="matrix-trainer@example.org", display_name="Tomás",
                          roles=[Role.TRAINER])  # fmt: skip
    made = courses[1]
    course, modules = made[MODULES[0]]
    cohorts = {size: _matrix_cohort(size, course, modules, trainer) for size in MEMBERS}
    return trainer, cohorts


@pytest.mark.parametrize("code", LANGUAGES, ids=LANGUAGE_IDS)
def test_progress_matrix(client, matrices, code):
    trainer, cohorts = matrices
    _set_language(trainer, code)
    login_with_mfa(client, trainer)
    counts = []
    for size in MEMBERS:
        url = reverse("cohorts:trainer_progress", args=[cohorts[size].slug])
        counts.append(count_queries(client, url, f"progress matrix ({code}, {size} members)"))
    check(*counts, PROGRESS_MATRIX_BUDGET, "{} vs {} members".format(*MEMBERS),
          now=current("progress matrix", code))  # fmt: skip


# --- The counting itself -------------------------------------------------------------------------
def test_one_added_query_is_caught(client, dashboards, monkeypatch):
    """One more query in a view is counted, and fails a page that was exactly at its budget
    (or one whose count then differs between the sizes)."""
    person = dashboards[DASHBOARD_ITEMS[0]]
    client.force_login(person)
    url = reverse("dashboard")
    before = count_queries(client, url, "dashboard")
    original = training.views.dashboard_for

    def with_one_more(user):
        User.objects.filter(pk=user.pk).exists()  # the added query
        return original(user)

    monkeypatch.setattr(training.views, "dashboard_for", with_one_more)
    after = count_queries(client, url, "dashboard")
    assert len(after) == len(before) + 1
    with pytest.raises(pytest.fail.Exception, match="over the budget") as failed:
        check(before, after, len(before), "before vs after")
    assert 'FROM "training_user"' in str(failed.value)  # the SQL is listed
    with pytest.raises(pytest.fail.Exception, match=r"more than the \d+ recorded in CURRENT"):
        check(after, after, 100, "before vs after", now=len(before))
    with pytest.raises(pytest.fail.Exception, match="grows with the data"):
        check(before, after, 100, "before vs after")
