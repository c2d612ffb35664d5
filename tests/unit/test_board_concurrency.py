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


def test_a_member_marked_absent_while_her_vote_is_written_never_leaves_both(
    app, backend, world, monkeypatch
):
    """Attendance is checked under the meeting's lock, a vote under its item's: unless the
    vote takes the meeting's lock too, on PostgreSQL the secretariat could record a member
    absent between the vote's check of her presence and its commit, and the minutes would
    hold the vote of a member absent under rules that let only those present vote."""
    import threading
    from datetime import date

    from prb.models import Attendance
    from prb.services.board import votes
    from tests.board_helpers import meeting
    from tests.unit.test_board_data import admin, rules

    rules(admin(world), date(2000, 1, 1))  # only members present vote
    m = meeting(world, number="PRB/2018/77")  # everyone recorded present
    item_id, meeting_id = item_under_review(world, m).id, m.id
    voter_id, secretariat_id = world.board_undp.id, world.secretariat.id
    everyone = {u.id for u in board.board_members(on=m.held_on)}
    db.session.remove()

    written, go = threading.Event(), threading.Event()
    record = votes.audit.record

    def vote_written_then_wait(event, *args, **kwargs):  # type: ignore[no-untyped-def]
        if event == "vote_cast":  # checked and flushed, not yet committed
            written.set()
            go.wait(10)
        return record(event, *args, **kwargs)

    monkeypatch.setattr(votes.audit, "record", vote_written_then_wait)
    outcomes: dict[str, str] = {}

    def run(name: str, job) -> threading.Thread:  # type: ignore[no-untyped-def]
        def work() -> None:
            with app.app_context():
                try:
                    job()
                    outcomes[name] = "done"
                except Exception as exc:
                    outcomes[name] = f"refused: {exc}"
                finally:
                    db.session.remove()

        thread = threading.Thread(target=work)
        thread.start()
        return thread

    voting = run(
        "vote", lambda: board.cast_vote(db.session.get(User, voter_id), item_id, "approve")
    )
    assert written.wait(10)
    marking = run(
        "absent",
        lambda: board.record_attendance(
            db.session.get(User, secretariat_id), meeting_id, everyone - {voter_id}
        ),
    )
    marking.join(timeout=1.5)  # on PostgreSQL without the meeting's lock, done by now
    go.set()
    voting.join(timeout=30)
    marking.join(timeout=30)
    voted = db.session.scalar(
        select(func.count(Vote.id)).where(Vote.item_id == item_id, Vote.member_id == voter_id)
    )
    present = db.session.scalar(
        select(Attendance.present).where(
            Attendance.meeting_id == meeting_id, Attendance.member_id == voter_id
        )
    )
    assert (voted, present) == (1, True), outcomes
    assert outcomes["vote"] == "done" and outcomes["absent"].startswith("refused"), outcomes
