import uuid

import pytest

from courses import services
from courses.factories import make_course


@pytest.fixture
def course_and_modules(db):
    return make_course("accompaniment", modules=3)


@pytest.fixture
def course(course_and_modules):
    return course_and_modules[0]


@pytest.fixture
def modules(course_and_modules):
    return course_and_modules[1]


@pytest.fixture
def learner(volunteer, course):
    services.enrolment_create(user=volunteer, course=course)
    return volunteer


def quiz_post(key, answers, submission_id=None):
    data = {"submission_id": str(submission_id or uuid.uuid4())}
    for question_id, option_ids in answers.items():
        data[f"q-{question_id}"] = option_ids
    return data
