"""Cells for CSV files that people open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

# A cell starting with one of these is read by spreadsheet programs as a formula, which can
# run commands or send data away when an auditor opens the file (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# A spreadsheet set to split on ";" (as in much of Europe) cuts a cell at each ";" whatever
# the quoting, and one opened as text may cut at a line break or tab: what follows such a
# character starts a cell of its own there. Its formula start gets the apostrophe too (after
# any spaces or quotes the program would skip).
_FORMULA_INSIDE = re.compile(r"([;,\t\r\n][ \"]*)(?=[=+\-@])")


def safe_cell(value: object) -> str:
    """The value as text, with an apostrophe before each place where text would start a
    formula. A number stays a number: a negative amount is no formula, and must still add
    up."""
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, int | float | Decimal):
        return text
    text = _FORMULA_INSIDE.sub(r"\1'", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Excel opens a CSV file without a byte-order mark in the computer's own code page, so
# "Côte d'Ivoire" shows as "CÃ´te d'Ivoire"; with one, it reads UTF-8. Python's "utf-8-sig",
# PRB's own imports and other spreadsheet programs skip it.
BYTE_ORDER_MARK = "\ufeff"


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The rows as CSV text, one line at a time, the first preceded by the byte-order mark;
    every cell made safe (`safe_cell`)."""
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
