"""The finance dashboard: every project's money and time, flags, totals — aggregated in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import raiseload

from prb.extensions import db
from prb.models import FundingProgramme, PortfolioTotals, Proposal, User, WorkingGroup, utcnow
from prb.services.access import chairs_group, require_role
from prb.services.finance import Balances, Envelope, balances, money
from prb.services.finance import envelopes as finance_envelopes
from workflows import ProposalState, Role

S = ProposalState
RUNNING = frozenset({S.APPROVED, S.INITIATED, S.ONGOING, S.EXTENDED})
ENDING_SOON_DAYS = 60
IDLE_AFTER_APPROVAL_DAYS = 90


@dataclass(frozen=True)
class ProjectRow:
    proposal: Proposal
    balances: Balances
    today: date

    @property
    def days_left(self) -> int | None:
        end = self.proposal.current_end
        return (end - self.today).days if end else None

    @property
    def ends_soon(self) -> bool:
        d = self.days_left
        return self.proposal.status in RUNNING and d is not None and 0 <= d <= ENDING_SOON_DAYS

    @property
    def overdue(self) -> bool:
        d = self.days_left
        return self.proposal.status in RUNNING and d is not None and d < 0

    @property
    def idle(self) -> bool:
        approved_at = self.proposal.approved_at
        return (
            self.proposal.status in RUNNING
            and self.balances.disbursed == 0
            and approved_at is not None
            and approved_at.date() + timedelta(days=IDLE_AFTER_APPROVAL_DAYS) < self.today
        )

    @property
    def flags(self) -> list[str]:
        return [
            text
            for on, text in (
                (self.ends_soon, f"ends within {ENDING_SOON_DAYS} days"),
                (self.overdue, "past end date and not completed"),
                (self.idle, f"nothing disbursed {IDLE_AFTER_APPROVAL_DAYS} days after approval"),
            )
            if on
        ]


@dataclass(frozen=True)
class Totals:
    label: str
    projects: int
    approved: Decimal
    committed: Decimal
    disbursed: Decimal
    returned: Decimal

    @property
    def balance(self) -> Decimal:
        return self.approved - (self.disbursed - self.returned)


@dataclass(frozen=True)
class Filter:
    programme_id: int | None = None
    working_group_id: int | None = None


def _conditions(flt: Filter) -> list:  # type: ignore[type-arg]
    # Exactly the projects carry a code; walking the code's unique index keeps the
    # code-ordered pages cheap however large the portfolio.
    conditions = [Proposal.project_code.is_not(None)]
    if flt.programme_id:
        conditions.append(Proposal.programme_id == flt.programme_id)
    if flt.working_group_id:
        conditions.append(Proposal.working_group_id == flt.working_group_id)
    return conditions


def _rows_query(flt: Filter):  # type: ignore[no-untyped-def]
    return (
        select(Proposal)
        .options(raiseload(Proposal.implementing_entities))
        .where(*_conditions(flt))
        .order_by(Proposal.project_code, Proposal.id)
    )


def _row(proposal: Proposal, today: date) -> ProjectRow:
    return ProjectRow(proposal, balances(proposal), today)


def rows(
    actor: User, flt: Filter, *, page: int = 1, per_page: int = 50
) -> tuple[list[ProjectRow], int]:
    require_role(actor, Role.FINANCE, Role.SECRETARIAT, action="see every project's finances")
    # The running totals know how many projects there are: no count over the portfolio.
    counted = select(func.coalesce(func.sum(PortfolioTotals.projects), 0))
    if flt.programme_id:
        counted = counted.where(PortfolioTotals.programme_id == flt.programme_id)
    if flt.working_group_id:
        counted = counted.where(PortfolioTotals.working_group_id == flt.working_group_id)
    total = int(db.session.scalar(counted) or 0)
    page = max(1, min(page, max(1, -(-total // per_page))))
    today = utcnow().date()
    result = db.session.scalars(_rows_query(flt).limit(per_page).offset((page - 1) * per_page))
    return [_row(p, today) for p in result.unique()], total


def all_rows(actor: User, flt: Filter) -> Iterator[ProjectRow]:
    """Every row, for the CSV export, fetched in batches. The permission is checked now,
    before the first row is asked for."""
    require_role(actor, Role.FINANCE, Role.SECRETARIAT, action="export the dashboard")
    today = utcnow().date()

    def generate() -> Iterator[ProjectRow]:
        result = db.session.scalars(_rows_query(flt).execution_options(yield_per=500))
        for proposal in result:
            yield _row(proposal, today)

    return generate()


def totals(actor: User, flt: Filter, by: str) -> list[Totals]:
    """Totals per programme (`by="programme"`) or per working group, from the running
    totals: a few rows whatever the size of the portfolio."""
    require_role(
        actor, Role.FINANCE, Role.SECRETARIAT, Role.BOARD_MEMBER, action="see finance totals"
    )
    t = PortfolioTotals
    if by == "programme":
        key, label = t.programme_id, FundingProgramme.code
        join = (FundingProgramme, FundingProgramme.id == t.programme_id)
    else:
        key, label = t.working_group_id, WorkingGroup.name
        join = (WorkingGroup, WorkingGroup.id == t.working_group_id)
    conditions = []
    if flt.programme_id:
        conditions.append(t.programme_id == flt.programme_id)
    if flt.working_group_id:
        conditions.append(t.working_group_id == flt.working_group_id)
    stmt = (
        select(
            label,
            func.sum(t.projects),
            func.sum(t.approved),
            func.sum(t.committed),
            func.sum(t.disbursed),
            func.sum(t.returned),
        )
        .join(*join)
        .where(*conditions)
        .group_by(key, label)
        .having(func.sum(t.projects) > 0)
        .order_by(label)
    )
    return [
        Totals(name, int(n), money(a), money(c), money(d), money(r))
        for name, n, a, c, d, r in db.session.execute(stmt)
    ]


def envelopes(actor: User, flt: Filter) -> list[Envelope]:
    require_role(
        actor,
        Role.FINANCE,
        Role.SECRETARIAT,
        Role.BOARD_MEMBER,
        action="see the funding envelopes",
    )
    stmt = select(FundingProgramme).order_by(FundingProgramme.code)
    if flt.programme_id:
        stmt = stmt.where(FundingProgramme.id == flt.programme_id)
    return finance_envelopes(list(db.session.scalars(stmt)))


def may_see_project_rows(user: User) -> bool:
    return user.has_role(Role.FINANCE, Role.SECRETARIAT)


def chair_projects(user: User) -> list[ProjectRow]:
    """A chair's own projects, read-only."""
    if not user.chaired_group_ids:
        return []
    today = utcnow().date()
    stmt = _rows_query(Filter()).where(Proposal.working_group_id.in_(user.chaired_group_ids))
    return [
        _row(p, today)
        for p in db.session.scalars(stmt).unique()
        if chairs_group(user, p.working_group_id)
    ]
