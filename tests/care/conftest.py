import pytest

from cohorts.models import Membership
from tests.cohorts.factories import make_cohort
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.roles import Role


@pytest.fixture
def trainer():
    return UserFactory(display_name="Tomás", roles=[Role.TRAINER])


@pytest.fixture
def cohort(trainer):
    """A running cohort with one heavy module in its course, trained by `trainer`."""
    made = make_cohort("care-cohort", trainer=trainer, questions=False, starts_in=-10,
                       ends_in=50)  # fmt: skip
    return made


def member_of(cohort, name, **fields):
    person = UserFactory(display_name=name, **fields)
    Membership.objects.create(cohort=cohort, user=person, source=Membership.Source.DEMO)
    return person


@pytest.fixture
def members(cohort):
    return [member_of(cohort, f"Member {i}") for i in range(6)]


@pytest.fixture
def trainer_client(client, trainer):
    login_with_mfa(client, trainer)
    return client
