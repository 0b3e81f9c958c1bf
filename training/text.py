"""Small helpers for sentences shown to people."""

import re

from django.utils.safestring import SafeString, mark_safe

# Two full stops in a row that are not part of an ellipsis.
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")


def single_stop(text):
    """One full stop where a name ending in "." ("Ana G.") ends a sentence: "…as Ana G.", not
    "…as Ana G..". Keeps a safe string safe (nothing is added that could need escaping)."""
    if text is None:
        return text
    collapsed = _DOUBLE_STOP.sub(".", str(text))
    return mark_safe(collapsed) if isinstance(text, SafeString) else collapsed  # noqa: S308
