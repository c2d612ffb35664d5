"""The finance dashboard keeps its rows and totals while the records are unchanged (issue 15):
a payment shows on the next view, and what finance saw is never handed to someone who may
not see it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from prb.services import finance
from prb.services import finance_dashboard as dashboard
from prb.services.errors import NotAllowed
from tests import factories
from tests.conftest import sign_in
from workflows import ProposalState


def test_a_disbursement_shows_on_the_next_view(app, client, world) -> None:
    p = factories.project(
        world, status=ProposalState.ONGOING, budget=Decimal("90000.00"), code="UNCCT-2018-01"
    )
    sign_in(client, world.finance)
    assert "12,345.00" not in client.get("/finance/").text
    finance.record_entry(
        world.finance, p.id, finance.EntryInput("commitment", Decimal("12345.00"), date(2018, 2, 1))
    )
    assert "12,345.00" in client.get("/finance/").text


def test_kept_rows_are_not_a_way_round_the_permission(app, world) -> None:
    factories.project(
        world, status=ProposalState.ONGOING, budget=Decimal("1000.00"), code="UNCCT-2018-02"
    )
    flt = dashboard.Filter()
    listed, _ = dashboard.rows(world.finance, flt, total=1)  # kept now
    assert listed
    with pytest.raises(NotAllowed):
        dashboard.rows(world.board_cted, flt, total=1)
    with pytest.raises(NotAllowed):
        dashboard.both_totals(world.chair_a, flt)
