"""The as-at reconstruction as a pure function: table tests, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from prb.services.portfolio.as_at import (
    Extension,
    Funding,
    ProjectRecord,
    approved_not_initiated,
    in_year,
    status_as_at,
    taken_now,
    taken_on,
)
from workflows import ProposalState as S

# UNCCT-2017-73-a as the report has it: approved 16 January 2018, committed 25 January,
# started 1 February, extended from 1 January 2019 to 30 April 2019.
EXTENDED = ProjectRecord(
    status_today=S.EXTENDED,
    approved_on=date(2018, 1, 16),
    first_commitment_on=date(2018, 1, 25),
    actual_start=date(2018, 2, 1),
    period_start=date(2018, 1, 1),
    original_end=date(2018, 12, 31),
    current_end=date(2019, 4, 30),
    extensions=(Extension(date(2019, 1, 1), date(2019, 4, 30), date(2018, 11, 20)),),
)
COMPLETED = ProjectRecord(
    status_today=S.COMPLETED,
    approved_on=date(2017, 3, 1),
    first_commitment_on=date(2017, 3, 10),
    actual_start=date(2017, 4, 1),
    period_start=date(2017, 4, 1),
    original_end=date(2018, 3, 31),
    current_end=date(2018, 3, 31),
    final_report_on=date(2018, 9, 1),
    ended_on=date(2018, 5, 2),
)
LATE_START = ProjectRecord(  # approved in 2018, first commitment in 2019
    status_today=S.INITIATED,
    approved_on=date(2018, 12, 11),
    first_commitment_on=date(2019, 1, 15),
    period_start=date(2019, 3, 1),
    original_end=date(2020, 5, 31),
    current_end=date(2020, 5, 31),
)


@pytest.mark.parametrize(
    ("record", "day", "status", "end", "extended"),
    [
        (EXTENDED, date(2018, 1, 15), None, date(2018, 12, 31), False),
        (EXTENDED, date(2018, 1, 16), S.APPROVED, date(2018, 12, 31), False),
        (EXTENDED, date(2018, 1, 25), S.INITIATED, date(2018, 12, 31), False),
        (EXTENDED, date(2018, 2, 1), S.ONGOING, date(2018, 12, 31), False),
        # decided in November, but the new period had not begun: still the original period
        (EXTENDED, date(2018, 12, 31), S.ONGOING, date(2018, 12, 31), False),
        (EXTENDED, date(2019, 1, 1), S.EXTENDED, date(2019, 4, 30), True),
        (EXTENDED, date(2019, 6, 30), S.EXTENDED, date(2019, 4, 30), True),
        (COMPLETED, date(2018, 5, 1), S.ONGOING, date(2018, 3, 31), False),
        (COMPLETED, date(2018, 5, 2), S.COMPLETED, date(2018, 3, 31), False),
        (LATE_START, date(2018, 12, 31), S.APPROVED, date(2020, 5, 31), False),
        (LATE_START, date(2019, 1, 15), S.INITIATED, date(2020, 5, 31), False),
    ],
)
def test_status_and_period_as_at(record, day, status, end, extended) -> None:
    state = status_as_at(record, day)
    assert (state.status, state.period_end, state.extended) == (status, end, extended)


def test_an_extension_decided_after_its_period_began_is_in_force_from_the_decision() -> None:
    late = Extension(date(2019, 1, 1), date(2019, 4, 30), date(2019, 2, 14))
    record = ProjectRecord(**{**EXTENDED.__dict__, "extensions": (late,)})
    assert status_as_at(record, date(2019, 2, 13)).status == S.ONGOING
    assert status_as_at(record, date(2019, 2, 14)).status == S.EXTENDED


def test_nothing_shows_before_the_board_approved_it() -> None:
    # Work began on 1 January, the Board approved on 10 January (the demo's -a and -j): as at
    # 5 January the project is not yet in the overview, not "Ongoing".
    early = ProjectRecord(
        **{
            **EXTENDED.__dict__,
            "approved_on": date(2018, 1, 10),
            "first_commitment_on": None,
            "actual_start": date(2018, 1, 1),
        }
    )
    assert status_as_at(early, date(2018, 1, 5)).status is None
    assert status_as_at(early, date(2018, 1, 10)).status == S.ONGOING


def test_an_imported_extension_stays_when_prb_records_a_later_one() -> None:
    # Imported extended to 30 April 2019 (no request in PRB), then a 4-month extension
    # approved in PRB on 15 April 2019: the overview as at February 2019 still shows the
    # imported one (it showed "12 months" once the later one was recorded).
    imported = ProjectRecord(**{**EXTENDED.__dict__, "extensions": ()})
    assert status_as_at(imported, date(2019, 2, 1)).period_end == date(2019, 4, 30)
    later = Extension(date(2019, 5, 1), date(2019, 8, 31), date(2019, 4, 15))
    both = ProjectRecord(
        **{**EXTENDED.__dict__, "current_end": date(2019, 8, 31), "extensions": (later,)}
    )
    for day, end in [
        (date(2018, 12, 31), date(2018, 12, 31)),
        (date(2019, 2, 1), date(2019, 4, 30)),
        (date(2019, 4, 20), date(2019, 4, 30)),  # decided, its period not yet begun
        (date(2019, 5, 1), date(2019, 8, 31)),
    ]:
        shown = status_as_at(both, day)
        assert shown.period_end == end, day
    assert status_as_at(both, date(2019, 2, 1)).extended


@pytest.mark.parametrize(
    ("record", "year", "day", "listed", "pending"),
    [
        (EXTENDED, 2018, date(2018, 12, 31), True, False),
        (EXTENDED, 2019, date(2019, 12, 31), True, False),
        (EXTENDED, 2017, date(2017, 12, 31), False, False),  # not yet approved
        (COMPLETED, 2018, date(2018, 12, 31), True, False),  # ongoing until May 2018
        (COMPLETED, 2019, date(2019, 12, 31), False, False),  # completed before the year
        (LATE_START, 2018, date(2018, 12, 31), False, True),
        (LATE_START, 2019, date(2019, 12, 31), True, False),
        # the 2019 overview as at a day before the commitment
        (LATE_START, 2019, date(2019, 1, 14), False, True),
    ],
)
def test_who_belongs_to_a_years_overview(record, year, day, listed, pending) -> None:
    assert in_year(record, year, day) is listed
    assert approved_not_initiated(record, year, day) is pending


def test_a_project_cancelled_before_any_commitment_is_in_neither_list() -> None:
    cancelled = ProjectRecord(
        status_today=S.CANCELLED, approved_on=date(2018, 2, 1), ended_on=date(2018, 6, 1)
    )
    assert not in_year(cancelled, 2018, date(2018, 12, 31))
    assert not approved_not_initiated(cancelled, 2018, date(2018, 12, 31))
    assert approved_not_initiated(cancelled, 2018, date(2018, 5, 31))
    assert status_as_at(cancelled, date(2018, 12, 31)).status == S.CANCELLED


def test_records_without_dates_fall_back_to_the_period() -> None:
    """Imported (or older) projects: a status reached today without a dated record is dated
    from the period; the current end past the original end is an extension's period."""
    imported = ProjectRecord(
        status_today=S.EXTENDED,
        approved_on=date(2018, 1, 16),
        period_start=date(2018, 1, 1),
        original_end=date(2018, 12, 31),
        current_end=date(2019, 4, 30),
    )
    assert status_as_at(imported, date(2018, 12, 31)).status == S.ONGOING
    assert status_as_at(imported, date(2019, 1, 1)).status == S.EXTENDED
    ongoing = ProjectRecord(**{**imported.__dict__, "status_today": S.ONGOING})
    # Its status stays Ongoing (the record says so), its period shows the later end.
    state = status_as_at(ongoing, date(2019, 6, 30))
    assert (state.status, state.period_end) == (S.ONGOING, date(2019, 4, 30))
    approved = ProjectRecord(**{**imported.__dict__, "status_today": S.APPROVED})
    assert status_as_at(approved, date(2019, 6, 30)).status == S.APPROVED


