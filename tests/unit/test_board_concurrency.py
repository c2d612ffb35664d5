"""Many board members voting at once from separate connections, and the secretariat closing
the item while votes arrive (PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Decision, User, Vote
from prb.services import board
from tests import factories
from tests.board_helpers import item_under_review
from tests.conftest import at_once
from workflows import Role

MEMBERS = 10


def _members(world) -> list[int]:  # type: ignore[no-untyped-def]
    ent = factories.entity("UNESCO")
    extra = [
        factories.user(f"board.{i}@prb.example", ent, Role.BOARD_MEMBER) for i in range(MEMBERS)
    ]
    db.session.commit()
    return [u.id for u in extra]


def test_members_voting_at_once_are_all_counted_then_one_decision(app, backend, world):
    member_ids = _members(world)
    item_id = item_under_review(world).id
    secretariat_id = world.secretariat.id
    db.session.remove()

    def vote_as(uid: int):  # type: ignore[no-untyped-def]
        return lambda: board.cast_vote(db.session.get(User, uid), item_id, "approve") and "ok"

    results = at_once(app, [vote_as(uid) for uid in member_ids])
    assert results == ["ok"] * MEMBERS
    assert db.session.scalar(select(func.count(Vote.id))) == MEMBERS

    def close():  # type: ignore[no-untyped-def]
        board.close_item(db.session.get(User, secretariat_id), item_id)
        return "closed"

    results = at_once(app, [close, close, close])
    assert sorted(r.split(":")[0] for r in results) == ["closed", "conflict", "conflict"]
    decision = db.session.scalars(select(Decision)).one()
    assert decision.votes_for == MEMBERS


def test_closing_while_votes_arrive_loses_no_vote(app, backend, world):
    member_ids = _members(world)
    item_id = item_under_review(world).id
    secretariat_id = world.secretariat.id
    db.session.remove()

    def vote_as(uid: int):  # type: ignore[no-untyped-def]
        return lambda: board.cast_vote(db.session.get(User, uid), item_id, "approve") and "ok"

    def close():  # type: ignore[no-untyped-def]
        board.close_item(db.session.get(User, secretariat_id), item_id)
        return "closed"

    results = at_once(app, [vote_as(uid) for uid in member_ids] + [close])
    accepted = results.count("ok")
    refused = [r for r in results if r.startswith("conflict")]
    assert "closed" in results
    assert accepted + len(refused) == MEMBERS
    assert all("Votes can no longer be cast" in r for r in refused)
    decision_or_none = db.session.scalars(select(Decision)).one_or_none()
    stored = db.session.scalar(select(func.count(Vote.id)))
    assert stored == accepted, "a vote that was accepted must be stored"
    if decision_or_none is not None:
        # every accepted vote was counted in the one decision
        assert decision_or_none.votes_for == accepted
