"""Calls for proposals: a programme's window for submissions, open to some working groups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.reference import FundingProgramme, WorkingGroup
from prb.models.types import UTCDateTime, utcnow

call_working_groups = Table(
    "call_working_groups",
    db.Model.metadata,
    Column("call_id", ForeignKey("calls.id"), primary_key=True),
    Column("working_group_id", ForeignKey("working_groups.id"), primary_key=True),
)


class Call(db.Model):
    """A call for proposals. Submissions are accepted from `opens_at` (inclusive) to
    `closes_at` (exclusive), both UTC, from the eligible working groups."""

    __tablename__ = "calls"
    __table_args__ = (Index("ix_calls_programme_opens", "programme_id", "opens_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    title: Mapped[str] = mapped_column(String(200))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Shown on the proposal form to the chairs writing for this call.
    guidance: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[FundingProgramme] = relationship(lazy="joined")
    working_groups: Mapped[list[WorkingGroup]] = relationship(
        secondary=call_working_groups, lazy="selectin", order_by=WorkingGroup.name
    )

    def __str__(self) -> str:
        return self.title
