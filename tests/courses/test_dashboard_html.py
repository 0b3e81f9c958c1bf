"""The dashboard's learning section, written in Python (issue 18): every branch the template had
(a course completed, or not with its progress and a module to start, continue or none, the
catalog's link or none, no course yet),
well formed in every language, and the fragments that matter asserted as they are."""

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import translation
from django.utils.formats import localize

from courses.dashboard_html import render_dashboard_learning
from courses.selectors import _count
from tests.html_check import assert_balanced

LANGUAGES = ["en", "es", "pt-br", "fr", "id", "ar"]


def _item(*, completed=False, started=True, module=True, done=2, total=5):
    # What the template reads of courses.selectors.courses_in_progress's items; the counts as
    # it gives them, localized once.
    return {
        "url": "/courses/care-<1>/", "title": "Care <script>alert(1)</script>",
        "completed": completed, "started": started,
        "continue_module": SimpleNamespace(url="/courses/care-<1>/two/") if module else None,
        "continue_title": "Two & more" if module else None,
        "done_shown": localize(done), "total_shown": localize(total),
    }  # fmt: skip


CASES = {
    "continue": lambda: {"courses": [_item()], "catalog_url": "/courses/"},
    "start": lambda: {"courses": [_item(started=False, done=0)], "catalog_url": "/courses/"},
    "open": lambda: {"courses": [_item(module=False)], "catalog_url": None},
    "completed": lambda: {
        "courses": [_item(completed=True, module=False)],
        "catalog_url": "/courses/",
    },
    "several": lambda: {
        "courses": [_item(), _item(completed=True), _item(started=False)],
        "catalog_url": "/courses/?a=1&b=2",
    },
    "none, with the catalog": lambda: {"courses": [], "catalog_url": "/courses/"},
    "none, no catalog": lambda: {"courses": [], "catalog_url": None},
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_case_is_well_formed_html_in_every_language(case, language):
    with translation.override(language):
        assert_balanced(render_dashboard_learning(CASES[case]()))


def test_a_course_under_way_shows_its_progress_and_where_to_continue():
    html = str(render_dashboard_learning(CASES["continue"]()))
    assert ('<h3><a href="/courses/care-&lt;1&gt;/">Care &lt;script&gt;alert(1)&lt;/script&gt;'
            "</a></h3>") in html  # fmt: skip
    assert "<script>" not in html
    assert "<p>2 of 5 required modules completed.</p>" in html
    assert '<progress max="5" value="2">2/5</progress>' in html
    assert ('<p><a class="button" href="/courses/care-&lt;1&gt;/two/">Continue where you left '
            'off</a> <span class="muted">Two &amp; more</span></p>') in html  # fmt: skip
    assert '<p><a href="/courses/">Browse all courses</a></p>' in html


def test_a_course_not_started_is_started():
    html = str(render_dashboard_learning(CASES["start"]()))
    assert '/two/">Start the course</a>' in html and "Continue where" not in html


def test_a_course_with_nothing_next_is_opened():
    html = str(render_dashboard_learning(CASES["open"]()))
    assert '<p><a class="button" href="/courses/care-&lt;1&gt;/">Open the course</a></p>' in html
    assert "Browse all courses" not in html  # no catalog


def test_a_completed_course_says_so_without_progress():
    html = str(render_dashboard_learning(CASES["completed"]()))
    assert '<p class="done">✓ Completed</p>' in html
    assert "<progress" not in html and "required modules" not in html


def test_no_course_yet_leads_to_the_catalog():
    html = str(render_dashboard_learning(CASES["none, with the catalog"]()))
    assert html.startswith('<section aria-labelledby="learning-heading">')
    assert html.endswith("</section>")
    assert ('<p class="empty">You have not started a course yet. Courses you are enrolled in '
            "will appear here, with a link to continue where you left off. "
            '<a href="/courses/">Browse the courses</a></p>') in html  # fmt: skip
    assert "course-list" not in html
    assert "Browse the courses" not in str(render_dashboard_learning(CASES["none, no catalog"]()))


def test_in_the_readers_language():
    with translation.override("es"):
        data = CASES["continue"]()
        html = str(render_dashboard_learning(data))
        words = [translation.gettext(w) for w in ("Your learning", "Continue where you left off")]
        counted = translation.gettext("%(done)s of %(total)s required modules completed.")
    assert words[0] != "Your learning"
    assert f'<h2 id="learning-heading">{words[0]}</h2>' in html
    assert f">{words[1]}</a>" in html
    assert counted != "%(done)s of %(total)s required modules completed."
    assert f"<p>{counted % {'done': 2, 'total': 5}}</p>" in html


def test_counts_are_written_as_the_template_localizes_them():
    for language, _name in settings.LANGUAGES:
        with translation.override(language), override_settings(USE_THOUSAND_SEPARATOR=True):
            for number in [*range(1200), 9999, 12345, 1234567]:
                assert _count(number) == localize(number), (language, number)
