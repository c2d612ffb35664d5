"""The finance dashboard: every project's money and time, flags, totals — aggregated in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import raiseload

from prb.extensions import db
from prb.models import FundingProgramme, PortfolioTotals, Proposal, User, WorkingGroup, utcnow
from prb.services import stamped
from prb.services.access import require_role
from prb.services.finance import ZERO, Balances, Envelope, balances, money
from prb.services.finance import envelopes as finance_envelopes
from workflows import PROPOSAL, ProposalState, Role

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
        ended = PROPOSAL.state(self.proposal.status).terminal
        return (end - self.today).days if end and not ended else None

    @property
    def flags(self) -> list[str]:
        p = self.proposal
        return flags(p.status, self.days_left, self.balances, p.approved_at, self.today)


def flags(
    status: str,
    days_left: int | None,
    b: Balances,
    approved_at: datetime | None,
    today: date,
) -> list[str]:
    """What needs a look: ending within ENDING_SOON_DAYS, past its end while running,
    nothing disbursed IDLE_AFTER_APPROVAL_DAYS after approval; an ended project still
    holding a commitment it will not disburse (a cancellation leaves the release to finance,
    and until then the programme counts it as committed)."""
    running = status in RUNNING
    disbursed = b.disbursed
    found = []
    # Of the terminal states a project (it has a code) can only reach completed or
    # cancelled: rejected and withdrawn proposals never had a ledger.
    if PROPOSAL.state(status).terminal and b.undisbursed_commitment > 0:
        found.append(f"USD {b.undisbursed_commitment:,.2f} committed and not disbursed: release it")
    if running and days_left is not None and 0 <= days_left <= ENDING_SOON_DAYS:
        found.append(f"ends within {ENDING_SOON_DAYS} days")
    if running and days_left is not None and days_left < 0:
        found.append("past end date and not completed")
    if (
        running
        and disbursed == 0
        and approved_at is not None
        and approved_at.date() + timedelta(days=IDLE_AFTER_APPROVAL_DAYS) < today
    ):
        found.append(f"nothing disbursed {IDLE_AFTER_APPROVAL_DAYS} days after approval")
    return found


@dataclass(frozen=True, slots=True)
class DashboardRow:
    """One project's line on the dashboard page, read as plain columns (no proposal object,
    no working group object) with its flags worked out once, here, not in the template."""

    id: int
    code: str
    title: str
    group: str  # the working group's short name
    status: str
    status_label: str
    balances: Balances
    start: date | None  # the actual start, else the period's
    original_end: date | None
    current_end: date | None
    days_left: int | None
    flags: list[str]


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


def _counted(status: str, b: Balances) -> Balances:
    """A project's figures as the dashboard adds them up: a cancelled one counts for what
    it was paid (as the envelope counts it), its balance nil. Its approved budget, kept in
    the row, left a balance no one will be paid, and totals that dropped the budget but not
    the payments (a group's balance went negative)."""
    if status != S.CANCELLED:
        return b
    return Balances(b.disbursed - b.returned, b.committed, b.disbursed, b.returned)


def _row(proposal: Proposal, today: date) -> ProjectRow:
    return ProjectRow(proposal, _counted(proposal.status, balances(proposal)), today)


def rows(
    actor: User, flt: Filter, *, page: int = 1, per_page: int = 50, total: int | None = None
) -> tuple[list[DashboardRow], int]:
    """A page of the projects and their number (`total` when the caller read it already,
    from `both_totals`). Kept while the records are unchanged, for the day (the flags count
    days); everyone who may see it sees the same."""
    require_role(actor, Role.FINANCE, Role.SECRETARIAT, action="see every project's finances")
    today = utcnow().date()
    return stamped.cache("finance_rows").get_or_make(
        (flt, page, per_page, total, today), lambda: _rows(flt, page, per_page, total, today)
    )


def _rows(
    flt: Filter, page: int, per_page: int, total: int | None, today: date
) -> tuple[list[DashboardRow], int]:
    if total is None:
        # The running totals know how many projects there are: no count over the portfolio.
        counted = select(func.coalesce(func.sum(PortfolioTotals.projects), 0))
        if flt.programme_id:
            counted = counted.where(PortfolioTotals.programme_id == flt.programme_id)
        if flt.working_group_id:
            counted = counted.where(PortfolioTotals.working_group_id == flt.working_group_id)
        total = int(db.session.scalar(counted) or 0)
    page = max(1, min(page, max(1, -(-total // per_page))))
    p = Proposal
    found = db.session.execute(
        select(
            p.id,
            p.project_code,
            p.title,
            WorkingGroup.short_name,
            p.status,
            p.approved_budget,
            p.committed_total,
            p.disbursed_total,
            p.returned_total,
            p.actual_start,
            p.period_start,
            p.original_end,
            p.current_end,
            p.approved_at,
        )
        .join(WorkingGroup, WorkingGroup.id == p.working_group_id)
        .where(*_conditions(flt))
        .order_by(p.project_code, p.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    listed = []
    for (
        pid,
        code,
        title,
        group,
        status,
        approved,
        committed,
        disbursed,
        returned,
        actual_start,
        period_start,
        original_end,
        current_end,
        approved_at,
    ) in found:
        # As `finance.balances` reads a proposal's running totals.
        b = _counted(
            status,
            Balances(approved or ZERO, committed or ZERO, disbursed or ZERO, returned or ZERO),
        )
        # An ended project has no days left, however its end compares with today.
        ended = PROPOSAL.state(status).terminal
        days_left = (current_end - today).days if current_end and not ended else None
        listed.append(
            DashboardRow(
                pid,
                code,
                title,
                group,
                status,
                PROPOSAL.label(status),
                b,
                actual_start or period_start,
                original_end,
                current_end,
                days_left,
                flags(status, days_left, b, approved_at, today),
            )
        )
    return listed, total


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


def _require_totals_reader(actor: User) -> None:
    require_role(
        actor, Role.FINANCE, Role.SECRETARIAT, Role.BOARD_MEMBER, action="see finance totals"
    )


def totals(actor: User, flt: Filter, by: str) -> list[Totals]:
    """Totals per programme (`by="programme"`) or per working group, from the running
    totals: a few rows whatever the size of the portfolio."""
    _require_totals_reader(actor)
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
            # The running totals leave a cancelled project's budget out and keep its payments:
            # it counts for what it was paid (`_counted`).
            func.sum(t.approved) + func.sum(t.cancelled_paid),
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


def both_totals(actor: User, flt: Filter) -> tuple[list[Totals], list[Totals], int]:
    """`totals` per programme and per working group, and the number of projects: the
    programmes' totals count them, so the page needs no count of its own. (One statement
    for both groupings, a union or window functions, measured slower than these two.)"""
    _require_totals_reader(actor)

    def read() -> tuple[list[Totals], list[Totals], int]:
        by_programme = totals(actor, flt, "programme")
        return by_programme, totals(actor, flt, "group"), sum(x.projects for x in by_programme)

    # The same for everyone who may see them: kept while the records are unchanged.
    return stamped.cache("finance_totals").get_or_make(flt, read)


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
