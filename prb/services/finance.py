"""Finance: the programme envelope, each project's ledger and balances, project dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import aliased

from prb.extensions import db
from prb.models import (
    CENT,
    EntryKind,
    FundingProgramme,
    LedgerEntry,
    PortfolioTotals,
    Proposal,
    User,
    utcnow,
)
from prb.services import audit, totals
from prb.services.access import chairs_group, get_visible_proposal, require_role
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.once import spend
from prb.services.transaction import committed
from workflows import ProposalState, Role
from workflows.proposal import PROJECT_STATES

ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("1000000000.00")
S = ProposalState


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
            return ZERO
        return (self.net_disbursed * 100 / self.approved).quantize(Decimal("0.1"))

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


def _signed_buckets() -> Select:  # type: ignore[type-arg]
    """(proposal_id, bucket, signed amount) for every entry: a reversal counts against the
    kind of the entry it reverses; a release against commitments."""
    original = aliased(LedgerEntry)
    bucket = func.coalesce(original.kind, LedgerEntry.kind)
    signed = case(
        (LedgerEntry.kind == EntryKind.REVERSAL, -LedgerEntry.amount), else_=LedgerEntry.amount
    )
    return (
        select(
            LedgerEntry.proposal_id.label("proposal_id"),
            bucket.label("bucket"),
            signed.label("signed"),
        )
        .select_from(LedgerEntry)
        .outerjoin(original, LedgerEntry.reverses_id == original.id)
    )


def totals_subquery():  # type: ignore[no-untyped-def]
    """Per project: committed, disbursed, returned — one row per project with entries."""
    rows = _signed_buckets().subquery()

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


# -- the envelope ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Envelope:
    programme: FundingProgramme
    used: Decimal

    @property
    def total(self) -> Decimal:
        return self.programme.envelope

    @property
    def left(self) -> Decimal:
        return self.total - self.used


def envelope(programme: FundingProgramme) -> Envelope:
    """Used = approved budgets of the programme's projects; a cancelled project keeps only
    what it was paid (net of returns)."""
    return envelopes([programme])[0]


def envelopes(programmes: list[FundingProgramme]) -> list[Envelope]:
    """The envelopes of several programmes, in one query over the running totals."""
    used = dict(
        db.session.execute(
            select(
                PortfolioTotals.programme_id,
                func.sum(PortfolioTotals.approved + PortfolioTotals.cancelled_paid),
            )
            .where(PortfolioTotals.programme_id.in_([p.id for p in programmes]))
            .group_by(PortfolioTotals.programme_id)
        ).all()
    )
    return [Envelope(p, money(used.get(p.id))) for p in programmes]


def ensure_within_envelope(programme: FundingProgramme, extra: Decimal, what: str) -> None:
    """Refuse `extra` more approved budget when the envelope cannot hold it. The caller holds
    the programme row lock, so two approvals cannot both fit into the same remainder."""
    env = envelope(programme)
    if env.used + extra > env.total:
        over = env.used + extra - env.total
        raise Invalid(
            f"{what} of USD {extra:,.2f} would exceed the envelope of {programme.code} "
            f"(USD {env.total:,.2f}) by USD {over:,.2f}: USD {env.used:,.2f} is already "
            f"approved and USD {env.left:,.2f} is left. Nothing was recorded.",
            {"budget": [f"At most USD {env.left:,.2f} is left in the envelope."]},
        )


# -- the ledger -----------------------------------------------------------------------------

# Which entries a project may receive in each of its states.
ENTRY_STATES: dict[str, frozenset[str]] = {
    EntryKind.COMMITMENT: frozenset({S.APPROVED, S.INITIATED, S.ONGOING, S.EXTENDED}),
    EntryKind.DISBURSEMENT: frozenset({S.INITIATED, S.ONGOING, S.EXTENDED}),
    EntryKind.RETURN: frozenset({S.INITIATED, S.ONGOING, S.EXTENDED, S.CANCELLED}),
    EntryKind.RELEASE: frozenset({S.APPROVED, S.INITIATED, S.ONGOING, S.EXTENDED, S.CANCELLED}),
    EntryKind.REVERSAL: frozenset({S.APPROVED, S.INITIATED, S.ONGOING, S.EXTENDED, S.CANCELLED}),
}


@dataclass
class EntryInput:
    kind: str
    amount: Decimal | None
    value_date: date | None
    reference: str = ""
    note: str = ""
    reverses_id: int | None = None


def _lock_project(actor: User, proposal_id: int) -> Proposal:
    proposal = get_visible_proposal(actor, proposal_id, for_update=True)
    if proposal.status not in PROJECT_STATES:
        raise Conflict(
            f"{proposal.display_code} is {proposal.status_label}: it has no ledger until the "
            "Board approves it."
        )
    return proposal


def record_entry(
    actor: User, proposal_id: int, data: EntryInput, *, once: str | None = None
) -> LedgerEntry:
    """A finance officer adds a ledger entry. The project row is locked for the whole
    transaction, so two officers recording at once can never overdraw it."""
    require_role(actor, Role.FINANCE, action="record ledger entries")
    errors: dict[str, list[str]] = {}
    try:
        kind = EntryKind(data.kind)
    except ValueError:
        raise Invalid("Choose the kind of entry.", {"kind": ["Choose from the list."]}) from None
    if kind is not EntryKind.REVERSAL:
        if data.amount is None or data.amount <= 0:
            errors["amount"] = ["Give a positive amount in USD."]
        elif data.amount != data.amount.quantize(CENT):
            errors["amount"] = ["Give the amount in dollars and cents (two decimals at most)."]
        elif data.amount > MAX_AMOUNT:
            errors["amount"] = [f"USD {data.amount:,.2f} is not a plausible amount."]
    today = utcnow().date()
    if data.value_date is None:
        errors["value_date"] = ["Give the date of the entry."]
    elif data.value_date > today:
        errors["value_date"] = ["The date cannot be in the future."]
    elif data.value_date.year < 2000:
        errors["value_date"] = ["Check the year."]
    if len(data.reference) > 100:
        errors["reference"] = ["Keep the reference under 100 characters."]
    if len(data.note) > 1000:
        errors["note"] = ["Keep the note under 1,000 characters."]
    if kind is EntryKind.REVERSAL and data.reverses_id is None:
        errors["reverses_id"] = ["Choose the entry to reverse."]
    if errors:
        raise Invalid("The entry was not recorded: please correct the fields marked.", errors)
    with committed():
        proposal = _lock_project(actor, proposal_id)
        spend(once, actor, "ledger entry")
        if proposal.status not in ENTRY_STATES[kind]:
            raise Conflict(
                f"A {kind.label.lower()} cannot be recorded while the project is "
                f"{proposal.status_label}."
            )
        current = balances(proposal)
        reversed_entry = None
        if kind is EntryKind.REVERSAL:
            reversed_entry = db.session.get(LedgerEntry, data.reverses_id)
            if reversed_entry is None or reversed_entry.proposal_id != proposal.id:
                raise NotFound("There is no such entry in this project's ledger.")
            if reversed_entry.kind == EntryKind.REVERSAL:
                raise Conflict("A reversal cannot itself be reversed; record a new entry.")
            if db.session.scalar(
                select(LedgerEntry.id).where(LedgerEntry.reverses_id == reversed_entry.id)
            ):
                raise Conflict("This entry has already been reversed.")
            amount = reversed_entry.amount
            after = current.with_entry(reversed_entry.kind, -amount)
        else:
            assert data.amount is not None
            amount = data.amount
            after = current.with_entry(kind, amount)
        problem = after.problem()
        if problem:
            raise Invalid(
                f"Refused: {problem}. Nothing was recorded.",
                {"amount": [problem[0].upper() + problem[1:] + "."]},
            )
        proposal.committed_total = after.committed
        proposal.disbursed_total = after.disbursed
        proposal.returned_total = after.returned
        paid = (after.disbursed - current.disbursed) - (after.returned - current.returned)
        totals.add(
            proposal,
            committed=after.committed - current.committed,
            disbursed=after.disbursed - current.disbursed,
            returned=after.returned - current.returned,
            cancelled_paid=paid if proposal.status == S.CANCELLED else ZERO,
        )
        entry = LedgerEntry(
            proposal_id=proposal.id,
            kind=kind,
            amount=amount,
            value_date=data.value_date,
            reference=data.reference.strip(),
            note=data.note.strip(),
            reverses=reversed_entry,
            recorded_by_id=actor.id,
        )
        db.session.add(entry)
        db.session.flush()
        what = f"{kind.label} of USD {amount:,.2f}"
        if reversed_entry is not None:
            what += f" (reverses entry {reversed_entry.id}, {reversed_entry.kind_label.lower()})"
        audit.record(
            f"ledger_{kind}",
            actor=actor,
            role=Role.FINANCE,
            proposal=proposal,
            comment=what + (f" — {entry.reference}" if entry.reference else ""),
        )
    return entry


def ledger(proposal: Proposal) -> list[LedgerEntry]:
    return list(
        db.session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.proposal_id == proposal.id)
            .order_by(LedgerEntry.value_date, LedgerEntry.id)
        ).unique()
    )


def reversible_entries(proposal: Proposal) -> list[LedgerEntry]:
    reversed_ids = select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.is_not(None))
    return list(
        db.session.scalars(
            select(LedgerEntry)
            .where(
                LedgerEntry.proposal_id == proposal.id,
                LedgerEntry.kind != EntryKind.REVERSAL,
                LedgerEntry.id.not_in(reversed_ids),
            )
            .order_by(LedgerEntry.id)
        ).unique()
    )


# -- project dates and the final report ----------------------------------------------------


@dataclass
class ProjectDates:
    actual_start: date | None
    final_report_on: date | None
    spent_reported: Decimal | None


def record_project_dates(actor: User, proposal_id: int, data: ProjectDates) -> Proposal:
    require_role(actor, Role.FINANCE, action="record project dates")
    errors: dict[str, list[str]] = {}
    today = utcnow().date()
    for name in ("actual_start", "final_report_on"):
        value = getattr(data, name)
        if value is not None and value > today:
            errors[name] = ["The date cannot be in the future."]
    if data.actual_start and data.final_report_on and data.final_report_on < data.actual_start:
        errors["final_report_on"] = ["The final report cannot predate the start."]
    if data.spent_reported is not None and (
        data.spent_reported < 0 or data.spent_reported != data.spent_reported.quantize(CENT)
    ):
        errors["spent_reported"] = ["Give the amount spent in dollars and cents (0 or more)."]
    if data.spent_reported is not None and data.final_report_on is None:
        errors["final_report_on"] = ["Give the date of the final report that states the amount."]
    if errors:
        raise Invalid("Nothing was saved: please correct the fields marked.", errors)
    with committed():
        proposal = _lock_project(actor, proposal_id)
        if proposal.status in (S.COMPLETED, S.CANCELLED):
            raise Conflict(f"The project is {proposal.status_label}; its dates are final.")
        changes = []
        for name, label in (
            ("actual_start", "actual start"),
            ("final_report_on", "final report"),
            ("spent_reported", "amount spent"),
        ):
            value = getattr(data, name)
            if getattr(proposal, name) != value:
                setattr(proposal, name, value)
                changes.append(f"{label}: {value if value is not None else 'cleared'}")
        if changes:
            audit.record(
                "project_dates",
                actor=actor,
                role=Role.FINANCE,
                proposal=proposal,
                comment="; ".join(changes),
            )
    return proposal


def can_see_ledger(user: User, proposal: Proposal) -> bool:
    """Finance and the secretariat see every project's ledger; a chair her own projects'."""
    return user.has_role(Role.FINANCE, Role.SECRETARIAT) or chairs_group(
        user, proposal.working_group_id
    )


def burn_rate(proposal: Proposal, b: Balances, today: date | None = None) -> Decimal | None:
    """Net disbursed per month since the project started."""
    start = proposal.actual_start or proposal.period_start
    today = today or utcnow().date()
    if start is None or start > today:
        return None
    months = max(1, (today.year - start.year) * 12 + today.month - start.month)
    return (b.net_disbursed / months).quantize(CENT)
