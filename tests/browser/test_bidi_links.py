"""An Arabic email shown right to left (as an Arabic mail program shows it): the verification link
reads left to right, its final "/" at its end, not jumped to the front."""

import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from training.templatetags.bidi import LRI, PDI

pytestmark = pytest.mark.browser

SIGNUP = {
    "email": "layla@example.org",
    "display_name": "Layla",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "time_zone": "UTC",
    "preferred_language": "ar",
}

# Where the link's first letter and its final "/" land on screen (left edges, in pixels).
MEASURE = """(id) => {
    const node = document.getElementById(id).querySelector('span').firstChild;
    const text = node.textContent;
    const left = (i) => {
        const range = document.createRange();
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        return range.getBoundingClientRect().left;
    };
    return {first: left(text.indexOf('h')), last: left(text.lastIndexOf('/'))};
}"""


def _rtl_block(id_, before, line, after):
    return (
        f'<div id="{id_}" dir="rtl" style="white-space: pre-wrap">{html.escape(before)}\n'
        f"<span>{html.escape(line)}</span>\n{html.escape(after)}</div>"
    )


def test_the_verification_link_reads_left_to_right_in_an_arabic_email(page):
    Client().post(reverse("account_signup"), SIGNUP)
    lines = mail.outbox[-1].body.splitlines()
    at = next(i for i, line in enumerate(lines) if "/confirm-email/" in line)
    isolated = lines[at]
    bare = isolated.strip(f"{LRI}{PDI} ")
    assert re.fullmatch(r"https?://\S+/", bare)
    page.set_content(
        '<meta charset="utf-8"><body>'
        + _rtl_block("isolated", lines[at - 1], isolated, lines[at + 1])
        + _rtl_block("bare", lines[at - 1], bare, lines[at + 1])
    )
    isolated_at = page.evaluate(MEASURE, "isolated")
    bare_at = page.evaluate(MEASURE, "bare")
    # Without the isolates the "/" jumps before the "h": the test can tell mangled from intact.
    assert bare_at["last"] < bare_at["first"]
    assert isolated_at["last"] > isolated_at["first"]
