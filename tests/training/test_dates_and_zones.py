"""One unambiguous style per language for dates, times and ranges (training/formats), time zones
shown as places in the reader's language, and a zone list without legacy aliases, grouped by
region (training/timezones.py)."""

import re
import zoneinfo
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import formats, timezone, translation

from certificates.forms import PoolMemberForm
from cohorts.forms import CohortForm
from tests.conftest import login_with_mfa
from training.factories import UserFactory
from training.forms import ProfileForm, SignupForm
from training.models import User, time_zone_choices
from training.roles import Role
from training.templatetags.acompana import time_range, when
from training.timezones import aliases, grouped_choices, zone_label, zone_label_inline

START = datetime(2027, 3, 14, 16, 0, tzinfo=UTC)  # 13:00 in Santiago (UTC-3 in March)
END = datetime(2027, 3, 14, 17, 30, tzinfo=UTC)
DASH = "\N{EN DASH}"


# --- Dates, times and ranges --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", f"14 March 2027, 13:00{DASH}14:30 (Santiago, Chile)"),
        ("es", f"14 de marzo de 2027, 13:00{DASH}14:30 (Santiago de Chile)"),
        ("pt-br", f"14 de Março de 2027, 13:00{DASH}14:30 (Santiago, Chile)"),
        ("fr", f"14 mars 2027, 13:00{DASH}14:30 (Santiago, Chili)"),
        ("id", f"14 Maret 2027, 13.00{DASH}14.30 (Santiago, Cile)"),
        ("ar", f"14 مارس 2027، 13:00{DASH}14:30 (سانتياغو، تشيلي)"),
    ],
)
def test_a_session_reads_the_same_way_everywhere_in_each_language(language, expected):
    """Today's "1 p.m. - 14:30": one clock (24 hours), the month as a word, the zone named."""
    with translation.override(language), timezone.override("America/Santiago"):
        assert time_range(START, END) == expected
        rendered = Template("{% load acompana %}{% time_range start end %}").render(
            Context({"start": START, "end": END})
        )
    assert rendered == expected.replace("'", "&#x27;")


def test_a_range_over_midnight_gives_both_days_and_one_zone():
    with translation.override("en"), timezone.override("UTC"):
        shown = time_range(
            datetime(2027, 3, 14, 23, tzinfo=UTC), datetime(2027, 3, 15, 1, tzinfo=UTC)
        )
    assert shown == f"14 March 2027, 23:00 {DASH} 15 March 2027, 01:00 (UTC)"


def test_a_range_in_the_cohorts_zone_and_without_the_zone():
    with translation.override("es"), timezone.override("UTC"):
        assert time_range(START, END, "Asia/Jakarta") == (
            f"14 de marzo de 2027, 23:00 {DASH} 15 de marzo de 2027, 00:30 (Yakarta, Indonesia)"
        )
        assert time_range(START, END, "Europe/Madrid", named=False) == (
            f"14 de marzo de 2027, 17:00{DASH}18:30"
        )


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_no_date_is_numbers_only_and_no_time_has_am_or_pm(language):
    """03/04/2027 is 3 April or 4 March depending on the reader; "1 p.m." and "13:00" side by
    side was the other half of the problem."""
    moment = datetime(2027, 4, 3, 13, 5, tzinfo=UTC)
    with translation.override(language), timezone.override("UTC"):
        shown = [
            formats.date_format(moment, name)
            for name in ("DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATE_FORMAT",
                         "SHORT_DATETIME_FORMAT", "MONTH_DAY_FORMAT", "YEAR_MONTH_FORMAT")
        ]  # fmt: skip
        clock = formats.time_format(moment, "TIME_FORMAT")
    for text in shown:
        assert not re.search(r"\d+\s*[/.-]\s*\d+\s*[/.-]\s*\d+", text), (language, text)
        assert "p.m." not in text and "a.m." not in text, (language, text)
    assert clock in ("13:05", "13.05"), (language, clock)
    assert "13" in shown[1] and ("05" in shown[1])


def test_when_names_the_zone_as_a_place():
    with translation.override("en"), timezone.override("Asia/Kolkata"):
        assert when(START) == "14 March 2027, 21:30 (Kolkata, India)"
    with translation.override("en"):
        assert when(START, "America/Santiago") == "14 March 2027, 13:00 (Santiago, Chile)"


TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Named formats (training/formats) and machine formats (ISO 8601 "c", Unix "U") only.
NAMED = ("DATE_FORMAT|DATETIME_FORMAT|SHORT_DATE_FORMAT|SHORT_DATETIME_FORMAT|MONTH_DAY_FORMAT|"
         "YEAR_MONTH_FORMAT|TIME_FORMAT|c|U")  # fmt: skip
ALLOWED = re.compile(rf"\|(date|time):['\"]({NAMED})['\"]")


def test_no_page_or_email_hard_codes_a_date_or_time_format():
    offenders = []
    for path in TEMPLATES.rglob("*"):
        if path.suffix not in (".html", ".txt") or "wagtailadmin" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\|(date|time):['\"][^'\"]*['\"]", text):
            if not ALLOWED.fullmatch(match.group(0)):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {match.group(0)}")
    assert offenders == []


# --- Zones as places ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("zone", "language", "expected"),
    [
        ("America/Argentina/Buenos_Aires", "es", "Buenos Aires (Argentina)"),
        ("Asia/Jakarta", "es", "Yakarta (Indonesia)"),
        ("America/Santiago", "es", "Santiago de Chile"),  # CLDR's city already names Chile
        ("Europe/London", "es", "Londres (Reino Unido)"),
        ("America/Santiago", "fr", "Santiago (Chili)"),
        ("Asia/Jakarta", "fr", "Jakarta (Indonésie)"),
        ("America/New_York", "fr", "New York (États-Unis)"),
        ("America/Santiago", "en", "Santiago (Chile)"),
        ("Asia/Kolkata", "en", "Kolkata (India)"),
        ("America/Mexico_City", "en", "Mexico City"),
        # A legacy alias reads as the place it stands for.
        ("America/Buenos_Aires", "en", "Buenos Aires (Argentina)"),
        ("UTC", "es", "UTC"),
    ],
)
def test_zones_are_shown_as_places_in_the_readers_language(zone, language, expected):
    assert zone_label(zone, language) == expected
    with translation.override(language):
        assert zone_label(zone) == expected


@pytest.mark.parametrize(
    ("zone", "language", "expected"),
    [
        ("Europe/Madrid", "en", "Madrid, Spain"),
        ("Asia/Jakarta", "es", "Yakarta, Indonesia"),
        ("America/Santiago", "es", "Santiago de Chile"),  # already names Chile
        ("America/Mexico_City", "en", "Mexico City"),
        ("America/Santiago", "ar", "سانتياغو، تشيلي"),  # the Arabic comma
        ("UTC", "fr", "UTC"),
    ],
)
def test_inside_brackets_a_zone_reads_without_brackets_of_its_own(zone, language, expected):
    """After a time the place reads "13:00 (Madrid, Spain)", not "13:00 (Madrid (Spain))"."""
    assert zone_label_inline(zone, language) == expected
    with translation.override(language), timezone.override(zone):
        assert when(START).endswith(f" ({expected})")
        rendered = Template("{% load acompana %}{{ zone|zone_label_inline }}").render(
            Context({"zone": zone})
        )
    assert rendered == expected


def test_a_page_names_the_zone_in_brackets_without_nesting_them(client, db):
    """The cohort form says "in your time zone (Madrid, Spain)", not "(Madrid (Spain))"."""
    trainer = UserFactory(roles=[Role.TRAINER], time_zone="Europe/Madrid", preferred_language="en")
    login_with_mfa(client, trainer)
    html = client.get(reverse("cohorts:trainer_cohort_new"), HTTP_ACCEPT_LANGUAGE="en")
    html = html.content.decode()
    assert "in your time zone (Madrid, Spain)." in html
    assert "Madrid (Spain))" not in html


def test_the_footer_names_the_viewers_zone_as_a_place(client, volunteer):
    User.objects.filter(pk=volunteer.pk).update(time_zone="Asia/Jakarta", preferred_language="es")
    client.force_login(volunteer)
    html = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Yakarta (Indonesia)" in html or "Jakarta (Indonesia)" in html
    assert "Asia/Jakarta." not in html


