"""The same write sent several times at once, from separate connections, on SQLite and on
PostgreSQL: one succeeds, the others are refused as conflicts, and the record stays whole.
On SQLite this holds because every writing transaction begins IMMEDIATE (prb.extensions);
on PostgreSQL because of the row locks."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from prb.extensions import db
from prb.models import Decision, ExtensionRequest, Proposal, User
from prb.services import board, extensions, proposals
from tests import factories
from tests.board_helpers import item_under_review
from tests.call_helpers import proposal_input
from tests.conftest import at_once, make_app
from workflows import ItemState, ProposalState

TIMES = 6


def _split(results: list[str]) -> tuple[list[str], list[str]]:
    """(successes, refusals); anything else (a 500-to-be) fails the test at once."""
    assert all(r == "ok" or r.startswith("conflict: ") for r in results), results
    assert len(results) == TIMES or len(results) == 2, results
    return [r for r in results if r == "ok"], [r for r in results if r != "ok"]


def test_six_identical_submissions_create_one_proposal(app, world) -> None:
    data = proposal_input(factories.proposal(world))
    chair_id = world.chair_a.id
    db.session.commit()
    before = db.session.scalar(select(func.count(Proposal.id)))

    def submit() -> str:
        actor = db.session.get(User, chair_id)
        proposals.create_proposal(actor, data, once="one-form-token")
        return "ok"

    ok, refused = _split(at_once(app, [submit] * TIMES))
    assert len(ok) == 1 and len(refused) == TIMES - 1
    assert all("already submitted" in r for r in refused), refused
    assert db.session.scalar(select(func.count(Proposal.id))) == before + 1


def test_closing_an_approved_item_six_times_at_once_keeps_one_approval(app, world) -> None:
    item = item_under_review(world)
    for member in (world.board_chair, world.board_undp):
        board.cast_vote(member, item.id, "approve")
    terms = board.Terms(item.proposed_budget, 12, date(2019, 1, 1))
    item_id, secretariat_id = item.id, world.secretariat.id

    def close() -> str:
        board.close_item(db.session.get(User, secretariat_id), item_id, terms)
        return "ok"

    ok, refused = _split(at_once(app, [close] * TIMES))
    assert len(ok) == 1 and len(refused) == TIMES - 1
    assert all("already closed" in r for r in refused), refused
    decision = db.session.scalars(select(Decision)).one()
    assert decision.item.status == ItemState.DECIDED
    assert decision.item.proposal.status == ProposalState.APPROVED


def test_two_extension_requests_for_one_project_at_once_one_wins(app, world) -> None:
    project = factories.project(world, status=ProposalState.ONGOING, code="UNCCT-2017-73-a")
    project_id, chair_id = project.id, world.chair_a.id
    db.session.commit()

    def request(months: int) -> str:
        extensions.request_extension(
            db.session.get(User, chair_id),
            project_id,
            extensions.ExtensionInput(months, None, Decimal("0.00"), f"{months} more months"),
        )
        return "ok"

    ok, refused = _split(at_once(app, [lambda: request(3), lambda: request(4)]))
    assert len(ok) == 1 and len(refused) == 1
    assert "already has an extension request in progress" in refused[0]
    assert db.session.scalar(select(func.count(ExtensionRequest.id))) == 1


def test_sqlite_writers_wait_for_each_other_and_readers_do_not(backend, database_url) -> None:
    """A transaction outside a reading request takes the write lock at its first statement;
    a GET's transaction does not, and reads beside a writer (WAL)."""
    if backend != "sqlite":
        pytest.skip("SQLite's transaction modes")
    app = make_app(database_url, SQLITE_BUSY_TIMEOUT_SECONDS=1)
    with app.app_context():
        db.create_all()
        assert db.session.scalar(text("PRAGMA journal_mode")) == "wal"
        db.session.remove()
        writer = db.engine.connect()
        writer.begin()
        writer.execute(select(func.count(User.id)))  # a read, yet the lock is taken
        try:
            with (
                app.test_request_context(method="GET"),
                db.engine.connect() as reader,
                reader.begin(),
            ):
                assert reader.execute(select(func.count(User.id))).scalar() == 0
            with app.test_request_context(method="POST"), db.engine.connect() as other:
                started = time.monotonic()
                with pytest.raises(OperationalError, match="database is locked"):
                    other.begin()
                assert time.monotonic() - started >= 0.9  # it waited the busy timeout
        finally:
            writer.rollback()
            writer.close()
            db.engine.dispose()
