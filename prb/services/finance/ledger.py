"""Each project's ledger: a finance officer records commitments, disbursements, returns,
releases and reversals, within the balances' rules; who may see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from prb.extensions import db
from prb.models import CENT, EntryKind, LedgerEntry, Proposal, User, utcnow
from prb.services import audit, totals
from prb.services.access import chairs_group, get_visible_proposal, require_role
from prb.services.calendar import long_date
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.finance.balances import ZERO, balances
from prb.services.once import spend
from prb.services.reporting_notes import approved_on as approval_date
from prb.services.transaction import committed
from workflows import ProposalState, Role
from workflows.proposal import PROJECT_STATES

MAX_AMOUNT = Decimal("1000000000.00")
S = ProposalState

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


def lock_project(actor: User, proposal_id: int) -> Proposal:
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
        proposal = lock_project(actor, proposal_id)
        spend(once, actor, "ledger entry")
        if proposal.status not in ENTRY_STATES[kind]:
            raise Conflict(
                f"A {kind.label.lower()} cannot be recorded while the project is "
                f"{proposal.status_label}."
            )
        approved_on = approval_date(proposal)
        if approved_on is not None and data.value_date < approved_on:  # type: ignore[operator]
            # Money moves on a project only once the Board approved it: an entry dated
            # before would make the overview as at that day show it initiated unapproved.
            raise Invalid(
                "The entry was not recorded: please correct the fields marked.",
                {
                    "value_date": [
                        f"The Board approved this project on {long_date(approved_on)}: an "
                        "entry cannot be dated before that."
                    ]
                },
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
            if data.value_date < reversed_entry.value_date:  # type: ignore[operator]
                # Sorted by date, the ledger would undo an entry before it was made.
                raise Invalid(
                    "The entry was not recorded: please correct the fields marked.",
                    {
                        "value_date": [
                            f"A reversal is dated on or after the entry it reverses (entry "
                            f"{reversed_entry.id}: {long_date(reversed_entry.value_date)})."
                        ]
                    },
                )
            if data.amount is not None and data.amount != amount:
                # A reversal undoes the whole entry; an amount typed for it that differs is
                # a mistake to show, not to replace silently.
                raise Invalid(
                    "The entry was not recorded: please correct the fields marked.",
                    {
                        "amount": [
                            f"A reversal undoes the whole entry {reversed_entry.id}: USD "
                            f"{amount:,.2f}. Leave the amount empty or give that amount; to "
                            "correct part of it, reverse it and record the right entry."
                        ]
                    },
                )
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
        if kind is EntryKind.DISBURSEMENT:
            # Imported here: the notifications read the Board's seats, whose package uses
            # finance.
            from prb.services.notifications import events

            events.disbursement_recorded(proposal, entry)
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


def can_see_ledger(user: User, proposal: Proposal) -> bool:
    """Finance and the secretariat see every project's ledger; a chair her own projects'."""
    return user.has_role(Role.FINANCE, Role.SECRETARIAT) or chairs_group(
        user, proposal.working_group_id
    )