# -- what a project takes from its programme's envelope, as at a day -------------------------

D = Decimal
# Approved on 16 January 2018 for USD 100,000; USD 20,000 more granted with an extension on
# 20 November 2018.
GRANTED = Funding(
    EXTENDED, budget=D("120000.00"), paid=D("0"), added=((date(2018, 11, 20), D("20000.00")),)
)
# Approved on 1 February 2018 for USD 80,000, paid USD 30,000 on 1 March and USD 10,000 on
# 1 July, USD 5,000 returned on 1 August; cancelled on 1 June 2018.
CANCELLED = Funding(
    ProjectRecord(
        status_today=S.CANCELLED, approved_on=date(2018, 2, 1), ended_on=date(2018, 6, 1)
    ),
    budget=D("80000.00"),
    paid=D("35000.00"),
    payments=(
        (date(2018, 3, 1), D("30000.00")),
        (date(2018, 7, 1), D("10000.00")),
        (date(2018, 8, 1), D("-5000.00")),
    ),
)


@pytest.mark.parametrize(
    ("funding", "day", "taken"),
    [
        (GRANTED, date(2018, 1, 15), "0"),  # before the approval
        (GRANTED, date(2018, 1, 16), "100000.00"),  # the approval's own day counts
        (GRANTED, date(2018, 11, 19), "100000.00"),  # the additional funds came later
        (GRANTED, date(2018, 11, 20), "120000.00"),
        (CANCELLED, date(2018, 1, 31), "0"),
        # Not yet cancelled: its whole budget, whatever it was paid.
        (CANCELLED, date(2018, 5, 31), "80000.00"),
        # Cancelled: what it had been paid by then (the payments after come later).
        (CANCELLED, date(2018, 6, 1), "30000.00"),
        (CANCELLED, date(2018, 7, 1), "40000.00"),
        (CANCELLED, date(2018, 8, 1), "35000.00"),
    ],
)
def test_what_a_project_takes_from_the_envelope_as_at_a_day(funding, day, taken) -> None:  # type: ignore[no-untyped-def]
    assert taken_on(funding, day) == D(taken)


