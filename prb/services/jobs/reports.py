"""The portfolio reports as jobs: when a report renders inline, in the background or not at
all (deciding), and making its file from a job's parameters (the worker's side)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from prb.models import JobKind, User
from prb.services import portfolio
from prb.services.errors import Invalid
from prb.services.spreadsheet import csv_lines
from workflows import Role

VIEWERS: dict[JobKind, tuple[Role, ...]] = {
    JobKind.PORTFOLIO_PDF: portfolio.VIEWERS,
    JobKind.PORTFOLIO_CSV: portfolio.VIEWERS,
}

# Defaults of PRB_REPORT_INLINE_ROWS, PRB_REPORT_INLINE_CSV_ROWS, PRB_REPORT_MAX_PDF_ROWS.
# A 200-row PDF takes a few seconds of WeasyPrint. A CSV row costs little to write but
# each row's project is loaded in full: 1,000 rows take about 0.15 s at 10,000 proposals.
INLINE_PDF_ROWS = 200
INLINE_CSV_ROWS = 1000
MAX_PDF_ROWS = 2000


class Plan(StrEnum):
    INLINE = "inline"  # made within the request
    JOB = "job"  # made by the worker, offered as a download when ready
    REFUSE = "refuse"  # too large for one PDF: the CSV or a narrower selection


@dataclass(frozen=True)
class Bounds:
    inline_pdf: int = INLINE_PDF_ROWS
    inline_csv: int = INLINE_CSV_ROWS
    max_pdf: int = MAX_PDF_ROWS


def bounds() -> Bounds:
    from prb.services.jobs import setting

    return Bounds(
        setting("REPORT_INLINE_ROWS", INLINE_PDF_ROWS),
        setting("REPORT_INLINE_CSV_ROWS", INLINE_CSV_ROWS),
        setting("REPORT_MAX_PDF_ROWS", MAX_PDF_ROWS),
    )


def plan(kind: JobKind, rows: int, limits: Bounds) -> Plan:
    if kind == JobKind.PORTFOLIO_PDF:
        if rows > limits.max_pdf:
            return Plan.REFUSE
        return Plan.INLINE if rows <= limits.inline_pdf else Plan.JOB
    return Plan.INLINE if rows <= limits.inline_csv else Plan.JOB


def too_large(rows: int, limits: Bounds) -> str:
    return (
        f"This selection has {rows:,} projects; a PDF holds at most {limits.max_pdf:,}. "
        "Download the CSV, or choose one programme or a narrower selection."
    )


def parameters(data: portfolio.Selection | portfolio.Overview) -> dict[str, Any]:
    """What a job needs to make the report again, exactly as shown: the as-at date is the
    resolved one, never "today"."""
    return {
        "programme_id": data.programme.id if data.programme else None,
        "year": data.year,
        "as_at": data.as_at.isoformat(),
    }


def asked(programme_id: int | None, year: int, as_at: date) -> dict[str, Any]:
    """The parameters of a report asked for by a form (checked as the overview checks
    them, without building it): a programme that exists, an as-at date in the year and
    not in the future."""
    from prb.extensions import db
    from prb.models import FundingProgramme, utcnow

    if programme_id is not None and db.session.get(FundingProgramme, programme_id) is None:
        raise Invalid(f"There is no programme number {programme_id}.")
    if as_at > utcnow().date():
        raise Invalid("The as-at date cannot be in the future.", {"as_at": ["In the future."]})
    if as_at < date(year, 1, 1):
        raise Invalid(
            f"The as-at date is before {year}, the year the report is on.",
            {"as_at": [f"Before {year}."]},
        )
    return {"programme_id": programme_id, "year": year, "as_at": as_at.isoformat()}


def filename(kind: JobKind, data: portfolio.Selection | portfolio.Overview) -> str:
    extension = "pdf" if kind == JobKind.PORTFOLIO_PDF else "csv"
    return f"prb-portfolio-{data.year}-as-at-{data.as_at.isoformat()}.{extension}"


@dataclass(frozen=True)
class Output:
    content: bytes
    rows: int
    filename: str
    mimetype: str


def csv_bytes(data: portfolio.Overview) -> bytes:
    return "".join(csv_lines([portfolio.CSV_COLUMNS, *portfolio.csv_rows(data)])).encode()


def make(kind: JobKind, params: dict[str, Any], actor: User) -> Output:
    """The report a job asked for, as its requester may see it."""
    chosen = portfolio.select_projects(
        actor,
        params.get("programme_id"),
        params["year"],
        as_at=date.fromisoformat(params["as_at"]),
    )
    rows = chosen.size
    if kind == JobKind.PORTFOLIO_PDF:
        limits = bounds()
        # A request made by hand, not from the page that refuses it, is refused here,
        # before a row is built.
        if plan(kind, rows, limits) == Plan.REFUSE:
            raise ValueError(too_large(rows, limits))
        data = portfolio.build(chosen)
        return Output(portfolio.pdf(data), rows, filename(kind, data), "application/pdf")
    data = portfolio.build(chosen)
    return Output(csv_bytes(data), rows, filename(kind, data), "text/csv; charset=utf-8")
