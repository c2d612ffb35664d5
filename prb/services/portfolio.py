"""The portfolio overview — the table the 2018 report calls "Exhibit V: Overview of 2018
seed projects" — for a programme (or all) and a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import raiseload

from prb.extensions import db
from prb.models import FundingProgramme, Proposal, User, utcnow
from prb.services.access import require_role
from prb.services.calendar import months_between
from prb.services.pdf import render
from workflows import Role

VIEWERS = (Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE)


@dataclass(frozen=True)
class OverviewRow:
    proposal: Proposal

    @property
    def code(self) -> str:
        return self.proposal.project_code or self.proposal.reference

    @property
    def heading(self) -> str:
        """Working group, then the project's title, as Exhibit V prints them."""
        return f"{self.proposal.working_group.name}: {self.proposal.title}"

    @property
    def duration(self) -> str:
        p = self.proposal
        text = p.duration_text
        if p.period_start and p.current_end and p.original_end and p.current_end != p.original_end:
            months = months_between(p.period_start, p.current_end)
            text = (
                f"{months} months ({p.period_start.day} {p.period_start:%B %Y}–"
                f"{p.current_end.day} {p.current_end:%B %Y}, extended from "
                f"{p.duration_months} months)"
            )
        return text

    @property
    def status(self) -> str:
        return self.proposal.status_label


@dataclass(frozen=True)
class Overview:
    programme: FundingProgramme | None
    year: int
    rows: list[OverviewRow]
    page: int = 1
    has_next: bool = False

    @property
    def title(self) -> str:
        scope = f" — {self.programme.code}" if self.programme else ""
        return f"Overview of {self.year} seed projects{scope}"


PAGE_SIZE = 50
MAX_PAGE = 1000


def overview(
    actor: User, programme_id: int | None, year: int | None, page: int | None = None
) -> Overview:
    """The overview's rows; `page` pages them for the screen (PDF and CSV take them all)."""
    require_role(actor, *VIEWERS, action="see the portfolio overview")
    year = year or utcnow().year
    programme = db.session.get(FundingProgramme, programme_id) if programme_id else None
    start, end = date(year, 1, 1), date(year, 12, 31)
    conditions = [
        Proposal.project_code.is_not(None),  # the projects (see finance_dashboard)
        or_(
            and_(
                Proposal.approved_at >= datetime(year, 1, 1, tzinfo=UTC),
                Proposal.approved_at < datetime(year + 1, 1, 1, tzinfo=UTC),
            ),
            and_(Proposal.period_start <= end, Proposal.current_end >= start),
        ),
    ]
    if programme is not None:
        conditions.append(Proposal.programme_id == programme.id)
    stmt = (
        select(Proposal)
        .options(raiseload(Proposal.implementing_entities))
        .where(*conditions)
        .order_by(Proposal.project_code, Proposal.id)
    )
    has_next = False
    if page is not None:
        # No count: one row more than a page tells whether there is a next page.
        page = max(1, min(page, MAX_PAGE))
        stmt = stmt.limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    rows = [OverviewRow(p) for p in db.session.scalars(stmt).unique()]
    if page is not None and len(rows) > PAGE_SIZE:
        rows, has_next = rows[:PAGE_SIZE], True
    return Overview(programme, year, rows, page=page or 1, has_next=has_next)


CSV_COLUMNS = [
    "code",
    "working_group",
    "title",
    "objective",
    "duration",
    "status",
    "scope",
    "results_alignment",
]


def csv_rows(data: Overview) -> list[list[str]]:
    return [
        [
            r.code,
            r.proposal.working_group.name,
            r.proposal.title,
            r.proposal.objective,
            r.duration,
            r.status,
            r.proposal.scope + (f" ({r.proposal.scope_detail})" if r.proposal.scope_detail else ""),
            r.proposal.results_alignment,
        ]
        for r in data.rows
    ]


def pdf(data: Overview) -> bytes:
    from flask import render_template

    return render(render_template("pdf/portfolio.html", o=data, generated_at=utcnow()))
