"""Seed-funding proposals, which become projects once the Board approves them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.reference import Entity, FundingProgramme, WorkingGroup
from prb.models.types import Money, UTCDateTime, utcnow
from prb.models.user import User
from workflows import PROPOSAL, ProposalState

proposal_entities = Table(
    "proposal_entities",
    db.Model.metadata,
    Column("proposal_id", ForeignKey("proposals.id"), primary_key=True),
    Column("entity_id", ForeignKey("entities.id"), primary_key=True),
)


class Scope:
    GLOBAL = "Global"
    REGIONAL = "Regional"
    NATIONAL = "National"
    ALL = (GLOBAL, REGIONAL, NATIONAL)


class Proposal(db.Model):
    __tablename__ = "proposals"
    __table_args__ = (
        Index("ix_proposals_status_created", "status", "created_at"),
        Index("ix_proposals_working_group_created", "working_group_id", "created_at"),
        Index("ix_proposals_created", "created_at"),
        Index("ix_proposals_status_updated", "status", "updated_at"),
        # Proposals waiting for an agenda, longest first (the meeting page's choice).
        Index("ix_proposals_status_submitted", "status", "submitted_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"))
    # The call it was submitted in (None: entered before calls, or imported).
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    working_group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"))
    title: Mapped[str] = mapped_column(String(300))
    lead_entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    objective: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    thematic_area: Mapped[str] = mapped_column(String(200), default="")
    scope: Mapped[str] = mapped_column(String(16), default=Scope.GLOBAL)
    scope_detail: Mapped[str] = mapped_column(String(300), default="")
    results_alignment: Mapped[str] = mapped_column(String(200), default="")
    requested_budget: Mapped[Decimal | None] = mapped_column(Money)
    duration_months: Mapped[int | None] = mapped_column(Integer)
    # How the duration reads in reports, e.g. "subject to extension".
    duration_note: Mapped[str] = mapped_column(String(120), default="")
    planned_start: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32), default=str(PROPOSAL.initial), index=True)
    project_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Where the Board decided it, as the record names it ("PRB/2018/02"), for projects
    # imported from before PRB; and the file they came from.
    decision_reference: Mapped[str] = mapped_column(String(80), default="")
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    # What in this record is illustrative rather than taken from a source document.
    data_note: Mapped[str] = mapped_column(String(300), default="")
    # The project, once approved: what the Board granted and how the project runs.
    approved_budget: Mapped[Decimal | None] = mapped_column(Money)  # incl. extension funds
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    period_start: Mapped[date | None] = mapped_column(Date)
    original_end: Mapped[date | None] = mapped_column(Date)
    current_end: Mapped[date | None] = mapped_column(Date, index=True)
    actual_start: Mapped[date | None] = mapped_column(Date)
    final_report_on: Mapped[date | None] = mapped_column(Date)
    spent_reported: Mapped[Decimal | None] = mapped_column(Money)
    # Running totals of the ledger, kept by prb.services.finance in the same transaction as
    # each entry, so that balances and dashboards never add up the whole ledger.
    committed_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    disbursed_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    returned_total: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Optimistic lock: an UPDATE from a stale copy fails instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    programme: Mapped[FundingProgramme] = relationship(lazy="joined")
    working_group: Mapped[WorkingGroup] = relationship(lazy="joined")
    lead_entity: Mapped[Entity | None] = relationship(lazy="joined")
    implementing_entities: Mapped[list[Entity]] = relationship(
        secondary=proposal_entities, lazy="selectin", order_by=Entity.code
    )
    created_by: Mapped[User] = relationship()

    @property
    def reference(self) -> str:
        """Identifies the proposal before (and besides) its project code."""
        return f"P-{self.id:05d}"

    @property
    def display_code(self) -> str:
        return self.project_code or self.reference

    @property
    def status_label(self) -> str:
        return PROPOSAL.label(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == ProposalState.DRAFT

    @property
    def entities(self) -> list[Entity]:
        """Lead entity first, then the other implementing entities."""
        lead = [self.lead_entity] if self.lead_entity else []
        return lead + [e for e in self.implementing_entities if e not in lead]

    @property
    def duration_text(self) -> str:
        if not self.duration_months:
            return ""
        text = f"{self.duration_months} month{'s' if self.duration_months != 1 else ''}"
        return f"{text} ({self.duration_note})" if self.duration_note else text

    def __str__(self) -> str:
        return f"{self.display_code} {self.title}"
