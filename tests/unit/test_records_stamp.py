"""The records' stamp (issue 15): one row that every committed write to the records raises,
so that reports can keep their work while it is unchanged without counting every row."""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text, update

from prb.extensions import db
from prb.models import Notification, Proposal, SignInAttempt, records_stamp, utcnow
from prb.services import finance
from tests import factories
from tests.conftest import sign_in
from workflows import ProposalState


def _fresh_stamp() -> int:
    db.session.commit()  # nothing pending: ends the read, so the next one sees every commit
    value = records_stamp()
    db.session.commit()  # and holds no lock while others write (SQLite, outside a request)
    return value


def test_a_committed_write_raises_it_and_a_rolled_back_one_does_not(app, world) -> None:
    before = _fresh_stamp()
    p = factories.proposal(world)  # commits
    after_insert = _fresh_stamp()
    assert after_insert > before
    db.session.execute(update(Proposal).where(Proposal.id == p.id).values(title="Bulk"))
    db.session.rollback()
    assert _fresh_stamp() == after_insert
    # A statement written by hand (a script, a bulk change) counts as well as the ORM's.
    db.session.execute(text("UPDATE proposals SET title = 'By hand' WHERE id = :id"), {"id": p.id})
    db.session.commit()
    assert _fresh_stamp() > after_insert


def test_one_transaction_raises_it_once_however_much_it_writes(app, world) -> None:
    before = _fresh_stamp()
    db.session.add_all(
        [
            Proposal(
                programme=world.programme,
                working_group=world.group_a,
                title=f"Proposal {n}",
                status=ProposalState.DRAFT,
                created_by=world.chair_a,
            )
            for n in range(3)
        ]
    )
    db.session.commit()
    assert _fresh_stamp() == before + 1


def test_notices_sign_in_attempts_and_reads_leave_it_alone(app, client, world) -> None:
    p = factories.proposal(world, status=ProposalState.SUBMITTED)
    sign_in(client, world.secretariat)  # the audit keeps sign-ins: that raises it
    before = _fresh_stamp()
    db.session.add(Notification(user_id=world.chair_a.id, event="submitted", subject="S"))
    db.session.add(
        SignInAttempt(account="x@prb.example", address="127.0.0.1", at=utcnow(), succeeded=False)
    )
    db.session.commit()
    assert _fresh_stamp() == before
    for path in ("/", "/proposals/", f"/proposals/{p.id}", "/reports/portfolio"):
        assert client.get(path).status_code == 200
    assert _fresh_stamp() == before


def test_a_ledger_entry_through_the_service_raises_it(app, world) -> None:
    p = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1000.00"))
    before = _fresh_stamp()
    finance.record_entry(
        world.finance, p.id, finance.EntryInput("commitment", Decimal("100.00"), date(2018, 2, 1))
    )
    assert _fresh_stamp() > before


def test_writers_at_once_each_raise_it(app, world) -> None:
    writers = 4
    ids = [
        factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1000.00")).id
        for _ in range(writers)
    ]
    before = _fresh_stamp()
    barrier = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(index: int) -> None:
        with app.app_context():
            try:
                barrier.wait()
                db.session.execute(
                    update(Proposal).where(Proposal.id == ids[index]).values(title=f"W{index}")
                )
                db.session.commit()
            except BaseException as error:  # reported below
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    assert _fresh_stamp() == before + writers


def test_the_stamp_is_taken_last_so_it_deadlocks_no_one(app, backend, world) -> None:
    """One writer locks a proposal (as the services do, FOR UPDATE) and then writes; another
    writes first and then asks for the same proposal. Were the stamp raised at a
    transaction's first write, the second would hold it while waiting for the proposal and
    the first would wait for it: a deadlock, which PostgreSQL ends by failing one."""
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: no two transactions interleave")
    p = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1.00"))
    # The notes go to another project: a note on the locked one would wait for its lock.
    other = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1.00"))
    proposal_id, noted_id, user_id = p.id, other.id, world.secretariat.id
    before = _fresh_stamp()
    locked, written = threading.Event(), threading.Event()
    failures: list[BaseException] = []
    note = text(
        "INSERT INTO reporting_notes (proposal_id, effective_on, duration_note, period_text,"
        " recorded_by_id, recorded_at) VALUES (:p, '2018-01-01', '', '', :u, now())"
    )
    lock = text("SELECT id FROM proposals WHERE id = :p FOR UPDATE")
    engine = db.engine

    def first() -> None:
        try:
            with engine.begin() as conn:
                conn.execute(lock, {"p": proposal_id})
                locked.set()
                written.wait(10)
                conn.execute(note, {"p": noted_id, "u": user_id})
        except BaseException as error:  # reported below
            failures.append(error)

    def second() -> None:
        try:
            with engine.begin() as conn:
                locked.wait(10)
                conn.execute(note, {"p": noted_id, "u": user_id})
                written.set()
                conn.execute(lock, {"p": proposal_id})  # waits for the first to commit
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    assert _fresh_stamp() == before + 2


def test_a_commit_late_with_a_lower_id_still_changes_it(app, backend, world) -> None:
    """What a largest id would miss: a transaction that took its id first but commits last."""
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time: no two transactions interleave")
    early = db.engine.connect()
    late = db.engine.connect()
    try:
        early.begin()
        late.begin()
        insert = text(
            "INSERT INTO reporting_notes (proposal_id, effective_on, duration_note, period_text,"
            " recorded_by_id, recorded_at) VALUES (:p, '2018-01-01', '', '', :u, now())"
        )
        p = factories.project(world, status=ProposalState.ONGOING, budget=Decimal("1.00"))
        early.execute(insert, {"p": p.id, "u": world.secretariat.id})  # the lower id
        late.execute(insert, {"p": p.id, "u": world.secretariat.id})
        late.commit()
        seen = _fresh_stamp()
        early.commit()
        assert _fresh_stamp() > seen
    finally:
        early.close()
        late.close()