# --- The list to choose from --------------------------------------------------------------------
def flatten(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


def test_utc_is_offered_once_even_to_whoever_has_it(volunteer):
    values = [v for v, _label in flatten(grouped_choices("UTC"))]
    assert values.count("UTC") == 1


def test_the_list_has_no_legacy_aliases_and_each_zone_once():
    values = [value for value, _label in flatten(grouped_choices(language="en"))]
    assert len(values) == len(set(values))
    assert "America/Argentina/Buenos_Aires" in values and "America/Buenos_Aires" not in values
    assert "Asia/Kolkata" in values and "Asia/Calcutta" not in values
    assert "Europe/Kyiv" in values and "Europe/Kiev" not in values
    assert not set(values) & set(aliases())
    assert set(values) <= zoneinfo.available_timezones()
    flat = dict(time_zone_choices())  # the name others call keeps working, flat
    assert set(flat) == set(values) and "America/Buenos_Aires" not in flat


def test_the_list_is_grouped_by_region_in_the_readers_language_and_sorted():
    choices = grouped_choices(language="es")
    assert choices[0] == ("UTC", "UTC")
    groups = dict(choices[1:])
    assert {"África", "América", "Asia", "Europa", "Oceanía"} <= set(groups)
    america = groups["América"]
    assert ("America/Argentina/Buenos_Aires", "Buenos Aires (Argentina)") in america
    labels = [label.casefold() for _value, label in america]
    assert labels.index("bogotá (colombia)") < labels.index("buenos aires (argentina)")
    assert ("Asia/Jakarta", "Yakarta (Indonesia)") in groups["Asia"]


def test_the_profile_form_shows_optgroups(client, volunteer):
    client.force_login(volunteer)
    html = client.get(reverse("profile")).content.decode()
    assert '<optgroup label="Europe">' in html and '<optgroup label="Americas">' in html
    assert 'value="America/Argentina/Buenos_Aires"' in html
    assert 'value="America/Buenos_Aires"' not in html


def test_a_legacy_zone_stays_shown_selected_and_valid_for_whoever_has_it(volunteer):
    User.objects.filter(pk=volunteer.pk).update(time_zone="America/Buenos_Aires")
    volunteer.refresh_from_db()
    form = ProfileForm(instance=volunteer)
    offered = dict(flatten(form.fields["time_zone"].choices))
    assert offered["America/Buenos_Aires"] == "Buenos Aires (Argentina) · America/Buenos_Aires"
    assert 'value="America/Buenos_Aires" selected' in str(form["time_zone"])
    data = {"display_name": "Vol", "legal_name": "", "preferred_language": "",
            "time_zone": "America/Buenos_Aires", "low_bandwidth": ""}  # fmt: skip
    assert ProfileForm(data, instance=volunteer).is_valid()
    # Nobody else is offered the alias.
    assert "America/Buenos_Aires" not in dict(flatten(ProfileForm().fields["time_zone"].choices))


def test_the_cohort_and_pool_forms_use_the_same_list(trainer):
    cohort_form = CohortForm(user=trainer)
    values = [v for v, _label in flatten(cohort_form.fields["time_zone"].choices)]
    assert "America/Argentina/Buenos_Aires" in values and "America/Buenos_Aires" not in values
    assert any(isinstance(label, list) for _v, label in cohort_form.fields["time_zone"].choices)
    pool = PoolMemberForm().fields["time_zone"].choices
    assert pool[0] == ("", "—")
    values = [v for v, _label in flatten(pool)]
    assert "Asia/Kolkata" in values and "Asia/Calcutta" not in values


def test_sign_up_knows_the_aliases_a_browser_may_give():
    """Chrome names India's zone "Asia/Calcutta": the script maps it onto the list's zone."""
    widget = SignupForm().fields["time_zone"].widget
    assert '"Asia/Calcutta":"Asia/Kolkata"' in widget.attrs["data-zone-aliases"]


def test_dates_only_keep_the_month_as_a_word_in_emails():
    template = Template('{% load i18n %}{{ day|date:"DATE_FORMAT" }}')
    with translation.override("en"):
        assert template.render(Context({"day": date(2027, 3, 14)})) == "14 March 2027"
