"""A programme's envelope: what its projects have taken of it, and what is left."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from sqlalchemy import func, select

from prb.extensions import db
from prb.models import FundingProgramme, PortfolioTotals
from prb.services.errors import Invalid
from prb.services.finance.balances import money


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


class Room(Protocol):
    total: Decimal
    used: Decimal

    @property
    def left(self) -> Decimal: ...


def ensure_within_envelope(
    programme: FundingProgramme,
    extra: Decimal,
    what: str,
    *,
    then: Room | None = None,
    on: str = "",
) -> None:
    """Refuse `extra` more approved budget when the envelope cannot hold it: today's, or
    `then` — the envelope as at the day of a decision entered after the fact (`on` says
    which day, for the message). The caller holds the programme row lock, so two approvals
    cannot both fit into the same remainder."""
    env: Room = then if then is not None else envelope(programme)
    if env.used + extra > env.total:
        over = env.used + extra - env.total
        when, verb = (f" on {on}", "was") if on else ("", "is")
        raise Invalid(
            f"{what} of USD {extra:,.2f} would exceed the envelope of {programme.code}{when} "
            f"(USD {env.total:,.2f}) by USD {over:,.2f}: USD {env.used:,.2f} {verb} already "
            f"approved and USD {env.left:,.2f} {verb} left. Nothing was recorded.",
            {"budget": [f"At most USD {env.left:,.2f} {verb} left in the envelope{when}."]},
        )
