"""Co-funding: finance staff or the secretariat record what other funders contributed to a
project, in the funder's currency with its rate to USD; the project's pages, the portfolio
overview and the annual report section show the USD totals.

A contribution is history: never edited. A mistaken one is withdrawn by a new row that
points at it (and repeats its figures, with the reason); the right figures are then recorded
as a new contribution. Withdrawn contributions and their withdrawals count in no total. (A
superseding row was the other choice; a withdrawal says the same for a correction and also
covers a contribution recorded on the wrong project, where there is nothing to supersede
with. It is the ledger's reversal, which finance staff know.)"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pycountry
from sqlalchemy import func, select

from prb.extensions import db
from prb.models import CENT, CoFunding, Proposal, User, utcnow
from prb.services import audit
from prb.services.access import get_visible_proposal, require_role
from prb.services.errors import Conflict, Invalid, NotFound
from prb.services.once import spend
from prb.services.sql import among
from prb.services.transaction import committed
from workflows import Role
from workflows.proposal import PROJECT_STATES

RECORDERS = (Role.FINANCE, Role.SECRETARIAT)
MAX_AMOUNT = Decimal("1000000000000.00")  # Numeric(14, 2)
MAX_RATE = Decimal("9999999999.99999999")  # Numeric(18, 8)
RATE_PLACES = Decimal("0.00000001")
ZERO = Decimal("0.00")
USD = "USD"
CHUNK = 5000  # under the databases' limits on bound parameters


# ISO 4217 codes that are no money a funder pays in: "no currency", the testing code,
# precious metals and the European bond-market units (the IMF's SDR, XDR, stays).
NOT_MONEY = frozenset(
    {"XXX", "XTS", "XAU", "XAG", "XPT", "XPD", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA"}
)


def currency_name(code: str) -> str | None:
    """The ISO 4217 currency's name, None when `code` is not one (pycountry's list) or is
    not money a contribution is paid in."""
    if len(code) != 3 or not code.isascii() or not code.isalpha():
        return None
    if code.upper() in NOT_MONEY:
        return None
    found = pycountry.currencies.get(alpha_3=code.upper())
    return found.name if found is not None else None


def usd_amount(amount: Decimal, rate_to_usd: Decimal) -> Decimal:
    """The contribution in USD: amount × rate, rounded half-up to the cent (as a treasury
    converts: 0.005 goes up), never by the banker's rounding Decimal does by default."""
    return (amount * rate_to_usd).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class CoFundingInput:
    funder: str
    amount: Decimal | None
    currency: str
    rate_to_usd: Decimal | None  # USD per unit of `currency`; 1 for USD
    contributed_on: date | None
    note: str = ""


def check(data: CoFundingInput, *, today: date) -> dict[str, list[str]]:
    """The input's faults by field (empty: none). Pure: plain values in, messages out."""
    errors: dict[str, list[str]] = {}
    funder = data.funder.strip()
    if not funder:
        errors["funder"] = ["Name the funder (e.g. Government of Switzerland)."]
    elif len(funder) > 200:
        errors["funder"] = ["Keep the funder's name under 200 characters."]
    code = data.currency.strip().upper()
    if currency_name(code) is None:
        errors["currency"] = ["Give the currency's three-letter ISO 4217 code (USD, EUR, CHF …)."]
    if data.amount is None or not data.amount.is_finite() or data.amount <= 0:
        errors["amount"] = ["Give a positive amount in the funder's currency."]
    elif data.amount != data.amount.quantize(CENT):
        errors["amount"] = ["Give the amount with two decimals at most."]
    elif data.amount >= MAX_AMOUNT:
        errors["amount"] = [f"{data.amount:,.2f} is not a plausible amount."]
    rate = data.rate_to_usd
    if rate is None or not rate.is_finite() or rate <= 0:
        errors["rate_to_usd"] = ["Give the rate to USD: a positive number (1 for USD)."]
    elif rate != rate.quantize(RATE_PLACES):
        errors["rate_to_usd"] = ["Give the rate with eight decimals at most."]
    elif rate > MAX_RATE:
        errors["rate_to_usd"] = ["That rate is not plausible."]
    elif code == USD and rate != 1:
        errors["rate_to_usd"] = ["A contribution in USD has the rate 1."]
    if not errors:
        assert data.amount is not None and rate is not None
        usd = usd_amount(data.amount, rate)
        if usd <= 0:
            errors["amount"] = ["This amount is less than one US cent at this rate."]
        elif usd >= MAX_AMOUNT:
            errors["amount"] = ["This amount in USD is not plausible."]
    if data.contributed_on is None:
        errors["contributed_on"] = ["Give the date of the contribution."]
    elif data.contributed_on > today:
        errors["contributed_on"] = ["The date cannot be in the future."]
    elif data.contributed_on.year < 2000:
        errors["contributed_on"] = ["Check the year."]
    if len(data.note) > 1000:
        errors["note"] = ["Keep the note under 1,000 characters."]
    return errors


