from dataclasses import dataclass

import pytest
from django.test import Client

from cohorts.models import Cohort, Membership
from community import services
from tests.cohorts.factories import make_cohort
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.roles import Role


@dataclass
class Space:
    cohort: Cohort
    trainer: object
    ana: object
    bea: object

    def client(self, user, *, second_factor=None) -> Client:
        client = Client()
        if second_factor is None:
            second_factor = user.has_role(Role.TRAINER)
        if second_factor:
            login_with_mfa(client, user)
        else:
            client.force_login(user)
        return client


def member(cohort, **fields):
    user = UserFactory(**fields)
    Membership.objects.create(cohort=cohort, user=user, source=Membership.Source.DEMO)
    return user


@pytest.fixture
def space(db) -> Space:
    """A running cohort with a trainer (Tomás) and two members (Ana, Bea)."""
    trainer = UserFactory(display_name="Tomás", roles=[Role.TRAINER])
    cohort = make_cohort("circle", trainer=trainer, questions=False, course=False,
                         status=Cohort.Status.RUNNING, starts_in=-10)  # fmt: skip
    ana = member(cohort, display_name="Ana", email="ana@example.org")
    bea = member(cohort, display_name="Bea", email="bea@example.org")
    return Space(cohort=cohort, trainer=trainer, ana=ana, bea=bea)


@pytest.fixture
def thread(space):
    """A thread Ana opened, with Bea's reply."""
    thread = services.thread_create(cohort=space.cohort, by=space.ana, title="First steps",
                                    body="How do you **start**?")  # fmt: skip
    services.post_create(thread=thread, by=space.bea, body="With a cup of tea.")
    return thread
