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
    # two calendar months, January to March: 50.005 a month
    assert burn_rate(project, paid, today=date(2018, 3, 1)) == Decimal("50.01")  # type: ignore[arg-type]
