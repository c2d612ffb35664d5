"""A project's balances: approved, committed, disbursed, returned, from its running totals or
from the ledger itself, and the rules the balances must keep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import aliased

from prb.models import CENT, EntryKind, LedgerEntry, Proposal, utcnow
from prb.services import calendar

ZERO = Decimal("0.00")


_NO_PERCENT = Decimal("0.0")  # printed as every other percentage is: "0.0%", not "0.00%"


@dataclass(frozen=True)
class Balances:
    approved: Decimal = ZERO
    committed: Decimal = ZERO  # commitments less releases
    disbursed: Decimal = ZERO
    returned: Decimal = ZERO

    @property
    def net_disbursed(self) -> Decimal:
        return self.disbursed - self.returned

    @property
    def balance(self) -> Decimal:
        """Approved funds not (or no longer) paid out."""
        return self.approved - self.net_disbursed

    @property
    def undisbursed_commitment(self) -> Decimal:
        return self.committed - self.disbursed

    @property
    def percent_disbursed(self) -> Decimal:
        if not self.approved:
            return _NO_PERCENT
        # Half up, as every amount PRB works out (co-funding in USD too): a reader checks
        # the figure by hand that way, not by banker's rounding.
        return (self.net_disbursed * 100 / self.approved).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )

    def problem(self) -> str | None:
        """Why these balances break the ledger's rules, or None."""
        if self.committed < 0 or self.disbursed < 0 or self.returned < 0:
            return "the totals would fall below zero"
        if self.committed > self.approved:
            return (
                f"commitments of USD {self.committed:,.2f} would exceed the approved budget of "
                f"USD {self.approved:,.2f} by USD {self.committed - self.approved:,.2f}"
            )
        if self.disbursed > self.committed:
            return (
                f"disbursements of USD {self.disbursed:,.2f} would exceed the USD "
                f"{self.committed:,.2f} committed by USD {self.disbursed - self.committed:,.2f}"
            )
        if self.returned > self.disbursed:
            return (
                f"returns of USD {self.returned:,.2f} would exceed the USD "
                f"{self.disbursed:,.2f} disbursed by USD {self.returned - self.disbursed:,.2f}"
            )
        return None

    def with_entry(self, kind: str, amount: Decimal) -> Balances:
        delta = {
            EntryKind.COMMITMENT: (amount, ZERO, ZERO),
            EntryKind.RELEASE: (-amount, ZERO, ZERO),
            EntryKind.DISBURSEMENT: (ZERO, amount, ZERO),
            EntryKind.RETURN: (ZERO, ZERO, amount),
        }[EntryKind(kind)]
        return Balances(
            self.approved,
            self.committed + delta[0],
            self.disbursed + delta[1],
            self.returned + delta[2],
        )


def signed_buckets() -> Select:  # type: ignore[type-arg]
    """(proposal_id, value_date, bucket, signed amount) for every entry: a reversal counts
    against the kind of the entry it reverses; a release against commitments."""
    original = aliased(LedgerEntry)
    bucket = func.coalesce(original.kind, LedgerEntry.kind)
    signed = case(
        (LedgerEntry.kind == EntryKind.REVERSAL, -LedgerEntry.amount), else_=LedgerEntry.amount
    )
    return (
        select(
            LedgerEntry.proposal_id.label("proposal_id"),
            LedgerEntry.value_date.label("value_date"),
            bucket.label("bucket"),
            signed.label("signed"),
        )
        .select_from(LedgerEntry)
        .outerjoin(original, LedgerEntry.reverses_id == original.id)
    )


def totals_subquery():  # type: ignore[no-untyped-def]
    """Per project: committed, disbursed, returned — one row per project with entries."""
    rows = signed_buckets().subquery()

    def total(*kinds: str, sign: int = 1):  # type: ignore[no-untyped-def]
        return func.coalesce(
            func.sum(case((rows.c.bucket.in_(kinds), rows.c.signed * sign), else_=literal(0))),
            0,
        )

    committed = total(EntryKind.COMMITMENT) + total(EntryKind.RELEASE, sign=-1)
    return (
        select(
            rows.c.proposal_id,
            committed.label("committed"),
            total(EntryKind.DISBURSEMENT).label("disbursed"),
            total(EntryKind.RETURN).label("returned"),
        )
        .group_by(rows.c.proposal_id)
        .subquery()
    )


def money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def balances(proposal: Proposal) -> Balances:
    """From the project's running totals (kept with every entry; `totals_subquery` is the
    ledger's own account of them, which the tests hold them to)."""
    return Balances(
        proposal.approved_budget or ZERO,
        proposal.committed_total or ZERO,
        proposal.disbursed_total or ZERO,
        proposal.returned_total or ZERO,
    )


def burn_rate(proposal: Proposal, b: Balances, today: date | None = None) -> Decimal | None:
    """Net disbursed per calendar month since the project started (its days counted: from
    28 February, 2 December is 9.13 months on, not 10); a first month counts as a whole."""
    start = proposal.actual_start or proposal.period_start
    today = today or utcnow().date()
    if start is None or start > today:
        return None
    months = max(Decimal(1), calendar.months_elapsed(start, today))
    # Kept in an extension's finance review as written: rounded half up, as it is checked.
    return (b.net_disbursed / months).quantize(CENT, rounding=ROUND_HALF_UP)
