"""Races on the real PostgreSQL: two requests at the same moment never break a rule."""

import threading
import uuid

import pytest
from django.db import connection, connections

from courses import services
from courses.factories import block_id, make_course, standard_quiz, wrong_answers
from courses.models import QuizAttempt
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_simultaneous_submissions_of_a_one_attempt_quiz_record_one(volunteer):
    if connection.vendor != "postgresql":
        skip_or_fail("row locks need PostgreSQL: set DATABASE_URL")
    course, modules = make_course(
        "race", modules=1, body=lambda i: [standard_quiz("race/quiz", max_attempts=1)]
    )
    services.enrolment_create(user=volunteer, course=course)
    module = modules[0]
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            barrier.wait(timeout=10)
            services.quiz_submit(
                user=volunteer, module=module, course=course,
                activity_id=block_id("race/quiz"), answers=wrong_answers("race/quiz"),
                submission_id=uuid.uuid4(),
            )  # fmt: skip
            outcomes.append("recorded")
        except services.LearningError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["recorded", "refused"]
    assert QuizAttempt.objects.filter(user=volunteer).count() == 1
