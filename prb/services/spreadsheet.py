"""Cells for CSV files that people open in a spreadsheet."""

from __future__ import annotations

from decimal import Decimal

# A cell starting with one of these is read by spreadsheet programs as a formula, which can
# run commands or send data away when an auditor opens the file (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as text, with a leading apostrophe when text would start a formula. A
    number stays a number: a negative amount is no formula, and must still add up."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, int | float | Decimal):
        return text
    return "'" + text if text.startswith(FORMULA_STARTS) else text
