"""Co-funding: what other funders gave a project besides the seed funds ("with financial
support from the Government of Switzerland in addition to the seed funding")."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from prb.extensions import db
from prb.models.immutable import make_append_only
from prb.models.types import Money, UTCDateTime, utcnow
from prb.models.user import User

# USD per one unit of the contribution's currency. Eight places hold the rates treasuries
# publish (1 CHF = 1.01832000 USD) and small ones (1 IDR = 0.00006900 USD) unrounded.
Rate = Numeric(18, 8, asdecimal=True)


class CoFunding(db.Model):
    """One contribution from another funder, or the withdrawal of one recorded by mistake.

    Rows are only added (the database refuses UPDATE and DELETE). A withdrawal row points at
    the contribution it withdraws (`withdraws_id`, at most one per contribution) and repeats
    its figures, so each row reads on its own; a withdrawn contribution and its withdrawal
    count for nothing in any total, at any date: the mistake is kept, never counted. A
    correction is a withdrawal followed by the right contribution."""

    __tablename__ = "co_funding"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("rate_to_usd > 0", name="rate_positive"),
        CheckConstraint("usd_amount > 0", name="usd_amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    funder: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)  # in `currency`
    currency: Mapped[str] = mapped_column(String(3))  # ISO 4217
    rate_to_usd: Mapped[Decimal] = mapped_column(Rate)  # USD per unit of `currency`
    usd_amount: Mapped[Decimal] = mapped_column(Money)  # amount × rate, half-up to cents
    contributed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(1000), default="")
    withdraws_id: Mapped[int | None] = mapped_column(ForeignKey("co_funding.id"), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User] = relationship(lazy="joined")

    @property
    def is_withdrawal(self) -> bool:
        return self.withdraws_id is not None


make_append_only(CoFunding.__table__)
