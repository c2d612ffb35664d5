"""The audit trail: who did what, in which role, when (UTC), from which state to which."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.immutable import make_append_only
from prb.models.types import UTCDateTime, utcnow
from prb.models.user import User
from workflows import PROPOSAL


class AuditRecord(db.Model):
    __tablename__ = "audit_records"
    __table_args__ = (Index("ix_audit_records_proposal_at", "proposal_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    event: Mapped[str] = mapped_column(String(40))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    # A proposal's transition: the day it took effect (a cancellation recorded after the
    # fact, an approval by a meeting entered later), where `at` is when PRB recorded it.
    # NULL in records written before 0021: the day of `at`.
    effective_on: Mapped[date | None] = mapped_column(Date)
    # Changes to accounts, roles, the Board and reference data: what was changed (kind and
    # id, e.g. "programme", 3) and its values before and after, as JSON.
    subject: Mapped[str | None] = mapped_column(String(40), index=True)
    subject_id: Mapped[int | None] = mapped_column(Integer)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="joined")

    @property
    def summary(self) -> str:
        """One line for a history timeline."""
        if self.from_state and self.to_state:
            return f"{PROPOSAL.label(self.from_state)} → {PROPOSAL.label(self.to_state)}"
        if self.event in ("created", "imported") and self.to_state:
            return f"{self.event.capitalize()} as {PROPOSAL.label(self.to_state)}"
        return self.event.replace("_", " ").capitalize()


make_append_only(AuditRecord.__table__)