def test_today_the_envelope_counts_the_budget_or_what_a_cancelled_project_was_paid() -> None:
    assert (taken_now(GRANTED), taken_now(CANCELLED)) == (D("120000.00"), D("35000.00"))
    assert taken_on(GRANTED, date(2030, 1, 1)) == taken_now(GRANTED)
    assert taken_on(CANCELLED, date(2030, 1, 1)) == taken_now(CANCELLED)


def test_a_project_without_a_dated_approval_counts_as_it_stands() -> None:
    undated = Funding(ProjectRecord(status_today=S.ONGOING, approved_on=None), D("50000"), D(0))
    assert taken_on(undated, date(2000, 1, 1)) == D("50000")


def test_an_imported_cancelled_project_is_cancelled_from_its_period_end() -> None:
    """No record of the cancellation: dated as the overview dates it (the current end)."""
    imported = Funding(
        ProjectRecord(
            status_today=S.CANCELLED,
            approved_on=date(2017, 6, 1),
            original_end=date(2018, 5, 31),
            current_end=date(2018, 5, 31),
        ),
        budget=D("60000.00"),
        paid=D("20000.00"),
        payments=((date(2017, 7, 1), D("20000.00")),),
    )
    assert taken_on(imported, date(2018, 5, 30)) == D("60000.00")
    assert taken_on(imported, date(2018, 5, 31)) == D("20000.00")
