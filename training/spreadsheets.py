"""Cells of files people open in spreadsheets (CSV, XLSX): never a formula.

A spreadsheet runs a cell starting with "=", "+", "-" or "@" (or a tab or carriage return before
one) as a formula: a cell like that gets a leading apostrophe, which spreadsheets read as "this is
text" and do not show. One exception: an international phone number ("+34 612 345 678",
"+1 555 010 9999") is a "+" followed only by digits and spaces. Made only of digits, it can
reference no cell, call no function and reach no other program, so it is left exactly as the
person wrote it (an apostrophe would corrupt it wherever the file is read as plain text: a
helpdesk import, a phone's dialler). Anything else is neutralised, even a number written with
hyphens, dots or parentheses: "+1-555-010-9999" is arithmetic to a spreadsheet.
"""

import re

# A spreadsheet runs a cell starting with one of these as a formula: never let one through.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# "+", then 7 to 15 digits (E.164 numbers are at most 15; the shortest in use have 7), single
# spaces between groups of digits allowed. Nothing else: "+1-555-010-9999", "+1 (555) 010-9999",
# "+1+1" and "+cmd|…" are formulas (or would be read as ones) and get neutralised.
PHONE = re.compile(r"\+(?=(?: ?[0-9]){7,15}$)[0-9]+(?: [0-9]+)*")


def is_phone_number(text: str) -> bool:
    return PHONE.fullmatch(text) is not None


def safe_cell(value) -> str:
    """`value` as the text of a cell that no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not is_phone_number(text):
        return "'" + text
    return text
