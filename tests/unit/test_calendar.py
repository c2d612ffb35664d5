from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prb.services.calendar import add_months, months_between, period_end


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
