import pytest

from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.roles import Role


@pytest.fixture
def trainer_client(client):
    """A trainer signed in with a second factor; `client.trainer` is who they are."""
    trainer = UserFactory(display_name="Tomás", roles=[Role.TRAINER])
    login_with_mfa(client, trainer)
    client.trainer = trainer
    return client
