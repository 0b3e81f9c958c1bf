import pytest


@pytest.fixture
def _private_root(settings):
    """The test's own private folder (tests/conftest.py points ACOMPANA_PRIVATE_ROOT at it)."""
    return settings.ACOMPANA_PRIVATE_ROOT