def _project(actor: User, proposal_id: int, *, for_update: bool = False) -> Proposal:
    proposal = get_visible_proposal(actor, proposal_id, for_update=for_update)
    if proposal.status not in PROJECT_STATES:
        raise Conflict(
            f"{proposal.display_code} is {proposal.status_label}: co-funding is recorded for "
            "projects the Board has approved."
        )
    return proposal


def record_co_funding(
    actor: User, proposal_id: int, data: CoFundingInput, *, once: str | None = None
) -> CoFunding:
    """Finance staff or the secretariat record another funder's contribution."""
    require_role(actor, *RECORDERS, action="record co-funding")
    errors = check(data, today=utcnow().date())
    if errors:
        raise Invalid(
            "The contribution was not recorded: please correct the fields marked.", errors
        )
    assert data.amount is not None and data.rate_to_usd is not None
    with committed():
        proposal = _project(actor, proposal_id, for_update=True)
        spend(once, actor, "co-funding")
        code = data.currency.strip().upper()
        row = CoFunding(
            proposal_id=proposal.id,
            funder=data.funder.strip(),
            amount=data.amount,
            currency=code,
            rate_to_usd=data.rate_to_usd,
            usd_amount=usd_amount(data.amount, data.rate_to_usd),
            contributed_on=data.contributed_on,
            note=data.note.strip(),
            recorded_by_id=actor.id,
        )
        db.session.add(row)
        db.session.flush()
        audit.record(
            "co_funding_recorded",
            actor=actor,
            role=_role(actor),
            proposal=proposal,
            comment=f"{row.funder}: {code} {row.amount:,.2f} (USD {row.usd_amount:,.2f})",
        )
    return row


def withdraw_co_funding(
    actor: User, proposal_id: int, contribution_id: int, reason: str, *, once: str | None = None
) -> CoFunding:
    """Withdraw a contribution recorded by mistake: a new row, the reason its note."""
    require_role(actor, *RECORDERS, action="withdraw co-funding")
    reason = reason.strip()
    if not reason:
        raise Invalid("Nothing was withdrawn: say why.", {"reason": ["Say why it is withdrawn."]})
    if len(reason) > 1000:
        raise Invalid(
            "Nothing was withdrawn: the reason is too long.",
            {"reason": ["Keep the reason under 1,000 characters."]},
        )
    with committed():
        proposal = _project(actor, proposal_id, for_update=True)
        spend(once, actor, "co-funding withdrawal")
        original = db.session.get(CoFunding, contribution_id)
        if original is None or original.proposal_id != proposal.id:
            raise NotFound("There is no such contribution in this project's co-funding.")
        if original.is_withdrawal:
            raise Conflict(
                "A withdrawal cannot itself be withdrawn; record the contribution again."
            )
        if db.session.scalar(select(CoFunding.id).where(CoFunding.withdraws_id == original.id)):
            raise Conflict("This contribution has already been withdrawn.")
        row = CoFunding(
            proposal_id=proposal.id,
            funder=original.funder,
            amount=original.amount,
            currency=original.currency,
            rate_to_usd=original.rate_to_usd,
            usd_amount=original.usd_amount,
            contributed_on=original.contributed_on,
            note=reason,
            withdraws_id=original.id,
            recorded_by_id=actor.id,
        )
        db.session.add(row)
        db.session.flush()
        audit.record(
            "co_funding_withdrawn",
            actor=actor,
            role=_role(actor),
            proposal=proposal,
            comment=f"Contribution {original.id} ({original.funder}) withdrawn: {reason}",
        )
    return row


