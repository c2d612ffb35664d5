"""Who is asked for a vote (issue 15 moved "awaiting my vote" into SQL): the member from the
lead entity is recused, and a written procedure past its deadline asks no one. Both forms —
the items (`awaiting_vote`) and the dashboard's rows (`awaiting_list`) — answer alike."""

from __future__ import annotations

from datetime import timedelta

from prb.extensions import db
from prb.models import utcnow
from prb.services import board
from tests.board_helpers import item_under_review, meeting


def _asked(member) -> set[int]:  # type: ignore[no-untyped-def]
    items = {i.id for i in board.awaiting_vote(member)}
    assert items == {row.id for row in board.awaiting_list(member)}
    return items


def test_the_member_from_the_lead_entity_is_not_asked(world) -> None:
    item = item_under_review(world)  # led by CTED
    assert item.id not in _asked(world.board_cted)
    assert item.id in _asked(world.board_chair)


def test_a_written_procedure_past_its_deadline_asks_no_one(world) -> None:
    written = meeting(world, written=True, number="PRB/2018/04")
    item = item_under_review(world, written)
    assert item.id in _asked(world.board_chair)
    written.deadline = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert item.id not in _asked(world.board_chair)
    assert item.id not in _asked(world.board_undp)
