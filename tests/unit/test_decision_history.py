"""The proposal page's decisions, read as rows (`decision_history`), say what the ORM path
(`decisions_for` with `considered`) says: the closed snapshot before the placed one, the
placed one before the live proposal, an extension's months."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from prb.extensions import db
from prb.models import (
    AgendaItem,
    AgendaItemSnapshot,
    Decision,
    ExtensionRequest,
    Proposal,
    SnapshotStage,
)
from prb.services import board
from prb.services.board.decision_history import decision_history
from tests import factories
from tests.board_helpers import meeting
from tests.snapshot_helpers import revised_after_meeting, two_meetings
from workflows import ItemState, ProposalState


def same_as_the_orm_path(proposal_id: int) -> None:
    proposal = db.session.get(Proposal, proposal_id)
    expected = [(d, board.considered(d.item)) for d in board.decisions_for(proposal)]
    got = decision_history(proposal_id)
    assert len(got) == len(expected) and got
    for entry, (d, k) in zip(got, expected, strict=True):
        for name in (
            "id",
            "decided_at",
            "outcome_label",
            "tally_text",
            "recused_names",
            "casting_vote",
            "approved_budget",
            "approved_duration_months",
            "period_start",
            "period_end",
            "conditions",
            "supersedes_id",
            "extension_months",
            "original_end",
            "new_end",
            "additional_funds",
        ):
            assert getattr(entry, name) == getattr(d, name), name
        assert (entry.meeting_id, entry.meeting_number, entry.meeting_kind_label) == (
            d.item.meeting_id,
            d.item.meeting.number,
            d.item.meeting.kind_label,
        )
        assert (entry.position, entry.extension_id) == (d.item.position, d.item.extension_id)
        c = entry.considered
        assert (c.title, c.requested_budget, c.extension_months, c.duration_text) == (
            k.facts.title,
            k.facts.requested_budget,
            k.facts.extension_months,
            k.duration_text,
        )
        assert (c.reconstructed, c.taken_at) == (k.reconstructed, k.taken_at)


def decided(item: AgendaItem) -> Decision:
    """A decision written straight into the table, for items the services would have given
    snapshots (as items closed before snapshots were kept)."""
    decision = Decision(
        item=item,
        proposal_id=item.proposal_id,
        outcome="approve",
        votes_for=2,
        votes_against=0,
        votes_revision=0,
        votes_abstain=0,
        eligible=2,
        recused=0,
        decided_at=datetime(2018, 3, 1, 12, 0, tzinfo=UTC),
    )
    db.session.add(decision)
    return decision


def test_the_closed_snapshot_not_the_revised_proposal(world) -> None:
    _, item = revised_after_meeting(world)
    same_as_the_orm_path(item.proposal_id)
    assert decision_history(item.proposal_id)[0].considered.title == "Biometrics"


def test_approvals_with_their_terms(world) -> None:
    first, later = two_meetings(world)
    for m in (first, later):
        same_as_the_orm_path(m.items[0].proposal_id)


def test_the_placed_snapshot_then_the_live_proposal(world) -> None:
    m = meeting(world)
    placed = factories.proposal(world, status=ProposalState.UNDER_REVIEW, title="Live title")
    bare = factories.proposal(
        world, status=ProposalState.UNDER_REVIEW, title="Never copied", duration_months=1
    )
    item = AgendaItem(meeting=m, proposal=placed, position=1, status=ItemState.DECIDED)
    other = AgendaItem(meeting=m, proposal=bare, position=2, status=ItemState.DECIDED)
    db.session.add_all([item, other])
    db.session.flush()
    db.session.add(
        AgendaItemSnapshot(
            item=item,
            stage=SnapshotStage.PLACED,
            taken_at=datetime(2026, 11, 29, 15, 0, tzinfo=UTC),
            reconstructed=True,
            title="Title as rebuilt",
            working_group=world.group_a.name,
            requested_budget=Decimal("150000.00"),
            duration_months=12,
            duration_note="subject to review",
        )
    )
    decided(item)
    decided(other)
    db.session.commit()
    same_as_the_orm_path(placed.id)
    assert decision_history(placed.id)[0].considered.title == "Title as rebuilt"
    same_as_the_orm_path(bare.id)
    assert decision_history(bare.id)[0].considered.title == "Never copied"


def test_an_extension_item_without_snapshot(world) -> None:
    p = factories.project(world, status=ProposalState.ONGOING, start=date(2018, 1, 1), months=12)
    ext = ExtensionRequest(
        proposal_id=p.id,
        months=4,
        period_start=date(2019, 1, 1),
        new_end=date(2019, 4, 30),
        justification="Translations",
        requested_by_id=world.chair_a.id,
    )
    db.session.add(ext)
    db.session.flush()
    item = AgendaItem(
        meeting=meeting(world), proposal=p, extension=ext, position=1, status=ItemState.DECIDED
    )
    db.session.add(item)
    db.session.flush()
    decision = decided(item)
    decision.extension_months = 4
    decision.original_end = date(2018, 12, 31)
    decision.new_end = date(2019, 4, 30)
    db.session.commit()
    same_as_the_orm_path(p.id)
    assert decision_history(p.id)[0].considered.extension_months == 4
