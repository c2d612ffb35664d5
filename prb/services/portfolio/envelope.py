"""A programme's envelope as at a day: what the minutes print for a meeting, "after its
decisions", however long after the meeting it is recorded.

As at the end of the day, as every as-at figure of PRB: decisions are dated by day (a
meeting's date, the day a written procedure's voting closed), so everything decided that
day counts — the meeting's own decisions and those of any other meeting of the same day,
whichever was held first (the record does not say). Approvals and additional funds count
from their decision's date, a cancellation from its record (see `as_at.taken_on`); the
total is the envelope in force that day (`envelope_for_decisions_on`).

Worked out from today's running totals (`finance.envelope`), less what changed after the
day: only the projects with a dated record after it are read, so a meeting closed today
reads a handful of rows however large the programme, and a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, and_, case, exists, func, or_, select

from prb.extensions import db
from prb.models import AuditRecord, Decision, EntryKind, FundingProgramme, LedgerEntry, Proposal
from prb.services import finance
from prb.services.calendar import start_of_day_after
from prb.services.finance.balances import money, signed_buckets
from prb.services.portfolio.as_at import Funding, taken_now, taken_on
from prb.services.portfolio.records import project_records
from prb.services.reference.envelopes import envelope_for_decisions_on
from prb.services.sql import among
from workflows import ProposalState, VoteChoice
from workflows.proposal import PROJECT_STATES


@dataclass(frozen=True)
class EnvelopeAsAt:
    total: Decimal
    used: Decimal

    @property
    def left(self) -> Decimal:
        return self.total - self.used


def envelope_as_at(programme: FundingProgramme, day: date) -> EnvelopeAsAt:
    """The programme's envelope and what its projects had taken of it at the end of `day`."""
    return EnvelopeAsAt(envelope_for_decisions_on(programme.id, day), used_on(programme, day))


def used_on(programme: FundingProgramme, day: date) -> Decimal:
    """What the programme's projects had taken of its envelope at the end of `day`."""
    now = finance.envelope(programme).used
    changed = list(db.session.scalars(_changed_after(programme.id, day)))
    if not changed:
        return now
    since = sum((taken_now(f) - taken_on(f, day) for f in _fundings(changed)), Decimal(0))
    return money(now - since)


def _changed_after(programme_id: int, day: date) -> Select[tuple[int]]:
    """The programme's projects whose share of the envelope may have changed after `day`:
    approved, or granted additional funds, by a decision dated later; approved later as far
    as `approved_at` goes (imported projects have no decision); cancelled, and either not on
    record as ended by then or paid (or repaid) later. More than those whose share did
    change is harmless: `taken_on` works each out exactly."""
    after = start_of_day_after(day)
    decided_later = exists().where(
        Decision.proposal_id == Proposal.id,
        Decision.outcome == VoteChoice.APPROVE,
        or_(
            Decision.decided_on > day,
            and_(Decision.decided_on.is_(None), Decision.decided_at >= after),
        ),
    )
    # As `project_records` dates the end: the transition's own audit row, by the day it
    # took effect (before 0021: the day it was recorded).
    ended_by_then = exists().where(
        AuditRecord.proposal_id == Proposal.id,
        AuditRecord.from_state.is_not(None),
        AuditRecord.to_state.in_([ProposalState.COMPLETED, ProposalState.CANCELLED]),
        or_(
            AuditRecord.effective_on <= day,
            and_(AuditRecord.effective_on.is_(None), AuditRecord.at < after),
        ),
    )
    paid_later = exists().where(
        LedgerEntry.proposal_id == Proposal.id, LedgerEntry.value_date > day
    )
    return select(Proposal.id).where(
        Proposal.programme_id == programme_id,
        Proposal.status.in_(PROJECT_STATES),
        or_(
            Proposal.approved_at >= after,
            decided_later,
            and_(Proposal.status == ProposalState.CANCELLED, or_(~ended_by_then, paid_later)),
        ),
    )


def _fundings(ids: list[int]) -> list[Funding]:
    """The dated records of these projects, and the money that goes with them."""
    records = dict(project_records(None, only=ids))
    amounts = {
        pid: (money(budget), money(disbursed) - money(returned))
        for pid, budget, disbursed, returned in db.session.execute(
            select(
                Proposal.id,
                Proposal.approved_budget,
                Proposal.disbursed_total,
                Proposal.returned_total,
            ).where(among(Proposal.id, ids))
        )
    }
    added: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for pid, decided_on, decided_at, funds in db.session.execute(
        select(
            Decision.proposal_id,
            Decision.decided_on,
            Decision.decided_at,
            Decision.additional_funds,
        ).where(
            among(Decision.proposal_id, ids),
            Decision.extension_id.is_not(None),
            Decision.outcome == VoteChoice.APPROVE,
            Decision.additional_funds.is_not(None),
        )
    ):
        added[pid].append((decided_on or decided_at.date(), money(funds)))
    entries = signed_buckets().where(among(LedgerEntry.proposal_id, ids)).subquery()
    net = case(
        (entries.c.bucket == EntryKind.DISBURSEMENT, entries.c.signed),
        (entries.c.bucket == EntryKind.RETURN, -entries.c.signed),
        else_=0,
    )
    payments: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for pid, value_date, amount in db.session.execute(
        select(entries.c.proposal_id, entries.c.value_date, func.sum(net)).group_by(
            entries.c.proposal_id, entries.c.value_date
        )
    ):
        payments[pid].append((value_date, money(amount)))
    return [
        Funding(record, *amounts[pid], tuple(added[pid]), tuple(payments[pid]))
        for pid, record in records.items()
    ]
