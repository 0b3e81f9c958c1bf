"""What cohorts add to a course page's next step: apply to the cohort teaching it, the
application waiting (sent on a day in the viewer's zone), the place on the waitlist."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from cohorts import services
from cohorts.models import Application, Cohort
from courses.factories import make_course
from tests.cohorts.factories import make_cohort
from training.factories import UserFactory

pytestmark = pytest.mark.django_db


def _cohort(slug, course, **fields):
    """A cohort teaching `course` (no questions, no places limit unless given)."""
    return make_cohort(slug, course=False, courses=[course], questions=False,
                       **({"capacity": None} | fields))  # fmt: skip


def _steps(client, course) -> dict:
    response = client.get(course.url)
    assert response.status_code == 200
    return {step.kind: step for step in response.context["next_steps"]}, response


@pytest.fixture
def cohort_course(db):
    course, _modules = make_course("accompaniment", modules=2)
    return course


def test_a_cohort_course_links_to_the_open_cohort_teaching_it(client, volunteer, cohort_course):
    cohort = _cohort("spring", cohort_course)
    _cohort("draft", cohort_course, status=Cohort.Status.DRAFT)
    client.force_login(volunteer)
    steps, response = _steps(client, cohort_course)
    assert steps["apply"].url == reverse("cohorts:detail", args=[cohort.slug])
    assert (
        "Cohort spring" in steps["apply"].text and "Cohort draft" not in response.content.decode()
    )
    assert "Apply to the cohort" in response.content.decode()
    assert "start" not in steps


def test_signed_out_people_see_the_cohort_too(client, cohort_course):
    _cohort("spring", cohort_course, mode=Cohort.Mode.OPEN)
    steps, _response = _steps(client, cohort_course)
    assert {"sign_up", "sign_in", "apply"} <= set(steps)
    assert str(steps["apply"].action) == "Join the cohort"


def test_without_an_open_cohort_the_page_points_to_all_cohorts(client, volunteer, cohort_course):
    _cohort("closed", cohort_course, status=Cohort.Status.FINISHED)
    client.force_login(volunteer)
    steps, _response = _steps(client, cohort_course)
    assert steps["no_cohort"].url == reverse("cohorts:list")


def test_a_self_paced_course_does_not_send_people_to_the_cohort_list(client, volunteer):
    course, _modules = make_course("alone", modules=1, self_paced=True)
    client.force_login(volunteer)
    steps, _response = _steps(client, course)
    assert "start" in steps and "no_cohort" not in steps


def test_a_submitted_application_says_when_it_was_sent_in_the_viewers_zone(client, cohort_course):
    person = UserFactory(time_zone="Pacific/Auckland")
    cohort = _cohort("spring", cohort_course)
    sent = datetime(2026, 3, 10, 20, 0, tzinfo=UTC)  # already 11 March in Auckland
    Application.objects.create(cohort=cohort, user=person, submitted_at=sent)
    client.force_login(person)
    steps, response = _steps(client, cohort_course)
    with timezone.override("Pacific/Auckland"):
        local_day = formats.date_format(timezone.localtime(sent), "DATE_FORMAT")
    utc_day = formats.date_format(sent.date(), "DATE_FORMAT")
    assert local_day != utc_day
    waiting = steps["application_waiting"]
    assert "waiting for the trainers" in waiting.text
    assert local_day in waiting.text and utc_day not in waiting.text
    assert "apply" not in steps  # not asked to apply again to the same cohort
    assert local_day in response.content.decode()


def test_the_waitlist_says_the_persons_position(client, volunteer, cohort_course):
    cohort = _cohort("spring", cohort_course, capacity=0)
    now = timezone.now()
    for minutes in (3, 2):
        Application.objects.create(
            cohort=cohort, user=UserFactory(), status=Application.Status.WAITLISTED,
            waitlisted_at=now - timedelta(minutes=minutes),
        )  # fmt: skip
    Application.objects.create(
        cohort=cohort, user=volunteer, status=Application.Status.WAITLISTED, waitlisted_at=now
    )
    # Someone later in the queue, and someone on another cohort's waitlist, change nothing.
    Application.objects.create(
        cohort=cohort, user=UserFactory(), status=Application.Status.WAITLISTED,
        waitlisted_at=now + timedelta(minutes=1),
    )  # fmt: skip
    client.force_login(volunteer)
    steps, response = _steps(client, cohort_course)
    assert "(position 3)" in steps["waitlisted"].text
    assert "You&#x27;re on the waitlist" in response.content.decode()


def test_an_enrolled_member_is_told_to_continue_only(client, volunteer, cohort_course):
    cohort = _cohort("spring", cohort_course, mode=Cohort.Mode.OPEN)
    services.join_open(cohort=cohort, user=volunteer)
    client.force_login(volunteer)
    steps, _response = _steps(client, cohort_course)
    assert list(steps) == ["continue"]


def _page_queries(client, course) -> int:
    client.get(course.url)  # warm caches like a running server
    with CaptureQueriesContext(connection) as captured:
        assert client.get(course.url).status_code == 200
    return len(captured)


def test_the_course_page_query_count_does_not_grow_with_cohorts(client, volunteer):
    def measure(slug, count):
        course, _modules = make_course(slug, modules=2)
        for number in range(count):
            cohort = _cohort(f"{slug}-{number}", course, capacity=0)
            status = (Application.Status.SUBMITTED, Application.Status.WAITLISTED, None)[number % 3]
            if status is not None:
                Application.objects.create(
                    cohort=cohort, user=volunteer, status=status, waitlisted_at=timezone.now()
                )
        return _page_queries(client, course)

    client.force_login(volunteer)
    small, large = measure("small", 2), measure("large", 20)
    assert small == large, f"course page: {small} queries with 2 cohorts, {large} with 20"


@pytest.mark.parametrize("status", [Cohort.Status.FINISHED, Cohort.Status.ARCHIVED])
def test_an_application_to_a_cohort_that_is_over_is_not_waiting(client, volunteer, cohort_course,
                                                                status):  # fmt: skip
    over = _cohort("last-year", cohort_course, status=status)
    Application.objects.create(cohort=over, user=volunteer)
    Application.objects.create(
        cohort=_cohort("full", cohort_course, status=status), user=volunteer,
        status=Application.Status.WAITLISTED, waitlisted_at=timezone.now(),
    )  # fmt: skip
    client.force_login(volunteer)
    steps, response = _steps(client, cohort_course)
    assert "application_waiting" not in steps and "waitlisted" not in steps
    assert "waiting for the trainers" not in response.content.decode()
    assert "no_cohort" in steps  # what to do instead: other cohorts


def test_an_application_to_a_cohort_past_its_last_day_is_not_waiting(client, volunteer,
                                                                     cohort_course):  # fmt: skip
    ended = _cohort("ended", cohort_course, status=Cohort.Status.RUNNING)
    Cohort.objects.filter(pk=ended.pk).update(
        starts_on=date.today() - timedelta(days=90), ends_on=date.today() - timedelta(days=3)
    )
    Application.objects.create(cohort=ended, user=volunteer)
    client.force_login(volunteer)
    steps, _response = _steps(client, cohort_course)
    assert "application_waiting" not in steps


@pytest.mark.parametrize("mode", list(Cohort.Mode))
def test_a_running_cohort_taking_people_says_it_started_not_that_it_starts(
    client, volunteer, cohort_course, mode
):
    started = date.today() - timedelta(days=10)
    _cohort("running", cohort_course, mode=mode, status=Cohort.Status.RUNNING)
    Cohort.objects.filter(slug="running").update(starts_on=started)
    client.force_login(volunteer)
    steps, _response = _steps(client, cohort_course)
    day = formats.date_format(started, "DATE_FORMAT")
    assert f"started on {day}" in steps["apply"].text
    assert "starts on" not in steps["apply"].text


def test_a_cohort_to_come_says_when_it_starts(client, volunteer, cohort_course):
    cohort = _cohort("spring", cohort_course)
    client.force_login(volunteer)
    steps, _response = _steps(client, cohort_course)
    assert (
        f"starts on {formats.date_format(cohort.starts_on, 'DATE_FORMAT')}" in steps["apply"].text
    )
