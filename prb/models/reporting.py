"""How a project's duration reads in reports, as the secretariat sets it over time."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.immutable import make_append_only
from prb.models.types import UTCDateTime, utcnow
from prb.models.user import User


class ReportingNote(db.Model):
    """From `effective_on`, reports print the project's duration with this note ("subject to
    extension") and period text ("March/April 2019–May/June 2020"), until a later note. An
    overview as at an earlier date keeps the note in force then. Never changed: a new note is
    a new row."""

    __tablename__ = "reporting_notes"
    __table_args__ = (
        Index("ix_reporting_notes_proposal_effective", "proposal_id", "effective_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    effective_on: Mapped[date] = mapped_column(Date)
    duration_note: Mapped[str] = mapped_column(String(120), default="")
    period_text: Mapped[str] = mapped_column(String(120), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship(lazy="joined")


make_append_only(ReportingNote.__table__)
