"""Left-to-right islands (links, email addresses, codes) in right-to-left text.

In an Arabic sentence or email a web address is mangled by the Unicode bidirectional algorithm:
its trailing "/" and any punctuation at its ends take the paragraph's direction and jump to the
other side ("/http://…/confirm-email/…"), digits next to Arabic letters change places. Wrapping
the address in LEFT-TO-RIGHT ISOLATE (U+2066) … POP DIRECTIONAL ISOLATE (U+2069) keeps it one
left-to-right run whatever surrounds it, in plain text as in HTML. Both marks are invisible
("default ignorable") and only added when the active language is written right to left.

`ltr` is for an address inside a sentence. `ltr_link` is for a web address on a line of its own in
a text email: the marks stand apart, separated by a space, so that a mail program which turns
addresses into links (up to the next space) never takes a mark into the link.
"""

from django import template
from django.utils.translation import get_language_bidi

register = template.Library()

LRI = "\u2066"
PDI = "\u2069"


@register.filter(is_safe=True)
def ltr(value):
    """`value` as a left-to-right island in a right-to-left language; unchanged otherwise."""
    if value in (None, "") or not get_language_bidi():
        return value
    return f"{LRI}{value}{PDI}"


@register.filter(is_safe=True)
def ltr_link(value):
    """A web address alone on its line (text email), isolated with the marks set apart."""
    if value in (None, "") or not get_language_bidi():
        return value
    return f"{LRI} {value} {PDI}"
