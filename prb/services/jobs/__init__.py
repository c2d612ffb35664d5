"""Background jobs: asking for heavy work (a large report) from a web request, and reading
its state and result. The worker that does the work is `prb.services.jobs.queue`.

Asking is a write (a POST): it creates a job, or reuses the identical one already asked for
(same kind and parameters, the as-at date resolved, over unchanged records), so a report is
made once and cached by its content. Each user has a bound on jobs waiting at once (429
beyond it)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import Job, JobKind, JobState, User
from prb.services.access import require_role
from prb.services.errors import Conflict, DomainError, NotFound
from prb.services.jobs.reports import VIEWERS
from prb.services.portfolio.records import data_stamp
from prb.services.transaction import committed

# Seconds a refused requester is told to wait: about the time one large report takes.
RETRY_AFTER_SECONDS = 30
DEFAULT_PER_USER = 3


class TooMany(DomainError):
    status_code = 429
    title = "Too many reports at once"
    retry_after = RETRY_AFTER_SECONDS


def content_key(kind: JobKind, parameters: dict[str, Any]) -> str:
    """The identity of a request: the same kind with the same parameters, over the same
    records, is the same file. The records' stamp is part of it: after any committed change
    (a back-dated payment, a decision recorded after the fact) the report is made again,
    never served from before the change."""
    text = json.dumps(
        {"kind": str(kind), "parameters": parameters, "records": data_stamp()}, sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()


def setting(name: str, default: int) -> int:
    """An integer setting (`PRB_<name>`, read as text from the environment)."""
    return int(current_app.config.get(name, default))


def find(actor: User, kind: JobKind, parameters: dict[str, Any]) -> Job | None:
    """The job already asked for with this content, unless it failed (read only)."""
    require_role(actor, *VIEWERS[kind], action="see this report")
    return db.session.scalars(
        select(Job)
        .where(
            Job.content_key == content_key(kind, parameters),
            Job.state != JobState.FAILED,
        )
        .order_by(Job.id.desc())
        .limit(1)
    ).first()


def request(actor: User, kind: JobKind, parameters: dict[str, Any]) -> Job:
    """The job for this content: the existing one, or a new one queued for the worker."""
    with committed():
        existing = find(actor, kind, parameters)
        if existing is not None:
            return existing
        waiting = db.session.scalar(
            select(func.count(Job.id)).where(
                Job.requested_by_id == actor.id,
                Job.state.in_([JobState.QUEUED, JobState.RUNNING]),
            )
        )
        limit = setting("REPORT_JOBS_PER_USER", DEFAULT_PER_USER)
        if (waiting or 0) >= limit:
            raise TooMany(
                f"You already have {waiting} report(s) being prepared (at most {limit} at "
                "a time). Try again when one of them is ready."
            )
        job = Job(
            kind=kind,
            parameters=parameters,
            content_key=content_key(kind, parameters),
            as_at=_as_at(parameters),
            requested_by_id=actor.id,
            state=JobState.QUEUED,
        )
        db.session.add(job)
    return job


def _as_at(parameters: dict[str, Any]):  # type: ignore[no-untyped-def]
    from datetime import date

    value = parameters.get("as_at")
    return date.fromisoformat(value) if value else None


def get(actor: User, job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        raise NotFound(f"There is no report number {job_id}.")
    require_role(actor, *VIEWERS[JobKind(job.kind)], action="see this report")
    return job


def download(actor: User, job_id: int) -> Job:
    """The finished job with its file loaded; a job not done yet is a conflict."""
    job = get(actor, job_id)
    if job.state != JobState.DONE:
        raise Conflict("This report is not ready yet.")
    return job


__all__ = ["TooMany", "content_key", "download", "find", "get", "request", "setting"]
