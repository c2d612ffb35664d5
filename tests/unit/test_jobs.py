"""Background jobs on both databases: a job's life (queued → running → done, or failed with
its error), one job to one worker however many claim at once, reuse of identical requests,
the per-user bound, and the worker closing written procedures past their deadline."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import OperationalError

from prb.extensions import db
from prb.models import Job, JobKind, JobState, Meeting, User, utcnow
from prb.services import board, jobs
from prb.services.errors import NotAllowed
from prb.services.jobs import queue
from tests import factories
from tests.board_helpers import item_under_review, meeting
from tests.conftest import make_app
from tests.csv_helpers import csv_text
from tests.web.test_portfolio_as_at import build
from workflows import ItemState

PARAMS = {"programme_id": None, "year": 2018, "as_at": "2018-12-31"}


def test_a_job_is_queued_then_running_then_done(app, world) -> None:
    build(world)
    job = jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, PARAMS)
    assert job.state == JobState.QUEUED and job.started_at is None
    assert queue.claim() == job.id
    db.session.expire_all()
    assert job.state == JobState.RUNNING and job.started_at is not None
    assert queue.claim() is None  # nothing else is queued
    assert queue.run(job.id) == JobState.DONE
    db.session.expire_all()
    assert job.state == JobState.DONE and job.rows == 3 and job.finished_at is not None
    content = jobs.download(world.board_undp, job.id).result
    assert content is not None and csv_text(content).startswith("code,working_group")
    assert job.filename == "prb-portfolio-2018-as-at-2018-12-31.csv"
    assert len(job.sha256 or "") == 64


def test_a_failed_job_keeps_its_error_and_a_new_request_makes_a_new_job(app, world) -> None:
    build(world)
    # A programme that does not exist any more: the worker's overview fails.
    job = jobs.request(world.board_undp, JobKind.PORTFOLIO_PDF, {**PARAMS, "as_at": "2017-01-01"})
    assert queue.run_next() == JobState.FAILED
    db.session.expire_all()
    assert job.state == JobState.FAILED and "before 2018" in job.error
    assert job.finished_at is not None and job.result is None
    again = jobs.request(world.board_undp, JobKind.PORTFOLIO_PDF, {**PARAMS, "as_at": "2017-01-01"})
    assert again.id != job.id and again.state == JobState.QUEUED


def test_identical_requests_share_one_job(app, world) -> None:
    first = jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, PARAMS)
    assert jobs.request(world.secretariat, JobKind.PORTFOLIO_CSV, dict(PARAMS)).id == first.id
    other = jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, {**PARAMS, "as_at": "2018-06-30"})
    assert other.id != first.id
    assert jobs.request(world.board_undp, JobKind.PORTFOLIO_PDF, PARAMS).id != first.id


def test_each_user_has_a_bound_on_waiting_jobs(app, world) -> None:
    app.config["REPORT_JOBS_PER_USER"] = 2
    for day in ("2018-06-30", "2018-07-31"):
        jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, {**PARAMS, "as_at": day})
    with pytest.raises(jobs.TooMany) as refused:
        jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, {**PARAMS, "as_at": "2018-08-31"})
    assert refused.value.status_code == 429
    # Someone else is not held up; asking again for a waiting one is no new job.
    jobs.request(world.secretariat, JobKind.PORTFOLIO_CSV, {**PARAMS, "as_at": "2018-08-31"})
    jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, {**PARAMS, "as_at": "2018-06-30"})
    assert db.session.scalar(select(func.count(Job.id))) == 3


def test_only_report_readers_ask_for_or_see_jobs(app, world) -> None:
    job = jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, PARAMS)
    with pytest.raises(NotAllowed):
        jobs.request(world.chair_a, JobKind.PORTFOLIO_CSV, PARAMS)
    with pytest.raises(NotAllowed):
        jobs.get(world.chair_a, job.id)


def test_a_job_left_running_by_a_stopped_worker_fails(app, world) -> None:
    job = jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, PARAMS)
    assert queue.claim(utcnow() - timedelta(hours=1)) == job.id
    assert queue.fail_stale() == 1
    db.session.expire_all()
    assert job.state == JobState.FAILED and "Ask for it again" in job.error


def test_concurrent_workers_never_take_the_same_job(app, backend, world) -> None:
    """Six workers claim at once from four queued jobs: each job is taken exactly once
    (SKIP LOCKED on PostgreSQL, the single-row UPDATE on SQLite)."""
    app.config["REPORT_JOBS_PER_USER"] = 10
    for month in range(6, 10):
        jobs.request(
            world.board_undp, JobKind.PORTFOLIO_CSV, {**PARAMS, "as_at": f"2018-{month:02}-28"}
        )
    db.session.commit()
    db.session.remove()
    barrier = threading.Barrier(6)
    claimed: list[int | None] = []
    lock = threading.Lock()

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            try:
                mine = [queue.claim(), queue.claim()]
            finally:
                db.session.remove()
            with lock:
                claimed.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    taken = [c for c in claimed if c is not None]
    assert len(claimed) == 12
    assert sorted(taken) == sorted(set(taken)), claimed
    assert len(taken) == 4
    assert db.session.scalar(select(func.count(Job.id)).where(Job.state == JobState.RUNNING)) == 4


def test_a_claimed_job_is_skipped_by_a_second_worker_while_locked(app, backend, world) -> None:
    """PostgreSQL: a second worker does not wait for the row the first holds; it skips it."""
    if backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    first = jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, PARAMS)
    second = jobs.request(world.board_undp, JobKind.PORTFOLIO_PDF, PARAMS)
    first_id, second_id = first.id, second.id
    db.session.commit()
    db.session.remove()
    claimed: list[int | None] = []

    def other_worker() -> None:
        with app.app_context():
            claimed.append(queue.claim())
            db.session.remove()

    with db.engine.connect() as holder:
        held = holder.execute(
            select(Job.id).where(Job.id == first_id).with_for_update()
        ).scalar_one()
        assert held == first_id
        # At once, not after the holder's transaction (a claim that waited would hang here).
        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join(timeout=10)
        holder.rollback()
    thread.join(timeout=10)
    assert claimed == [second_id]
    assert queue.claim() == first_id


def test_the_worker_closes_written_procedures_past_their_deadline(app, world) -> None:
    procedure = meeting(world, written=True, number="PRB/2018/06")
    item = item_under_review(world, procedure)
    board.cast_vote(world.board_chair, item.id, "approve")
    db.session.execute(
        update(Meeting)
        .where(Meeting.id == procedure.id)
        .values(deadline=utcnow() - timedelta(days=1))
    )
    db.session.commit()
    assert item.status == ItemState.OPEN
    job = jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, PARAMS)
    assert queue.work(lambda: False, once=True) == 1
    db.session.expire_all()
    assert item.status == ItemState.DEFERRED  # one vote of two eligible: no quorum
    assert db.session.get(Job, job.id).state == JobState.DONE
    assert db.session.get(User, world.board_undp.id) is not None


def test_a_report_rendering_on_sqlite_holds_no_write_lock(
    backend, database_url, monkeypatch
) -> None:
    """The worker reads and renders outside any request: were its transaction IMMEDIATE, a
    long render would hold SQLite's one write lock and every POST would wait, then fail."""
    if backend != "sqlite":
        pytest.skip("SQLite's transaction modes")
    app = make_app(database_url, SQLITE_BUSY_TIMEOUT_SECONDS=1)
    with app.app_context():
        db.create_all()
        world = factories.build_world()
        job_id = jobs.request(world.board_undp, JobKind.PORTFOLIO_CSV, PARAMS).id
        db.session.rollback()  # the test's own read holds no lock into the worker's turn
        assert queue.claim() == job_id
        real_make = queue.make
        writes: list[str] = []

        def write_elsewhere() -> None:
            # Another thread (a web POST, say): its transaction begins IMMEDIATE.
            with app.app_context(), db.engine.connect() as other:
                try:
                    other.begin()
                    other.execute(text("SELECT 1"))
                    other.rollback()
                    writes.append("took the write lock")
                except OperationalError as exc:
                    writes.append(str(exc))

        def make_while_someone_writes(kind, params, user):  # type: ignore[no-untyped-def]
            output = real_make(kind, params, user)  # the render's reads are done
            writer = threading.Thread(target=write_elsewhere)
            writer.start()
            writer.join()
            return output

        monkeypatch.setattr(queue, "make", make_while_someone_writes)
        assert queue.run(job_id) == JobState.DONE
        assert writes == ["took the write lock"]
        db.session.remove()
        db.engine.dispose()


def test_the_worker_writes_scheduled_notices_once_a_minute_not_before_every_batch(
    monkeypatch,
) -> None:
    """Draining a long outbox, the worker does not scan for due notices before every batch
    of e-mail (seconds at 100,000 proposals): once when it starts, then once a minute."""
    import prb.services.board as board_service

    clock = [1000.0]
    batches = [50, 50, 50, 50, 0]
    notices: list[float] = []

    def deliver() -> int:
        clock[0] += 25  # each batch takes its time
        return batches.pop(0) if batches else 0

    monkeypatch.setattr(queue.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(queue, "_notify_due", lambda looked: notices.append(clock[0]))
    monkeypatch.setattr(queue, "_deliver_mail", deliver)
    monkeypatch.setattr(queue, "_clean_up", lambda: None)
    monkeypatch.setattr(queue, "fail_stale", lambda: None)
    monkeypatch.setattr(queue, "run_next", lambda: None)
    monkeypatch.setattr(board_service, "close_due", lambda: 0)
    assert queue.work(lambda: False, once=True) == 0
    # Batches at 1025, 1050, 1075, 1100, 1125: notices at the start and 75 s later.
    assert notices == [1000.0, 1075.0]
