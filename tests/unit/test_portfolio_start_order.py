"""Found exploring in a browser (an office catching up on 2025): an actual start typed
before the first commitment — work began before the funds were committed, or before the
Board approved — made the overview as at a day before the commitment show the project
ongoing with nothing committed, and the history date its start before its initiation. The
lifecycle starts only an initiated project: as at any day, ongoing comes no earlier than
initiated. The actual start itself is kept as typed (the 2018 report's projects began
before their approval)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from prb.extensions import db
from prb.models import AuditRecord
from prb.services import finance, lifecycle, portfolio
from tests import factories
from workflows import ProposalState, ProposalTrigger

S, T = ProposalState, ProposalTrigger
COMMITTED_ON, PAID_ON, STARTED_ON = date(2018, 3, 1), date(2018, 3, 10), date(2018, 1, 15)


def status_on(world, code: str, day: date) -> str | None:  # type: ignore[no-untyped-def]
    data = portfolio.overview(world.board_undp, None, day.year, as_at=day)
    return {r.code: r.status for r in data.rows}.get(code)


def test_a_project_is_not_ongoing_before_it_was_initiated(world) -> None:  # type: ignore[no-untyped-def]
    p = factories.project(world, status=S.APPROVED, start=date(2018, 1, 1), code="UNCCT-2017-73-a")
    entry = finance.EntryInput
    finance.record_entry(world.finance, p.id, entry("commitment", Decimal("100.00"), COMMITTED_ON))
    lifecycle.fire(world.finance, p.id, T.INITIATE)
    finance.record_entry(world.finance, p.id, entry("disbursement", Decimal("50.00"), PAID_ON))
    finance.record_project_dates(world.finance, p.id, finance.ProjectDates(STARTED_ON, None, None))
    lifecycle.fire(world.finance, p.id, T.START)
    assert p.actual_start == STARTED_ON  # kept as typed

    # Before the commitment: not yet initiated (this project's approval has no Board
    # decision on record, so it is listed from its initiation).
    assert status_on(world, p.project_code, date(2018, 2, 1)) is None
    assert status_on(world, p.project_code, COMMITTED_ON) == "Ongoing"
    started = db.session.scalars(
        select(AuditRecord).where(
            AuditRecord.proposal_id == p.id, AuditRecord.to_state == S.ONGOING
        )
    ).one()
    assert started.effective_on == COMMITTED_ON  # not before its initiation
