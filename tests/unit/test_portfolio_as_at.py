"""The as-at reconstruction as a pure function: table tests, no database."""

from __future__ import annotations

from datetime import date

import pytest

from prb.services.portfolio.as_at import (
    Extension,
    ProjectRecord,
    approved_not_initiated,
    in_year,
    status_as_at,
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
