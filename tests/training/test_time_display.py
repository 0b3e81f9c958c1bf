from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation

from training import notifications as notify
from training.factories import UserFactory
from training.templatetags.acompana import when
from training.timezones import zone_label_inline

MOMENT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        # Half-hour offset, no daylight saving.
        ("Asia/Kolkata", "21 November 2026, 15:30 (Kolkata, India)"),
        # Southern-hemisphere summer time (UTC-3 in November).
        ("America/Santiago", "21 November 2026, 07:00 (Santiago, Chile)"),
        ("Europe/Madrid", "21 November 2026, 11:00 (Madrid, Spain)"),
    ],
)
def test_times_are_shown_in_the_viewers_zone_with_the_zone_named(zone, expected):
    with timezone.override(zone), translation.override("en"):
        assert when(MOMENT) == expected


@pytest.mark.parametrize(
    ("language", "fragment", "clock"),
    [
        ("es", "21 de noviembre de 2026", "15:30"),
        ("pt-br", "21 de Novembro de 2026", "15:30"),
        ("fr", "21 novembre 2026", "15:30"),
        # Indonesian writes the time with a dot.
        ("id", "21 November 2026", "15.30"),
    ],
)
def test_dates_follow_the_readers_language_and_keep_the_zone(language, fragment, clock):
    with timezone.override("Asia/Kolkata"), translation.override(language):
        shown = when(MOMENT)
    assert fragment.lower() in shown.lower(), shown
    assert clock in shown and f"({zone_label_inline('Asia/Kolkata', language)})" in shown
    assert "Asia/Kolkata" not in shown  # the place, in the reader's language


def test_emails_are_written_in_each_recipients_language(db):
    subjects = {}
    for language in ("es", "pt-br", "fr", "id", "ar"):
        person = UserFactory(preferred_language=language, time_zone="Asia/Kolkata")
        message = notify._render(person, notify.KINDS["certificate_ready"], {
            "certificate": type("C", (), {"track": type("T", (), {"title": "Track"})(),
                                          "expires_on": MOMENT.date()})(),
        })  # fmt: skip
        subjects[language] = message.subject
    assert subjects["es"] == "Tu certificado"
    assert len(set(subjects.values())) == 5, subjects  # five languages, five subjects
