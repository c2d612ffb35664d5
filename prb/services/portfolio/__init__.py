"""The portfolio overview — the table the 2018 report calls "Exhibit V: Overview of 2018
seed projects" — for a programme (or all) and a year, as it stood on a date ("as at").

Statuses and periods are reconstructed from dated records (`as_at`), never read from
today's status: see docs/portfolio-as-at.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prb.extensions import db
from prb.models import FundingProgramme, Proposal, ReportingNote, User, utcnow
from prb.services.access import require_role
from prb.services.calendar import months_between
from prb.services.errors import Invalid
from prb.services.pdf import render
from prb.services.portfolio import as_at as reconstruct
from prb.services.portfolio.records import project_records
from prb.services.reporting_notes import duration_text, in_force, notes_by_project
from workflows import PROPOSAL, Role

VIEWERS = (Role.BOARD_MEMBER, Role.SECRETARIAT, Role.FINANCE)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@dataclass(frozen=True)
class OverviewRow:
    proposal: Proposal
    state: reconstruct.AsAt
    # The secretariat's reporting note in force on the as-at date, if any.
    note: ReportingNote | None = None

    @property
    def code(self) -> str:
        return self.proposal.project_code or self.proposal.reference

    @property
    def heading(self) -> str:
        """Working group, then the project's title, as Exhibit V prints them."""
        return f"{self.proposal.working_group.name}: {self.proposal.title}"

    @property
    def duration(self) -> str:
        """The original duration, unless an extension was in force on the as-at date; with
        the reporting note in force then, else the note the proposal was submitted with."""
        p, s = self.proposal, self.state
        if s.extended and s.period_start and s.period_end:
            months = months_between(s.period_start, s.period_end)
            return (
                f"{months} months ({long_date(s.period_start)}–{long_date(s.period_end)}, "
                f"extended from {p.duration_months} months)"
            )
        if self.note is not None:
            return duration_text(p.duration_months, self.note.duration_note, self.note.period_text)
        return p.duration_text

    @property
    def status(self) -> str:
        return PROPOSAL.label(self.state.status) if self.state.status else ""


@dataclass(frozen=True)
class Overview:
    programme: FundingProgramme | None
    year: int
    as_at: date
    rows: list[OverviewRow]
    pending: list[OverviewRow]  # approved, not yet initiated on the as-at date
    page: int = 1
    has_next: bool = False

    @property
    def title(self) -> str:
        scope = f" — {self.programme.code}" if self.programme else ""
        return f"Overview of {self.year} seed projects{scope}, as at {long_date(self.as_at)}"


PAGE_SIZE = 50
MAX_PAGE = 1000


def default_as_at(year: int, today: date) -> date:
    return min(date(year, 12, 31), today)


def overview(
    actor: User,
    programme_id: int | None,
    year: int | None,
    page: int | None = None,
    as_at: date | None = None,
) -> Overview:
    """The overview's rows; `page` pages them for the screen (PDF and CSV take them all).
    A fixed number of queries, whatever the number of projects."""
    require_role(actor, *VIEWERS, action="see the portfolio overview")
    today = utcnow().date()
    year = year or (as_at.year if as_at else today.year)
    if as_at is None:
        as_at = default_as_at(year, today)
    elif as_at > today:
        raise Invalid("The as-at date cannot be in the future.", {"as_at": ["In the future."]})
    elif as_at < date(year, 1, 1):
        raise Invalid(
            f"The as-at date is before {year}, the year the overview reports on.",
            {"as_at": [f"Before {year}."]},
        )
    programme = db.session.get(FundingProgramme, programme_id) if programme_id else None
    listed: list[tuple[Proposal, reconstruct.AsAt]] = []
    waiting: list[tuple[Proposal, reconstruct.AsAt]] = []
    for proposal, record in project_records(programme.id if programme else None):
        if reconstruct.in_year(record, year, as_at):
            listed.append((proposal, reconstruct.status_as_at(record, as_at)))
        elif reconstruct.approved_not_initiated(record, year, as_at):
            waiting.append((proposal, reconstruct.status_as_at(record, as_at)))
    has_next = False
    if page is not None:
        page = max(1, min(page, MAX_PAGE))
        has_next = len(listed) > page * PAGE_SIZE
        listed = listed[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    # The reporting notes of the rows shown, in one query.
    notes = notes_by_project(p.id for p, _ in [*listed, *waiting])
    rows, pending = (
        [OverviewRow(p, state, in_force(notes[p.id], as_at)) for p, state in group]
        for group in (listed, waiting)
    )
    return Overview(programme, year, as_at, rows, pending, page=page or 1, has_next=has_next)


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
        # The projects approved but not yet initiated follow; their status ("Approved")
        # sets them apart, as the page's second table does.
        for r in [*data.rows, *data.pending]
    ]


def pdf(data: Overview) -> bytes:
    from flask import render_template

    return render(render_template("pdf/portfolio.html", o=data, generated_at=utcnow()))
