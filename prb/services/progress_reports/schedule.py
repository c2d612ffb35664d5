"""When a project's reports are due: a pure function of its dates and its programme's rule,
derived on every read and never stored (an extension moves the final report by itself)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from prb.models.progress_report import ReportKind

# Safety bound: a schedule never lists more progress reports than this (a project of 50
# years with monthly reports), whatever its dates say.
MAX_PROGRESS_REPORTS = 600


def months_after(day: date, months: int) -> date:
    """`day` moved by whole calendar months. A day the target month lacks becomes its last
    day (31 August + 6 months: 28 or 29 February), and a month's last day stays a last day
    (28 February 2019 + 3 months: 31 May 2019) — a report due at the end of the month the
    rule names, never in the month after."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


@dataclass(frozen=True, order=True)
class Slot:
    """One report due: what kind, by when, and its number among the progress reports."""

    due_on: date
    kind: ReportKind
    number: int = 0  # 1, 2 … for progress reports; 0 for the final report

    @property
    def is_final(self) -> bool:
        return self.kind == ReportKind.FINAL

    @property
    def label(self) -> str:
        if self.kind == ReportKind.FINAL:
            return "Final report"
        return f"Progress report {self.number}"


def due_slots(
    actual_start: date | None,
    current_end: date | None,
    *,
    every_months: int,
    final_after_months: int,
) -> list[Slot]:
    """The reports a project owes, in date order.

    A progress report every `every_months` calendar months counted from the actual start
    (each counted from the start, so month ends do not drift), as long as the project runs
    on its due date; the final report `final_after_months` after the current end (which
    includes approved extensions). No actual start: no progress report yet; no end: no
    final report.
    """
    slots: list[Slot] = []
    if actual_start is not None and every_months > 0:
        number = 1
        while number <= MAX_PROGRESS_REPORTS:
            due = months_after(actual_start, every_months * number)
            if current_end is None or due > current_end:
                # Without an end date there is no telling how many follow: list the next only.
                if current_end is None:
                    slots.append(Slot(due, ReportKind.PROGRESS, number))
                break
            slots.append(Slot(due, ReportKind.PROGRESS, number))
            number += 1
    if current_end is not None:
        slots.append(Slot(months_after(current_end, max(final_after_months, 0)), ReportKind.FINAL))
    return sorted(slots)
