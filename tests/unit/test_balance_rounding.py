"""Figures PRB works out from amounts are rounded half up, as a reader checks them by hand
(and as co-funding's conversion to US dollars is): never the decimal module's default,
banker's rounding, which gives 50.00 for 50.005."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from prb.services.finance.balances import Balances, burn_rate


def test_percent_disbursed_rounds_half_up() -> None:
    paid = Balances(approved=Decimal("1000.00"), disbursed=Decimal("0.50"))
    assert paid.percent_disbursed == Decimal("0.1")  # 0.05 %: half even gave 0.0
    assert Balances(approved=Decimal("1000.00"), disbursed=Decimal("1.50")).percent_disbursed == (
        Decimal("0.2")  # 0.15 %: half even gave 0.2 as well
    )


def test_the_burn_rate_rounds_half_up() -> None:
    project = SimpleNamespace(actual_start=date(2018, 1, 15), period_start=None)
    paid = Balances(approved=Decimal("1000.00"), disbursed=Decimal("100.01"))
    # two calendar months, 15 January to 15 March: 50.005 a month
    assert burn_rate(project, paid, today=date(2018, 3, 15)) == Decimal("50.01")  # type: ignore[arg-type]


def test_the_burn_rate_counts_the_days_of_the_month_under_way() -> None:
    project = SimpleNamespace(actual_start=date(2027, 2, 28), period_start=None)
    paid = Balances(approved=Decimal("250000.99"), disbursed=Decimal("200000.66"))
    # 9 months and 4 days of 30: 9.1333 months, not the 10 that the months' numbers differ by
    assert burn_rate(project, paid, today=date(2027, 12, 2)) == Decimal("21897.88")  # type: ignore[arg-type]
    # a project under way for a day counts a whole month
    day_one = SimpleNamespace(actual_start=date(2027, 1, 31), period_start=None)
    assert burn_rate(day_one, paid, today=date(2027, 2, 1)) == Decimal("200000.66")  # type: ignore[arg-type]


def test_nothing_approved_reads_as_every_other_percentage() -> None:
    """Found exploring: "0.00%" beside rows reading "0.0%"."""
    assert str(Balances().percent_disbursed) == "0.0"