def _role(actor: User) -> str:
    return Role.FINANCE if actor.has_role(Role.FINANCE) else Role.SECRETARIAT


@dataclass(frozen=True)
class Line:
    """A row as the project's pages list it."""

    row: CoFunding
    withdrawn_by: CoFunding | None  # the withdrawal of this contribution, if any

    @property
    def counts(self) -> bool:
        return not self.row.is_withdrawal and self.withdrawn_by is None


@dataclass(frozen=True)
class Listing:
    lines: list[Line]
    total_usd: Decimal
    can_record: bool

    @property
    def withdrawable(self) -> list[CoFunding]:
        return [line.row for line in self.lines if line.counts]


def listing(actor: User, proposal: Proposal) -> Listing:
    """A project's co-funding as its pages show it (`proposal` read through access already).
    One query."""
    rows = list(
        db.session.scalars(
            select(CoFunding)
            .where(CoFunding.proposal_id == proposal.id)
            .order_by(CoFunding.contributed_on, CoFunding.id)
        ).unique()
    )
    withdrawals = {r.withdraws_id: r for r in rows if r.withdraws_id is not None}
    lines = [Line(r, withdrawals.get(r.id)) for r in rows]
    total = sum((line.row.usd_amount for line in lines if line.counts), ZERO)
    can_record = actor.has_role(*RECORDERS) and proposal.status in PROJECT_STATES
    return Listing(lines, total, can_record)


def _counting(as_at: date | None):  # type: ignore[no-untyped-def]
    """SQL condition: the contributions that count (on or before `as_at`, when given)."""
    withdrawn = select(CoFunding.withdraws_id).where(CoFunding.withdraws_id.is_not(None))
    conditions = [CoFunding.withdraws_id.is_(None), CoFunding.id.not_in(withdrawn)]
    if as_at is not None:
        conditions.append(CoFunding.contributed_on <= as_at)
    return conditions


def usd_totals(ids: Sequence[int], as_at: date | None = None) -> dict[int, Decimal]:
    """Each project's co-funding in USD contributed on or before `as_at` (every contribution
    when None), projects without any left out. One query per chunk of projects."""
    found: dict[int, Decimal] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        for pid, total in db.session.execute(
            select(CoFunding.proposal_id, func.sum(CoFunding.usd_amount))
            .where(among(CoFunding.proposal_id, chunk), *_counting(as_at))
            .group_by(CoFunding.proposal_id)
        ):
            found[pid] = Decimal(total).quantize(CENT)
    return found


@dataclass(frozen=True)
class Contribution:
    """A contribution that counts, as a report prints it."""

    proposal_id: int
    funder: str
    amount: Decimal
    currency: str
    usd_amount: Decimal
    contributed_on: date


def contributions(ids: Sequence[int], as_at: date) -> dict[int, list[Contribution]]:
    """The contributions that count for these projects on `as_at`, by project, in date
    order. One query per chunk."""
    found: dict[int, list[Contribution]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        for pid, funder, amount, currency, usd, on in db.session.execute(
            select(
                CoFunding.proposal_id,
                CoFunding.funder,
                CoFunding.amount,
                CoFunding.currency,
                CoFunding.usd_amount,
                CoFunding.contributed_on,
            )
            .where(CoFunding.proposal_id.in_(chunk), *_counting(as_at))
            .order_by(CoFunding.contributed_on, CoFunding.id)
        ):
            found.setdefault(pid, []).append(Contribution(pid, funder, amount, currency, usd, on))
    return found
