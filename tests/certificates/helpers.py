"""Assertions shared by certification's tests."""

from contextlib import contextmanager

import pytest

from certificates.services import CertificationError


@contextmanager
def refused(code: str):
    """The service refuses, and says which refusal by its code (its message is translated)."""
    with pytest.raises(CertificationError) as caught:
        yield caught
    assert caught.value.code == code
    assert str(caught.value)  # and says why, in words
