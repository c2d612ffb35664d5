"""Scenarios for the tests of what the Board considered (snapshots) and of the minutes as at
the meeting, entered through the services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from prb.models import AgendaItem, Meeting
from prb.services import board, proposals
from tests import factories
from tests.board_helpers import meeting
from tests.call_helpers import proposal_input
from workflows import ProposalState


def revised_after_meeting(world) -> tuple[Meeting, AgendaItem]:  # type: ignore[no-untyped-def]
    """PRB/2018/03 considers a USD 150,000 proposal and asks for a revision; the chair then
    revises it to USD 20,000."""
    m = meeting(world)
    p = factories.proposal(world, status=ProposalState.UNDER_REVIEW, title="Biometrics")
    item = board.add_to_agenda(world.secretariat, m.id, p.id)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "request_revision")
    board.close_item(world.secretariat, item.id)
    assert p.status == ProposalState.REVISION_REQUESTED
    proposals.update_proposal(
        world.chair_a,
        p.id,
        proposal_input(p, requested_budget=Decimal("20000.00"), title="Biometrics, revised"),
        seen_version=None,
    )
    assert p.requested_budget == Decimal("20000.00")
    return m, item


def approved(world, m: Meeting, budget: str, title: str) -> AgendaItem:  # type: ignore[no-untyped-def]
    """An item of `m` approved with `budget` (the chair and UNDP for; CTED recused)."""
    p = factories.proposal(
        world, status=ProposalState.UNDER_REVIEW, title=title, requested_budget=Decimal(budget)
    )
    item = board.add_to_agenda(world.secretariat, m.id, p.id)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id, board.Terms(Decimal(budget), 12, date(2019, 1, 1)))
    return item


def two_meetings(world) -> tuple[Meeting, Meeting]:  # type: ignore[no-untyped-def]
    """PRB/2018/03 approves USD 150,000; the later PRB/2018/04 approves USD 100,000."""
    first = meeting(world, number="PRB/2018/03")
    approved(world, first, "150000.00", "First approval")
    later = meeting(world, number="PRB/2018/04")
    approved(world, later, "100000.00", "Later approval")
    return first, later


def written_procedure_closed_by_last_vote(world) -> tuple[Meeting, AgendaItem]:  # type: ignore[no-untyped-def]
    """A written procedure whose only item closes at its last vote, days before the
    deadline; the CTED member is recused (CTED leads the project)."""
    m = meeting(world, written=True, number="PRB/2018/05")
    p = factories.proposal(world, status=ProposalState.UNDER_REVIEW, title="By correspondence")
    item = board.add_to_agenda(world.secretariat, m.id, p.id)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "reject")
    assert not item.is_open and item.closed_at is not None
    return m, item
