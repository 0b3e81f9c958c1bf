"""Numbers people send in forms and addresses, read safely.

`str.isdigit()` accepts characters that `int()` refuses (a superscript "²") and any number of
digits (an id past the database's largest integer is a DataError): both ended in a 500.
"""

import re

_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def whole_number(raw) -> int | None:
    """A whole number of 1 to 18 ASCII digits (within a 64-bit id), else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = str(raw)
    if not isinstance(raw, str) or not _WHOLE_NUMBER.fullmatch(raw):
        return None
    return int(raw)


def whole_numbers(values) -> list[int]:
    """The whole numbers among `values`, the others left out."""
    return [number for value in values if (number := whole_number(value)) is not None]
