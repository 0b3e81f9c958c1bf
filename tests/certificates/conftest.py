import pytest

from tests.conftest import login_with_mfa


@pytest.fixture
def _private_root(settings):
    """The test's own private folder (tests/conftest.py points ACOMPANA_PRIVATE_ROOT at it)."""
    return settings.ACOMPANA_PRIVATE_ROOT


@pytest.fixture
def coord_client(client, coordinator):
    """The test client, signed in as the coordinator with a second factor."""
    login_with_mfa(client, coordinator)
    return client
