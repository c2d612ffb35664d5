"""The secretariat's "Minutes to finalise": meetings with something to minute (an item decided
or deferred) whose minutes are not final. A cancelled meeting — every item withdrawn — has
none: it stayed on the list for good, with no way to finalise it (found in the browser)."""

from __future__ import annotations

from prb.services import board, dashboard
from tests.board_helpers import item_under_review, meeting


def test_a_cancelled_meeting_is_not_listed_and_a_decided_one_is(world) -> None:
    cancelled = meeting(world, number="PRB/2018/03")
    item_under_review(world, cancelled)
    board.cancel_meeting(world.secretariat, cancelled.id, "The venue closed")
    withdrawn = meeting(world, number="PRB/2018/04")
    board.withdraw_item(world.secretariat, item_under_review(world, withdrawn).id, "Not ready")
    decided = meeting(world, number="PRB/2018/05")
    item = item_under_review(world, decided)
    board.defer_item(world.secretariat, item.id, "Papers missing")
    listed = dashboard.minutes_to_finalise(world.secretariat)
    assert [m.number for m in listed] == ["PRB/2018/05"]
    assert dashboard.minutes_to_finalise(world.board_chair) == []
