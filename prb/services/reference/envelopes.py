"""A programme's envelope over time. Each change is a dated row with its reason, never edited
(the table refuses it); `FundingProgramme.envelope` is the amount of the row in force, the
latest by date, which approvals are checked against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from prb.extensions import db
from prb.models import CENT, EnvelopeChange, FundingProgramme, User
from prb.services import finance
from prb.services.access import require_administrator
from prb.services.calendar import long_date
from prb.services.errors import Invalid, NotFound
from prb.services.once import spend
from prb.services.reference.common import record, today
from prb.services.transaction import committed, locked

ZERO = Decimal("0.00")
# Below the largest amount the money columns hold.
MAX_ENVELOPE = Decimal("100000000000.00")
REASON_LIMIT = 2000


def amount_problem(amount: Decimal | None) -> str | None:
    if amount is None:
        return "Give the envelope in US dollars, for example 1356000.00."
    if not amount.is_finite() or amount < 0:
        return "Give an amount of zero or more."
    if amount != amount.quantize(CENT):
        return "Give the amount in dollars and cents (at most two decimals)."
    if amount >= MAX_ENVELOPE:
        return f"Give an amount below USD {MAX_ENVELOPE:,.2f}."
    return None


@dataclass
class EnvelopeChangeInput:
    effective_on: date | None
    amount: Decimal | None
    reason: str

    def __post_init__(self) -> None:
        self.reason = self.reason.strip()


@dataclass(frozen=True)
class HistoryRow:
    change: EnvelopeChange
    recorded_by: str | None
    in_force: bool  # the row that sets the envelope today


def _ordered():  # type: ignore[no-untyped-def]
    return (EnvelopeChange.effective_on.desc(), EnvelopeChange.id.desc())


def _latest(programme_id: int, on_or_before: date | None = None) -> EnvelopeChange | None:
    stmt = select(EnvelopeChange).where(EnvelopeChange.programme_id == programme_id)
    if on_or_before is not None:
        stmt = stmt.where(EnvelopeChange.effective_on <= on_or_before)
    return db.session.scalars(stmt.order_by(*_ordered()).limit(1)).first()


def _first(programme_id: int) -> EnvelopeChange | None:
    return db.session.scalars(
        select(EnvelopeChange)
        .where(EnvelopeChange.programme_id == programme_id)
        .order_by(EnvelopeChange.effective_on, EnvelopeChange.id)
        .limit(1)
    ).first()


def envelope_on(programme_id: int, day: date) -> Decimal:
    """The programme's envelope as it stood on `day` (zero before its first envelope)."""
    row = _latest(programme_id, day)
    if row is not None:
        return row.amount
    programme = db.session.get(FundingProgramme, programme_id)
    if programme is None:
        raise NotFound(f"There is no funding programme number {programme_id}.")
    has_history = _latest(programme_id) is not None
    # A programme without any dated row (made before envelopes had a history) has only the
    # one amount it was given.
    return ZERO if has_history else programme.envelope


def envelope_for_decisions_on(programme_id: int, day: date) -> Decimal:
    """The envelope a Board decision of `day` is set against: the one in force that day.
    Before the programme's first dated envelope (the Board may approve a project before its
    programme's first year: UNCCT-2019-02-79-D, December 2018), the first one, the envelope
    the programme opened with: PRB checked the approval against an envelope, never against
    none, and minutes printing USD 0.00 with the approval over it would say otherwise."""
    if _latest(programme_id, day) is None:
        first = _first(programme_id)
        if first is not None:
            return first.amount
    return envelope_on(programme_id, day)


def history(programme_id: int) -> list[HistoryRow]:
    """Every change, latest effective date first, with who recorded it."""
    rows = db.session.execute(
        select(EnvelopeChange, User.name)
        .outerjoin(User, User.id == EnvelopeChange.recorded_by_id)
        .where(EnvelopeChange.programme_id == programme_id)
        .order_by(*_ordered())
    ).all()
    in_force = _latest(programme_id, today())
    return [
        HistoryRow(change, name, in_force is not None and change.id == in_force.id)
        for change, name in rows
    ]


def _date_problem(programme: FundingProgramme, first: EnvelopeChange | None, day: date) -> str:
    # Any earlier date is taken: a Board may approve projects of a programme before its
    # first year (UNCCT-2019-02-79-D, decided in December 2018), and the envelope in force
    # then is recorded by a change dated then — refusing it left such a year at USD 0.00.
    start = first.effective_on if first else date(programme.start_year, 1, 1)
    # A date ahead of today would set the envelope checked today; a programme that has not
    # started yet may take changes up to its start.
    latest_allowed = max(today(), start)
    if day > latest_allowed:
        return (
            f"Give {long_date(latest_allowed)} or an earlier date: "
            "record a change once it is decided."
        )
    return ""


def change_envelope(
    actor: User, programme_id: int, data: EnvelopeChangeInput, *, once: str | None = None
) -> EnvelopeChange:
    """A new envelope from a date, with its reason. When it is the latest by date it becomes
    the envelope in force, and may not fall below what the programme has already approved."""
    require_administrator(actor, action="change a programme's envelope")
    with committed():
        spend(once, actor, "change envelope")
        # Locked as an approval locks it: an approval and a cut cannot both pass.
        programme = locked(FundingProgramme, programme_id, "funding programme")
        errors: dict[str, list[str]] = {}
        problem = amount_problem(data.amount)
        if problem:
            errors["amount"] = [problem]
        first = _first(programme.id)
        if data.effective_on is None:
            errors["effective_on"] = ["Give the date from which the new envelope applies."]
        else:
            problem = _date_problem(programme, first, data.effective_on)
            if problem:
                errors["effective_on"] = [problem]
        if not data.reason:
            errors["reason"] = ["Say why the envelope changes (e.g. the donor's pledge)."]
        elif len(data.reason) > REASON_LIMIT:
            errors["reason"] = [f"Keep the reason under {REASON_LIMIT} characters."]
        if errors:
            raise Invalid("The envelope was not changed: please correct the fields.", errors)
        assert data.amount is not None and data.effective_on is not None
        amount = data.amount.quantize(CENT)
        latest = _latest(programme.id)
        takes_effect = latest is None or data.effective_on >= latest.effective_on
        before = {"envelope": programme.envelope}
        if takes_effect:
            used = finance.envelope(programme).used
            if amount < used:
                raise Invalid(
                    f"An envelope of USD {amount:,.2f} would be USD "
                    f"{used - amount:,.2f} below the USD {used:,.2f} that {programme.code} "
                    f"has already approved (envelope now USD {programme.envelope:,.2f}). "
                    "Nothing was recorded.",
                    {"amount": [f"Give at least USD {used:,.2f}, the amount already approved."]},
                )
            programme.envelope = amount
        change = EnvelopeChange(
            programme_id=programme.id,
            effective_on=data.effective_on,
            amount=amount,
            reason=data.reason,
            recorded_by_id=actor.id,
        )
        db.session.add(change)
        db.session.flush()
        record(
            "envelope_changed",
            actor,
            "programme",
            programme.id,
            before,
            {
                "envelope": programme.envelope,
                "change_effective_on": change.effective_on,
                "change_amount": change.amount,
                "change_reason": change.reason,
            },
        )
    return change
