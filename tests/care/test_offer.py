"""A heavy module offers its reader a private check-in; another module does not."""

import pytest

from courses.models import Enrolment

pytestmark = pytest.mark.django_db


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
