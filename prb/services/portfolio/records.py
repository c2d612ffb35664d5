"""The dated records the as-at overview is reconstructed from, read in a fixed number of
queries (one per kind of record), whatever the number of projects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from prb.extensions import db
from prb.models import AuditRecord, Decision, ExtensionRequest, LedgerEntry, Proposal
from prb.models.finance import EntryKind
from prb.services.portfolio.as_at import INITIATED_OR_LATER, Extension, ProjectRecord
from prb.services.sql import among
from prb.services.stamped import current_stamp
from workflows import ExtensionState, ProposalState, VoteChoice


def data_stamp() -> tuple[int, ...]:
    """A value that changes whenever a committed write changes what `project_records`
    reads: the records' stamp (`prb.models.stamp`), raised by every committed write to the
    records, read from one row. (Counting the append-only records and summing the
    proposals' version counters gave the same guarantee at 45 ms a page at 100,000.)"""
    return (current_stamp(),)


def project_records(
    programme_id: int | None, *, only: Sequence[int] | None = None
) -> Iterator[tuple[int, ProjectRecord]]:
    """Each project's id and dated record, in the overview's order (code, then id). Plain
    columns, not proposals: the overview reads every project to decide which it lists, and
    reads the printed columns of only those it shows (`rows.projects_by_id`). `only`: these
    proposals' records instead of every project's (the envelope as at a day reads only the
    projects whose share changed after it)."""
    if only is None:
        conditions = [Proposal.project_code.is_not(None)]  # the projects (see finance_dashboard)
    else:
        conditions = [among(Proposal.id, only)]
    if programme_id is not None:
        conditions.append(Proposal.programme_id == programme_id)
    ids = select(Proposal.id).where(*conditions)
    projects = db.session.execute(
        select(
            Proposal.id,
            Proposal.status,
            Proposal.approved_at,
            Proposal.actual_start,
            Proposal.period_start,
            Proposal.original_end,
            Proposal.current_end,
            Proposal.final_report_on,
        )
        .where(*conditions)
        .order_by(Proposal.project_code, Proposal.id)
    ).all()

    approved: dict[int, date] = {}
    for pid, decided_on, decided_at in db.session.execute(
        select(Decision.proposal_id, func.min(Decision.decided_on), func.min(Decision.decided_at))
        .where(
            Decision.proposal_id.in_(ids),
            Decision.outcome == VoteChoice.APPROVE,
            Decision.extension_id.is_(None),
        )
        .group_by(Decision.proposal_id)
    ):
        approved[pid] = decided_on or decided_at.date()

    # Initiated by the first commitment that stood when the project became initiated (the
    # transition, or an import as initiated or later): no trigger takes a project back to
    # approved, so a reversal recorded after that leaves it initiated from that commitment;
    # one recorded before it (or while the project is still approved) initiated nothing.
    initiated = (
        select(AuditRecord.proposal_id, func.min(AuditRecord.at).label("at"))
        .where(
            AuditRecord.proposal_id.in_(ids),
            AuditRecord.to_state.in_(sorted(INITIATED_OR_LATER)),
        )
        .group_by(AuditRecord.proposal_id)
        .subquery()
    )
    reversal = aliased(LedgerEntry)
    committed: dict[int, date] = dict(
        db.session.execute(  # type: ignore[arg-type]
            select(LedgerEntry.proposal_id, func.min(LedgerEntry.value_date))
            .outerjoin(reversal, reversal.reverses_id == LedgerEntry.id)
            .outerjoin(initiated, initiated.c.proposal_id == LedgerEntry.proposal_id)
            .where(
                LedgerEntry.proposal_id.in_(ids),
                LedgerEntry.kind == EntryKind.COMMITMENT,
                or_(reversal.id.is_(None), reversal.recorded_at > initiated.c.at),
            )
            .group_by(LedgerEntry.proposal_id)
        ).all()
    )

    extensions: dict[int, list[Extension]] = defaultdict(list)
    for pid, start, end, decided_on in db.session.execute(
        select(
            ExtensionRequest.proposal_id,
            ExtensionRequest.period_start,
            ExtensionRequest.new_end,
            Decision.decided_on,
        )
        .outerjoin(
            Decision,
            (Decision.extension_id == ExtensionRequest.id)
            & (Decision.outcome == VoteChoice.APPROVE),
        )
        .where(
            ExtensionRequest.proposal_id.in_(ids),
            ExtensionRequest.status == ExtensionState.APPROVED,
        )
        .order_by(ExtensionRequest.period_start)
    ):
        extensions[pid].append(Extension(start, end, decided_on))

    # The transition itself (from_state set), not an import that wrote the status: the day
    # it took effect (recorded after the fact), or before 0021 the day it was recorded.
    ended: dict[int, date] = {}
    for pid, effective_on, at in db.session.execute(
        select(AuditRecord.proposal_id, AuditRecord.effective_on, AuditRecord.at).where(
            AuditRecord.proposal_id.in_(ids),
            AuditRecord.from_state.is_not(None),
            AuditRecord.to_state.in_([ProposalState.COMPLETED, ProposalState.CANCELLED]),
        )
    ):
        day = effective_on or at.date()
        ended[pid] = min(day, ended.get(pid, day))

    for pid, status, approved_at, actual_start, period_start, original_end, current_end, (
        final_report_on
    ) in projects:
        yield (
            pid,
            ProjectRecord(
                status_today=ProposalState(status),
                approved_on=approved.get(pid) or (approved_at.date() if approved_at else None),
                first_commitment_on=committed.get(pid),
                actual_start=actual_start,
                period_start=period_start,
                original_end=original_end,
                current_end=current_end,
                final_report_on=final_report_on,
                ended_on=ended.get(pid),
                extensions=tuple(extensions.get(pid, ())),
            ),
        )
