from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation

from training.templatetags.acompana import when

MOMENT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        # Half-hour offset, no daylight saving.
        ("Asia/Kolkata", "Nov. 21, 2026, 3:30 p.m. (Asia/Kolkata)"),
        # Southern-hemisphere summer time (UTC-3 in November).
        ("America/Santiago", "Nov. 21, 2026, 7 a.m. (America/Santiago)"),
        ("Europe/Madrid", "Nov. 21, 2026, 11 a.m. (Europe/Madrid)"),
    ],
)
def test_times_are_shown_in_the_viewers_zone_with_the_zone_named(zone, expected):
    with timezone.override(zone), translation.override("en"):
        assert when(MOMENT) == expected
