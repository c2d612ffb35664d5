"""The reporting schedule is a pure function of a project's dates and its programme's rule:
table-tested here without a database."""

from __future__ import annotations

from datetime import date

import pytest

from prb.models import ReportKind
from prb.services.progress_reports import Slot, due_slots, months_after

P, F = ReportKind.PROGRESS, ReportKind.FINAL


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2018, 3, 1), 6, date(2018, 9, 1)),
        (date(2018, 1, 31), 6, date(2018, 7, 31)),  # 31 Jan + 6 months: 31 July
        (date(2018, 8, 31), 6, date(2019, 2, 28)),  # no 31 February: its last day
        (date(2019, 8, 31), 6, date(2020, 2, 29)),  # leap year
        (date(2018, 8, 30), 6, date(2019, 2, 28)),
        (date(2019, 2, 28), 3, date(2019, 5, 31)),  # a month's end stays a month's end
        (date(2018, 12, 31), 3, date(2019, 3, 31)),
        (date(2018, 4, 30), 3, date(2018, 7, 31)),
        (date(2018, 11, 15), 3, date(2019, 2, 15)),  # across the year
        (date(2018, 5, 10), 0, date(2018, 5, 10)),
    ],
)
def test_months_after(day: date, months: int, expected: date) -> None:
    assert months_after(day, months) == expected


def slots(start, end, every=6, final=3):  # type: ignore[no-untyped-def]
    return [
        (s.kind, s.due_on, s.number)
        for s in due_slots(start, end, every_months=every, final_after_months=final)
    ]


@pytest.mark.parametrize(
    ("start", "end", "every", "final", "expected"),
    [
        # 12 months from 1 March 2018: one progress report, the final three months after.
        (
            date(2018, 3, 1),
            date(2019, 2, 28),
            6,
            3,
            [(P, date(2018, 9, 1), 1), (F, date(2019, 5, 31), 0)],
        ),
        # 24 months from 31 January: each due date counted from the start (no drift at
        # February), and none on or after the end.
        (
            date(2018, 1, 31),
            date(2020, 1, 30),
            6,
            3,
            [
                (P, date(2018, 7, 31), 1),
                (P, date(2019, 1, 31), 2),
                (P, date(2019, 7, 31), 3),
                (F, date(2020, 4, 30), 0),
            ],
        ),
        (
            date(2018, 8, 31),
            date(2019, 8, 30),
            6,
            3,
            # 28 February, then 31 August would be after the end.
            [(P, date(2019, 2, 28), 1), (F, date(2019, 11, 30), 0)],
        ),
        # Quarterly reports, final after one month.
        (
            date(2018, 1, 1),
            date(2018, 12, 31),
            3,
            1,
            [
                (P, date(2018, 4, 1), 1),
                (P, date(2018, 7, 1), 2),
                (P, date(2018, 10, 1), 3),
                (F, date(2019, 1, 31), 0),
            ],
        ),
        # Not started yet: only the final report is known.
        (None, date(2018, 12, 31), 6, 3, [(F, date(2019, 3, 31), 0)]),
        # No end date: the next progress report only.
        (date(2018, 1, 1), None, 6, 3, [(P, date(2018, 7, 1), 1)]),
        (None, None, 6, 3, []),
    ],
)
def test_due_slots(start, end, every, final, expected) -> None:  # type: ignore[no-untyped-def]
    assert slots(start, end, every, final) == expected


def test_an_extension_moves_the_final_report_and_adds_progress_reports() -> None:
    before = slots(date(2018, 3, 1), date(2018, 12, 31))
    # Four months' extension from 1 January 2019: the end is 30 April 2019.
    after = slots(date(2018, 3, 1), date(2019, 4, 30))
    assert before == [(P, date(2018, 9, 1), 1), (F, date(2019, 3, 31), 0)]
    assert after == [
        (P, date(2018, 9, 1), 1),
        (P, date(2019, 3, 1), 2),
        (F, date(2019, 7, 31), 0),
    ]


def test_slot_labels() -> None:
    assert Slot(date(2018, 9, 1), P, 2).label == "Progress report 2"
    assert Slot(date(2019, 3, 31), F).label == "Final report"
