"""What the Board considered is kept with the item (issue 12 §1, §3): a snapshot when it is
put on an agenda and when it closes, with the record of the closing; the minutes read them,
so a later revision, a later meeting or a member disabled since changes nothing in them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from prb.extensions import db
from prb.models import AgendaItemSnapshot, SnapshotStage, utcnow
from prb.services import board, minutes
from prb.services.board.snapshots import Person
from tests.board_helpers import item_under_review
from tests.snapshot_helpers import (
    approved,
    revised_after_meeting,
    two_meetings,
    written_procedure_closed_by_last_vote,
)
from tests.unit.test_append_only import refused


def snapshots(item_id: int) -> dict[str, AgendaItemSnapshot]:
    return {
        s.stage: s
        for s in db.session.scalars(
            select(AgendaItemSnapshot).where(AgendaItemSnapshot.item_id == item_id)
        )
    }


def record_of(m) -> dict:  # type: ignore[no-untyped-def]
    data = minutes.minutes_data(
        m, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )
    return json.loads(minutes.decisions_json(data))


def test_placing_and_closing_an_item_store_what_was_considered(world) -> None:
    item = item_under_review(world, implementing_entities=[world.unodc])
    placed = snapshots(item.id)
    assert list(placed) == [SnapshotStage.PLACED]
    snap = placed[SnapshotStage.PLACED]
    assert (snap.title, snap.working_group, snap.lead_entity) == (
        "Compendium of good practices",
        "Border Management and Law Enforcement",
        "CTED",
    )
    assert snap.implementing_entities == ["UNODC"]
    assert (snap.requested_budget, snap.duration_months) == (Decimal("150000.00"), 12)
    assert not snap.reconstructed and snap.closing_record is None

    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    board.close_item(world.secretariat, item.id)
    closed = snapshots(item.id)[SnapshotStage.CLOSED]
    record = closed.closing_record
    assert record is not None
    assert [(v["name"], v["entity"], v["choice"]) for v in record["votes"]] == [
        ("Jean-François Lefèvre", "UNOCT", "approve"),
        (world.board_undp.name, "UNDP", "approve"),
    ]
    assert not any(v["entered_by_secretariat"] for v in record["votes"])
    assert [(r["name"], r["entity"]) for r in record["recusals"]] == [
        (world.board_cted.name, "CTED")
    ]
    assert "lead entity" in record["recusals"][0]["reason"]
    assert {p["name"] for p in record["attendance"]["present"]} == {
        world.board_chair.name,
        world.board_cted.name,
        world.board_undp.name,
    }
    # The envelope right after this approval.
    assert record["envelopes"] == [
        {
            "programme": "UNCCT-2017-73",
            "title": world.programme.title,
            "total": "1356000.00",
            "used": "150000.00",
            "left": "1206000.00",
        }
    ]
    assert record["voting_closed_at"] == item.closed_at.isoformat()


def test_a_withdrawn_item_keeps_a_closed_snapshot(world) -> None:
    item = item_under_review(world)
    board.withdraw_item(world.secretariat, item.id, "Not ready")
    closed = snapshots(item.id)[SnapshotStage.CLOSED]
    assert closed.closing_record is not None and closed.closing_record["votes"] == []


def test_the_earlier_meetings_minutes_keep_what_was_considered_after_a_revision(world) -> None:
    m, item = revised_after_meeting(world)
    proposal = record_of(m)["items"][0]["proposal"]
    assert proposal["requested_budget"] == "150000.00"
    assert proposal["title"] == "Biometrics"
    k = board.considered(item)
    assert (k.facts.requested_budget, k.stage) == (Decimal("150000.00"), SnapshotStage.CLOSED)


def test_a_later_meetings_approval_leaves_an_earlier_meetings_envelope(world) -> None:
    first, later = two_meetings(world)
    assert record_of(first)["envelopes"][0]["used"] == "150000.00"
    assert record_of(first)["envelopes"][0]["left"] == "1206000.00"
    assert record_of(later)["envelopes"][0]["used"] == "250000.00"
    # Within a meeting, the envelope is the one after its last decision.
    approved(world, first, "50000.00", "Second item of the first meeting")
    assert record_of(first)["envelopes"][0]["used"] == "300000.00"


def test_written_procedure_records_when_voting_closed_and_who_was_recused(world) -> None:
    m, item = written_procedure_closed_by_last_vote(world)
    data = minutes.minutes_data(
        m, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )
    assert item.closed_at is not None and m.deadline is not None
    assert data.voting_closed == item.closed_at < m.deadline
    cted = Person(world.board_cted.name, "CTED")
    assert data.recused == [cted]
    assert cted not in data.absent and cted not in data.present
    assert {p.name for p in data.present} == {world.board_chair.name, world.board_undp.name}
    assert record_of(m)["meeting"]["voting_closed"] is not None


def test_a_disabled_members_vote_stays_in_the_minutes(world) -> None:
    first, _ = two_meetings(world)
    world.board_undp.active = False
    db.session.commit()
    item = first.items[0]
    names = [v["member"] for v in record_of(first)["items"][0]["decision"]["votes"]]
    assert world.board_undp.name in names
    data = minutes.minutes_data(
        first, draft=True, secretary=None, version_label="Draft", generated_at=utcnow()
    )
    assert Person(world.board_undp.name, "UNDP") in data.present
    assert len(board.considered(item).votes) == 2


def test_a_snapshot_refuses_update_and_delete(world) -> None:
    item = item_under_review(world)
    snap_id = snapshots(item.id)[SnapshotStage.PLACED].id
    refused("UPDATE agenda_item_snapshots SET title = 'changed' WHERE id = :id", id=snap_id)
    refused("DELETE FROM agenda_item_snapshots WHERE id = :id", id=snap_id)
    assert (
        db.session.execute(
            text("SELECT title FROM agenda_item_snapshots WHERE id = :id"), {"id": snap_id}
        ).scalar_one()
        == "Compendium of good practices"
    )


def test_a_snapshot_is_not_taken_when_the_closing_fails(world) -> None:
    """Same transaction: an approval refused (over the envelope) stores no closed snapshot."""
    item = item_under_review(world, requested_budget=Decimal("2000000.00"))
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    with pytest.raises(Exception, match="envelope"):
        board.close_item(world.secretariat, item.id)
    assert SnapshotStage.CLOSED not in snapshots(item.id)
