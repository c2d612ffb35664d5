"""The rules that look across rows: a project code appears once, and each programme's
envelope holds what PRB already has plus everything the file brings. Pure, like `rules`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from prb.services.portfolio_import.reader import RowError, Sheet
from prb.services.portfolio_import.rules import ZERO, Lookups, ProgrammeRef, ProjectRow, check_row


@dataclass(frozen=True)
class ProgrammeSummary:
    """What a file brings to one programme."""

    programme: ProgrammeRef
    projects: int
    approved: Decimal
    envelope_use: Decimal

    @property
    def left_after(self) -> Decimal:
        return self.programme.envelope - self.programme.used - self.envelope_use


def check_sheet(sheet: Sheet, lookups: Lookups) -> tuple[list[ProjectRow], list[RowError]]:
    """Every valid row, and every problem of the file, in row order."""
    errors = list(sheet.errors)
    rows: list[ProjectRow] = []
    # Codes told apart without regard to case: UNCCT-2017-73-a and UNCCT-2017-73-A would be
    # one project to anyone reading a report.
    first_row_of: dict[str, int] = {}
    for number, values in sheet.rows:
        row, problems = check_row(number, values, lookups)
        code = values.get("project_code", "")
        if code.lower() in first_row_of:
            earlier = first_row_of[code.lower()]
            problems.append(RowError(number, "project_code", f"{code} is also on row {earlier}."))
            row = None
        elif code:
            first_row_of[code.lower()] = number
        errors.extend(problems)
        if row is not None:
            rows.append(row)
    errors.extend(_envelope_errors(rows))
    errors.sort(key=lambda e: e.row)
    return rows, errors


def _envelope_errors(rows: list[ProjectRow]) -> list[RowError]:
    """One message per programme, on the row with which the file's projects overflow it."""
    errors = []
    running: dict[int, Decimal] = {}
    reported: set[int] = set()
    totals = {s.programme.id: s.envelope_use for s in summaries(rows)}
    for row in rows:
        programme = row.programme
        running[programme.id] = running.get(programme.id, ZERO) + row.envelope_use
        if programme.id in reported:
            continue
        if programme.used + running[programme.id] > programme.envelope:
            reported.add(programme.id)
            over = programme.used + totals[programme.id] - programme.envelope
            errors.append(
                RowError(
                    row.row,
                    "approved_budget",
                    f"From this row on, the file's projects of {programme.code} exceed its "
                    f"envelope of USD {programme.envelope:,.2f}: they take USD "
                    f"{totals[programme.id]:,.2f} in all, USD {programme.used:,.2f} is already "
                    f"taken in PRB, so the envelope is exceeded by USD {over:,.2f}.",
                )
            )
    return errors


def summaries(rows: list[ProjectRow]) -> list[ProgrammeSummary]:
    """Per programme, in the order the file names them."""
    found: dict[int, ProgrammeSummary] = {}
    for row in rows:
        before = found.get(row.programme.id) or ProgrammeSummary(row.programme, 0, ZERO, ZERO)
        found[row.programme.id] = ProgrammeSummary(
            row.programme,
            before.projects + 1,
            before.approved + row.approved_budget,
            before.envelope_use + row.envelope_use,
        )
    return list(found.values())
