"""Portfolio totals per programme and working group, kept up to date by the services, so
that dashboards and the envelope check read a handful of rows whatever the portfolio size."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from prb.extensions import db
from prb.models.types import Money

ZERO = Decimal("0.00")


class PortfolioTotals(db.Model):
    __tablename__ = "portfolio_totals"

    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), primary_key=True)
    working_group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id"), primary_key=True)
    projects: Mapped[int] = mapped_column(Integer, default=0)
    # Approved budgets of projects that are not cancelled.
    approved: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    committed: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    disbursed: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    returned: Mapped[Decimal] = mapped_column(Money, default=ZERO)
    # What cancelled projects were paid, net of returns: it stays used in the envelope.
    cancelled_paid: Mapped[Decimal] = mapped_column(Money, default=ZERO)
