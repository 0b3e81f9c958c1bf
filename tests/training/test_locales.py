"""training.locales: the codes cached in the process are swapped whole, never changed in place
(another thread may be reading them)."""

import pytest
from wagtail.models import Locale

from training import locales


@pytest.mark.django_db
def test_forgetting_and_reading_again_swap_the_codes_whole():
    Locale.objects.get_or_create(language_code="en")
    read = locales._codes()
    before = dict(read)
    assert before
    locales.forget_locales()
    assert read == before  # a reader keeps what it read
    again = locales._codes()
    assert again == before and again is not read
    assert locales._codes() is again  # then cached
