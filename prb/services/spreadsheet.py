"""Cells for CSV files that people open in a spreadsheet."""

from __future__ import annotations

# A cell starting with one of these is read by spreadsheet programs as a formula, which can
# run commands or send data away when an auditor opens the file (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, with a leading apostrophe when it would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
