"""Background jobs: work too heavy for a web request (large reports), done by `prb worker`.

A job's state is not a workflow state (nobody decides it; the worker moves it), so it lives
here as a plain enum rather than in workflows/."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from prb.extensions import db
from prb.models.types import UTCDateTime, utcnow
from prb.models.user import User


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class JobKind(StrEnum):
    PORTFOLIO_PDF = "portfolio_pdf"
    PORTFOLIO_CSV = "portfolio_csv"


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        # The worker's queue scan, and the lookup of an identical request to reuse.
        Index("ix_jobs_state_id", "state", "id"),
        Index("ix_jobs_content_key", "content_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    # What was asked, as resolved when asked (the as-at date is always a date, never
    # "today"), so the file says what it says forever.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    # sha256 of kind + parameters: identical requests share one job and one file.
    content_key: Mapped[str] = mapped_column(String(64))
    as_at: Mapped[date | None] = mapped_column(Date)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    state: Mapped[str] = mapped_column(String(10), default=JobState.QUEUED)
    # Loaded only when the file itself is asked for.
    result: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    filename: Mapped[str] = mapped_column(String(200), default="")
    mimetype: Mapped[str] = mapped_column(String(100), default="")
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    rows: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    requested_by: Mapped[User] = relationship(lazy="joined")

    @property
    def ready(self) -> bool:
        return self.state == JobState.DONE

    @property
    def pending(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)
