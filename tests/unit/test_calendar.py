from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prb.services.calendar import add_months, months_between, months_elapsed, period_end


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2019, 1, 1), 4, date(2019, 4, 30)),  # the seed's four-month extension
        (date(2018, 1, 1), 12, date(2018, 12, 31)),
        (date(2019, 1, 31), 1, date(2019, 2, 28)),
        (date(2020, 1, 31), 1, date(2020, 2, 29)),  # leap year
        (date(2020, 1, 30), 1, date(2020, 2, 29)),
        (date(2019, 1, 15), 1, date(2019, 2, 14)),
        (date(2019, 3, 1), 1, date(2019, 3, 31)),
        (date(2020, 2, 29), 12, date(2021, 2, 28)),
        (date(2019, 4, 1), 15, date(2020, 6, 30)),  # "15 months (March/April 2019–May/June 2020)"
        (date(2019, 11, 30), 3, date(2020, 2, 29)),
    ],
)
def test_period_end_counts_calendar_months(start: date, months: int, end: date) -> None:
    assert period_end(start, months) == end
    assert months_between(start, end) == months


def test_add_months_rolls_over_missing_days() -> None:
    assert add_months(date(2019, 1, 31), 1) == date(2019, 3, 1)
    assert add_months(date(2019, 12, 15), 1) == date(2020, 1, 15)


def test_a_period_lasts_at_least_a_month() -> None:
    with pytest.raises(ValueError):
        period_end(date(2019, 1, 1), 0)


def _counted(start: date, end: date) -> int:
    """The definition, one month at a time."""
    months = 1
    while period_end(start, months) < end:
        months += 1
    return months


@given(
    st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=0, max_value=4000),
)
def test_months_between_is_the_fewest_months_whose_period_reaches_the_end(
    start: date, days: int
) -> None:
    end = start + timedelta(days=days)
    assert months_between(start, end) == _counted(start, end)


def test_months_between_a_far_off_end_is_quick() -> None:
    assert months_between(date(2019, 1, 1), date(9998, 12, 31)) == (9998 - 2019 + 1) * 12


@pytest.mark.parametrize(
    ("start", "day", "months"),
    [
        (date(2018, 1, 15), date(2018, 3, 15), Decimal(2)),
        (date(2027, 2, 28), date(2027, 12, 2), 9 + Decimal(4) / 30),  # not 10
        (date(2027, 1, 31), date(2027, 2, 1), Decimal(1) / 29),  # 31 Jan to 1 Mar is its month
        (date(2018, 1, 1), date(2018, 12, 31), 11 + Decimal(30) / 31),
        (date(2018, 5, 5), date(2018, 5, 5), Decimal(0)),
    ],
)
def test_months_elapsed_counts_calendar_months_and_the_days_of_the_last(
    start: date, day: date, months: Decimal
) -> None:
    assert months_elapsed(start, day) == months


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(0, 200))
def test_months_elapsed_to_the_same_day_months_later_is_whole(start: date, months: int) -> None:
    # The day `months` on (add_months, which rolls 31 April to 1 May) is exactly that many.
    assert months_elapsed(start, add_months(start, months)) == months
