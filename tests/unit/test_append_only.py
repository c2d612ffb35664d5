"""The Board's record is append-only in the database itself: decisions, audit records and the
votes of a closed item refuse UPDATE and DELETE (whatever PRB or anyone with SQL access
tries), while the votes of an open item still change and are withdrawn as members decide."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from prb.extensions import db
from prb.models import AgendaItem, AuditRecord, Decision, Meeting, Vote
from prb.services import board
from tests.board_helpers import item_under_review, meeting
from workflows import ItemState, VoteChoice


def decided_item(world, m: Meeting | None = None) -> AgendaItem:  # type: ignore[no-untyped-def]
    """A closed item with its votes, its decision and the audit records of both."""
    item = item_under_review(world, m)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "reject")
    board.close_item(world.secretariat, item.id)
    assert item.status == ItemState.DECIDED and item.decision is not None
    return item


def refused(statement: str, **params: object) -> None:
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement), params)
    db.session.rollback()


def row(table: str, row_id: int, columns: str = "*") -> tuple:
    # Read afresh, not through the identity map: the row as the database holds it.
    return tuple(
        db.session.execute(
            text(f"SELECT {columns} FROM {table} WHERE id = :id"), {"id": row_id}
        ).one()
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE decisions SET outcome = 'approve', votes_for = 3 WHERE id = :id",
        "UPDATE decisions SET decided_on = '2000-01-01' WHERE id = :id",
        "DELETE FROM decisions WHERE id = :id",
    ],
)
def test_a_decision_cannot_be_changed_or_deleted(world, statement: str) -> None:
    decision_id = decided_item(world).decision.id
    before = row("decisions", decision_id)
    refused(statement, id=decision_id)
    assert row("decisions", decision_id) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_records SET comment = 'nothing happened' WHERE id = :id",
        "UPDATE audit_records SET actor_id = NULL WHERE id = :id",
        "DELETE FROM audit_records WHERE id = :id",
    ],
)
def test_an_audit_record_cannot_be_changed_or_deleted(world, statement: str) -> None:
    decided_item(world)
    record_id = db.session.scalars(
        select(AuditRecord.id).where(AuditRecord.event == "vote_cast")
    ).first()
    assert record_id is not None
    before = row("audit_records", record_id)
    refused(statement, id=record_id)
    assert row("audit_records", record_id) == before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE votes SET choice = 'approve' WHERE id = :id",
        "UPDATE votes SET member_id = member_id WHERE id = :id",
        "DELETE FROM votes WHERE id = :id",
    ],
)
def test_a_vote_of_a_closed_item_cannot_be_changed_or_deleted(world, statement: str) -> None:
    item = decided_item(world)
    vote_id = item.votes[0].id
    before = row("votes", vote_id)
    refused(statement, id=vote_id)
    assert row("votes", vote_id) == before


def test_a_vote_cannot_be_moved_onto_a_closed_item(world) -> None:
    closed = decided_item(world)
    open_item = item_under_review(world, closed.meeting)
    vote = board.cast_vote(world.board_undp, open_item.id, "approve")
    refused("UPDATE votes SET item_id = :closed WHERE id = :id", closed=closed.id, id=vote.id)
    assert row("votes", vote.id, "item_id") == (open_item.id,)


def test_a_closed_item_cannot_be_reopened_to_change_its_votes(world) -> None:
    item = decided_item(world)
    refused(
        "UPDATE agenda_items SET status = :open WHERE id = :id", open=ItemState.OPEN, id=item.id
    )
    assert row("agenda_items", item.id, "status") == (ItemState.DECIDED,)


def test_the_votes_of_an_open_item_change_and_are_withdrawn(world) -> None:
    item = item_under_review(world)
    vote = board.cast_vote(world.board_undp, item.id, "approve")
    changed = board.cast_vote(world.board_undp, item.id, "reject", change=True)
    assert changed.id == vote.id and changed.changed_at is not None
    assert row("votes", vote.id, "choice") == (VoteChoice.REJECT,)
    board.declare_conflict(world.board_undp, item.id, "My agency implements it.")
    assert db.session.scalars(select(Vote).where(Vote.item_id == item.id)).all() == []
    # Closing fixes what is left: the chair's vote.
    board.cast_vote(world.board_chair, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    refused("DELETE FROM votes WHERE item_id = :id", id=item.id)
    assert len(db.session.scalars(select(Vote).where(Vote.item_id == item.id)).all()) == 1


def test_new_decisions_and_audit_records_are_still_written(world) -> None:
    """Append-only means append: closing another item adds its decision and audit rows."""
    decided_item(world)
    audit_rows = db.session.scalar(select(db.func.count(AuditRecord.id)))
    decided_item(world, meeting(world, number="PRB/2018/04"))
    assert db.session.scalar(select(db.func.count(Decision.id))) == 2
    assert db.session.scalar(select(db.func.count(AuditRecord.id))) > audit_rows
