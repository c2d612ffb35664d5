"""Reading an import file into cells: the text, its header, its rows. Nothing here looks at
the database, and no cell is ever evaluated: a cell that looks like a spreadsheet formula
("=SUM(A1)") is kept as the text it is."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from prb.services.portfolio_import.columns import NAMES, REQUIRED, normalise_header
from prb.services.typed_text import direction_problem

# Tab, line feed and carriage return may sit inside a quoted cell; other control characters
# (NUL above all, which PostgreSQL refuses in text) are not text a person typed.
_CONTROL = frozenset(chr(c) for c in range(32)) - {"\t", "\n", "\r"}


@dataclass(frozen=True)
class RowError:
    """One problem: the row as a spreadsheet numbers it (the header is row 1), the column
    ("" for the row or the file as a whole) and what is wrong."""

    row: int
    field: str
    message: str


@dataclass
class Sheet:
    columns: list[str] = field(default_factory=list)
    # (row number, cells by column name) for every row that is not blank.
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode(content: bytes, sheet: Sheet) -> str | None:
    try:
        # utf-8-sig: spreadsheet programs often start a UTF-8 file with a byte-order mark.
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        sheet.errors.append(
            RowError(
                line,
                "",
                "The file is not UTF-8 text (the first problem is on this line). Save it as "
                "“CSV UTF-8 (comma delimited)” and upload it again.",
            )
        )
        return None


def delimiter_of(text: str) -> str:
    """Comma, or semicolon when the header has semicolons and no commas (spreadsheets in
    many European languages save CSV that way)."""
    header = text.split("\n", 1)[0]
    return ";" if ";" in header and "," not in header else ","


def read(content: bytes) -> Sheet:
    sheet = Sheet()
    text = _decode(content, sheet)
    if text is None:
        return sheet
    if not text.strip():
        sheet.errors.append(RowError(1, "", "The file is empty: it needs a header row."))
        return sheet
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text), strict=True)
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1:
                _header(cells, sheet)
                if sheet.errors:
                    return sheet
                continue
            _row(number, cells, sheet)
    except csv.Error as exc:
        sheet.errors.append(
            RowError(number + 1, "", f"The file cannot be read from this row on: {exc}.")
        )
    if not sheet.rows and not sheet.errors:
        sheet.errors.append(RowError(2, "", "The file has a header but no project rows."))
    return sheet


def _header(cells: list[str], sheet: Sheet) -> None:
    names = [normalise_header(c) for c in cells]
    # A spreadsheet's empty columns after the last named one ("…;disbursed_on;;") are no
    # columns: a row's cells under them must be empty (see _row).
    while len(names) > 1 and not names[-1] and not cells[len(names) - 1].strip():
        names.pop()
    seen: set[str] = set()
    for position, (name, cell) in enumerate(zip(names, cells, strict=False), start=1):
        if not name:
            if cell.strip() or len(names) > 1:
                sheet.errors.append(
                    RowError(1, "", f"Column {position} has no name in the header.")
                )
        elif name not in NAMES:
            sheet.errors.append(
                RowError(
                    1,
                    cell.strip(),
                    f"Unknown column “{cell.strip()}”. The columns are: {', '.join(NAMES)}.",
                )
            )
        elif name in seen:
            sheet.errors.append(RowError(1, name, f"The column {name} appears twice."))
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            sheet.errors.append(RowError(1, name, f"The header has no {name} column."))
    if "duration_months" not in seen and "period_end" not in seen:
        sheet.errors.append(
            RowError(1, "duration_months", "The header needs duration_months or period_end.")
        )
    sheet.columns = names


def _row(number: int, cells: list[str], sheet: Sheet) -> None:
    if not any(c.strip() for c in cells):
        return  # a blank line between rows
    width = len(sheet.columns)
    if any(c.strip() for c in cells[width:]):
        sheet.errors.append(
            RowError(
                number,
                "",
                f"The row has {len(cells)} cells but the header names {width} columns.",
            )
        )
    values: dict[str, str] = {}
    for name, cell in zip(sheet.columns, cells, strict=False):
        if any(ch in _CONTROL for ch in cell):
            sheet.errors.append(
                RowError(number, name, "The cell holds a control character; retype it.")
            )
            cell = "".join(ch for ch in cell if ch not in _CONTROL)
        if problem := direction_problem(cell):
            sheet.errors.append(RowError(number, name, problem))
        values[name] = cell.strip()
    sheet.rows.append((number, values))
