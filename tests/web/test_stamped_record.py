"""The proposal page's decisions and history are kept while the records are unchanged
(issue 15): the secretariat's view of an open ballot never reaches anyone else, and a vote,
a decision or any other change shows on the next view."""

from __future__ import annotations

from prb.services import board
from tests.conftest import sign_in
from tests.unit.test_meeting_freeze import chair_on_the_board, item_under_review


def test_an_open_ballot_seen_by_the_secretariat_is_not_shown_to_others(app, world) -> None:
    chair = chair_on_the_board(world)
    item = item_under_review(world, created_by=chair)
    board.cast_vote(world.board_chair, item.id, "approve")
    path = f"/proposals/{item.proposal_id}"
    secretariat, member, proposer = app.test_client(), app.test_client(), app.test_client()
    sign_in(secretariat, world.secretariat)
    sign_in(member, world.board_cted)
    sign_in(proposer, chair)
    voter = world.board_chair.name
    assert voter in secretariat.get(path).text  # kept now, with the open ballot
    assert voter not in member.get(path).text
    assert voter not in proposer.get(path).text
    assert voter in secretariat.get(path).text  # and again, from what was kept
    board.cast_vote(world.board_undp, item.id, "approve")
    assert world.board_undp.name in secretariat.get(path).text  # a new vote: seen at once
    board.close_item(world.secretariat, item.id)
    after = member.get(path).text
    assert voter in after and world.board_undp.name in after  # closed: everyone sees them
    assert "Board decisions" in after
