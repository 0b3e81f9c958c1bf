"""Cells of files people open in spreadsheets (CSV, XLSX): never a formula."""

# A spreadsheet runs a cell starting with one of these as a formula: never let one through.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
