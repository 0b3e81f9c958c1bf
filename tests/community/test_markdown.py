"""Posts are Markdown, shown as sanitised HTML: no script, no event handler, no javascript: link,
no image from anywhere (no tracking pixel); links get rel="nofollow noopener"."""

import re

import pytest
from django.urls import reverse

from community import services
from community.markdown import ALLOWED_TAGS, render, sanitise

ATTACKS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="https://example.org" onclick="steal()">link</a>',
    "![pixel](https://tracker.example/p.gif)",
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
]


def real_tags(html: str) -> list[tuple[str, dict]]:
    """Every tag of `html` (escaped text is not a tag) with its attributes."""
    found = []
    for name, attributes in re.findall(r"<(/?[a-zA-Z0-9]+)([^>]*)>", html):
        found.append((name.lower().lstrip("/"), dict(re.findall(r'(\S+?)="([^"]*)"', attributes))))
    return found


@pytest.mark.parametrize("source", ATTACKS)
def test_nothing_runs_and_nothing_loads(source):
    for tag, attributes in real_tags(str(render(source))):
        assert tag in ALLOWED_TAGS, (source, tag)
        assert set(attributes) <= {"href", "rel"}, (source, attributes)
        if "href" in attributes:
            assert attributes["href"].startswith(("http://", "https://", "mailto:"))
            assert attributes["rel"] == "nofollow noopener"


def test_raw_html_is_shown_as_text_never_as_markup():
    html = str(render('<img src=x onerror=alert(1)> and <b onmouseover="x">bold</b>'))
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<b" not in html


def test_the_sanitiser_alone_strips_what_a_renderer_would_let_through():
    dirty = ('<p onclick="x">Hi <img src="https://t.example/p.gif" onerror="y">'
             '<a href="javascript:alert(1)">a</a> <a href="/relative">r</a>'
             '<script>bad()</script><span style="x">big</span></p>')  # fmt: skip
    clean = sanitise(dirty)
    assert clean == '<p>Hi <a rel="nofollow noopener">a</a> <a rel="nofollow noopener">r</a>big</p>'


def test_an_image_becomes_a_link_never_an_image():
    html = str(render("![a chart](https://example.org/chart.png)"))
    assert "<img" not in html
    assert '<a href="https://example.org/chart.png" rel="nofollow noopener">a chart</a>' in html


def test_allowed_markup_and_links():
    html = str(render("**bold** *it* `code`\n\n- one\n- two\n\n> quote\n\n"
                      "[site](https://example.org) [mail](mailto:a@example.org)"))  # fmt: skip
    for tag in ("<strong>bold</strong>", "<em>it</em>", "<code>code</code>", "<li>one</li>",
                "<blockquote>"):  # fmt: skip
        assert tag in html
    assert '<a href="https://example.org" rel="nofollow noopener">site</a>' in html
    assert '<a href="mailto:a@example.org" rel="nofollow noopener">mail</a>' in html


def test_a_post_page_shows_the_sanitised_html(space):
    thread = services.thread_create(
        cohort=space.cohort, by=space.ana, title="Attack",
        body="<script>alert(1)</script> [x](javascript:alert(1)) ![p](https://t.example/p.gif)",
    )  # fmt: skip
    page = space.client(space.bea).get(reverse("community:thread",
                                               args=[space.cohort.slug, thread.pk]))  # fmt: skip
    body = page.content.decode().split('class="post-body">')[1].split("</div>")[0]
    assert "<script" not in body and "<img" not in body and 'href="javascript' not in body
    assert "&lt;script&gt;" in body
