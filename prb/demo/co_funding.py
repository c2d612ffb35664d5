"""The demo's co-funding: the seed report says UNCCT-2017-73-j was carried out "with
financial support from the Government of Switzerland in addition to the seed funding
provided by UNCCT". The report gives no amount, rate or date: those below are illustrative
(and the contribution's note says so). Recorded by finance through the service, as a user
would, on the day it happened."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from prb.models import replayed_at
from prb.services import co_funding

if TYPE_CHECKING:
    from prb.demo.replay import Office

PROJECT_KEY = "legal"  # UNCCT-2017-73-j
RECORDED_ON = date(2018, 3, 20)
SWISS = co_funding.CoFundingInput(
    funder="Government of Switzerland",
    amount=Decimal("100000.00"),
    currency="CHF",
    rate_to_usd=Decimal("1.05263000"),
    contributed_on=date(2018, 3, 15),
    note="Illustrative: the 2018 report names the Swiss support but not its amount, rate or date.",
)


def record_co_funding(office: Office, *, until: date) -> None:
    """The Swiss contribution, once the replay has reached the day it was recorded."""
    if "co_funding" in office.done or until < RECORDED_ON:
        return
    project = office.proposals.get(PROJECT_KEY)
    if project is None:
        return
    officer = office.user("finance@prb.example")
    with replayed_at(
        datetime(RECORDED_ON.year, RECORDED_ON.month, RECORDED_ON.day, 10, tzinfo=UTC)
    ):
        co_funding.record_co_funding(officer, project.id, SWISS)
    office.done.add("co_funding")
