"""Keeping PortfolioTotals in step with approvals, extensions, cancellations and the ledger.
Every change is an atomic increment (an upsert), so concurrent transactions add up."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import case, delete, func, insert, literal, select

from prb.extensions import db
from prb.models import EntryKind, LedgerEntry, PortfolioTotals, Proposal
from workflows import ProposalState
from workflows.proposal import PROJECT_STATES

ZERO = Decimal("0.00")
COLUMNS = ("projects", "approved", "committed", "disbursed", "returned", "cancelled_paid")


def add(proposal: Proposal, **deltas: Decimal | int) -> None:
    """Add `deltas` to the totals of the proposal's programme and working group."""
    values = {name: deltas.get(name, 0) for name in COLUMNS}
    if not any(values.values()):
        return
    dialect = db.engine.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    table = PortfolioTotals.__table__
    stmt = upsert(table).values(
        programme_id=proposal.programme_id, working_group_id=proposal.working_group_id, **values
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.programme_id, table.c.working_group_id],
        set_={name: table.c[name] + stmt.excluded[name] for name in COLUMNS},
    )
    db.session.execute(stmt)


def recompute() -> None:
    """Rebuild every total from the proposals and the ledger (after bulk loads)."""
    original = select(LedgerEntry.id, LedgerEntry.kind).subquery()
    bucket = func.coalesce(original.c.kind, LedgerEntry.kind)
    signed = case(
        (LedgerEntry.kind == EntryKind.REVERSAL, -LedgerEntry.amount), else_=LedgerEntry.amount
    )

    def total(*kinds: EntryKind, sign: int = 1):  # type: ignore[no-untyped-def]
        return func.coalesce(func.sum(case((bucket.in_(kinds), signed * sign), else_=0)), 0)

    per_project = (
        select(
            LedgerEntry.proposal_id.label("pid"),
            (total(EntryKind.COMMITMENT) + total(EntryKind.RELEASE, sign=-1)).label("committed"),
            total(EntryKind.DISBURSEMENT).label("disbursed"),
            total(EntryKind.RETURN).label("returned"),
        )
        .outerjoin(original, LedgerEntry.reverses_id == original.c.id)
        .group_by(LedgerEntry.proposal_id)
    )
    for pid, committed, disbursed, returned in db.session.execute(per_project):
        db.session.execute(
            Proposal.__table__.update()
            .where(Proposal.__table__.c.id == pid)
            .values(committed_total=committed, disbursed_total=disbursed, returned_total=returned)
        )
    db.session.execute(delete(PortfolioTotals))
    cancelled = Proposal.status == ProposalState.CANCELLED
    grouped = (
        select(
            Proposal.programme_id,
            Proposal.working_group_id,
            func.count(Proposal.id),
            func.coalesce(func.sum(case((cancelled, 0), else_=Proposal.approved_budget)), 0),
            func.coalesce(func.sum(Proposal.committed_total), 0),
            func.coalesce(func.sum(Proposal.disbursed_total), 0),
            func.coalesce(func.sum(Proposal.returned_total), 0),
            func.coalesce(
                func.sum(
                    case(
                        (cancelled, Proposal.disbursed_total - Proposal.returned_total),
                        else_=literal(0),
                    )
                ),
                0,
            ),
        )
        .where(Proposal.status.in_(PROJECT_STATES))
        .group_by(Proposal.programme_id, Proposal.working_group_id)
    )
    rows = [
        dict(zip(("programme_id", "working_group_id", *COLUMNS), r, strict=True))
        for r in db.session.execute(grouped)
    ]
    if rows:
        db.session.execute(insert(PortfolioTotals), rows)
