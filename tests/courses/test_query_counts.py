"""Course page, module page and quiz submission keep a constant query count as courses grow."""

import uuid

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses import services
from courses.factories import (
    block_id,
    catalog,
    correct_answers,
    make_course,
    standard_quiz,
    text_block,
    wrong_answers,
)
from courses.h5p import services as h5p_services
from courses.h5p import store, weight
from courses.models import H5PLibrary, ModuleProgress, ProgressStatus
from tests.courses.conftest import quiz_post
from tests.h5p_factory import H5PPackage

pytestmark = pytest.mark.django_db


def _course_with_progress(slug, size, user):
    course, modules = make_course(slug, modules=size)
    services.enrolment_create(user=user, course=course)
    now = timezone.now()
    ModuleProgress.objects.bulk_create(
        [
            ModuleProgress(
                user=user,
                module=m,
                course=course,
                status=ProgressStatus.COMPLETED,
                completed_at=now,
                last_visited_at=now,
            )
            for m in modules[:-1]
        ]
    )
    return course, modules


def _queries(client, method, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code in (200, 303), (url, response.status_code)
    return len(captured)


def _sizes(client, volunteer, measure):
    client.force_login(volunteer)
    small = measure(*_course_with_progress("small", 5, volunteer))
    large = measure(*_course_with_progress("large", 50, volunteer))
    return small, large


def test_course_page_query_count_is_constant(client, volunteer):
    def measure(course, modules):
        client.get(course.url)  # warm caches (site root paths) like a running server
        return _queries(client, "get", course.url)

    small, large = _sizes(client, volunteer, measure)
    assert small == large, f"course page: {small} queries for 5 modules, {large} for 50"


def test_module_page_query_count_is_constant_and_small(client, volunteer):
    def measure(course, modules):
        module = modules[-1]
        slug = course.slug
        services.quiz_submit(
            user=volunteer, module=module, course=course,
            activity_id=block_id(f"{slug}/{len(modules) - 1}/quiz"),
            answers=correct_answers(f"{slug}/{len(modules) - 1}/quiz"), submission_id=uuid.uuid4(),
        )  # fmt: skip
        client.get(module.url)
        return _queries(client, "get", module.url)

    small, large = _sizes(client, volunteer, measure)
    assert small == large, f"module page: {small} queries for 5 modules, {large} for 50"
    assert large <= 15, f"module page makes {large} queries"


def test_quiz_submission_query_count_does_not_grow_with_the_course(client, volunteer):
    def measure(course, modules):
        i = len(modules) - 1
        key = f"{course.slug}/{i}/quiz"
        url = reverse("courses:quiz_submit", args=[modules[i].pk, block_id(key)])
        client.get(course.url)  # warm caches (site root paths) like a running server
        return _queries(client, "post", url, quiz_post(key, correct_answers(key)))

    small, large = _sizes(client, volunteer, measure)
    assert small == large, f"quiz submission: {small} queries for 5 modules, {large} for 50"


def test_catalog_query_count_is_constant(client, volunteer):
    """With what each course lets a newcomer do now (start alone, a free preview) and its
    languages and topics, the catalog costs the same for 4 courses as for 40."""

    made = 0

    def grow_to(total):
        nonlocal made
        for i in range(made, total):
            # Some open for self-paced learning, some with a free preview, some neither.
            make_course(f"course-{i}", modules=1, self_paced=i % 3 == 0,
                        free_preview=i % 2 == 0)  # fmt: skip
        made = total
        client.get(catalog().url)  # warm caches (site root paths) like a running server
        with CaptureQueriesContext(connection) as captured:
            response = client.get(catalog().url)
        listed = response.context["courses"]
        assert response.status_code == 200 and len(listed) == total
        assert any(c.starts_alone for c in listed) and any(c.has_free_preview for c in listed)
        return len(captured)

    client.force_login(volunteer)
    small, large = grow_to(4), grow_to(40)
    assert small == large, f"catalog: {small} queries for 4 courses, {large} for 40"


# --- A module with H5P exercises ------------------------------------------------------------------
def _h5p_activities(count):
    """`count` playable activities from packages the test builds (no shared samples)."""

    made = []
    for i in range(count):
        pkg = H5PPackage.minimal().edit_h5p(title=f"Exercise {i}")
        activity = h5p_services.h5p_activity_create(
            package=ContentFile(pkg.build(), name=f"ex{i}.h5p"), title=f"Exercise {i}",
            language="en", in_background=False,
        )  # fmt: skip
        made.append(store.activity_extract(activity_id=activity.pk))
    H5PLibrary.objects.update(status=H5PLibrary.Status.APPROVED)
    return made


def _h5p_module_queries(client, user, slug, count, *, low_bandwidth):
    activities = _h5p_activities(count)
    course, (page,) = make_course(slug, modules=1, body=lambda i: [
        text_block(f"{slug}/text"),
        *({"type": "h5p", "id": block_id(f"{slug}/h5p{j}"),
           "value": {"activity": str(a.uuid), "pass_mark": 60, "required": True}}
          for j, a in enumerate(activities)),
    ])  # fmt: skip
    services.enrolment_create(user=user, course=course)
    user.low_bandwidth = low_bandwidth
    user.save(update_fields=["low_bandwidth"])
    client.force_login(user)
    client.get(page.url)  # warm caches (site root paths) like a running server
    for activity in activities:
        weight.weight_forget(activity.uuid)  # the card's size measured in the counted request
    with CaptureQueriesContext(connection) as captured:
        response = client.get(page.url)
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("data-h5p-stage") == count, "every exercise can play"
    assert body.count("data-h5p-start") == (count if low_bandwidth else 0)
    return len(captured)


@pytest.mark.parametrize("low_bandwidth", [False, True])
def test_h5p_module_page_query_count_is_constant_and_small(client, volunteer, low_bandwidth):
    """Two H5P exercises cost what one quiz module does, give or take; three cost the same as
    one, with or without low-bandwidth mode's cards (whose sizes are measured here)."""
    two = _h5p_module_queries(client, volunteer, "h5p-two", 2, low_bandwidth=low_bandwidth)
    one = _h5p_module_queries(client, volunteer, "h5p-one", 1, low_bandwidth=low_bandwidth)
    three = _h5p_module_queries(client, volunteer, "h5p-three", 3, low_bandwidth=low_bandwidth)
    assert one == three, f"H5P module page: {one} queries for 1 exercise, {three} for 3"
    assert two <= 17, f"H5P module page makes {two} queries"


def _quiz_module(slug):
    """One module with two quizzes: attempts unlimited, and at most 50."""
    quizzes = [standard_quiz(f"{slug}/open"), standard_quiz(f"{slug}/capped", max_attempts=50)]
    course, (module,) = make_course(slug, modules=1, body=lambda i: quizzes)
    return course, module


def test_module_page_does_not_grow_with_the_learners_quiz_attempts(client, volunteer):
    """The page reads, per quiz, the count of attempts, whether any passed and the last one:
    the same queries for 1 attempt as for 40, and the same view of them."""
    client.force_login(volunteer)
    pages = {}
    for slug, count in (("few", 1), ("many", 40)):
        course, module = _quiz_module(slug)
        services.enrolment_create(user=volunteer, course=course)
        for number in range(1, count + 1):
            for quiz in ("open", "capped"):
                key = f"{slug}/{quiz}"
                # With 40 attempts, the 20th passes and the last does not.
                answers = correct_answers(key) if number == 20 else wrong_answers(key)
                services.quiz_submit(
                    user=volunteer, module=module, course=course, activity_id=block_id(key),
                    answers=answers, submission_id=uuid.uuid4(),
                )  # fmt: skip
        client.get(module.url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(module.url)
        assert response.status_code == 200
        pages[slug] = (len(captured), response.content.decode())

    (few, few_body), (many, many_body) = pages["few"], pages["many"]
    assert few == many, f"module page: {few} queries with 1 attempt, {many} with 40"
    assert few_body.count('data-attempts="1"') == 2
    assert many_body.count('data-attempts="40"') == 2
    assert "49 attempts left." in few_body and "10 attempts left." in many_body
    # The last attempt's result is shown; the quiz counts as passed if any attempt passed.
    assert few_body.count("Not passed yet") == 2 and "✓ Passed" not in few_body
    assert many_body.count("Not passed yet") == 2 and many_body.count("✓ Passed") == 2
    assert "a correct answer" not in few_body and "a correct answer" in many_body
