"""The dashboard's cohorts section, written in Python (issue 18): every branch the template had
(next session with and without a meeting link, modules opened lately, memberships with a
message from the trainers, applications, nobody's cohort yet),
well formed in every language, and the fragments that matter asserted as they are."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cohorts.dashboard_html import render_dashboard_cohorts
from tests.html_check import assert_balanced
from training.templatetags.acompana import time_range, when

LANGUAGES = ["en", "es", "pt-br", "fr", "id", "ar"]
ZONES = ["UTC", "America/Santiago", "Asia/Jakarta", "Pacific/Kiritimati"]


def _session(meeting_url="https://meet.example.org/a?x=1&y=2"):
    return {
        "id": 41, "title": "Practice <script>alert(1)</script>",
        "starts_at": datetime(2099, 1, 12, 18, 0, tzinfo=UTC),
        "ends_at": datetime(2099, 1, 12, 19, 30, tzinfo=UTC),
        "meeting_url": meeting_url, "cohort_slug": "spring-2099", "cohort_title": "Spring & co",
    }  # fmt: skip


def _release(url, title):
    # What the template reads of a ModuleRelease: its module's address and title.
    return SimpleNamespace(module=SimpleNamespace(url=url, title=title))


def _announcement():
    return {"id": 5, "subject": "Bring <tea>", "language": "fr",
            "created_at": datetime(2099, 1, 3, 23, 30, tzinfo=UTC)}  # fmt: skip


def _full():
    return {
        "next_session": _session(),
        "released": [_release("/courses/a/one/", "One <b>"), _release("/courses/a/two/", "Two")],
        "memberships": [
            {"slug": "spring-2099", "title": "Spring <script>x</script>", "status": "Running",
             "announcement": _announcement()},
            {"slug": "autumn", "title": "Autumn", "status": "Open for applications",
             "announcement": None},
        ],
        "applications": [{"slug": "winter_1", "title": "Winter \"1\"", "status": "Submitted"}],
    }  # fmt: skip


CASES = {
    "full": _full,
    "no meeting link": lambda: {**_full(), "next_session": _session(meeting_url="")},
    "no session, nothing released": lambda: {**_full(), "next_session": None, "released": None},
    "applications only": lambda: {
        "next_session": None,
        "released": None,
        "memberships": [],
        "applications": _full()["applications"],
    },
    "memberships only": lambda: {**_full(), "applications": []},
    "empty": lambda: {
        "next_session": None,
        "released": None,
        "memberships": [],
        "applications": [],
    },
    # `{% url … as detail %}` leaves an address it cannot make empty.
    "a slug with no address": lambda: {
        **_full(),
        "memberships": [
            {"slug": "", "title": "Nowhere", "status": "Running", "announcement": _announcement()},
            {"slug": "año", "title": "Año", "status": "Running", "announcement": None},
        ],
    },
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize(("language", "zone"), list(zip(LANGUAGES, ZONES * 2, strict=False)))
def test_every_case_is_well_formed_html_in_every_language(case, language, zone):
    with translation.override(language), timezone.override(zone):
        assert_balanced(render_dashboard_cohorts(CASES[case]()))


def test_the_next_session_with_its_links_and_title_escaped():
    with timezone.override("America/Santiago"):
        html = str(render_dashboard_cohorts(_full()))
        shown_time = time_range(_session()["starts_at"], _session()["ends_at"])
    assert "<h3>Next live session</h3>" in html
    assert "Practice &lt;script&gt;alert(1)&lt;/script&gt;</strong> · Spring &amp; co" in html
    assert "<script>" not in html
    assert f"<p><strong>{shown_time}</strong></p>" in html and "Santiago" in shown_time
    assert ('<a href="https://meet.example.org/a?x=1&amp;y=2" rel="noopener">Meeting link</a>'
            in html)  # fmt: skip
    ics = reverse("cohorts:session_ics", args=["spring-2099", 41])
    assert f'<a href="{ics}">Add to calendar</a>' in html


def test_no_meeting_link_without_an_address():
    html = str(render_dashboard_cohorts({**_full(), "next_session": _session(meeting_url="")}))
    assert "Meeting link" not in html and "Add to calendar" in html


def test_modules_opened_lately_are_linked_in_order():
    html = str(render_dashboard_cohorts(_full()))
    assert ('<p>Recently opened for you: <a href="/courses/a/one/">One &lt;b&gt;</a>, '
            '<a href="/courses/a/two/">Two</a></p>') in html  # fmt: skip


def test_memberships_with_the_trainers_message_and_applications():
    with timezone.override("Asia/Jakarta"):
        html = str(render_dashboard_cohorts(_full()))
        posted = when(_announcement()["created_at"])
    spring = reverse("cohorts:detail", args=["spring-2099"])
    assert (f'<li><a href="{spring}">Spring &lt;script&gt;x&lt;/script&gt;</a> '
            '<span class="muted">· Running</span><br>Message from the trainers: '
            f'<a href="{spring}#announcements" lang="fr">Bring &lt;tea&gt;</a> '
            f'<span class="muted">· {posted}</span></li>') in html  # fmt: skip
    autumn = reverse("cohorts:detail", args=["autumn"])
    assert (f'<li><a href="{autumn}">Autumn</a> '
            '<span class="muted">· Open for applications</span></li>') in html  # fmt: skip
    winter = reverse("cohorts:detail", args=["winter_1"])
    assert (f'<li><a href="{winter}">Winter &quot;1&quot;</a> '
            '<span class="muted">· Submitted</span></li>') in html  # fmt: skip
    assert "You are not in a cohort yet." not in html


def test_an_address_that_cannot_be_made_is_left_empty():
    data = CASES["a slug with no address"]()
    html = str(render_dashboard_cohorts(data))
    assert '<li><a href="">Nowhere</a>' in html
    assert '<a href="#announcements" lang="fr">' in html
    assert '<li><a href="">Año</a>' in html


def test_nobody_in_a_cohort_is_shown_the_way_in():
    html = str(render_dashboard_cohorts(CASES["empty"]()))
    assert html.startswith('<section aria-labelledby="cohorts-heading">')
    assert html.endswith("</section>")
    assert (f'<p class="empty">You are not in a cohort yet. <a href="{reverse("cohorts:list")}">'
            "See the cohorts taking people</a></p>") in html  # fmt: skip
    assert "<ul>" not in html and "Next live session" not in html


def test_in_the_readers_language():
    with translation.override("es"):
        html = str(render_dashboard_cohorts(_full()))
        words = [translation.gettext(w) for w in ("Your cohorts", "Message from the trainers:")]
        detail = reverse("cohorts:detail", args=["autumn"])
    assert words[0] != "Your cohorts"
    assert f'<h2 id="cohorts-heading">{words[0]}</h2>' in html
    assert words[1] in html
    assert f'href="{detail}"' in html
