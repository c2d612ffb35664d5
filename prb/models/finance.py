"""Money and time of a project: the append-only ledger and the extension requests."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.immutable import make_append_only
from prb.models.proposal import Proposal
from prb.models.types import Money, UTCDateTime, utcnow
from prb.models.user import User
from workflows import EXTENSION, ExtensionState
from workflows.extension import EXTENDABLE_PROJECT_STATES


class EntryKind(StrEnum):
    COMMITMENT = "commitment"  # funds obligated to the implementing entity
    DISBURSEMENT = "disbursement"  # a tranche paid
    RETURN = "return"  # unspent funds given back
    RELEASE = "release"  # committed funds that will not be paid, freed
    REVERSAL = "reversal"  # undoes a mistaken entry (points at it)

    @property
    def label(self) -> str:
        return {
            EntryKind.COMMITMENT: "Commitment",
            EntryKind.DISBURSEMENT: "Disbursement",
            EntryKind.RETURN: "Return of unspent funds",
            EntryKind.RELEASE: "Release of commitment",
            EntryKind.REVERSAL: "Reversal",
        }[self]


class LedgerEntry(db.Model):
    """One line of a project's ledger. Rows are only ever added: the database refuses
    UPDATE and DELETE (see APPEND_ONLY below); a mistake is undone by a reversal."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        Index("ix_ledger_entries_proposal_kind", "proposal_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    kind: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Money)
    value_date: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="joined")
    reverses: Mapped[LedgerEntry | None] = relationship(remote_side=[id], lazy="joined")

    @property
    def kind_label(self) -> str:
        return EntryKind(self.kind).label


# The ledger is append-only in the database itself, not only in the code.
make_append_only(LedgerEntry.__table__)


class ExtensionRequest(db.Model):
    """A chair's request to extend a running project, decided by the Board."""

    __tablename__ = "extension_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    status: Mapped[str] = mapped_column(String(32), default=str(EXTENSION.initial))
    months: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)  # the day after the current end
    new_end: Mapped[date] = mapped_column(Date)
    additional_funds: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    justification: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finance_review: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    proposal: Mapped[Proposal] = relationship(lazy="joined")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])

    @property
    def status_label(self) -> str:
        return EXTENSION.label(self.status)

    @property
    def is_reviewable(self) -> bool:
        """Finance may (re)write its review until the request goes on an agenda, while its
        project can still be extended."""
        return (
            self.status == ExtensionState.REQUESTED
            and self.proposal.status in EXTENDABLE_PROJECT_STATES
        )

    @property
    def is_no_cost(self) -> bool:
        return not self.additional_funds

    @property
    def summary(self) -> str:
        funds = (
            "no-cost" if self.is_no_cost else f"with additional USD {self.additional_funds:,.2f}"
        )
        months = f"{self.months} month{'s' if self.months != 1 else ''}"
        return (
            f"{months} from {self.period_start.day} {self.period_start:%B %Y} to "
            f"{self.new_end.day} {self.new_end:%B %Y}, {funds}"
        )
