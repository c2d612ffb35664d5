"""A project's progress and final reports: one row per due slot (kind + due date), created
when the chair first submits for it. The schedule itself is derived, never stored."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.proposal import Proposal
from prb.models.types import Money, UTCDateTime, utcnow
from prb.models.user import User
from workflows import PROGRESS_REPORT, ReportState


class ReportKind(StrEnum):
    PROGRESS = "progress"
    FINAL = "final"

    @property
    def label(self) -> str:
        return {ReportKind.PROGRESS: "Progress report", ReportKind.FINAL: "Final report"}[self]


class ProgressReport(db.Model):
    __tablename__ = "progress_reports"
    # One report per due slot: two chairs submitting for the same slot at once cannot both
    # create a row (the loser gets a 409).
    __table_args__ = (UniqueConstraint("proposal_id", "kind", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default=str(PROGRESS_REPORT.initial))
    # The narrative, in the four parts the office asks for.
    activities: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")  # against the project's outputs
    challenges: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    # The figures: spent to date; a final report also states the unspent balance.
    spent_to_date: Mapped[Decimal] = mapped_column(Money)
    unspent_balance: Mapped[Decimal | None] = mapped_column(Money)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when PRB recorded it
    # The day the secretariat accepted it: the day recorded, or an earlier day given when an
    # office records its acceptance after the fact (None unless accepted).
    accepted_on: Mapped[date | None] = mapped_column(Date)
    return_reason: Mapped[str] = mapped_column(Text, default="")
    # Optimistic lock, the safety net behind the row lock: a stale copy cannot overwrite.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    proposal: Mapped[Proposal] = relationship(lazy="joined")
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def kind_label(self) -> str:
        return ReportKind(self.kind).label

    @property
    def status_label(self) -> str:
        return PROGRESS_REPORT.label(self.status)

    @property
    def is_accepted(self) -> bool:
        return self.status == ReportState.ACCEPTED

    @property
    def is_returned(self) -> bool:
        return self.status == ReportState.RETURNED

    @property
    def is_final(self) -> bool:
        return self.kind == ReportKind.FINAL

    @property
    def parts(self) -> tuple[tuple[str, str], ...]:
        """The narrative's non-empty parts, each with its heading."""
        parts = (
            ("Activities", self.activities),
            ("Results against the outputs", self.results),
            ("Challenges", self.challenges),
            ("Next steps", self.next_steps),
        )
        return tuple((title, text.strip()) for title, text in parts if text.strip())

    @property
    def narrative(self) -> str:
        """The parts as one text, a paragraph each, in the office's order: what a report
        printing "the project's progress" reproduces."""
        return "\n\n".join(text for _, text in self.parts)

    @property
    def summary(self) -> str:
        return f"{self.kind_label.lower()} due {self.due_on.day} {self.due_on:%B %Y}"
