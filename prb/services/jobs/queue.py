"""The worker's side of the jobs table: claim one queued job, do it, record the outcome.

Claiming is safe with several workers: on PostgreSQL the queued row is taken with
`FOR UPDATE SKIP LOCKED` (a second worker skips it instead of waiting); on SQLite, which has
no row locks, by one `UPDATE … WHERE id = ? AND state = 'queued'` whose row count tells
whether this worker won it."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import select, update

from prb.extensions import db, only_reading
from prb.models import Job, JobKind, JobState, records_stamp, utcnow
from prb.services.jobs.reports import make
from prb.services.transaction import committed

log = logging.getLogger(__name__)

# A job running longer than this was left by a worker that stopped (killed, restarted).
STALE_AFTER = timedelta(minutes=30)
ERROR_LIMIT = 2000


def claim(now: datetime | None = None) -> int | None:
    """The id of the oldest queued job, now running and this worker's; None when none."""
    now = now or utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        with committed():
            job_id = db.session.scalars(
                select(Job.id)
                .where(Job.state == JobState.QUEUED)
                .order_by(Job.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if job_id is not None:
                _start(job_id, now)
        return job_id
    candidates = db.session.scalars(
        select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id).limit(10)
    ).all()
    db.session.rollback()  # end the read: the claim is its own short write
    for job_id in candidates:
        with committed():
            won = _start(job_id, now)
        if won:
            return job_id
    return None


def _start(job_id: int, now: datetime) -> bool:
    result = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, started_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def run(job_id: int) -> JobState:
    """Do the claimed job; a failure keeps its error and never leaves the job running."""
    # The claim committed; reading and rendering take no write lock on SQLite, so a long
    # render never holds up the web's writes. The read transaction ends before storing.
    try:
        with only_reading():
            job = db.session.get(Job, job_id)
            assert job is not None
            output = make(JobKind(job.kind), dict(job.parameters), job.requested_by)
            db.session.rollback()
    except Exception as exc:
        db.session.rollback()
        log.exception("job %s failed", job_id)
        message = str(getattr(exc, "message", "") or exc) or type(exc).__name__
        _finish(job_id, state=JobState.FAILED, error=message[:ERROR_LIMIT])
        return JobState.FAILED
    _finish(
        job_id,
        state=JobState.DONE,
        result=output.content,
        sha256=hashlib.sha256(output.content).hexdigest(),
        size=len(output.content),
        rows=output.rows,
        filename=output.filename,
        mimetype=output.mimetype,
    )
    return JobState.DONE


def _finish(job_id: int, **values: object) -> None:
    with committed():
        db.session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(finished_at=utcnow(), **values)
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()


def fail_stale(now: datetime | None = None) -> int:
    """Jobs left running by a worker that stopped fail, so that asking again makes them."""
    now = now or utcnow()
    with committed():
        result = db.session.execute(
            update(Job)
            .where(Job.state == JobState.RUNNING, Job.started_at < now - STALE_AFTER)
            .values(
                state=JobState.FAILED,
                finished_at=now,
                error="The worker stopped while preparing this report. Ask for it again.",
            )
            .execution_options(synchronize_session=False)
        )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def run_next() -> JobState | None:
    """Claim and do one job; None when the queue is empty."""
    job_id = claim()
    return None if job_id is None else run(job_id)


def work(stop: Callable[[], bool], poll_seconds: float = 1.0, once: bool = False) -> int:
    """The worker's loop: close due written procedures, write the notices that have come
    due, send due e-mail, then one job at a time. Returns the number of jobs done when
    `stop()` says so (or, with `once`, when the queue is empty)."""
    from prb.services.board import close_due

    done = 0
    notified_at: float | None = None  # when this loop last wrote the scheduled notices
    looked_by_day: DayMark | None = None  # the day and records its last full pass saw
    while not stop():
        closed = close_due()
        if closed:
            log.info("%s item(s) of written procedures closed", closed)
        fail_stale()
        # Notices fall due by the day: a pass a minute is enough. At 100,000 proposals a
        # pass reads every reporting project (seconds), and run before every batch of 50
        # e-mails and every idle look it kept the worker busy for good and sent 7 messages
        # a second.
        if notified_at is None or time.monotonic() - notified_at >= NOTIFY_EVERY_SECONDS:
            notified_at = time.monotonic()
            looked_by_day = _notify_due(looked_by_day)
        sent = _deliver_mail()
        _clean_up()
        if run_next() is not None:
            done += 1
            continue
        if sent:
            continue  # more may be due: no pause while the outbox drains
        if once:
            break
        db.session.remove()  # no transaction held open while idle
        time.sleep(poll_seconds)
    return done


NOTIFY_EVERY_SECONDS = 60
_last_cleanup: list[float] = []  # when this worker last cleaned up (monotonic seconds)
CLEANUP_EVERY_SECONDS = 3600


def _clean_up() -> None:
    """Once an hour: forget e-mail sent long ago. A failure is logged, never fatal."""
    from prb.services.mail.cleanup import forget_sent

    if _last_cleanup and time.monotonic() - _last_cleanup[-1] < CLEANUP_EVERY_SECONDS:
        return
    _last_cleanup[:] = [time.monotonic()]
    try:
        forgotten = forget_sent()
    except Exception:
        db.session.rollback()
        log.exception("clean-up failed")
        return
    if forgotten:
        log.info("%s sent or expired e-mail message(s) forgotten", forgotten)


class DayMark(NamedTuple):
    """What the notices that come due by the day depend on: the day and the records (a
    notification is not a record: writing them leaves the stamp as it was)."""

    day: date
    records: int


def _notify_due(looked: DayMark | None) -> DayMark | None:
    """The scheduled notices (deadlines, projects' ends, overdue reports) and the daily
    digests; a failure is logged and never stops the worker's other work. Projects' ends
    and overdue reports are looked for again only once the day or the records have changed
    since `looked` (at 100,000 proposals a look reads every running project for ~13 s);
    returns what this look saw, read before it, so a change made during it is looked at
    again next time."""
    from prb.services.notifications import mailing, scheduled

    now = utcnow()
    try:
        with only_reading():  # no write lock on SQLite for one read; ended before writing
            mark = DayMark(now.date(), records_stamp())
            db.session.rollback()
        written = scheduled.notify_due(now, by_day=mark != looked)
        digests = mailing.send_digests()
    except Exception:
        db.session.rollback()
        log.exception("scheduled notifications failed")
        return looked
    if written or digests:
        log.info("%s notice(s) and %s digest(s) written", written, digests)
    return mark


def _deliver_mail() -> int:
    """Send due e-mail; a failure here is logged and never stops the worker's other work."""
    from prb.services.mail import deliver_due

    try:
        sent = deliver_due()
    except Exception:
        db.session.rollback()
        log.exception("e-mail delivery failed")
        return 0
    if sent:
        log.info("%s e-mail message(s) sent", sent)
    return sent
