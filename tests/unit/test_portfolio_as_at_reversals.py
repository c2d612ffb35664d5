"""The overview as at a day agrees with the lifecycle when finance reverses a commitment:
a project once initiated stays initiated (no trigger takes it back to approved), so a
commitment reversed after that still dates its initiation; a commitment reversed before the
project was initiated never initiated it."""

from __future__ import annotations

from datetime import date

from prb.services import lifecycle, portfolio
from tests import factories
from tests.unit.test_finance import entry
from workflows import ProposalState, ProposalTrigger

S, T = ProposalState, ProposalTrigger
FIRST, REVERSED, AGAIN = date(2018, 2, 1), date(2018, 2, 20), date(2018, 3, 15)


def status_on(world, p, day: date):  # type: ignore[no-untyped-def]
    """The project's status in the overview of 2018 as at `day` (None: not in it)."""
    overview = portfolio.overview(world.board_undp, None, 2018, as_at=day)
    rows = [r for r in [*overview.rows, *overview.pending] if r.proposal.id == p.id]
    return rows[0].state.status if rows else None


def test_a_commitment_reversed_after_the_project_was_initiated_still_dates_it(world) -> None:
    p = factories.project(world, code="UNCCT-2017-73-a")  # approved 1 January 2018
    first = entry(world, p, "commitment", "1000.00", value_date=FIRST)
    lifecycle.fire(world.finance, p.id, T.INITIATE)
    entry(world, p, "reversal", None, value_date=REVERSED, reverses_id=first.id)
    entry(world, p, "commitment", "1000.00", value_date=AGAIN)
    assert p.status == S.INITIATED  # the reversal did not take it back to approved
    assert status_on(world, p, date(2018, 1, 31)) == S.APPROVED
    assert status_on(world, p, FIRST) == S.INITIATED
    # between the reversal and the commitment made again: initiated, as the lifecycle was
    assert status_on(world, p, date(2018, 3, 1)) == S.INITIATED
    assert status_on(world, p, AGAIN) == S.INITIATED


def test_a_commitment_reversed_before_the_project_was_initiated_never_initiated_it(
    world,
) -> None:
    p = factories.project(world, code="UNCCT-2017-73-b")
    first = entry(world, p, "commitment", "1000.00", value_date=FIRST)
    entry(world, p, "reversal", None, value_date=REVERSED, reverses_id=first.id)
    entry(world, p, "commitment", "1000.00", value_date=AGAIN)
    lifecycle.fire(world.finance, p.id, T.INITIATE)
    assert status_on(world, p, date(2018, 1, 31)) == S.APPROVED
    # the mistaken commitment stood while the project was still approved
    assert status_on(world, p, date(2018, 3, 1)) == S.APPROVED
    assert status_on(world, p, AGAIN) == S.INITIATED


def test_a_project_never_initiated_is_dated_by_its_standing_commitment(world) -> None:
    p = factories.project(world, code="UNCCT-2017-73-c")
    first = entry(world, p, "commitment", "1000.00", value_date=FIRST)
    entry(world, p, "reversal", None, value_date=REVERSED, reverses_id=first.id)
    assert status_on(world, p, date(2018, 2, 10)) == S.APPROVED
    entry(world, p, "commitment", "1000.00", value_date=AGAIN)
    assert status_on(world, p, date(2018, 3, 1)) == S.APPROVED
    assert status_on(world, p, AGAIN) == S.INITIATED
